"""F-03 reads: a locus's live link, the survey figures the unit, evaluators and admins see,
and the paper sheets typed in. The mean uses the engine's exact arithmetic and its one
rounding rule, so the figure shown is the one the IPP uses."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import QuerySet

from scoring import engine

from ..models import Assessment, Phase, SurveyChannel, SurveyItem, SurveyLink, SurveyResponse
from ..rules import today, window_open
from .windows import window_of


def live_link(assessment: Assessment) -> SurveyLink | None:
    return SurveyLink.objects.filter(assessment=assessment, revoked_at__isnull=True).first()


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


def survey_items(instrument_id: int) -> list[SurveyItem]:
    return list(SurveyItem.objects.filter(instrument_id=instrument_id).order_by("number"))


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


def survey_summary(assessment: Assessment) -> SurveySummary:
    """The locus's survey figures (two queries; `assessment` comes with its cycle and
    instrument)."""
    cycle = assessment.cycle
    items = survey_items(cycle.instrument_id)
    rows = list(
        SurveyResponse.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("answers", "channel", "voided_at")
    )
    valid = [answers for answers, _, voided in rows if voided is None]
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
class SurveyWindow:
    """The survey phase of a locus as the public page tells it, before anyone starts."""

    starts_on: dt.date | None
    ends_on: dt.date | None
    state: str  # "open", "not_open" (starts later), "closed" or "unscheduled"

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def survey_window(assessment: Assessment, on: dt.date | None = None) -> SurveyWindow:
    """The SURVEY window of this locus on `on` (today), extensions included (one query),
    judged by the rule the services enforce (`rules.window_open`)."""
    window = window_of(assessment, Phase.SURVEY)
    on = on or today()
    if window is None:
        return SurveyWindow(None, None, "unscheduled")
    starts, ends = window
    if window_open(window, on):
        state = "open"
    elif on < starts:
        state = "not_open"
    else:
        state = "closed"
    return SurveyWindow(starts, ends, state)
