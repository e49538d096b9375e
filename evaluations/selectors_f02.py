"""Reads of the F-02 (evaluator) screens, each in a fixed number of queries.

Blind scoring lives here: another evaluator's levels and notes are fetched only for an
evaluator who has submitted their own F-02, so no template or fragment can leak them.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from scoring import engine
from scoring.services import cycle_spec

from . import selectors_f02_rows as rows
from .models import (
    Assessment,
    EvaluatorAssignment,
    FieldVisit,
    Indicator,
    Phase,
    Score,
    SurveyResponse,
)
from .selectors_f02_rows import Claim, ClarificationItem, EvidenceItem, ScoreState, TeamMember
from .selectors_rubric import RubricIndicator, instrument_rubric
from .services.f02 import SCORING_STATUSES
from .services.workflow import Status, today, window_message


@dataclass
class TeamLevel:
    member: TeamMember
    score: Score | None


@dataclass
class IndicatorRow:
    indicator: Indicator
    rubric: RubricIndicator
    answer: Claim | None
    evidence: list[EvidenceItem]
    score: ScoreState | None  # None for supplementary indicators, which are not scored
    clarifications: list[ClarificationItem]
    team: list[TeamLevel] = field(default_factory=list)
    answer_changed: bool = False
    clarification_changed: bool = False
    save_url: str = ""  # set by the view
    # Filled by the view when a clarification request is shown again with its errors.
    clarify_checked: bool = False
    clarify_question: str = ""

    @property
    def level_inputs(self):
        return self.rubric.level_inputs(self.score.level if self.score else None)

    @property
    def evidence_changed(self) -> bool:
        return any(item.changed for item in self.evidence)

    @property
    def changed(self) -> bool:
        return self.answer_changed or self.clarification_changed or self.evidence_changed


@dataclass
class AspectGroup:
    aspect: object  # Aspect, or None for the supplementary indicators
    rows: list[IndicatorRow]
    aspect_id: int | None = None


@dataclass(frozen=True)
class AspectDisplay:
    code: str
    name: str
    index: str


@dataclass(frozen=True)
class RunningResult:
    """The engine's breakdown as display strings ("4.51", as every result page shows them)."""

    aspects: tuple[AspectDisplay, ...]
    evaluator_index: str
    ipp: str
    grade: str
    grade_label: str
    survey_message: str

    @classmethod
    def of(cls, breakdown: engine.Breakdown) -> "RunningResult":
        return cls(
            aspects=tuple(AspectDisplay(a.code, a.name, str(a.display)) for a in breakdown.aspects),
            evaluator_index=str(breakdown.evaluator_index_display),
            ipp=str(breakdown.ipp),
            grade=breakdown.grade,
            grade_label=breakdown.grade_label,
            survey_message=breakdown.survey_message,
        )


@dataclass
class Running:
    """The running result of one evaluator's levels: the engine's numbers once all are set."""

    total: int
    scored: int
    remaining: int
    result: RunningResult | None
    problems: tuple[str, ...] = ()


@dataclass
class F02Page:
    assessment: Assessment
    assignment: EvaluatorAssignment
    team: list[TeamMember]
    groups: list[AspectGroup]
    running: Running
    editable: bool
    lock_reason: str
    can_clarify: bool
    team_visible: bool
    f01_visible: bool  # a draft F-01 is the unit's own business until it is submitted
    last_viewed_at: dt.datetime | None
    changed_count: int
    missing_score_ids: list[int]
    problems: tuple[str, ...] = ()


def _running(assessment: Assessment, indicators, scores: dict[int, ScoreState]) -> Running:
    scored_indicators = [i for i in indicators if not i.supplementary]
    levels = {
        i.number: scores[i.id].level
        for i in scored_indicators
        if i.id in scores and scores[i.id].level is not None
    }
    total, scored = len(scored_indicators), len(levels)
    if scored < total:
        return Running(total=total, scored=scored, remaining=total - scored, result=None)
    # The survey answers only once the engine can run: one query fewer while scoring.
    survey = list(
        SurveyResponse.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("answers", flat=True)
    )
    try:
        breakdown = engine.score(cycle_spec(assessment.cycle), levels, survey)
    except engine.ScoringInputError as exc:
        return Running(total, scored, 0, None, exc.problems)
    return Running(total=total, scored=scored, remaining=0, result=RunningResult.of(breakdown))


def f02_running(*, assessment: Assessment, assignment: EvaluatorAssignment) -> Running:
    """The sticky panel alone (refreshed after each autosave): levels, then the engine."""
    indicators = [r.indicator for r in instrument_rubric(assessment.cycle.instrument)]
    return _running(assessment, indicators, rows.scores(assignment.pk))


def f02_page(
    *, assessment: Assessment, assignment: EvaluatorAssignment, on: dt.date | None = None
) -> F02Page:
    """Everything the F-02 page shows, in a constant number of queries.

    `assignment` comes from own_assignment. Rows: the rubric, the unit's
    claim, the latest revision of each active evidence document, this evaluator's score, the
    clarifications (read in SQL: selectors_f02_rows); what the unit changed after
    `assignment.last_viewed_at` is flagged. Team levels are read only once this evaluator has
    submitted.
    """
    since = assignment.last_viewed_at
    rubric = instrument_rubric(assessment.cycle.instrument)
    indicators = [r.indicator for r in rubric]
    answers, scores = rows.claims_and_scores(assessment.pk, assignment.pk)
    evidence = rows.latest_evidence(assessment.pk, since)
    team_visible = assignment.submitted_at is not None
    team, window = rows.team_and_window(assessment.pk, Phase.EVALUATION)
    others: dict[tuple[int, int], Score] = {}
    if team_visible:
        others = {
            (s.assignment_id, s.indicator_id): s
            for s in Score.objects.filter(assignment__assessment=assessment).exclude(
                assignment=assignment
            )
        }
    clarifications = rows.clarifications(assessment.pk, since)

    groups: list[AspectGroup] = []
    missing: list[int] = []
    for rub in rubric:
        ind = rub.indicator
        ind_id = ind.id  # not .pk: this loop runs 30 times per page
        score = None
        if not ind.supplementary:
            score = scores.get(ind_id)
            if score is None:
                missing.append(ind_id)
                score = ScoreState(indicator_id=ind_id)
        answer = answers.get(ind_id)
        row = IndicatorRow(
            indicator=ind,
            rubric=rub,
            answer=answer,
            evidence=evidence.get(ind_id, []),
            score=score,
            clarifications=clarifications.get(ind_id, []),
            answer_changed=bool(
                since and answer and answer.updated_at and answer.updated_at > since
            ),
            clarification_changed=any(c.is_new for c in clarifications.get(ind_id, [])),
        )
        if team_visible and score is not None:
            row.team = [
                TeamLevel(m, others.get((m.assignment_id, ind_id)))
                for m in team
                if m.assignment_id != assignment.id
            ]
        if not groups or groups[-1].aspect_id != ind.aspect_id:
            groups.append(AspectGroup(ind.aspect, [], ind.aspect_id))
        groups[-1].rows.append(row)

    running = _running(assessment, indicators, scores)
    lock_reason = "" if team_visible else _lock_reason(assessment, window, on)
    editable = not team_visible and not lock_reason
    return F02Page(
        assessment=assessment,
        assignment=assignment,
        team=team,
        groups=groups,
        running=running,
        editable=editable,
        lock_reason=lock_reason,
        can_clarify=editable and assessment.status == Status.IN_EVALUATION,
        team_visible=team_visible,
        f01_visible=assessment.status != Status.DRAFT,
        last_viewed_at=since,
        changed_count=sum(1 for g in groups for r in g.rows if r.changed),
        missing_score_ids=missing,
    )


def _lock_reason(assessment: Assessment, window, on) -> str:
    """Why an evaluator who has not submitted cannot score now ("" when they can)."""
    if assessment.status == Status.DRAFT:
        return _("Unit belum mengajukan F-01; penilaian F-02 dimulai setelah F-01 diajukan.")
    if assessment.status == Status.CLARIFICATION:
        return _("Menunggu jawaban klarifikasi dari unit; penilaian dilanjutkan setelahnya.")
    if assessment.status not in SCORING_STATUSES:
        return _("Status penilaian adalah “%(status)s”.") % {
            "status": assessment.get_status_display()
        }
    return window_message(Phase.EVALUATION, window, on or today()) or ""


def field_visit_of(assignment: EvaluatorAssignment) -> FieldVisit | None:
    """The evaluator's field visit with its photos, or None before it is recorded."""
    return FieldVisit.objects.filter(assignment=assignment).prefetch_related("photos").first()
