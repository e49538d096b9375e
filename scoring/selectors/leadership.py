"""Reads for the leadership (*pimpinan*) of an agency: the dashboard on their home page and
their agency's published results under the ranking menu.

The dashboard shows one cycle, by default the newest in which the agency's units have final
results. A published cycle is shown as published (the figures, ranks and national averages
of its current publication); before publication the agency's own final results are shown,
which its leadership reads on the locus pages anyway, and ranks and national averages wait
for publication: they would reveal other agencies' figures before the ministry does.

Every function costs a fixed number of queries whatever the number of units or cycles.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from evaluations.models import Aspect, AssessmentStatus, Cycle, Indicator
from evaluations.selectors.followup import FollowUpProgress, followup_progress, progress_sum
from units.models import Agency, RankingGroup

from ..engine import round_half_up
from ..models import PriorityUnit, Publication, PublishedResult, Result
from .rankings import latest_per_unit, trend_of

# Indicators listed as the weakest across the agency's units.
WEAKEST_SHOWN = 5
# A level below this is "weak" in the count of units per indicator (levels run 0–5).
WEAK_LEVEL = 3
# Rows of the ranking menu's table of the agency's published results (newest cycles first).
PUBLISHED_SHOWN = 200
# Confirmed priority units listed on the dashboard.
PRIORITY_SHOWN = 20


@dataclass(frozen=True, slots=True)
class DashboardCycle:
    pk: int
    name: str
    year: int
    published: bool
    instrument_id: int


@dataclass(frozen=True, slots=True)
class UnitFigures:
    """One unit of the agency in the dashboard's cycle."""

    assessment_id: int | None  # the locus page; None if the locus was deleted since
    unit_id: int
    unit: str
    service_type: str
    group: str  # the ranking group's label
    ipp: Decimal
    grade: str
    grade_label: str
    followup: FollowUpProgress
    # Ranks are those of the publication; None while the cycle is unpublished.
    rank: int | None = None
    group_count: int | None = None
    rank_national: int | None = None
    national_count: int | None = None
    # The unit's final IPP in its most recent earlier-year cycle of the same scheme.
    previous_ipp: Decimal | None = None
    previous_year: int | None = None
    change: Decimal | None = None
    trend: str = ""  # "up", "down", "same"; "" without an earlier result


@dataclass(frozen=True, slots=True)
class AspectFigures:
    code: str
    name: str
    agency: Decimal | None  # the average over the agency's units, 2 decimals half-up
    national: Decimal | None  # the publication's national average; None before publication
    difference: Decimal | None  # agency − national


@dataclass(frozen=True, slots=True)
class WeakIndicator:
    number: int
    code: str
    title: str
    aspect: str  # aspect code
    average: Decimal  # average final level over the units scored, 2 decimals half-up
    weak: int  # units scored below WEAK_LEVEL
    units: int  # units scored


@dataclass(frozen=True, slots=True)
class PriorityLink:
    """A unit of the agency confirmed for priority coaching after a published cycle."""

    cycle_pk: int
    cycle: str
    unit_id: int
    unit: str


@dataclass(frozen=True, slots=True)
class LeadershipDashboard:
    agencies: tuple[tuple[str, str], ...]  # (name, head title) of each agency led
    cycles: tuple[DashboardCycle, ...]  # cycles with the agency's final results, newest first
    cycle: DashboardCycle | None  # the one shown; None when there is none
    units: tuple[UnitFigures, ...]  # by IPP, best first
    ipp: Decimal | None  # the agency's average IPP
    national_ipp: Decimal | None
    aspects: tuple[AspectFigures, ...]
    weakest: tuple[WeakIndicator, ...]
    followup: FollowUpProgress  # the units' items from the cycle's recommendations
    priority: tuple[PriorityLink, ...]
    problems: tuple[str, ...]  # a cycle asked for that is not offered
    weak_level: int = WEAK_LEVEL


def _average(values: Iterable[Decimal | int]) -> Decimal | None:
    """Exact average rounded half-up to 2 decimals; None for no values."""
    values = list(values)
    if not values:
        return None
    return round_half_up(sum((Fraction(v) for v in values), Fraction(0)) / len(values))


def _dashboard_cycles(agency_ids: Collection[int]) -> list[DashboardCycle]:
    """Cycles with a final result or a published result of the agencies' units."""
    final = Result.objects.filter(
        assessment__unit__agency__in=agency_ids, assessment__status=AssessmentStatus.FINAL
    ).values("cycle_id")
    published = PublishedResult.objects.filter(
        agency__in=agency_ids, publication__is_current=True
    ).values("publication__cycle_id")
    current = Publication.objects.filter(cycle=OuterRef("pk"), is_current=True)
    return [
        DashboardCycle(*row)
        for row in Cycle.objects.filter(Q(pk__in=final) | Q(pk__in=published))
        .annotate(is_published=Exists(current))
        .order_by("-year", "name", "pk")
        .values_list("pk", "name", "year", "is_published", "instrument_id")
    ]


def _choose(
    cycles: list[DashboardCycle], wanted: str | None
) -> tuple[DashboardCycle | None, list[str]]:
    newest = cycles[0] if cycles else None
    if not wanted:
        return newest, []
    for cycle in cycles:
        if str(cycle.pk) == wanted:
            return cycle, []
    return newest, [_("Periode yang diminta tidak ada di dasbor ini; ditampilkan periode terbaru.")]


_PUBLISHED_COLUMNS = (
    "assessment_id",
    "unit_id",
    "unit_name",
    "service_type_name",
    "ranking_group",
    "ipp",
    "grade",
    "grade_label",
    "aspects",
    "levels",
    "rank",
    "rank_national",
)
_FINAL_COLUMNS = (
    "assessment_id",
    "assessment__unit_id",
    "assessment__unit__name",
    "service_type__name",
    "ranking_group",
    "ipp",
    "grade",
    "grade_label",
    "aspects",
    "inputs__levels",
)


def _figures(
    cycle: DashboardCycle, agency_ids: Collection[int]
) -> tuple[list[dict], Publication | None]:
    """The agency's rows of `cycle` as dicts of one shape, and its current publication."""
    if cycle.published:
        publication = (
            Publication.objects.filter(cycle_id=cycle.pk, is_current=True)
            .select_related("cycle")
            .get()
        )
        rows = PublishedResult.objects.filter(publication=publication, agency__in=agency_ids)
        return [
            dict(zip(_PUBLISHED_COLUMNS, values, strict=True))
            for values in rows.values_list(*_PUBLISHED_COLUMNS)
        ], publication
    rows = Result.objects.filter(
        cycle_id=cycle.pk,
        assessment__unit__agency__in=agency_ids,
        assessment__status=AssessmentStatus.FINAL,
    )
    found = []
    for values in rows.values_list(*_FINAL_COLUMNS):
        row = dict(zip(_PUBLISHED_COLUMNS[:9], values[:9], strict=True))
        row["levels"] = values[9] or {}
        found.append(row)
    return found, None


def _previous(cycle_pk: int, unit_ids: list[int]) -> dict[int, tuple[Decimal, int]]:
    """(IPP, year) of each unit's final result in its most recent earlier-year cycle of the
    scheme of `cycle_pk` (one query)."""
    if not unit_ids:
        return {}
    cycle = Cycle.objects.filter(pk=cycle_pk)
    earlier = Result.objects.filter(
        assessment__unit_id__in=unit_ids,
        assessment__status=AssessmentStatus.FINAL,
        cycle__scheme__in=cycle.values("scheme"),
        cycle__year__lt=cycle.values("year"),
    )
    return latest_per_unit(earlier)


def _weakest(rows: list[dict], instrument_id: int) -> list[WeakIndicator]:
    """The scored indicators with the lowest average final level over `rows`, weakest first
    (ties by number)."""
    levels: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        for number, level in row["levels"].items():
            levels[int(number)].append(int(level))
    indicators = Indicator.objects.filter(
        instrument_id=instrument_id, supplementary=False
    ).values_list("number", "code", "title", "aspect__code")
    weak = [
        WeakIndicator(
            number=number,
            code=code,
            title=title,
            aspect=aspect,
            average=_average(levels[number]),
            weak=sum(1 for level in levels[number] if level < WEAK_LEVEL),
            units=len(levels[number]),
        )
        for number, code, title, aspect in indicators
        if levels.get(number)
    ]
    weak.sort(key=lambda w: (w.average, -w.weak, w.number))
    return weak[:WEAKEST_SHOWN]


def _priority(agency_ids: Collection[int]) -> tuple[PriorityLink, ...]:
    """The agency's units confirmed (and not removed) for priority coaching after a cycle
    with a current publication: what its leadership may open (`permissions.priority_access`)."""
    published = Publication.objects.filter(cycle=OuterRef("cycle"), is_current=True)
    rows = (
        PriorityUnit.objects.filter(
            unit__agency__in=agency_ids, confirmed_at__isnull=False, removed_at__isnull=True
        )
        .filter(Exists(published))
        .order_by("-cycle__year", "cycle__name", "unit__name", "pk")
        .values_list("cycle_id", "cycle__name", "unit_id", "unit__name")[:PRIORITY_SHOWN]
    )
    return tuple(PriorityLink(*row) for row in rows)


def leadership_dashboard(
    agency_ids: Collection[int], *, cycle: str | None = None
) -> LeadershipDashboard:
    """The dashboard of the leadership of `agency_ids` for the cycle whose pk is `cycle`
    (a GET value; the newest when empty or not offered, with a message when not offered).

    Nine queries for a published cycle, eight before, whatever the number of units: the
    agencies, the cycles, the priority units, the publication, the rows, the earlier
    results, the follow-up, the aspects and the indicators.
    """
    agencies = tuple(
        Agency.objects.filter(pk__in=agency_ids).order_by("name").values_list("name", "head_title")
    )
    cycles = _dashboard_cycles(agency_ids)
    chosen, problems = _choose(cycles, cycle)
    priority = _priority(agency_ids)
    if chosen is None:
        return LeadershipDashboard(
            agencies=agencies,
            cycles=(),
            cycle=None,
            units=(),
            ipp=None,
            national_ipp=None,
            aspects=(),
            weakest=(),
            followup=FollowUpProgress(),
            priority=priority,
            problems=tuple(problems),
        )

    rows, publication = _figures(chosen, agency_ids)
    unit_ids = [row["unit_id"] for row in rows]
    previous = _previous(chosen.pk, unit_ids)
    progress = followup_progress(unit_ids, chosen.pk)
    summary = publication.summary if publication else None
    group_counts = {g["group"]: g["count"] for g in summary["groups"]} if summary else {}
    labels = dict(RankingGroup.choices)
    units = []
    for row in rows:
        before = previous.get(row["unit_id"])
        change = row["ipp"] - before[0] if before else None
        units.append(
            UnitFigures(
                assessment_id=row["assessment_id"],
                unit_id=row["unit_id"],
                unit=row["unit_name"],
                service_type=row["service_type_name"],
                group=str(labels.get(row["ranking_group"], row["ranking_group"])),
                ipp=row["ipp"],
                grade=row["grade"],
                grade_label=row["grade_label"],
                followup=progress.get(row["unit_id"], FollowUpProgress()),
                rank=row.get("rank"),
                group_count=group_counts.get(row["ranking_group"]) if summary else None,
                rank_national=row.get("rank_national"),
                national_count=publication.result_count if publication else None,
                previous_ipp=before[0] if before else None,
                previous_year=before[1] if before else None,
                change=change,
                trend=trend_of(change),
            )
        )
    units.sort(key=lambda u: (-u.ipp, u.unit.lower(), u.unit_id))

    instrument_id = chosen.instrument_id
    national = summary["national"] if summary else None
    aspects = []
    for code, name in (
        Aspect.objects.filter(instrument_id=instrument_id)
        .order_by("order")
        .values_list("code", "name")
    ):
        mine = _average(Decimal(r["aspects"][code]) for r in rows if code in r["aspects"])
        theirs = national["aspects"].get(code) if national else None
        theirs = Decimal(theirs) if theirs is not None else None
        aspects.append(
            AspectFigures(
                code=code,
                name=name,
                agency=mine,
                national=theirs,
                difference=mine - theirs if mine is not None and theirs is not None else None,
            )
        )
    return LeadershipDashboard(
        agencies=agencies,
        cycles=tuple(cycles),
        cycle=chosen,
        units=tuple(units),
        ipp=_average(u.ipp for u in units),
        national_ipp=Decimal(national["ipp"]) if national and national["ipp"] else None,
        aspects=tuple(aspects),
        weakest=tuple(_weakest(rows, instrument_id)),
        followup=progress_sum(progress.values()),
        priority=priority,
        problems=tuple(problems),
    )


@dataclass(frozen=True, slots=True)
class PublishedUnitRow:
    cycle_pk: int
    cycle: str
    unit_id: int
    unit: str
    group: str  # label
    ipp: Decimal
    grade: str
    grade_label: str
    rank: int
    rank_national: int
    national_count: int


def agency_published_results(agency_ids: Collection[int]) -> tuple[PublishedUnitRow, ...]:
    """The agencies' units in every current publication, newest cycle first, best rank first
    within a cycle (one query; the first PUBLISHED_SHOWN rows). What the ranking menu shows
    a coordinator or leader of an agency that owns no cycle of its own."""
    if not agency_ids:
        return ()
    rows = (
        PublishedResult.objects.filter(agency__in=agency_ids, publication__is_current=True)
        .order_by("-publication__cycle__year", "publication__cycle__name", "rank_national", "pk")
        .values_list(
            "publication__cycle_id",
            "publication__cycle__name",
            "unit_id",
            "unit_name",
            "ranking_group",
            "ipp",
            "grade",
            "grade_label",
            "rank",
            "rank_national",
            "publication__result_count",
        )[:PUBLISHED_SHOWN]
    )
    labels = dict(RankingGroup.choices)
    return tuple(
        PublishedUnitRow(
            cycle_pk=row[0],
            cycle=row[1],
            unit_id=row[2],
            unit=row[3],
            group=str(labels.get(row[4], row[4])),
            ipp=row[5],
            grade=row[6],
            grade_label=row[7],
            rank=row[8],
            rank_national=row[9],
            national_count=row[10],
        )
        for row in rows
    )
