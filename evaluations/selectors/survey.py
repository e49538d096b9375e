"""F-03 reads: a locus's live link, the survey figures the unit, evaluators and admins see,
and the paper sheets typed in. The mean uses the engine's exact arithmetic and its one
rounding rule, so the figure shown is the one the IPP uses."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from scoring import engine

from ..models import (
    Assessment,
    Cycle,
    Phase,
    SurveyChannel,
    SurveyItem,
    SurveyLink,
    SurveyResponse,
)
from ..rules import today, window_message
from .access import assessments_visible_to
from .rubric import instrument_survey_items
from .windows import window_of


def live_link(assessment: Assessment) -> SurveyLink | None:
    return SurveyLink.objects.filter(assessment=assessment, revoked_at__isnull=True).first()


def public_url(link: SurveyLink) -> str:
    """The absolute public address of a survey link: what the poster's QR code holds."""
    return settings.SITE_URL + reverse("public:survey", kwargs={"token": link.token})


def link_by_token(token: str) -> SurveyLink | None:
    """The live link with this token, with its locus, unit and agency, cycle, instrument and
    the cycle's owner; None for an unknown or revoked token."""
    if not token.isascii() or len(token) > 32:
        return None
    return (
        SurveyLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related(
            "assessment__unit__agency",
            "assessment__cycle__instrument",
            "assessment__cycle__owner_agency",
        )
        .first()
    )


@dataclass(frozen=True, slots=True)
class ItemFigure:
    number: int
    text: str
    mean: Decimal | None  # 2 decimals, half-up; None without respondents

    @property
    def percent(self) -> int:
        """The bar's length: the mean as a share of 5."""
        return 0 if self.mean is None else round(self.mean * 20)


@dataclass(frozen=True, slots=True)
class SurveySummary:
    respondents: int  # valid (not voided) responses, online and paper
    online: int
    paper: int
    voided: int
    minimum: int  # m, after the cycle's override
    weight: Decimal  # σ, after the cycle's override
    index: Decimal | None  # S rounded for display; None without respondents
    items: tuple[ItemFigure, ...]

    @property
    def enough(self) -> bool:
        return self.respondents >= self.minimum

    @property
    def counted(self) -> bool:
        """Whether the survey enters the IPP (§4): σ > 0 and at least m valid respondents."""
        return self.weight > 0 and self.respondents > 0 and self.enough

    @property
    def missing(self) -> int:
        return max(self.minimum - self.respondents, 0)

    @property
    def reason(self) -> str:
        """Why the survey does not count, in the engine's words ("" when it counts)."""
        if self.weight == 0:
            return "survey_weight_zero"
        if self.respondents == 0:
            return "no_survey"
        return "" if self.enough else "too_few_respondents"

    @property
    def items_low_first(self) -> list[ItemFigure]:
        """The items from the lowest mean up (ties by number); without answers, by number."""
        return sorted(self.items, key=lambda i: (i.mean is None, i.mean or 0, i.number))

    @property
    def lowest(self) -> Decimal | None:
        """The lowest item mean: what users rate worst (None without respondents)."""
        return min((i.mean for i in self.items if i.mean is not None), default=None)


SurveyRow = tuple[list[int], str, dt.datetime | None]  # answers, channel, voided_at


def survey_rows(assessment: Assessment) -> list[SurveyRow]:
    """Every response of the locus, voided ones too, in the order given (one query)."""
    return list(
        SurveyResponse.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("answers", "channel", "voided_at")
    )


def valid_answers(rows: Sequence[SurveyRow]) -> list[list[int]]:
    """The answers that count, in the order given: what the engine takes as the survey."""
    return [answers for answers, _, voided in rows if voided is None]


def survey_summary(assessment: Assessment) -> SurveySummary:
    """The locus's survey figures (one query, and the items once per process; `assessment`
    comes with its cycle and instrument)."""
    items = instrument_survey_items(assessment.cycle.instrument)
    return summarize(assessment.cycle, items, survey_rows(assessment))


def summarize(
    cycle: Cycle, items: Sequence[SurveyItem], rows: Sequence[SurveyRow]
) -> SurveySummary:
    """The survey figures of one locus from its rows (`survey_rows`), no query."""
    valid = valid_answers(rows)
    online = sum(1 for _, channel, voided in rows if voided is None and channel == "online")
    n = len(valid)
    means = []
    for position, item in enumerate(items):
        total = sum(answers[position] for answers in valid)
        means.append(ItemFigure(item.number, item.text, _mean(total, n)))
    overall = _mean(sum(map(sum, valid)), n * len(items)) if items else None
    return SurveySummary(
        respondents=n,
        online=online,
        paper=n - online,
        voided=len(rows) - n,
        minimum=cycle.effective_min_respondents,
        weight=cycle.effective_survey_weight,
        index=overall,
        items=tuple(means),
    )


def _mean(total: int, count: int) -> Decimal | None:
    return engine.round_half_up(Fraction(total, count)) if count else None


def paper_entries(assessment: Assessment) -> QuerySet[SurveyResponse]:
    """The typed-in paper sheets of a locus, newest first, with who entered or voided them."""
    return (
        SurveyResponse.objects.filter(assessment=assessment, channel=SurveyChannel.PAPER)
        .select_related("entered_by", "voided_by", "sheet")
        .order_by("-pk")
    )


@dataclass(frozen=True, slots=True)
class LocusSurvey:
    """One locus's survey in a list of loci: valid respondents against m, and S."""

    respondents: int
    minimum: int
    index: Decimal | None

    @property
    def enough(self) -> bool:
        return self.respondents >= self.minimum

    @property
    def missing(self) -> int:
        return max(self.minimum - self.respondents, 0)


def loci_survey(cycle: Cycle, assessment_ids: Iterable[int]) -> dict[int, LocusSurvey]:
    """The survey of each of the given loci of `cycle` (one query however many).

    The index is computed here from the valid answers of only these loci, as `survey_summary`
    does, rather than read from stored results: a result exists only once the final levels
    are complete, while the survey runs (and is watched) long before that."""
    ids = list(assessment_ids)
    totals = {pk: [0, 0, 0] for pk in ids}  # respondents, sum of answers, answers
    rows = (
        SurveyResponse.objects.valid()
        .filter(assessment_id__in=ids)
        .values_list("assessment_id", "answers")
        .order_by()
    )
    for assessment_id, answers in rows:
        total = totals[assessment_id]
        total[0] += 1
        total[1] += sum(answers)
        total[2] += len(answers)
    minimum = cycle.effective_min_respondents
    return {
        pk: LocusSurvey(respondents=n, minimum=minimum, index=_mean(answered, cells))
        for pk, (n, answered, cells) in totals.items()
    }


# --- the unit's survey page ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SurveyWindow:
    """The survey phase for this unit: its dates, whether it is open and, if not, why."""

    starts_on: dt.date | None  # first and last day, extensions included; None without dates
    ends_on: dt.date | None
    state: str  # "open", "not_open" (starts later), "closed" or "unscheduled"
    problem: str | None  # the sentence saying why it is not open; None while open

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def survey_window(assessment: Assessment, on: dt.date | None = None) -> SurveyWindow:
    """The SURVEY window of this locus on `on` (today), extensions included (one query),
    judged by the rule the services enforce (`rules.window_message`)."""
    on = on or today()
    window = window_of(assessment, Phase.SURVEY)
    problem = window_message(Phase.SURVEY.label, window, on)
    if window is None:
        return SurveyWindow(None, None, "unscheduled", problem)
    if problem is None:
        state = "open"
    else:
        state = "not_open" if on < window[0] else "closed"
    return SurveyWindow(*window, state, problem)


@dataclass(frozen=True)
class SurveyPage:
    assessment: Assessment
    link: SurveyLink | None
    url: str  # the public address, "" without a live link
    window: SurveyWindow
    items: Sequence[SurveyItem]
    summary: SurveySummary
    entries: list[SurveyResponse]  # typed-in paper sheets, newest first
    is_operator: bool  # may type in and void paper sheets
    can_run: bool  # may reissue the link and print the poster

    @property
    def can_enter(self) -> bool:
        """Whether the paper form is offered: the unit's operator, while the window is open."""
        return self.is_operator and self.window.is_open


def survey_assessments(user) -> QuerySet[Assessment]:
    """The loci `user` may see, with what the survey pages show."""
    return assessments_visible_to(user).select_related("unit__agency", "cycle__instrument")


def survey_page(
    assessment: Assessment, *, link: SurveyLink | None, is_operator: bool, can_run: bool
) -> SurveyPage:
    """Everything the unit's survey page shows (three queries; the items are read once per
    process). `assessment` comes from `survey_assessments`; `link` is its live link (None:
    there is none yet)."""
    items = instrument_survey_items(assessment.cycle.instrument)
    return SurveyPage(
        assessment=assessment,
        link=link,
        url=public_url(link) if link else "",
        window=survey_window(assessment),
        items=items,
        summary=summarize(assessment.cycle, items, survey_rows(assessment)),
        entries=list(paper_entries(assessment)),
        is_operator=is_operator,
        can_run=can_run,
    )
