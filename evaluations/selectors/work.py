"""Open work of people, with its deadline: what each home page lists (most urgent first) and
what the reminder job mails about (`services/reminders.py`).

Phase work comes from the phase windows, each unit's extensions included (the deadline is the
last day of the window for that unit, by `rules.window_from`; a phase closes at the end of
that day):

- unit operators: F-01 not submitted (self-assessment), fewer valid survey respondents than
  the cycle's m (survey), clarifications not answered (clarification); and follow-up items
  not done (belum / berjalan) that have a target date — their deadline is the target date;
- evaluators: their F-02 not submitted, with how many indicators are still without a level
  (evaluation);
- moderators: loci past F-02 and not final yet (moderation). Moderation is the work of those
  who run the cycle: the coordinators of the owner agency for a Mandiri cycle, the ministry
  admins for the others (admins may also moderate a Mandiri cycle, but it is not theirs to be
  reminded of).

Phase work is open once its window has started; a home page keeps it listed up to
`OVERDUE_SHOWN_DAYS` after the deadline ("terlambat 2 hari": ask for an extension), the job
asks only for given deadlines. Each kind is one query, for everyone at once or for one
person, whatever the amount of work; the people work concerns are three more (operators,
admins, coordinators), only when asked for everyone.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from units.models import Role, RoleAssignment
from units.permissions import roles_of

from ..models import (
    Assessment,
    AssessmentStatus,
    Clarification,
    ClarificationStatus,
    Cycle,
    EvaluatorAssignment,
    FollowUpItem,
    FollowUpStatus,
    Indicator,
    Phase,
    Scheme,
    Score,
    SurveyResponse,
)
from .windows import window_subqueries

# How long phase work stays on a home page after its deadline.
OVERDUE_SHOWN_DAYS = 14
Status = AssessmentStatus
OPEN_FOLLOWUP = (FollowUpStatus.NOT_STARTED, FollowUpStatus.IN_PROGRESS)
# An evaluator's F-02 is pending from the unit's submission until they hand it in.
F02_STATUSES = (Status.SUBMITTED, Status.IN_EVALUATION, Status.CLARIFICATION)
# A locus waits for its moderators once F-01 is in, until it is final.
MODERATION_STATUSES = (*F02_STATUSES, Status.MODERATED)


class WorkKind(models.TextChoices):
    """Kinds of open work, in the order a list shows work due on the same day."""

    F01 = "f01", gettext_lazy("F-01")
    SURVEY = "survey", gettext_lazy("Survei F-03")
    CLARIFICATION = "clarification", gettext_lazy("Klarifikasi")
    F02 = "f02", gettext_lazy("F-02")
    MODERATION = "moderation", gettext_lazy("Moderasi")
    FOLLOWUP = "followup", gettext_lazy("Tindak lanjut")


PHASE_OF_KIND = {
    WorkKind.F01: Phase.SELF_ASSESSMENT,
    WorkKind.SURVEY: Phase.SURVEY,
    WorkKind.CLARIFICATION: Phase.CLARIFICATION,
    WorkKind.F02: Phase.EVALUATION,
    WorkKind.MODERATION: Phase.MODERATION,
}
_ORDER = {kind: n for n, kind in enumerate(WorkKind)}


@dataclass(frozen=True)
class WorkItem:
    """One piece of open work: what, where to do it (`url`, a path), by when, for whom."""

    kind: WorkKind
    deadline: dt.date
    days_left: int  # deadline − the day asked about: 0 today, negative when late
    url: str
    cycle_id: int
    cycle_name: str
    unit_name: str
    ref: int  # the assessment (phase work) or the follow-up item
    people: frozenset[int]  # ids of the people it concerns
    count: int = 0  # survey: valid respondents; F-02: indicators without a level
    minimum: int = 0  # survey: m
    numbers: tuple[int, ...] = ()  # indicator numbers (clarifications, a follow-up item)
    state: str = ""  # moderation: waiting / ready / moderated; follow-up: its status
    detail: str = ""  # follow-up: the recommendation

    @property
    def phase(self) -> Phase | None:
        return PHASE_OF_KIND.get(self.kind)

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def urgency(self) -> str:
        """late, today, soon (within 3 days) or later: how a list marks it."""
        if self.days_left < 0:
            return "late"
        if self.days_left == 0:
            return "today"
        return "soon" if self.days_left <= 3 else "later"

    @property
    def what(self) -> str:
        """The work in a few words, in the active language."""
        numbers = ", ".join(str(n) for n in self.numbers)
        if self.kind == WorkKind.F01:
            return _("F-01 belum diajukan")
        if self.kind == WorkKind.SURVEY:
            return _("Survei F-03: %(n)d dari minimum %(m)d responden") % {
                "n": self.count,
                "m": self.minimum,
            }
        if self.kind == WorkKind.CLARIFICATION:
            return ngettext(
                "Klarifikasi indikator %(numbers)s belum dijawab",
                "Klarifikasi indikator %(numbers)s belum dijawab",
                len(self.numbers),
            ) % {"numbers": numbers}
        if self.kind == WorkKind.F02:
            if not self.count:
                return _("F-02 belum diserahkan")
            return ngettext(
                "F-02 belum diserahkan: %(n)d indikator belum dinilai",
                "F-02 belum diserahkan: %(n)d indikator belum dinilai",
                self.count,
            ) % {"n": self.count}
        if self.kind == WorkKind.MODERATION:
            return {
                "waiting": _("Moderasi: menunggu F-02 evaluator"),
                "ready": _("Moderasi: tingkat final belum ditetapkan"),
                "moderated": _("Moderasi: penilaian belum ditetapkan final"),
            }[self.state]
        return _("Tindak lanjut indikator %(number)s (%(status)s)") % {
            "number": numbers,
            "status": FollowUpStatus(self.state).label,
        }


@dataclass(frozen=True)
class _Scope:
    """Whose work to read: a filter per role, None for none of that kind."""

    units: Q | None  # on Assessment: the units whose operator work is read
    assignments: Q | None  # on EvaluatorAssignment
    cycles: Q | None  # on Cycle: the cycles whose moderation is read
    person: int | None = None  # one person (their id), or None: everyone


EVERYONE = _Scope(units=Q(), assignments=Q(), cycles=Q())


def _scope_of(person) -> _Scope:
    roles = roles_of(person)
    moderated = Q(pk__in=[])
    if roles.ministry_admin:
        moderated |= ~Q(scheme=Scheme.MANDIRI)
    if roles.coordinator_agencies:
        moderated |= Q(scheme=Scheme.MANDIRI, owner_agency__in=roles.coordinator_agencies)
    moderates = roles.ministry_admin or bool(roles.coordinator_agencies)
    return _Scope(
        units=Q(unit__in=roles.operator_units) if roles.operator_units else None,
        assignments=Q(evaluator=person) if roles.evaluator else None,
        cycles=moderated if moderates else None,
        person=person.pk,
    )


def open_work_of(person, *, on: dt.date, limit: int | None = None) -> list[WorkItem]:
    """The person's open work on day `on`, most urgent first (at most `limit` items): one
    query per kind of work their roles give them."""
    if not getattr(person, "is_active", False):
        return []
    return _open_work(_scope_of(person), on=on, deadlines=None, limit=limit)


def open_work_due(*, on: dt.date, deadlines: Collection[dt.date]) -> list[WorkItem]:
    """Everyone's open work whose deadline is one of `deadlines`, with the people it concerns
    (active people only): at most nine queries however much there is."""
    return _open_work(EVERYONE, on=on, deadlines=deadlines, limit=None)


def _open_work(
    scope: _Scope, *, on: dt.date, deadlines: Collection[dt.date] | None, limit: int | None
) -> list[WorkItem]:
    rows: list[_Row] = []
    if scope.units is not None:
        rows += _f01(scope.units, on, deadlines, limit)
        rows += _survey(scope.units, on, deadlines, limit)
        rows += _clarifications(scope.units, on, deadlines)
        rows += _followups(scope.units, deadlines, limit)
    if scope.assignments is not None:
        rows += _f02(scope.assignments, on, deadlines, limit)
    if scope.cycles is not None:
        rows += _moderation(scope.cycles, on, deadlines, limit)
    people_of = _People(rows) if scope.person is None else (lambda row: frozenset([scope.person]))
    items = [
        WorkItem(
            kind=row.kind,
            deadline=row.deadline,
            days_left=(row.deadline - on).days,
            url=row.url,
            cycle_id=row.assessment.cycle_id,
            cycle_name=row.assessment.cycle.name,
            unit_name=row.assessment.unit.name,
            ref=row.ref,
            people=people_of(row),
            **row.extra,
        )
        for row in rows
    ]
    items = [item for item in items if item.people]
    items.sort(key=lambda i: (i.deadline, _ORDER[i.kind], i.unit_name, i.ref))
    return items[:limit] if limit is not None else items


# --- the queries, one per kind ----------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """A piece of work as read, before the people it concerns are known."""

    kind: WorkKind
    assessment: Assessment  # with its unit and cycle
    deadline: dt.date
    url: str
    ref: int
    extra: dict = field(default_factory=dict)  # more WorkItem fields
    evaluator: int | None = None  # F-02: whose it is


def _windowed(qs: QuerySet, phase: Phase, *, cycle_ref: str, assessment_ref: str) -> QuerySet:
    """Annotate `starts` and `deadline`: the phase's start and its last day for the unit."""
    starts, ends, extended = window_subqueries(
        phase, cycle_ref=cycle_ref, assessment_ref=assessment_ref
    )
    return qs.annotate(starts=starts, ends=ends, extended=extended).annotate(
        deadline=Greatest(F("ends"), Coalesce(F("extended"), F("ends")))
    )


def _due(qs: QuerySet, on: dt.date, deadlines, limit: int | None) -> QuerySet:
    """Phase work open on `on`: started, and due on one of `deadlines` (the job) or not more
    than OVERDUE_SHOWN_DAYS late (a home page, the `limit` most urgent)."""
    qs = qs.filter(starts__lte=on)
    if deadlines is not None:
        return qs.filter(deadline__in=list(deadlines))
    qs = qs.filter(deadline__gte=on - dt.timedelta(days=OVERDUE_SHOWN_DAYS))
    return qs.order_by("deadline", "pk")[:limit] if limit is not None else qs


def _assessments(units: Q) -> QuerySet[Assessment]:
    return Assessment.objects.filter(units).select_related("unit", "cycle")


def _link(name: str, pk: int, anchor: str = "") -> str:
    return reverse(f"evaluations:{name}", args=[pk]) + anchor


def _f01(units: Q, on, deadlines, limit) -> list[tuple]:
    qs = _windowed(
        _assessments(units).filter(status=Status.DRAFT),
        Phase.SELF_ASSESSMENT,
        cycle_ref="cycle_id",
        assessment_ref="pk",
    )
    return [
        _Row(WorkKind.F01, a, a.deadline, _link("f01_form", a.pk), a.pk)
        for a in _due(qs, on, deadlines, limit)
    ]


def _survey(units: Q, on, deadlines, limit) -> list[tuple]:
    respondents = (
        SurveyResponse.objects.valid()
        .filter(assessment=OuterRef("pk"))
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = _windowed(
        # A final locus's survey window is long closed: old cycles are not read.
        _assessments(units)
        .exclude(status=Status.FINAL)
        .annotate(
            respondents=Coalesce(Subquery(respondents), 0),
            minimum=Coalesce("cycle__min_respondents", "cycle__instrument__min_respondents"),
        )
        .filter(respondents__lt=F("minimum")),
        Phase.SURVEY,
        cycle_ref="cycle_id",
        assessment_ref="pk",
    )
    return [
        _Row(
            WorkKind.SURVEY,
            a,
            a.deadline,
            _link("survey_manage", a.pk),
            a.pk,
            {"count": a.respondents, "minimum": a.minimum},
        )
        for a in _due(qs, on, deadlines, limit)
    ]


def _clarifications(units: Q, on, deadlines) -> list[tuple]:
    """One row per locus with its open clarifications (few at any time: not limited)."""
    qs = _windowed(
        Clarification.objects.filter(
            status=ClarificationStatus.OPEN,
            assessment__in=Assessment.objects.filter(units),
        ).select_related("assessment__unit", "assessment__cycle", "indicator"),
        Phase.CLARIFICATION,
        cycle_ref="assessment__cycle_id",
        assessment_ref="assessment_id",
    )
    by_locus: dict[int, list] = defaultdict(list)
    for clarification in _due(qs, on, deadlines, None).order_by("assessment_id", "pk"):
        by_locus[clarification.assessment_id].append(clarification)
    rows = []
    for found in by_locus.values():
        first, numbers = found[0], sorted({c.indicator.number for c in found})
        a = first.assessment
        rows.append(
            _Row(
                WorkKind.CLARIFICATION,
                a,
                first.deadline,
                _link("f01_form", a.pk, f"#ind-{numbers[0]}"),
                a.pk,
                {"numbers": tuple(numbers)},
            )
        )
    return rows


def _followups(units: Q, deadlines, limit) -> list[tuple]:
    """Follow-up items not done, with a target date (late ones stay until they are done)."""
    qs = FollowUpItem.objects.filter(
        units, status__in=OPEN_FOLLOWUP, target_date__isnull=False
    ).select_related("assessment__unit", "assessment__cycle", "indicator")
    if deadlines is not None:
        qs = qs.filter(target_date__in=list(deadlines))
    else:
        qs = qs.order_by("target_date", "pk")[:limit] if limit is not None else qs
    return [
        _Row(
            WorkKind.FOLLOWUP,
            item.assessment,
            item.target_date,
            reverse("evaluations:followup_detail", args=[item.pk]),
            item.pk,
            {
                "numbers": (item.indicator.number,),
                "state": item.status,
                "detail": item.recommendation,
            },
        )
        for item in qs
    ]


def _f02(assignments: Q, on, deadlines, limit) -> list[tuple]:
    scored = (
        Score.objects.filter(
            assignment=OuterRef("pk"), level__isnull=False, indicator__supplementary=False
        )
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    indicators = (
        Indicator.objects.filter(
            instrument=OuterRef("assessment__cycle__instrument"), supplementary=False
        )
        .order_by()
        .values("instrument")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = _windowed(
        EvaluatorAssignment.objects.filter(
            assignments,
            submitted_at__isnull=True,
            assessment__status__in=F02_STATUSES,
            evaluator__is_active=True,
        )
        .select_related("assessment__unit", "assessment__cycle")
        .annotate(unscored=Coalesce(Subquery(indicators), 0) - Coalesce(Subquery(scored), 0)),
        Phase.EVALUATION,
        cycle_ref="assessment__cycle_id",
        assessment_ref="assessment_id",
    )
    return [
        _Row(
            WorkKind.F02,
            a.assessment,
            a.deadline,
            _link("f02_form", a.assessment_id),
            a.assessment_id,
            {"count": max(a.unscored, 0)},
            evaluator=a.evaluator_id,
        )
        for a in _due(qs, on, deadlines, limit)
    ]


def _moderation(cycles: Q, on, deadlines, limit) -> list[tuple]:
    team = EvaluatorAssignment.objects.filter(assessment=OuterRef("pk"))
    qs = _windowed(
        Assessment.objects.filter(
            status__in=MODERATION_STATUSES, cycle__in=Cycle.objects.filter(cycles)
        )
        .select_related("unit", "cycle")
        .annotate(
            has_team=Exists(team),
            waiting=Exists(team.filter(submitted_at__isnull=True)),
        ),
        Phase.MODERATION,
        cycle_ref="cycle_id",
        assessment_ref="pk",
    )
    rows = []
    for a in _due(qs, on, deadlines, limit):
        if a.status == Status.MODERATED:
            state = "moderated"
        elif a.status == Status.IN_EVALUATION and a.has_team and not a.waiting:
            state = "ready"
        else:
            state = "waiting"
        rows.append(
            _Row(
                WorkKind.MODERATION,
                a,
                a.deadline,
                _link("moderation_form", a.pk),
                a.pk,
                {"state": state},
            )
        )
    return rows


# --- the people work concerns -----------------------------------------------------------


class _People:
    """The active people each row concerns, read with at most three queries for all rows:
    the units' operators, the ministry admins, the coordinators of Mandiri cycles' owners."""

    def __init__(self, rows: list[_Row]):
        units = {r.assessment.unit_id for r in rows if r.kind in _OPERATOR_KINDS}
        moderated = [r.assessment.cycle for r in rows if r.kind == WorkKind.MODERATION]
        owners = {c.owner_agency_id for c in moderated if c.scheme == Scheme.MANDIRI}
        active = RoleAssignment.objects.filter(user__is_active=True)
        self.operators = _by_key(
            active.filter(role=Role.UNIT_OPERATOR, unit__in=units).values_list("unit_id", "user_id")
            if units
            else []
        )
        self.admins = frozenset(
            active.filter(role=Role.MINISTRY_ADMIN).values_list("user_id", flat=True)
            if any(c.scheme != Scheme.MANDIRI for c in moderated)
            else []
        )
        self.coordinators = _by_key(
            active.filter(role=Role.COORDINATOR, agency__in=owners).values_list(
                "agency_id", "user_id"
            )
            if owners
            else []
        )

    def __call__(self, row: _Row) -> frozenset[int]:
        if row.kind == WorkKind.F02:
            return frozenset([row.evaluator])
        if row.kind == WorkKind.MODERATION:
            cycle = row.assessment.cycle
            if cycle.scheme == Scheme.MANDIRI:
                return self.coordinators.get(cycle.owner_agency_id, frozenset())
            return self.admins
        return self.operators.get(row.assessment.unit_id, frozenset())


_OPERATOR_KINDS = (WorkKind.F01, WorkKind.SURVEY, WorkKind.CLARIFICATION, WorkKind.FOLLOWUP)


def _by_key(pairs) -> dict[int, frozenset[int]]:
    grouped: dict[int, set[int]] = defaultdict(set)
    for key, person in pairs:
        grouped[key].add(person)
    return {key: frozenset(people) for key, people in grouped.items()}
