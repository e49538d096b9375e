"""Reads of cycle set-up: a cycle's windows and loci, candidate units, evaluator workload.

Each function costs a fixed number of queries whatever the number of loci or evaluators.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from units.models import Agency, Province, Role, RoleAssignment, ServiceType, ServiceUnit, User
from units.selectors import name_search_q

from ..models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    EvaluatorAssignment,
    Phase,
    PhaseExtension,
    PhaseWindow,
    Scheme,
)
from .access import cycle_overview, cycles_visible_to
from .survey import loci_survey

UNITS_PAGE_SIZE = 50
LOCI_PAGE_SIZE = 100
SEARCH_MAX_LENGTH = 100
# The names a search of loci matches its words against (`units.selectors.name_search_q`): the
# unit's, its agency's and its province's.
LOCUS_NAMES = ("unit__name", "unit__agency__name", "unit__agency__province__name")
PHASE_ORDER = {phase: i for i, phase in enumerate(Phase.values)}


def cycle_list(user) -> QuerySet[Cycle]:
    """The cycles a person may open, with their numbers of loci (one query)."""
    return cycle_overview(cycles_visible_to(user))


def cycle_of(user, pk: int) -> QuerySet[Cycle]:
    """The cycle `pk` if `user` may see it (empty otherwise), with what its pages show."""
    return cycles_visible_to(user).select_related("instrument", "owner_agency").filter(pk=pk)


def cycle_windows(cycle: Cycle) -> list[PhaseWindow]:
    """The cycle's phase windows in the order of the phases."""
    return sorted(cycle.windows.all(), key=lambda w: PHASE_ORDER.get(w.phase, 99))


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class LociSummary:
    total: int
    unassigned: int
    by_status: tuple[StatusCount, ...]


def loci_summary(cycle: Cycle) -> LociSummary:
    """How many loci the cycle has, per status, and how many still have no team (one query)."""
    rows = (
        Assessment.objects.filter(cycle=cycle)
        .values("status")
        .annotate(
            n=Count("pk", distinct=True),
            unassigned=Count("pk", distinct=True, filter=Q(assignments__isnull=True)),
        )
        .order_by()
    )
    counts = {r["status"]: r for r in rows}
    by_status = tuple(
        StatusCount(value, str(label), counts.get(value, {}).get("n", 0))
        for value, label in AssessmentStatus.choices
    )
    return LociSummary(
        total=sum(s.count for s in by_status),
        unassigned=sum(r["unassigned"] for r in counts.values()),
        by_status=by_status,
    )


def cycle_loci_queryset(
    cycle: Cycle, *, status: str = "", search: str = "", unassigned: bool = False
) -> QuerySet[Assessment]:
    """The cycle's loci, filtered, with their unit, agency and team (one query and one for the
    teams), by unit name."""
    qs = Assessment.objects.filter(cycle=cycle)
    if status in AssessmentStatus.values:
        qs = qs.filter(status=status)
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if search:
        qs = qs.filter(name_search_q(search, LOCUS_NAMES) | Q(unit__code__iexact=search))
    if unassigned:
        qs = qs.filter(~Exists(EvaluatorAssignment.objects.filter(assessment=OuterRef("pk"))))
    team = EvaluatorAssignment.objects.select_related("evaluator", "evaluator__agency").order_by(
        "-is_lead", "evaluator__full_name", "evaluator__username"
    )
    return (
        qs.select_related("unit", "unit__agency", "unit__service_type")
        .prefetch_related(Prefetch("assignments", queryset=team))
        .order_by("unit__name", "pk")
    )


def cycle_loci(
    cycle: Cycle,
    *,
    page: str | int = 1,
    status: str = "",
    search: str = "",
    unassigned: bool = False,
    with_survey: bool = False,
) -> Page:
    """One page of the cycle's loci with their unit, agency and team (three queries), and
    `with_survey`, each locus's F-03 respondents and index as `survey_figures` (one more)."""
    qs = cycle_loci_queryset(cycle, status=status, search=search, unassigned=unassigned)
    loci = Paginator(qs, LOCI_PAGE_SIZE).get_page(page)
    if with_survey:
        loci.object_list = list(loci.object_list)  # read here: templates trigger no queries
        figures = loci_survey(cycle, (a.pk for a in loci.object_list))
        for locus in loci.object_list:
            locus.survey_figures = figures[locus.pk]
    return loci


@dataclass(frozen=True, slots=True)
class UnitFilters:
    agency: Agency | None = None
    province: Province | None = None
    service_type: ServiceType | None = None
    search: str = ""


def candidate_units_queryset(cycle: Cycle) -> QuerySet[ServiceUnit]:
    """Active units that are not loci of the cycle yet; a Mandiri cycle's own units only."""
    qs = ServiceUnit.objects.filter(is_active=True).exclude(
        Exists(Assessment.objects.filter(cycle=cycle, unit=OuterRef("pk")))
    )
    if cycle.scheme == Scheme.MANDIRI:
        qs = qs.filter(agency_id=cycle.owner_agency_id)
    return qs


def candidate_units(cycle: Cycle, filters: UnitFilters, *, page: str | int = 1) -> Page:
    """One page (50) of the units that can be added as loci, filtered (two queries)."""
    qs = candidate_units_queryset(cycle)
    if filters.agency is not None:
        qs = qs.filter(agency=filters.agency)
    if filters.province is not None:
        qs = qs.filter(agency__province=filters.province)
    if filters.service_type is not None:
        qs = qs.filter(service_type=filters.service_type)
    search = filters.search.strip()[:SEARCH_MAX_LENGTH]
    if search:
        qs = qs.filter(
            name_search_q(search, ("name", "agency__name", "agency__province__name"))
            | Q(code__iexact=search)
        )
    qs = qs.select_related("agency", "agency__province", "service_type").order_by(
        "agency__name", "name", "pk"
    )
    return Paginator(qs, UNITS_PAGE_SIZE).get_page(page)


def evaluator_pool() -> QuerySet[User]:
    """Active people holding the evaluator role, with their home agency."""
    return (
        User.objects.filter(
            Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), role=Role.EVALUATOR)),
            is_active=True,
        )
        .select_related("agency")
        .order_by("full_name", "username")
    )


@dataclass(frozen=True, slots=True)
class WorkloadRow:
    evaluator_id: int
    name: str
    agency: str
    assessments: int
    lead: int
    submitted: int
    by_status: tuple[int, ...]  # in the order of `Workload.statuses`


@dataclass(frozen=True, slots=True)
class Workload:
    statuses: tuple[StatusCount, ...]  # the column heads (count unused)
    rows: tuple[WorkloadRow, ...]
    total: WorkloadRow | None


def _display_name(full_name: str, first: str, last: str, username: str) -> str:
    return full_name or f"{first} {last}".strip() or username


def cycle_workload(cycle: Cycle) -> Workload:
    """Per evaluator of the cycle: assessments, how many they lead, how many they submitted,
    and their assessments per status; heaviest load first, with a totals row (one query)."""
    statuses = AssessmentStatus.choices
    per_status = {
        f"s_{value}": Count("pk", filter=Q(assessment__status=value)) for value, _ in statuses
    }
    rows = (
        EvaluatorAssignment.objects.filter(assessment__cycle=cycle)
        .values(
            "evaluator_id",
            "evaluator__username",
            "evaluator__full_name",
            "evaluator__first_name",
            "evaluator__last_name",
            "evaluator__agency__name",
        )
        .annotate(
            total=Count("pk"),
            lead=Count("pk", filter=Q(is_lead=True)),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            **per_status,
        )
        .order_by("-total", "evaluator__full_name", "evaluator__username")
    )
    result = tuple(
        WorkloadRow(
            evaluator_id=r["evaluator_id"],
            name=_display_name(
                r["evaluator__full_name"],
                r["evaluator__first_name"],
                r["evaluator__last_name"],
                r["evaluator__username"],
            ),
            agency=r["evaluator__agency__name"] or "",
            assessments=r["total"],
            lead=r["lead"],
            submitted=r["submitted"],
            by_status=tuple(r[f"s_{value}"] for value, _ in statuses),
        )
        for r in rows
    )
    total = None
    if result:
        total = WorkloadRow(
            evaluator_id=0,
            name="",
            agency="",
            assessments=sum(r.assessments for r in result),
            lead=sum(r.lead for r in result),
            submitted=sum(r.submitted for r in result),
            by_status=tuple(sum(col) for col in zip(*(r.by_status for r in result), strict=True)),
        )
    heads = tuple(StatusCount(value, str(label), 0) for value, label in statuses)
    return Workload(statuses=heads, rows=result, total=total)


@dataclass(frozen=True, slots=True)
class UnitWindow:
    phase: str
    label: str
    starts_on: object
    ends_on: object  # the cycle's end
    extended_to: object | None  # the unit's later end, if extended


def extended_end(window: PhaseWindow, latest) -> object | None:
    """A unit's later end of `window`: its latest extension, if that ends after the cycle's
    window (an extension granted before the cycle's window was moved later no longer counts)."""
    return latest if latest and latest > window.ends_on else None


def unit_windows(assessment: Assessment) -> list[UnitWindow]:
    """The cycle's windows as they apply to one unit, extensions included (two queries)."""
    extended = dict(
        PhaseExtension.objects.filter(assessment=assessment)
        .values("phase")
        .annotate(latest=Max("ends_on"))
        .order_by()
        .values_list("phase", "latest")
    )
    rows = []
    for w in sorted(
        PhaseWindow.objects.filter(cycle_id=assessment.cycle_id),
        key=lambda w: PHASE_ORDER.get(w.phase, 99),
    ):
        rows.append(
            UnitWindow(
                phase=w.phase,
                label=w.get_phase_display(),
                starts_on=w.starts_on,
                ends_on=w.ends_on,
                extended_to=extended_end(w, extended.get(w.phase)),
            )
        )
    return rows


def extensions_of(assessment: Assessment) -> QuerySet[PhaseExtension]:
    """The extensions granted to one unit, newest first, with who granted them."""
    return (
        PhaseExtension.objects.filter(assessment=assessment)
        .select_related("granted_by")
        .order_by("-granted_at", "-pk")
    )


@dataclass(frozen=True, slots=True)
class LocusExtension:
    """One locus's later end of one phase window."""

    locus_id: int
    unit_id: int
    unit_name: str
    ends_on: object


def with_windows(cycles: list[Cycle]) -> list[Cycle]:
    """Give each cycle `phase_windows`: its windows in the order of the phases, each with
    `extensions`, the loci whose window ends later (`extended_end`), by unit name. The cycles
    come with their windows prefetched; the extensions of all of them are one query."""
    latest = (
        PhaseExtension.objects.filter(assessment__cycle__in=[c.pk for c in cycles])
        .values(
            "assessment__cycle_id",
            "phase",
            "assessment_id",
            "assessment__unit_id",
            "assessment__unit__name",
        )
        .annotate(latest=Max("ends_on"))
        .order_by("assessment__unit__name", "assessment_id")
    )
    by_window: dict[tuple[int, str], list] = {}
    for row in latest:
        key = (row["assessment__cycle_id"], row["phase"])
        by_window.setdefault(key, []).append(row)
    for cycle in cycles:
        cycle.phase_windows = cycle_windows(cycle)
        for window in cycle.phase_windows:
            window.extensions = [
                LocusExtension(
                    row["assessment_id"],
                    row["assessment__unit_id"],
                    row["assessment__unit__name"],
                    end,
                )
                for row in by_window.get((cycle.pk, window.phase), ())
                if (end := extended_end(window, row["latest"]))
            ]
    return cycles
