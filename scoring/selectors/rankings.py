"""Reads for rankings: the cycles a person may rank, the stored results a person may read, one
page of a cycle's ranking, and the grade distribution and aspect averages of each ranking
group.

Every value handed out is display-ready: averages are exact (sums and counts from SQL,
divided as fractions) and rounded half-up with the engine's `round_half_up`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Lower, Rank, StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _

from evaluations.models import Aspect, Assessment, Cycle, GradeBand
from evaluations.selectors.access import assessments_visible_to
from evaluations.selectors.cycles import LOCUS_NAMES
from units.models import Province, RankingGroup, ServiceType
from units.permissions import roles_of
from units.selectors import name_search_q

from ..engine import round_half_up
from ..models import Result

PAGE_SIZE = 50
# Beyond any real ranking; keeps an absurd page number from overflowing an SQL OFFSET.
MAX_PAGE = 10_000_000
SEARCH_MAX_LENGTH = 100
# A cached entry outlives no change of results (see `_aspect_sums`); the timeout only frees space.
ASPECT_SUMS_TTL = 7 * 24 * 3600
# Wide enough for a sum of aspect indices (≤ 5.00 each) over a million results.
_SUM_FIELD = DecimalField(max_digits=12, decimal_places=2)


def _ranking_cycle_scope(user) -> Q | None:
    """The cycles whose ranking `user` may see, as a filter; None means every cycle."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return None
    return Q(owner_agency__in=roles.coordinator_agencies | roles.leadership_agencies)


def ranking_cycles_visible_to(user) -> QuerySet[Cycle]:
    """Cycles with results whose ranking `user` may see, newest first, each annotated with
    `ranked` (its number of results). Mirror of `permissions.can_view_ranking`."""
    scope = _ranking_cycle_scope(user)
    cycles = Cycle.objects.all() if scope is None else Cycle.objects.filter(scope)
    return (
        cycles.select_related("owner_agency", "instrument")
        .annotate(ranked=Count("results"))
        .filter(ranked__gt=0)
        .order_by("-year", "name")
    )


def results_visible_to(user) -> QuerySet[Result]:
    """The stored results `user` may read in the pages: every result of a cycle whose ranking
    they may see (`permissions.can_view_ranking`), and the result of each locus whose
    assessment page they may open, which shows it (`assessments_visible_to`)."""
    scope = _ranking_cycle_scope(user)
    if scope is None:
        return Result.objects.all()
    return Result.objects.filter(
        Q(cycle__in=Cycle.objects.filter(scope).values("pk"))
        | Q(assessment__in=assessments_visible_to(user).values("pk"))
    )


@dataclass(frozen=True, slots=True)
class Choice:
    value: str  # what the GET parameter carries
    label: str
    pk: int | None = None


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """What each filter of a cycle's ranking may be set to."""

    groups: tuple[Choice, ...]
    service_types: tuple[Choice, ...]
    provinces: tuple[Choice, ...]
    grades: tuple[Choice, ...]  # the instrument's grade bands, best first


def ranking_filter_options(cycle: Cycle) -> FilterOptions:
    """The choices of the ranking filters of `cycle` (three small queries).

    Every service type and province is offered, not only those with results in the cycle:
    two short tables read whole are cheaper than asking 20,000 results which occur.
    """
    grades = GradeBand.objects.filter(instrument_id=cycle.instrument_id).order_by("-max_ipp")
    return FilterOptions(
        groups=tuple(Choice(value, str(label)) for value, label in RankingGroup.choices),
        service_types=tuple(
            Choice(code, name, pk)
            for pk, code, name in ServiceType.objects.order_by("name").values_list(
                "pk", "code", "name"
            )
        ),
        provinces=tuple(
            Choice(code, name, pk)
            for pk, code, name in Province.objects.order_by("code").values_list(
                "pk", "code", "name"
            )
        ),
        grades=tuple(Choice(grade, label) for grade, label in grades.values_list("grade", "label")),
    )


@dataclass(frozen=True, slots=True)
class RankingQuery:
    """The filters as typed in the address bar, before they are checked against the cycle."""

    group: str = ""
    service_type: str = ""
    province: str = ""
    grade: str = ""
    search: str = ""
    page: int = 1


@dataclass(frozen=True, slots=True)
class RankingFilters:
    """Checked filters: the scope a rank is computed over, then what narrows the rows shown."""

    group: str = ""
    service_type_id: int | None = None
    province_id: int | None = None
    grade: str = ""
    search: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            self.group or self.service_type_id or self.province_id or self.grade or self.search
        )


def ranking_filters(
    query: RankingQuery, options: FilterOptions
) -> tuple[RankingFilters, list[str]]:
    """Check the typed filters against the cycle's choices.

    An unknown value is dropped with a message saying so, never an error page.
    """
    problems: list[str] = []

    def pick(value: str, choices: Sequence[Choice], message: str) -> Choice | None:
        if not value:
            return None
        for choice in choices:
            if choice.value == value:
                return choice
        problems.append(message % {"value": value})
        return None

    group = pick(
        query.group,
        options.groups,
        _("Kelompok “%(value)s” tidak dikenal; filter kelompok diabaikan."),
    )
    service_type = pick(
        query.service_type,
        options.service_types,
        _("Jenis layanan “%(value)s” tidak dikenal; filter jenis layanan diabaikan."),
    )
    province = pick(
        query.province,
        options.provinces,
        _("Provinsi “%(value)s” tidak dikenal; filter provinsi diabaikan."),
    )
    grade = pick(
        query.grade,
        options.grades,
        _("Predikat “%(value)s” tidak dikenal; filter predikat diabaikan."),
    )
    filters = RankingFilters(
        group=group.value if group else "",
        service_type_id=service_type.pk if service_type else None,
        province_id=province.pk if province else None,
        grade=grade.value if grade else "",
        search=query.search.strip()[:SEARCH_MAX_LENGTH],
    )
    return filters, problems


@dataclass(frozen=True, slots=True)
class RankingRow:
    rank: int
    unit: str
    agency: str
    service_type: str
    province: str  # "" for units without a province (K/L, BUMN)
    group: str  # the ranking group's label
    ipp: Decimal
    grade: str
    grade_label: str
    previous_ipp: Decimal | None = None  # from the most recent earlier-year cycle
    previous_year: int | None = None
    change: Decimal | None = None  # ipp − previous_ipp
    trend: str = ""  # "up", "down", "same", or "" without a previous result


@dataclass(frozen=True, slots=True)
class RankingPage:
    rows: tuple[RankingRow, ...]
    count: int  # rows matching every filter, over all pages
    number: int
    pages: int
    out_of_range: bool = False

    @property
    def start(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1 if self.rows else 0

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if 1 < self.number <= self.pages else None

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def _found_in(field: str, spelling: str) -> Q:
    return Q(GreaterThan(StrIndex(Upper(field), Upper(Value(spelling))), 0))


_ROW_COLUMNS = (
    "assessment__unit_id",
    "assessment__unit__name",
    "assessment__unit__agency__name",
    "service_type__name",
    "province__name",
    "ranking_group",
    "ipp",
    "grade",
    "grade_label",
)


def ranking_page(cycle: Cycle, filters: RankingFilters, *, page: int = 1, viewer) -> RankingPage:
    """One page (`PAGE_SIZE` rows) of the ranking of `cycle` under `filters`.

    Units are ranked by IPP within the scope set by the group, service type and province
    filters, ties sharing a rank (1, 2, 2, 4: SQL RANK()); rows are ordered by rank, then unit
    name ignoring case. The grade and the name search only narrow the rows shown, so a unit
    keeps the rank it has in its scope. Each row carries the unit's IPP in its most recent
    earlier-year cycle of the same scheme that `viewer` may see.

    Four queries whatever the size of the cycle, and only the rows of one IPP range are ever
    joined to their names:
    1. the IPP and RANK() of the rows at the page's positions, in IPP order: the window runs
       over the result table alone, read in index order, and stops at the page's end;
    2. how many rows match the filters, and how many of them lie above the page's top IPP;
    3. the rows whose IPP lies in the page's range, with names, ordered for display;
    4. the earlier IPPs of the page's units.
    """
    scope = Result.objects.filter(cycle=cycle)
    if filters.group:
        scope = scope.filter(ranking_group=filters.group)
    if filters.service_type_id:
        scope = scope.filter(service_type_id=filters.service_type_id)
    if filters.province_id:
        scope = scope.filter(province_id=filters.province_id)
    shown = Q()  # what narrows the rows shown without changing their ranks
    if filters.grade:
        shown &= Q(grade=filters.grade)
    if filters.search:
        named = Assessment.objects.filter(name_search_q(filters.search, LOCUS_NAMES))
        shown &= Q(assessment__in=named.values("pk"))

    ranked = scope.annotate(rank=Window(Rank(), order_by=F("ipp").desc()))
    if shown:
        # Django applies a condition OR-ed with one on a window function after the window is
        # computed (in an outer query). Rank is never 0, so this keeps exactly the rows
        # matching `shown`, each with the rank it has in the whole scope. Wrapped as one
        # boolean column: the outer query cannot take a subquery lookup apart.
        ranked = ranked.filter(Q(rank=0) | Q(ExpressionWrapper(shown, BooleanField())))
    offset = (page - 1) * PAGE_SIZE
    positions = (
        list(ranked.order_by("-ipp").values_list("ipp", "rank")[offset : offset + PAGE_SIZE])
        if page <= MAX_PAGE
        else []
    )
    top = positions[0][0] if positions else None
    # Counted without the window: the same number, and far cheaper than counting a ranking.
    totals = scope.filter(shown).aggregate(
        count=Count("pk"),
        above=Count("pk", filter=Q(ipp__gt=top) if top is not None else Q(pk__in=[])),
    )
    count = totals["count"]
    pages = max(1, -(-count // PAGE_SIZE))
    if not positions:
        return RankingPage(rows=(), count=count, number=page, pages=pages, out_of_range=page > 1)

    # Every IPP in the page's range occurs on the page, so `rank_of` knows each row's rank.
    rank_of = dict(positions)
    skip = offset - totals["above"]  # rows with the top IPP that belong to earlier pages
    page_rows = scope.filter(ipp__lte=top, ipp__gte=positions[-1][0])
    if filters.grade:
        page_rows = page_rows.filter(grade=filters.grade)
    if filters.search:
        # The same test as `named`, on the few rows of the IPP range. Written as substring
        # positions so PostgreSQL starts from that range: it takes a LIKE on a name for so
        # selective that it would first read every unit name.
        page_rows = page_rows.filter(
            name_search_q(
                filters.search, tuple(f"assessment__{f}" for f in LOCUS_NAMES), match=_found_in
            )
        )
    fetched = list(
        page_rows.order_by("-ipp", Lower("assessment__unit__name"), "pk").values_list(
            *_ROW_COLUMNS
        )[skip : skip + len(positions)]
    )
    previous = _previous_results(cycle, [row[0] for row in fetched], viewer)
    labels = dict(RankingGroup.choices)
    rows = []
    for unit_id, unit, agency, service_type, province, group, ipp, grade, label in fetched:
        before = previous.get(unit_id)
        change = ipp - before[0] if before else None
        rows.append(
            RankingRow(
                rank=rank_of[ipp],
                unit=unit,
                agency=agency,
                service_type=service_type,
                province=province or "",
                group=str(labels.get(group, group)),
                ipp=ipp,
                grade=grade,
                grade_label=label,
                previous_ipp=before[0] if before else None,
                previous_year=before[1] if before else None,
                change=change,
                trend=trend_of(change),
            )
        )
    return RankingPage(rows=tuple(rows), count=count, number=page, pages=pages)


def trend_of(change: Decimal | None) -> str:
    """ "up", "down" or "same" for a change of IPP; "" without an earlier result."""
    if change is None:
        return ""
    return "up" if change > 0 else "down" if change < 0 else "same"


def _previous_results(
    cycle: Cycle, unit_ids: Sequence[int], viewer
) -> dict[int, tuple[Decimal, int]]:
    """(IPP, year) of each unit in its most recent earlier-year cycle of the same scheme.

    One query for the units of one page. Cycles `viewer` may not rank are left out, so the
    comparison never reveals a result the viewer could not see on its own page.
    """
    if not unit_ids:
        return {}
    earlier = Result.objects.filter(
        assessment__unit_id__in=unit_ids, cycle__scheme=cycle.scheme, cycle__year__lt=cycle.year
    )
    scope = _ranking_cycle_scope(viewer)
    if scope is not None:
        earlier = earlier.filter(cycle__in=Cycle.objects.filter(scope))
    return latest_per_unit(earlier)


def latest_per_unit(results: QuerySet[Result]) -> dict[int, tuple[Decimal, int]]:
    """(IPP, year) of each unit's result in its most recent cycle among `results` (one
    query)."""
    found: dict[int, tuple[Decimal, int]] = {}
    for unit_id, ipp, year in results.order_by(
        "assessment__unit_id", "-cycle__year", "-cycle_id"
    ).values_list("assessment__unit_id", "ipp", "cycle__year"):
        found.setdefault(unit_id, (ipp, year))
    return found


@dataclass(frozen=True, slots=True)
class GroupSummary:
    group: str  # RankingGroup value; "" for the row of all groups
    label: str
    units: int
    ipp: Decimal | None  # average IPP, 2 decimals half-up
    aspects: tuple[Decimal | None, ...]  # average per aspect, in instrument order
    grades: tuple[int, ...]  # units per grade, in `RankingSummary.grades` order

    # The same figures with their column's code, for tables whose cells carry their heading
    # (a phone shows the rows stacked, each figure labelled).
    aspect_cells: tuple[tuple[str, Decimal | None], ...] = ()
    grade_cells: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class RankingSummary:
    aspects: tuple[Choice, ...]  # the instrument's aspects: code, name
    grades: tuple[Choice, ...]
    groups: tuple[GroupSummary, ...]  # groups with results, in RankingGroup order
    total: GroupSummary | None = field(default=None)


def _average(total: Decimal | None, count: int) -> Decimal | None:
    """An exact average rounded half-up to 2 decimals.

    `total` is a sum of 2-decimal values. SQLite returns it as a binary float; rounding it
    back to 2 decimals recovers the exact sum (its error is orders of magnitude below 0.005),
    and the division is done as a fraction: an average of exactly 4.495 shows as 4.50.
    """
    if total is None or not count:
        return None
    return round_half_up(Fraction(round_half_up(Decimal(total), 2)) / count)


def ranking_summary(cycle: Cycle, grades: Sequence[Choice]) -> RankingSummary:
    """Per ranking group of `cycle`: units, average IPP, average of each aspect index and the
    number of units per grade; plus the same for all groups together.

    Three queries, two while the aspect sums are cached: the instrument's aspects; units, IPP
    sum and latest computation per group and grade; the aspect sums (`_aspect_sums`).
    """
    aspects = tuple(
        Choice(code, name)
        for code, name in Aspect.objects.filter(instrument_id=cycle.instrument_id)
        .order_by("order")
        .values_list("code", "name")
    )
    by_group: dict[str, list[dict]] = {}
    for row in (
        Result.objects.filter(cycle=cycle)
        .values("ranking_group", "grade")
        .annotate(
            units=Count("pk"),
            ipp_sum=Sum("ipp", output_field=_SUM_FIELD),
            latest=Max("computed_at"),
        )
        .order_by()
    ):
        by_group.setdefault(row["ranking_group"], []).append(row)
    everything = [row for rows in by_group.values() for row in rows]
    if not everything:
        return RankingSummary(aspects=aspects, grades=tuple(grades), groups=())
    version = (sum(r["units"] for r in everything), max(r["latest"] for r in everything))
    aspect_sums = _aspect_sums(cycle, [a.value for a in aspects], version)
    # A grade outside the instrument's bands (a stale result) is still counted, at the end.
    known = {g.value for g in grades}
    found = {row["grade"] for row in everything}
    grades = tuple(grades) + tuple(Choice(grade, grade) for grade in sorted(found - known))
    codes = [a.value for a in aspects]

    def summary(group: str, label: str, members: list[str]) -> GroupSummary:
        rows = [r for g in members for r in by_group[g]]
        units = sum(r["units"] for r in rows)
        per_grade = {g.value: 0 for g in grades}
        for r in rows:
            per_grade[r["grade"]] += r["units"]
        averages = tuple(
            _average(
                _total(aspect_sums[g][i][0] for g in members),
                sum(aspect_sums[g][i][1] for g in members),
            )
            for i in range(len(aspects))
        )
        return GroupSummary(
            group=group,
            label=label,
            units=units,
            ipp=_average(_total(r["ipp_sum"] for r in rows), units),
            aspects=averages,
            grades=tuple(per_grade.values()),
            aspect_cells=tuple(zip(codes, averages, strict=True)),
            grade_cells=tuple(per_grade.items()),
        )

    groups = tuple(
        summary(value, str(label), [value])
        for value, label in RankingGroup.choices
        if value in by_group
    )
    total = summary("", _("Semua kelompok"), list(by_group))
    return RankingSummary(aspects=aspects, grades=grades, groups=groups, total=total)


def _aspect_sums(
    cycle: Cycle, codes: Sequence[str], version: tuple[int, datetime]
) -> dict[str, list[tuple[Decimal | None, int]]]:
    """Per ranking group, the exact sum of each aspect index and how many results carry it.

    Every result's JSON column is read and each index cast to a decimal in SQL: the one
    expensive read of the page (about 20 ms for 20,000 results on PostgreSQL). Results are
    written only by `services.results_recompute`, which stamps `computed_at` on every row it
    writes, so their number and latest `computed_at` (`version`) change whenever any aspect
    index can have changed; the sums are cached under that version.
    """
    count, latest = version
    key = f"scoring:aspect-sums:{cycle.pk}:{count}:{latest.isoformat()}:{'/'.join(codes)}"
    sums = cache.get(key)
    if sums is not None:
        return sums
    columns: dict[str, object] = {}
    for i, code in enumerate(codes):
        index = KT(f"aspects__{code}")
        columns[f"s{i}"] = Sum(
            Cast(index, DecimalField(max_digits=5, decimal_places=2)), output_field=_SUM_FIELD
        )
        columns[f"n{i}"] = Count(index)
    sums = {
        row["ranking_group"]: [(_total([row[f"s{i}"]]), row[f"n{i}"]) for i in range(len(codes))]
        for row in Result.objects.filter(cycle=cycle)
        .values("ranking_group")
        .annotate(**columns)
        .order_by()
    }
    cache.set(key, sums, timeout=ASPECT_SUMS_TTL)
    return sums


def _total(values) -> Decimal | None:
    """Sum of per-group sums, each first made exact (see `_average`)."""
    present = [round_half_up(Decimal(v), 2) for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


@dataclass(frozen=True, slots=True)
class CycleRanking:
    """Everything the ranking page of a cycle shows."""

    options: FilterOptions
    filters: RankingFilters
    problems: tuple[str, ...]  # filters that were dropped, a page that does not exist
    page: RankingPage
    summary: RankingSummary | None  # None when only the table is asked for


def out_of_range_problem(page) -> str:
    """What to tell someone who asked for a page number past the last page."""
    return _("Halaman %(number)s tidak ada; hasil ini hanya %(pages)s halaman.") % {
        "number": page.number,
        "pages": page.pages,
    }


def cycle_ranking(
    cycle: Cycle, query: RankingQuery, *, viewer, with_summary: bool = True
) -> CycleRanking:
    """The ranking page of `cycle` for `viewer` under the typed `query`.

    A constant number of queries: three for the filter choices, four for the page and,
    `with_summary`, three for the group summary (two while its aspect sums are cached).
    """
    options = ranking_filter_options(cycle)
    filters, problems = ranking_filters(query, options)
    page = ranking_page(cycle, filters, page=query.page, viewer=viewer)
    if page.out_of_range:
        problems.append(out_of_range_problem(page))
    return CycleRanking(
        options=options,
        filters=filters,
        problems=tuple(problems),
        page=page,
        summary=ranking_summary(cycle, options.grades) if with_summary else None,
    )
