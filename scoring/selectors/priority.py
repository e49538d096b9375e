"""Reads of priority coaching: the list of a cycle as one person may see it, the loci a
manager may add by hand, and one unit's coaching page.

Figures come from the cycle's current publication (a correction shows its numbers); coaching
counts and follow-up progress are read per page of rows. Each function costs a fixed number
of queries whatever the number of units.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from evaluations.models import Assessment, Cycle
from evaluations.rules import today
from evaluations.selectors.cycles import LOCUS_NAMES
from evaluations.selectors.followup import FollowUpProgress, followup_progress
from units.selectors import name_search_q

from ..models import CoachingFile, CoachingSession, PriorityUnit, Publication, PublishedResult
from ..permissions import PriorityAccess

PAGE_SIZE = 100
CANDIDATES_SHOWN = 20
SEARCH_MAX_LENGTH = 100

# The `status` filter of the list page (managers and overseers; others see confirmed units).
ACTIVE, PROPOSED, CONFIRMED, REMOVED = "", "usulan", "ditetapkan", "dikeluarkan"
STATUSES = (ACTIVE, PROPOSED, CONFIRMED, REMOVED)


def current_publication(cycle: Cycle) -> Publication | None:
    return Publication.objects.filter(cycle=cycle, is_current=True).first()


# --- Coaching counts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CoachingCounts:
    held: int = 0  # sessions dated today or earlier
    last_held: dt.date | None = None
    next_scheduled: dt.date | None = None  # the earliest session dated after today


def _coaching_counts(cycle: Cycle, unit_ids: list[int]) -> dict[int, CoachingCounts]:
    now = today()
    rows = (
        CoachingSession.objects.filter(cycle=cycle, unit__in=unit_ids)
        .values("unit")
        .annotate(
            held=Count("pk", filter=Q(held_on__lte=now)),
            last_held=Max("held_on", filter=Q(held_on__lte=now)),
            next_scheduled=Min("held_on", filter=Q(held_on__gt=now)),
        )
        .order_by()
    )
    return {r["unit"]: CoachingCounts(r["held"], r["last_held"], r["next_scheduled"]) for r in rows}


# --- The list ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriorityRow:
    priority: PriorityUnit
    result: PublishedResult | None  # the unit in the current publication
    group_size: int | None  # units in its ranking group there
    coaching: CoachingCounts
    followup: FollowUpProgress | None


@dataclass(frozen=True, slots=True)
class PriorityList:
    publication: Publication | None
    proposed: int
    confirmed: int
    removed: int
    status: str
    page: Page  # of PriorityRow
    group_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def active(self) -> int:
        """Units on the list: proposed or confirmed."""
        return self.proposed + self.confirmed


def _visible(cycle: Cycle, access: PriorityAccess) -> QuerySet[PriorityUnit]:
    rows = PriorityUnit.objects.filter(cycle=cycle)
    if access.whole:
        return rows
    return rows.filter(confirmed_at__isnull=False).filter(
        Q(unit__in=access.units) | Q(unit__agency__in=access.agencies)
    )


def group_sizes(publication: Publication | None) -> dict[str, int]:
    """Units per ranking group in a publication, from its stored summary (no query)."""
    if publication is None:
        return {}
    return {g["group"]: g["count"] for g in publication.summary.get("groups", [])}


def priority_list(
    cycle: Cycle,
    access: PriorityAccess,
    *,
    publication: Publication | None,
    status: str = ACTIVE,
    page: str | int = 1,
) -> PriorityList:
    """One page (PAGE_SIZE) of `cycle`'s list as `access` sees it, weakest IPP first, with the
    counts per state: five queries (four on a page without rows)."""
    visible = _visible(cycle, access)
    counts = visible.aggregate(
        proposed=Count("pk", filter=Q(confirmed_at__isnull=True, removed_at__isnull=True)),
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        removed=Count("pk", filter=Q(removed_at__isnull=False)),
    )
    status = status if status in STATUSES and access.whole else ACTIVE
    rows = {
        ACTIVE: visible.filter(removed_at__isnull=True),
        PROPOSED: visible.filter(confirmed_at__isnull=True, removed_at__isnull=True),
        CONFIRMED: visible.filter(confirmed_at__isnull=False),
        REMOVED: visible.filter(removed_at__isnull=False),
    }[status]
    current = PublishedResult.objects.filter(publication=publication, unit=OuterRef("unit"))
    rows = (
        rows.select_related("unit__agency", "confirmed_by", "removed_by")
        .annotate(current_ipp=Subquery(current.values("ipp")[:1]))
        .order_by(F("current_ipp").asc(nulls_last=True), "unit__name", "pk")
    )
    paged = Paginator(rows, PAGE_SIZE).get_page(page)
    sizes = group_sizes(publication)
    paged.object_list = _rows(cycle, publication, list(paged.object_list), sizes)
    return PriorityList(
        publication=publication,
        proposed=counts["proposed"],
        confirmed=counts["confirmed"],
        removed=counts["removed"],
        status=status,
        page=paged,
        group_sizes=sizes,
    )


def _rows(
    cycle: Cycle,
    publication: Publication | None,
    priorities: list[PriorityUnit],
    sizes: dict[str, int],
) -> list[PriorityRow]:
    if not priorities:
        return []
    unit_ids = [p.unit_id for p in priorities]
    results = {
        r.unit_id: r
        for r in PublishedResult.objects.filter(publication=publication, unit__in=unit_ids)
    }
    coaching = _coaching_counts(cycle, unit_ids)
    followups = followup_progress(unit_ids, cycle)
    return [
        PriorityRow(
            priority=p,
            result=(result := results.get(p.unit_id)),
            group_size=sizes.get(result.ranking_group) if result else None,
            coaching=coaching.get(p.unit_id, CoachingCounts()),
            followup=followups.get(p.unit_id),
        )
        for p in priorities
    ]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A locus a manager may add by hand (not on the list, or removed from it)."""

    unit_id: int
    unit_name: str
    agency_name: str
    ipp: Decimal | None  # None: not in the current publication (e.g. excluded)
    grade: str
    removed: bool  # was on the list and taken off


def priority_candidates(
    cycle: Cycle, publication: Publication | None, search: str
) -> tuple[Candidate, ...]:
    """Up to CANDIDATES_SHOWN loci of `cycle` matching `search` (every word in the unit's,
    agency's or province's name, see `name_search_q`) and that are not on the list, by name
    (one query; none for an empty search)."""
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if not search:
        return ()
    current = PublishedResult.objects.filter(publication=publication, unit=OuterRef("unit"))
    listed = PriorityUnit.objects.filter(cycle=cycle, unit=OuterRef("unit"))
    rows = (
        Assessment.objects.filter(name_search_q(search, LOCUS_NAMES), cycle=cycle)
        .annotate(
            ipp=Subquery(current.values("ipp")[:1]),
            grade=Subquery(current.values("grade")[:1]),
            listed=Exists(listed),
            removed=Exists(listed.filter(removed_at__isnull=False)),
        )
        .filter(Q(listed=False) | Q(removed=True))
        .order_by("unit__name", "pk")
        .values_list("unit_id", "unit__name", "unit__agency__name", "ipp", "grade", "removed")
    )
    return tuple(
        Candidate(unit, name, agency, _decimal(ipp), grade or "", removed)
        for unit, name, agency, ipp, grade, removed in rows[:CANDIDATES_SHOWN]
    )


def _decimal(value) -> Decimal | None:
    # A subquery's decimal comes back untyped on SQLite (a float): 2 decimals recover it.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


# --- One unit's coaching page ---------------------------------------------------------------


def priority_unit_of(cycle: Cycle, unit_id: int) -> PriorityUnit | None:
    """The list row of unit `unit_id` in `cycle`, with what the pages show (one query)."""
    return (
        PriorityUnit.objects.filter(cycle=cycle, unit__pk=unit_id)
        .select_related("cycle", "unit__agency", "unit__service_type", "confirmed_by", "removed_by")
        .first()
    )


@dataclass(frozen=True, slots=True)
class CoachingPage:
    priority: PriorityUnit
    result: PublishedResult | None
    group_size: int | None
    sessions: tuple[CoachingSession, ...]  # newest first, each with `files`
    followup: FollowUpProgress | None


def coaching_page(priority: PriorityUnit, publication: Publication | None) -> CoachingPage:
    """What a unit's coaching page shows: its figures in the current publication, every
    session with its attachments and recorder, and its follow-up (four queries)."""
    result = PublishedResult.objects.filter(publication=publication, unit=priority.unit_id).first()
    sessions = (
        CoachingSession.objects.filter(cycle=priority.cycle_id, unit=priority.unit_id)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("files", queryset=CoachingFile.objects.order_by("pk")))
        .order_by("-held_on", "-pk")
    )
    followup = followup_progress([priority.unit_id], priority.cycle)
    return CoachingPage(
        priority=priority,
        result=result,
        group_size=group_sizes(publication).get(result.ranking_group) if result else None,
        sessions=tuple(sessions),
        followup=followup.get(priority.unit_id),
    )
