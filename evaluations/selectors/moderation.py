"""Reads for moderation (pleno) and the assessment hub page, each in a fixed number of queries.

- `moderation_table`: per scored indicator each evaluator's level side by side (team lead
  first), the unit's claim, whether the evaluators agree and the current final level.
- `hub_assessments` / `assessment_hub`: what the assessment page shows: status steps, phase
  windows with this unit's extensions, the team, the stored result and the audit history.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from units.permissions import is_unit_member

from ..models import (
    Answer,
    Aspect,
    Assessment,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    EvaluatorAssignment,
    FinalLevel,
    Indicator,
    Phase,
    PhaseExtension,
    PhaseWindow,
    Score,
)
from ..permissions import assignment_of, can_manage_cycle, can_moderate, is_operator_of
from ..rules import today, window_from, window_open
from .access import assessments_visible_to

AUDIT_PAGE_SIZE = 100


# --- the side-by-side table -------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorLevel:
    assignment: EvaluatorAssignment
    level: int | None
    note: str


@dataclass
class ModerationRow:
    indicator: Indicator
    levels: list[EvaluatorLevel]
    claimed_level: int | None
    final_level: int | None
    final_reason: str
    final_by: str
    final_at: dt.datetime | None
    # Every evaluator gave the same level (and nobody left it empty).
    agreed: bool
    agreed_level: int | None

    @property
    def notes(self) -> list[EvaluatorLevel]:
        """The evaluators' levels that come with a note, in team order."""
        return [lv for lv in self.levels if lv.note]


@dataclass
class ModerationTable:
    assessment: Assessment
    team: list[EvaluatorAssignment]
    rows: list[ModerationRow]

    @property
    def not_submitted(self) -> list[EvaluatorAssignment]:
        return [a for a in self.team if a.submitted_at is None]

    @property
    def disagreements(self) -> list[ModerationRow]:
        return [r for r in self.rows if not r.agreed]

    @property
    def agreed_count(self) -> int:
        return sum(1 for r in self.rows if r.agreed)

    @property
    def final_count(self) -> int:
        return sum(1 for r in self.rows if r.final_level is not None)


def moderation_table(assessment: Assessment) -> ModerationTable:
    """The evaluators' levels of every scored indicator side by side. Five queries."""
    team = list(
        EvaluatorAssignment.objects.filter(assessment=assessment)
        .select_related("evaluator")
        .order_by("-is_lead", "evaluator__username", "pk")
    )
    indicators = list(
        Indicator.objects.filter(instrument_id=assessment.cycle.instrument_id, supplementary=False)
        .select_related("aspect")
        .order_by("number")
    )
    scores = {
        (assignment_id, indicator_id): (level, note)
        for assignment_id, indicator_id, level, note in Score.objects.filter(
            assignment__assessment=assessment
        ).values_list("assignment_id", "indicator_id", "level", "note")
    }
    claims = dict(
        Answer.objects.filter(assessment=assessment).values_list("indicator_id", "claimed_level")
    )
    finals = {
        f.indicator_id: f
        for f in FinalLevel.objects.filter(assessment=assessment).select_related("decided_by")
    }
    rows = []
    for indicator in indicators:
        levels = [EvaluatorLevel(a, *scores.get((a.pk, indicator.pk), (None, ""))) for a in team]
        given = {lv.level for lv in levels}
        agreed = bool(levels) and len(given) == 1 and None not in given
        final = finals.get(indicator.pk)
        rows.append(
            ModerationRow(
                indicator=indicator,
                levels=levels,
                claimed_level=claims.get(indicator.pk),
                final_level=final.level if final else None,
                final_reason=final.reason if final else "",
                final_by=final.decided_by.display_name if final and final.decided_by else "",
                final_at=final.decided_at if final else None,
                agreed=agreed,
                agreed_level=levels[0].level if agreed else None,
            )
        )
    return ModerationTable(assessment=assessment, team=team, rows=rows)


# --- the assessment hub -----------------------------------------------------------------


def hub_assessments(user) -> QuerySet[Assessment]:
    """The assessments `user` may open, with what the hub and moderation pages read."""
    return assessments_visible_to(user).select_related(
        "unit", "unit__agency", "cycle", "cycle__owner_agency", "cycle__instrument", "result"
    )


@dataclass(frozen=True)
class StatusStep:
    status: AssessmentStatus
    state: str  # "done", "current", "todo" or "loop" (clarification, a side step)


# Rank of each status along the flow; clarification is a loop beside "in evaluation".
_RANK = {
    AssessmentStatus.DRAFT: 0,
    AssessmentStatus.SUBMITTED: 1,
    AssessmentStatus.IN_EVALUATION: 2,
    AssessmentStatus.CLARIFICATION: 2,
    AssessmentStatus.MODERATED: 3,
    AssessmentStatus.FINAL: 4,
}


def status_steps(status: str) -> list[StatusStep]:
    """The status flow drawn as steps, marking what is done, current and still to come."""
    current = _RANK[AssessmentStatus(status)]
    steps = []
    for step in AssessmentStatus:
        if step == status:
            state = "current"
        elif step == AssessmentStatus.CLARIFICATION:
            state = "loop"
        elif _RANK[step] < current:
            state = "done"
        else:
            state = "todo"
        steps.append(StatusStep(step, state))
    return steps


@dataclass
class WindowRow:
    phase: Phase
    starts_on: dt.date
    ends_on: dt.date
    extensions: list[PhaseExtension] = field(default_factory=list)
    is_open: bool = False

    @property
    def effective_end(self) -> dt.date:
        latest = max((e.ends_on for e in self.extensions), default=None)
        return window_from(self.starts_on, self.ends_on, latest)[1]


def phase_windows(assessment: Assessment, on: dt.date | None = None) -> list[WindowRow]:
    """The cycle's phase windows with this unit's extensions, in date order. Two queries."""
    on = on or today()
    rows = {
        w.phase: WindowRow(Phase(w.phase), w.starts_on, w.ends_on)
        for w in PhaseWindow.objects.filter(cycle_id=assessment.cycle_id).order_by(
            "starts_on", "pk"
        )
    }
    for extension in PhaseExtension.objects.filter(assessment=assessment).select_related(
        "granted_by"
    ):
        if extension.phase in rows:
            rows[extension.phase].extensions.append(extension)
    for row in rows.values():
        row.is_open = window_open((row.starts_on, row.effective_end), on)
    return list(rows.values())


def audit_visible_to(user, assessment: Assessment, *, assignment=None) -> Q:
    """Which history entries a person sees.

    An evaluator's F-02 levels stay hidden from the rest of the team until they submit their
    own, and from people outside the pleno (unit, leadership): score entries are shown to
    moderators, to evaluators who submitted, and to each evaluator for their own levels.
    """
    if can_moderate(user, assessment):
        return Q()
    if assignment is not None and assignment.submitted_at is not None:
        return Q()
    hide_scores = ~Q(action=AuditAction.SCORE)
    if assignment is not None:
        return hide_scores | Q(actor=user)
    return hide_scores


def audit_page(user, assessment: Assessment, *, number=1, assignment=None) -> Page:
    """One page (100 entries) of the assessment's history, newest first. Two queries."""
    entries = (
        AuditEntry.objects.filter(assessment=assessment)
        .filter(audit_visible_to(user, assessment, assignment=assignment))
        .select_related("actor", "indicator")
        .order_by("-at", "-pk")
    )
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(number)
    page.object_list = list(page.object_list)  # read here: templates trigger no queries
    return page


@dataclass
class Hub:
    assessment: Assessment
    steps: list[StatusStep]
    windows: list[WindowRow]
    team: list[EvaluatorAssignment]
    result: object | None
    # (code, name, index) in the instrument's order; stored as text, shown as numbers so they
    # follow the reader's locale like the IPP.
    result_aspects: list[tuple[str, str, Decimal]]
    history: Page
    is_operator: bool
    assignment: EvaluatorAssignment | None
    moderator: bool
    # Whether the reports app's documents panel has anything for this person.
    documents: bool = False

    @property
    def can_finalize(self) -> bool:
        return self.moderator and self.assessment.status == AssessmentStatus.MODERATED


def assessment_hub(user, assessment: Assessment, *, page=1) -> Hub:
    """Everything the assessment page shows; `assessment` comes from `hub_assessments`."""
    team = list(
        EvaluatorAssignment.objects.filter(assessment=assessment)
        .select_related("evaluator")
        .order_by("-is_lead", "evaluator__username", "pk")
    )
    assignment = assignment_of(user, assessment)
    result = getattr(assessment, "result", None)
    result_aspects = []
    if result is not None:
        # The stored JSON keeps no key order (PostgreSQL jsonb): follow the instrument's.
        result_aspects = [
            (code, name, Decimal(result.aspects[code]))
            for code, name in Aspect.objects.filter(instrument_id=assessment.cycle.instrument_id)
            .order_by("order")
            .values_list("code", "name")
            if code in result.aspects
        ]
    return Hub(
        assessment=assessment,
        steps=status_steps(assessment.status),
        windows=phase_windows(assessment),
        team=team,
        result=result,
        result_aspects=result_aspects,
        history=audit_page(user, assessment, number=page, assignment=assignment),
        is_operator=is_operator_of(user, assessment),
        assignment=assignment,
        moderator=can_moderate(user, assessment),
        documents=can_manage_cycle(user, assessment.cycle) or is_unit_member(user, assessment.unit),
    )
