"""What waits for a unit operator, for their home page: for each locus whose F-01 is still
theirs (a draft, or in clarification), the phases that concern the unit with their deadlines,
and the indicators that need their answer (open clarifications; indicators without a level or
without required evidence), each a link to its card on the F-01 page.

Five queries however many loci and indicators (one when there is no such locus). A locus whose
phases all closed more than `work.OVERDUE_SHOWN_DAYS` ago is left out, like the open work.
"""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from units.permissions import roles_of

from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Clarification,
    ClarificationStatus,
    Evidence,
    Indicator,
    Phase,
)
from ..rules import Window, window_from
from .f01 import F01Todo, f01_missing, f01_todo
from .windows import window_subqueries
from .work import OVERDUE_SHOWN_DAYS

# The phases in which the unit itself has something to do, in the order they come.
OPERATOR_PHASES = (Phase.SELF_ASSESSMENT, Phase.SURVEY, Phase.CLARIFICATION)


@dataclass(frozen=True)
class PhaseDeadline:
    """A phase's window for one unit (its extensions included) seen from day `on`."""

    phase: Phase
    window: Window
    on: dt.date

    @property
    def state(self) -> str:
        """upcoming, open or closed."""
        if self.on < self.window[0]:
            return "upcoming"
        return "closed" if self.on > self.window[1] else "open"

    @property
    def days_left(self) -> int:
        return (self.window[1] - self.on).days

    @property
    def days_overdue(self) -> int:
        return -self.days_left


@dataclass(frozen=True)
class LocusTodo:
    assessment: Assessment  # with its unit and cycle
    url: str  # its F-01 page
    deadlines: tuple[PhaseDeadline, ...]
    todo: F01Todo


def _window_annotations() -> dict:
    annotations = {}
    for phase in OPERATOR_PHASES:
        starts, ends, extended = window_subqueries(phase, cycle_ref="cycle_id", assessment_ref="pk")
        annotations[f"w_{phase}_starts"] = starts
        annotations[f"w_{phase}_ends"] = ends
        annotations[f"w_{phase}_extended"] = extended
    return annotations


def _deadlines(locus: Assessment, on: dt.date) -> tuple[PhaseDeadline, ...]:
    found = []
    for phase in OPERATOR_PHASES:
        window = window_from(
            getattr(locus, f"w_{phase}_starts"),
            getattr(locus, f"w_{phase}_ends"),
            getattr(locus, f"w_{phase}_extended"),
        )
        if window is not None:
            found.append(PhaseDeadline(phase, window, on))
    return tuple(found)


def _by_locus(qs) -> dict[int, set[int]]:
    """Indicator ids by assessment id, from rows having both."""
    found: dict[int, set[int]] = {}
    for assessment_id, indicator_id in qs.values_list("assessment_id", "indicator_id").order_by():
        found.setdefault(assessment_id, set()).add(indicator_id)
    return found


def operator_todo(person, *, on: dt.date, limit: int) -> list[LocusTodo]:
    """The person's loci (as a unit operator) still needing their F-01 work, newest cycle
    first (at most `limit`), with phase deadlines and what waits, indicator by indicator."""
    units = roles_of(person).operator_units
    if not units:
        return []
    loci = [
        locus
        for locus in Assessment.objects.filter(
            unit__in=units,
            status__in=(AssessmentStatus.DRAFT, AssessmentStatus.CLARIFICATION),
        )
        .select_related("unit", "cycle")
        .annotate(**_window_annotations())
        .order_by("-cycle__year", "unit__name", "pk")[:limit]
    ]
    # A phase closed more than OVERDUE_SHOWN_DAYS ago is history, not a deadline; a locus with
    # only such phases is left out (one without any dates yet stays).
    recent = on - dt.timedelta(days=OVERDUE_SHOWN_DAYS)
    deadlines, kept = {}, []
    for locus in loci:
        known = _deadlines(locus, on)
        deadlines[locus.pk] = tuple(d for d in known if d.window[1] >= recent)
        if deadlines[locus.pk] or not known:
            kept.append(locus)
    loci = kept
    if not loci:
        return []
    ids = [locus.pk for locus in loci]
    indicators: dict[int, list[Indicator]] = {}
    for ind in Indicator.objects.filter(
        instrument_id__in={locus.cycle.instrument_id for locus in loci}
    ).order_by("number"):
        indicators.setdefault(ind.instrument_id, []).append(ind)
    levels = _by_locus(Answer.objects.filter(assessment_id__in=ids, claimed_level__isnull=False))
    evidence = _by_locus(
        Evidence.objects.filter(
            assessment_id__in=ids, removed_at__isnull=True, indicator__isnull=False
        )
    )
    asked = _by_locus(
        Clarification.objects.filter(assessment_id__in=ids, status=ClarificationStatus.OPEN)
    )
    result = []
    for locus in loci:
        inds = indicators.get(locus.cycle.instrument_id, [])
        level_of = dict.fromkeys(levels.get(locus.pk, ()), 1)
        missing = f01_missing(inds, level_of, evidence.get(locus.pk, set()))
        open_ids = asked.get(locus.pk, set())
        result.append(
            LocusTodo(
                assessment=locus,
                url=reverse("evaluations:f01_form", args=[locus.pk]),
                deadlines=deadlines[locus.pk],
                todo=f01_todo(locus.status, inds, open_ids, missing),
            )
        )
    return result
