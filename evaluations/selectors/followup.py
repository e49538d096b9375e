"""Reads of the follow-up register (tindak lanjut): progress per unit."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from scoring.engine import round_half_up
from units.models import ServiceUnit

from ..models import Cycle, FollowUpStatus

# Statuses that close an item: neither counts as overdue once its target date passes.
CLOSED_STATUSES = (FollowUpStatus.DONE, FollowUpStatus.NOT_POSSIBLE)


@dataclass(frozen=True, slots=True)
class FollowUpProgress:
    """How far a unit (or a group of units) has followed up its recommendations.

    `percent` is done / total × 100, one decimal, half up; items marked "tidak dapat
    dilaksanakan" count in the total as not done (and are shown apart in `not_possible`);
    None when there is nothing to follow up. `overdue`: target date passed, status belum or
    berjalan."""

    total: int = 0
    done: int = 0
    not_possible: int = 0
    overdue: int = 0

    @property
    def percent(self) -> Decimal | None:
        if not self.total:
            return None
        return round_half_up(Fraction(100 * self.done, self.total), 1)

    @property
    def open(self) -> int:
        return self.total - self.done - self.not_possible

    def __add__(self, other: "FollowUpProgress") -> "FollowUpProgress":
        return FollowUpProgress(
            total=self.total + other.total,
            done=self.done + other.done,
            not_possible=self.not_possible + other.not_possible,
            overdue=self.overdue + other.overdue,
        )


def progress_sum(rows: Iterable[FollowUpProgress]) -> FollowUpProgress:
    """Totals of several units' progress (percent recomputed from the sums, not averaged)."""
    return sum(rows, FollowUpProgress())


def followup_progress(
    units: QuerySet[ServiceUnit] | Iterable[int],
    cycle: Cycle | int | None = None,
    *,
    today: dt.date | None = None,
) -> dict[int, FollowUpProgress]:
    """Follow-up progress of each given unit, keyed by unit id, in one query.

    `units` is a queryset of units or unit ids; every one of them is in the answer, a unit
    without items with zeros. `cycle` limits the items to that cycle's recommendations (the
    cycle whose final assessment produced them); None counts every item of the unit.
    `today` (default: the local date) decides what is overdue."""
    today = today or timezone.localdate()
    on = Q()
    if cycle is not None:
        on = Q(followups__assessment__cycle=cycle)
    closed = [str(s) for s in CLOSED_STATUSES]
    rows = (
        ServiceUnit.objects.filter(pk__in=units)
        .order_by()
        .annotate(
            fu_total=Count("followups", filter=on),
            fu_done=Count("followups", filter=on & Q(followups__status=FollowUpStatus.DONE)),
            fu_not_possible=Count(
                "followups", filter=on & Q(followups__status=FollowUpStatus.NOT_POSSIBLE)
            ),
            fu_overdue=Count(
                "followups",
                filter=on & Q(followups__target_date__lt=today) & ~Q(followups__status__in=closed),
            ),
        )
        .values_list("pk", "fu_total", "fu_done", "fu_not_possible", "fu_overdue")
    )
    return {
        pk: FollowUpProgress(total=t, done=d, not_possible=n, overdue=o) for pk, t, d, n, o in rows
    }
