"""Reads of the evaluations app, one module per area: `access` (who sees what, home lists),
`windows` (phase windows as stored), `cycles`, `f01`, `f02`, `moderation`, `rubric`,
`survey`, `followup` (the follow-up register and `followup_progress`). The reads every area
needs are re-exported here."""

from .access import (
    agency_assessments,
    assessments_visible_to,
    cycle_overview,
    cycles_visible_to,
    evaluator_worklist,
    unit_worklist,
)
from .windows import window_of, window_subqueries

__all__ = [
    "agency_assessments",
    "assessments_visible_to",
    "cycle_overview",
    "cycles_visible_to",
    "evaluator_worklist",
    "unit_worklist",
    "window_of",
    "window_subqueries",
]
