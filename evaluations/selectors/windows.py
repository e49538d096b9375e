"""Phase windows as stored: the cycle's dates and a unit's extensions (the rule on them is
`evaluations/rules.py`)."""

import datetime as dt

from django.db.models import OuterRef, Subquery

from ..models import Assessment, Phase, PhaseExtension, PhaseWindow
from ..rules import Window, today, window_from, window_message


def window_subqueries(phase: Phase, *, cycle_ref: str, assessment_ref: str) -> tuple:
    """The cycle's start and end of `phase` and the unit's latest extended end, as three
    subqueries on the cycle and assessment columns named by `cycle_ref` and `assessment_ref`,
    to annotate a row with (then give the three values to `rules.window_from`)."""
    window = PhaseWindow.objects.filter(cycle_id=OuterRef(cycle_ref), phase=phase).order_by()
    latest = (
        PhaseExtension.objects.filter(assessment_id=OuterRef(assessment_ref), phase=phase)
        .order_by("-ends_on")
        .values("ends_on")[:1]
    )
    return (
        Subquery(window.values("starts_on")[:1]),
        Subquery(window.values("ends_on")[:1]),
        Subquery(latest),
    )


def window_of(assessment: Assessment, phase: Phase) -> Window | None:
    """The window of a phase for this unit (one query): the cycle's, ending later if the unit
    was given more time."""
    latest = (
        PhaseExtension.objects.filter(assessment_id=assessment.pk, phase=phase)
        .order_by("-ends_on")
        .values("ends_on")[:1]
    )
    row = (
        PhaseWindow.objects.filter(cycle_id=assessment.cycle_id, phase=phase)
        .annotate(extended=Subquery(latest))
        .order_by()
        .values_list("starts_on", "ends_on", "extended")
        .first()
    )
    return window_from(*row) if row else None


def window_problem(assessment: Assessment, phase: Phase, on: dt.date | None = None) -> str | None:
    """None when the phase is open for this unit on `on` (today), else why it is not (one
    query: the stored window, judged by `rules.window_message`)."""
    return window_message(Phase(phase).label, window_of(assessment, phase), on or today())
