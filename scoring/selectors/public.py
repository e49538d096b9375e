"""Reads for the public pages: only current publications and the rows frozen with them.

Nothing here reads the live `Result` table: the public sees what was published, as it was
published (names, figures and ranks copied at publication). A cycle without a current
publication does not exist for these pages. The overview reads one row (`Publication.summary`);
a ranking page reads the filter choices and one page of `PublishedResult` with its count.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.cache import caches
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat, Upper
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from evaluations.models import Cycle
from units.models import Province, RankingGroup, ServiceType
from units.selectors import name_search_q

from ..models import Publication, PublishedResult
from .rankings import (
    MAX_PAGE,
    PAGE_SIZE,
    Choice,
    FilterOptions,
    RankingFilters,
    RankingPage,
    RankingQuery,
    out_of_range_problem,
    ranking_filters,
)


@dataclass(frozen=True, slots=True)
class PublishedCycle:
    publication: Publication
    count: int
    ipp: Decimal | None  # national IPP

    @property
    def cycle(self) -> Cycle:
        return self.publication.cycle


def published_cycles() -> tuple[PublishedCycle, ...]:
    """The current publication of every published cycle, newest cycle first (one query)."""
    return tuple(
        PublishedCycle(p, p.result_count, _decimal(p.summary["national"]["ipp"]))
        for p in Publication.objects.filter(is_current=True)
        .select_related("cycle")
        .order_by("-cycle__year", "cycle__name", "cycle_id")
    )


@dataclass(frozen=True, slots=True)
class PublicState:
    """What the public pages show, as one value: the current publication of every published
    cycle. A publication never changes, so a new revision (or a cycle published) is a new
    `revisions`; the public pages' ETags and copies are made of it."""

    revisions: str  # "pk,pk,…" of the current publications, in pk order
    last_modified: datetime | None  # the newest of their publication times


# In the "public" cache: set by `cycle_publish` when it commits, so a correction shows at once;
# read again from the database a minute after it was kept at the latest (a change made around
# the service shows then).
STATE_KEY = "state"
STATE_SECONDS = 60


def public_state() -> PublicState:
    """The current publications (one query, a few rows: one per published cycle)."""
    rows = list(
        Publication.objects.filter(is_current=True).order_by("pk").values_list("pk", "published_at")
    )
    return PublicState(
        revisions=",".join(str(pk) for pk, _at in rows),
        last_modified=max((at for _pk, at in rows), default=None),
    )


def cached_public_state() -> PublicState:
    """`public_state()` from the "public" cache, read from the database when it is not there.
    `add`, not `set`: a state read before a publication committed must not replace the one
    `public_state_refresh` kept after it."""
    store = caches["public"]
    state = store.get(STATE_KEY)
    if state is None:
        state = public_state()
        store.add(STATE_KEY, state, STATE_SECONDS)
    return state


def public_state_refresh() -> None:
    """Keep the state as it is now (`cycle_publish` calls it once its transaction commits)."""
    caches["public"].set(STATE_KEY, public_state(), STATE_SECONDS)


def current_publication(cycle_pk: int) -> Publication | None:
    """The publication the public sees for a cycle; None while the cycle is unpublished."""
    return (
        Publication.objects.filter(cycle__pk=cycle_pk, is_current=True)
        .select_related("cycle")
        .first()
    )


# Column headings of the tables that have a column per group (phones are narrow).
GROUP_SHORT = {
    RankingGroup.KL: gettext_lazy("K/L"),
    RankingGroup.KABKOTA: gettext_lazy("Kab/Kota"),
}


def _group_label(value: str) -> str:
    return str(dict(RankingGroup.choices).get(value, value))


def _decimal(value: str | None) -> Decimal | None:
    """A published figure (stored as an exact string) as a Decimal the templates localize."""
    return None if value is None else Decimal(value)


def _decimals(values: Iterable[str | None]) -> tuple[Decimal | None, ...]:
    return tuple(_decimal(v) for v in values)


def _figure_formatter() -> Callable[[str | None], str]:
    """Writes published figures ("4.79") as the active language does ("4,79"), "—" for none.

    For the ranking's aspect cells: one look-up of the separator per page instead of Django's
    localization of 300 decimals in the template, a third of the page's rendering time.
    """
    separator = formats.get_format("DECIMAL_SEPARATOR")
    return lambda value: "—" if value is None else value.replace(".", separator)


# --- Overview --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupFigures:
    group: str  # RankingGroup value; "" for the national row
    label: str
    short: str  # the label in a column heading
    count: int
    ipp: Decimal | None
    grades: tuple[int, ...]  # in `Overview.grades` order
    aspects: tuple[Decimal | None, ...]  # in `Overview.aspects` order


@dataclass(frozen=True, slots=True)
class Breakdown:
    """One grade or aspect: its national figure and its figure in each group."""

    value: str  # grade or aspect code
    label: str
    national: Any  # units with the grade, or the aspect's average index
    # (group's short label, figure) in `Overview.groups` order: the label heads the figure's
    # cell when a phone shows the table as stacked rows.
    groups: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class TopUnit:
    unit_id: int
    unit: str
    agency: str
    group: str
    ipp: Decimal
    grade: str
    rank: int


@dataclass(frozen=True, slots=True)
class Overview:
    """The national figures of a publication, display-ready, with the charts' data."""

    publication: Publication
    aspects: tuple[Choice, ...]  # code, name
    grades: tuple[Choice, ...]  # grade, label; best first
    national: GroupFigures
    groups: tuple[GroupFigures, ...]
    grade_rows: tuple[Breakdown, ...]  # the grade distribution, one row per grade
    aspect_rows: tuple[Breakdown, ...]  # the aspect averages, one row per aspect
    top: tuple[TopUnit, ...]
    charts: dict[str, Any]  # for `json_script`: the same figures as the tables

    @property
    def cycle(self) -> Cycle:
        return self.publication.cycle


def publication_overview(publication: Publication) -> Overview:
    """What the overview page shows, read from `publication.summary` alone (no query)."""
    summary = publication.summary
    aspects = tuple(Choice(a["code"], a["name"]) for a in summary["aspects"])
    grades = tuple(Choice(g["grade"], g["label"]) for g in summary["grades"])

    def figures(group: str, label: str, block: dict[str, Any]) -> GroupFigures:
        return GroupFigures(
            group=group,
            label=label,
            short=str(GROUP_SHORT.get(group, label)),
            count=block["count"],
            ipp=_decimal(block["ipp"]),
            grades=tuple(block["grades"].get(g.value, 0) for g in grades),
            aspects=_decimals(block["aspects"].get(a.value) for a in aspects),
        )

    national = figures("", _("Nasional"), summary["national"])
    groups = tuple(figures(g["group"], _group_label(g["group"]), g) for g in summary["groups"])
    # Charts get the figures as published (exact strings); the script formats them.
    charts = {
        "ipp": {
            "labels": [national.label, *(g.short for g in groups)],
            "values": [summary["national"]["ipp"], *(g["ipp"] for g in summary["groups"])],
        },
        "grades": {"labels": [g.value for g in grades], "values": list(national.grades)},
        "aspects": {
            "labels": [a.value for a in aspects],
            "values": [summary["national"]["aspects"].get(a.value) for a in aspects],
        },
    }
    return Overview(
        publication=publication,
        aspects=aspects,
        grades=grades,
        national=national,
        groups=groups,
        grade_rows=tuple(
            Breakdown(
                g.value, g.label, national.grades[i], tuple((x.short, x.grades[i]) for x in groups)
            )
            for i, g in enumerate(grades)
        ),
        aspect_rows=tuple(
            Breakdown(
                a.value,
                a.label,
                national.aspects[i],
                tuple((x.short, x.aspects[i]) for x in groups),
            )
            for i, a in enumerate(aspects)
        ),
        top=tuple(
            TopUnit(
                unit_id=t["unit"],
                unit=t["unit_name"],
                agency=t["agency_name"],
                group=_group_label(t["group"]),
                ipp=Decimal(t["ipp"]),
                grade=t["grade"],
                rank=t["rank"],
            )
            for t in summary["top"]
        ),
        charts=charts,
    )


# --- Ranking ---------------------------------------------------------------------------------


def public_filter_options(publication: Publication) -> FilterOptions:
    """The ranking filters' choices for a publication (two small queries).

    Groups, provinces and grades are those of the publication's summary, with the names as
    published; provinces are addressed by their BPS code, service types by their code.
    """
    summary = publication.summary
    published_provinces = {p["id"]: p["name"] for p in summary["provinces"]}
    codes = dict(Province.objects.filter(pk__in=published_provinces).values_list("pk", "code"))
    return FilterOptions(
        groups=tuple(Choice(g["group"], _group_label(g["group"])) for g in summary["groups"]),
        service_types=tuple(
            Choice(code, name, pk)
            for pk, code, name in ServiceType.objects.order_by("name").values_list(
                "pk", "code", "name"
            )
        ),
        provinces=tuple(
            Choice(codes[pk], name, pk) for pk, name in published_provinces.items() if pk in codes
        ),
        grades=tuple(Choice(g["grade"], g["label"]) for g in summary["grades"]),
    )


@dataclass(frozen=True, slots=True)
class PublicRankingRow:
    unit_id: int
    unit: str
    agency: str
    province: str  # "" for units without a province (K/L, BUMN)
    service_type: str
    group: str  # the ranking group's label
    # (aspect code, index as written in the active language), in the publication's order
    aspects: tuple[tuple[str, str], ...]
    ipp: Decimal
    grade: str
    grade_label: str
    rank: int  # within the ranking group
    rank_national: int


# The names a search reads (unit, agency, province), as one upper-cased text: on PostgreSQL a
# trigram index on exactly this expression (migration 0006) serves every word of a search.
SEARCH_NAMES = Upper(Concat("unit_name", Value(" "), "agency_name", Value(" "), "province_name"))


def _in_names(field: str, spelling: str) -> Q:
    """`spelling` in the upper-cased `SEARCH_NAMES`: a plain LIKE the trigram index serves."""
    return Q(**{f"{field}__contains": spelling.upper()})


_ROW_COLUMNS = (
    "unit_id",
    "unit_name",
    "agency_name",
    "province_name",
    "service_type_name",
    "ranking_group",
    "aspects",
    "ipp",
    "grade",
    "grade_label",
    "rank",
    "rank_national",
)


def public_ranking_page(
    publication: Publication,
    filters: RankingFilters,
    aspect_codes: Sequence[str],
    *,
    page: int = 1,
) -> RankingPage:
    """One page (`PAGE_SIZE` rows) of a publication's rows under `filters`, in rank order.

    Ranks are those computed at publication (ties share a rank); filters only narrow the rows,
    so a unit always shows its rank in its group and nationally. Rows are ordered by group
    rank with a group filter, else by national rank; ties in publication order (`cycle_publish`
    inserts the rows by IPP, then unit name, so their ids follow that order).

    Two queries: the count, and the page's rows. The page's ids are picked first in a subquery
    that reads only (publication, rank, id): on PostgreSQL an index-only scan (migration
    0003), so a deep page does not fetch every row above it.
    """
    rows = PublishedResult.objects.filter(publication=publication)
    if filters.group:
        rows = rows.filter(ranking_group=filters.group)
    if filters.service_type_id:
        rows = rows.filter(service_type_id=filters.service_type_id)
    if filters.province_id:
        rows = rows.filter(province_id=filters.province_id)
    if filters.grade:
        rows = rows.filter(grade=filters.grade)
    if filters.search:
        rows = rows.alias(names=SEARCH_NAMES).filter(
            name_search_q(filters.search, ("names",), match=_in_names)
        )
    count = rows.count()
    pages = max(1, -(-count // PAGE_SIZE))
    offset = (page - 1) * PAGE_SIZE
    if page > MAX_PAGE or offset >= count:
        return RankingPage(rows=(), count=count, number=page, pages=pages, out_of_range=page > 1)
    order = ("rank" if filters.group else "rank_national", "pk")
    on_page = rows.order_by(*order).values("pk")[offset : offset + PAGE_SIZE]
    fetched = (
        PublishedResult.objects.filter(pk__in=on_page).order_by(*order).values_list(*_ROW_COLUMNS)
    )
    labels = dict(RankingGroup.choices)
    figure = _figure_formatter()
    return RankingPage(
        rows=tuple(
            PublicRankingRow(
                unit_id=unit_id,
                unit=unit,
                agency=agency,
                province=province,
                service_type=service_type,
                group=str(labels.get(group, group)),
                aspects=tuple((code, figure(aspects.get(code))) for code in aspect_codes),
                ipp=ipp,
                grade=grade,
                grade_label=grade_label,
                rank=rank,
                rank_national=rank_national,
            )
            for (
                unit_id,
                unit,
                agency,
                province,
                service_type,
                group,
                aspects,
                ipp,
                grade,
                grade_label,
                rank,
                rank_national,
            ) in fetched
        ),
        count=count,
        number=page,
        pages=pages,
    )


@dataclass(frozen=True, slots=True)
class PublicRanking:
    """Everything the public ranking page shows."""

    publication: Publication
    aspects: tuple[Choice, ...]
    options: FilterOptions
    filters: RankingFilters
    problems: tuple[str, ...]  # filters that were dropped, a page that does not exist
    page: RankingPage


def public_ranking(publication: Publication, query: RankingQuery) -> PublicRanking:
    """The public ranking of `publication` under the typed `query`: four queries whatever
    the number of rows (two for the filter choices, two for the page)."""
    options = public_filter_options(publication)
    filters, problems = ranking_filters(query, options)
    aspects = tuple(Choice(a["code"], a["name"]) for a in publication.summary["aspects"])
    page = public_ranking_page(publication, filters, [a.value for a in aspects], page=query.page)
    if page.out_of_range:
        problems.append(out_of_range_problem(page))
    return PublicRanking(
        publication=publication,
        aspects=aspects,
        options=options,
        filters=filters,
        problems=tuple(problems),
        page=page,
    )


# --- Unit ------------------------------------------------------------------------------------


def survey_note(reason: str, publication: Publication) -> str:
    """Why a published unit's survey (F-03) did not count in its IPP, in words ("" when it
    counted); the minimum m is the one the publication recorded."""
    if not reason:
        return ""
    if reason == "too_few_respondents":
        minimum = publication.summary.get("survey", {}).get("min_respondents")
        if minimum is None:  # published before the settings were recorded
            return _("kurang dari jumlah minimum responden")
        return ngettext(
            "kurang dari minimum %(m)d responden", "kurang dari minimum %(m)d responden", minimum
        ) % {"m": minimum}
    if reason == "survey_weight_zero":
        return _("instrumen ini tidak memakai survei (bobot 0)")
    return _("tidak ada responden")


@dataclass(frozen=True, slots=True)
class UnitCycleResult:
    """A unit's published figures in one cycle (current revision)."""

    cycle: Cycle
    revision: int
    agency: str
    province: str
    service_type: str
    group: str  # label
    aspects: tuple[tuple[str, Decimal | None], ...]  # (code, index) in `UnitHistory.aspects` order
    ipp: Decimal
    grade: str
    grade_label: str
    rank: int
    group_count: int
    rank_national: int
    national_count: int
    rank_service_type: int
    service_type_count: int  # units of its service type in the publication
    respondents: int  # valid F-03 responses when published
    survey_index: Decimal | None  # None when the survey did not count
    survey_note: str  # why it did not count, in words; "" when it counted


@dataclass(frozen=True, slots=True)
class UnitHistory:
    unit_id: int
    name: str  # as published most recently
    aspects: tuple[Choice, ...]  # the aspects of every cycle shown, newest instrument first
    results: tuple[UnitCycleResult, ...]  # newest cycle first
    charts: dict[str, Any]  # for `json_script`: IPP by cycle (oldest first), latest aspects

    @property
    def latest(self) -> UnitCycleResult:
        return self.results[0]

    @property
    def latest_aspects(self) -> tuple[tuple[Choice, Decimal | None], ...]:
        """(aspect, index) pairs of the newest cycle."""
        values = (v for _code, v in self.latest.aspects)
        return tuple(zip(self.aspects, values, strict=True))


def unit_history(unit_pk: int) -> UnitHistory | None:
    """A unit's figures in every published cycle (one query); None if it has none."""
    same_service_type = (
        PublishedResult.objects.filter(
            publication=OuterRef("publication"), service_type=OuterRef("service_type")
        )
        .order_by()
        .values("publication")
        .annotate(n=Count("pk"))
        .values("n")
    )
    found = list(
        PublishedResult.objects.filter(unit__pk=unit_pk, publication__is_current=True)
        .select_related("publication__cycle")
        .annotate(service_type_count=Subquery(same_service_type))
        .order_by("-publication__cycle__year", "publication__cycle__name", "publication_id")
    )
    if not found:
        return None
    aspects: dict[str, str] = {}
    for row in found:
        for a in row.publication.summary["aspects"]:
            aspects.setdefault(a["code"], a["name"])
    results = []
    for row in found:
        summary = row.publication.summary
        group_counts = {g["group"]: g["count"] for g in summary["groups"]}
        results.append(
            UnitCycleResult(
                cycle=row.publication.cycle,
                revision=row.publication.revision,
                agency=row.agency_name,
                province=row.province_name,
                service_type=row.service_type_name,
                group=_group_label(row.ranking_group),
                aspects=tuple(
                    zip(aspects, _decimals(row.aspects.get(c) for c in aspects), strict=True)
                ),
                ipp=row.ipp,
                grade=row.grade,
                grade_label=row.grade_label,
                rank=row.rank,
                group_count=group_counts.get(row.ranking_group, 0),
                rank_national=row.rank_national,
                national_count=row.publication.result_count,
                rank_service_type=row.rank_service_type,
                service_type_count=row.service_type_count,
                respondents=row.respondents,
                survey_index=row.survey_index,
                survey_note=survey_note(row.survey_reason, row.publication),
            )
        )
    oldest_first = results[::-1]
    return UnitHistory(
        unit_id=unit_pk,
        name=found[0].unit_name,
        aspects=tuple(Choice(code, name) for code, name in aspects.items()),
        results=tuple(results),
        charts={
            "history": {
                "labels": [str(r.cycle.year) for r in oldest_first],
                "values": [str(r.ipp) for r in oldest_first],
            },
            "aspects": {
                "labels": list(aspects),
                "values": [found[0].aspects.get(c) for c in aspects],
            },
        },
    )
