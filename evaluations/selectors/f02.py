"""Reads of the F-02 (evaluator) screens, each in a fixed number of queries.

Blind scoring lives here: another evaluator's levels and notes are fetched only for an
evaluator who has submitted their own F-02, so no template or fragment can leak them.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from scoring import engine
from units.permissions import roles_of

from ..instrument_spec import cycle_spec
from ..models import (
    SCORING_STATUSES,
    Answer,
    Assessment,
    AssessmentStatus,
    Clarification,
    EvaluatorAssignment,
    EvidenceRevision,
    FieldVisit,
    Indicator,
    Phase,
    Score,
    SurveyResponse,
)
from .followup import PreviousIndicator, previous_cycle
from .rubric import RubricIndicator, instrument_rubric, instrument_survey_items
from .survey import SurveySummary, summarize, survey_rows, valid_answers
from .windows import window_problem

Status = AssessmentStatus
PDF = "application/pdf"
IMAGES = ("image/jpeg", "image/png")


def own_assignment(*, user, assessment_id: int) -> EvaluatorAssignment | None:
    """The person's assignment on an assessment with the assessment, its cycle, instrument,
    unit and agency (one query); None unless they hold the evaluator role and are assigned."""
    if not roles_of(user).evaluator:
        return None
    return (
        EvaluatorAssignment.objects.select_related(
            "assessment__cycle__instrument", "assessment__unit__agency"
        )
        .filter(assessment_id=assessment_id, evaluator_id=user.pk)
        .first()
    )


def teammates_pending(assignment: EvaluatorAssignment) -> list[str]:
    """The names of the other evaluators of the locus who have not handed in F-02 yet."""
    return [
        a.evaluator.display_name
        for a in EvaluatorAssignment.objects.filter(
            assessment_id=assignment.assessment_id, submitted_at__isnull=True
        )
        .exclude(pk=assignment.pk)
        .select_related("evaluator")
        .order_by("evaluator__username")
    ]


def score_for_autosave(*, user, assessment_id: int, indicator_id: int) -> Score | None:
    """The person's own Score row with its assignment, assessment (with cycle and instrument,
    for the running panel) and indicator, in one query. None when the person has no such row:
    not theirs, no longer an evaluator, or the row was never created."""
    if not roles_of(user).evaluator:
        return None
    return (
        Score.objects.select_related("assignment__assessment__cycle__instrument", "indicator")
        .filter(
            assignment__assessment_id=assessment_id,
            assignment__evaluator_id=user.pk,
            indicator_id=indicator_id,
        )
        .first()
    )


@dataclass
class EvidenceItem:
    revision: EvidenceRevision  # the latest of its document, with the document
    changed: bool  # uploaded after the evaluator last looked

    @property
    def evidence(self):
        return self.revision.evidence

    @property
    def is_pdf(self) -> bool:
        return self.revision.content_type == PDF

    @property
    def is_image(self) -> bool:
        return self.revision.content_type in IMAGES


@dataclass
class ClarificationItem:
    clarification: Clarification  # with who asked
    is_new: bool  # answered after the evaluator last looked


@dataclass
class TeamLevel:
    assignment: EvaluatorAssignment  # with the evaluator
    score: Score | None


@dataclass
class IndicatorRow:
    indicator: Indicator
    rubric: RubricIndicator
    answer: Answer | None
    evidence: list[EvidenceItem]
    score: Score | None  # None for supplementary indicators, which are not scored
    clarifications: list[ClarificationItem]
    team: list[TeamLevel] = field(default_factory=list)
    answer_changed: bool = False
    previous: PreviousIndicator | None = None  # last cycle's level and follow-up
    # Filled by the view when a clarification request is shown again with its errors.
    clarify_checked: bool = False
    clarify_question: str = ""

    @property
    def changed(self) -> bool:
        return (
            self.answer_changed
            or any(c.is_new for c in self.clarifications)
            or any(e.changed for e in self.evidence)
        )


@dataclass
class AspectGroup:
    aspect: object  # Aspect, or None for the supplementary indicators
    rows: list[IndicatorRow]


@dataclass(frozen=True)
class AspectDisplay:
    code: str
    name: str
    index: Decimal


@dataclass(frozen=True)
class RunningResult:
    """The engine's breakdown rounded for display, as Decimals that the page writes in the
    reader's language (4,51 or 4.51), as every result page does."""

    aspects: tuple[AspectDisplay, ...]
    evaluator_index: Decimal
    ipp: Decimal
    grade: str
    grade_label: str
    survey_message: str

    @classmethod
    def of(cls, breakdown: engine.Breakdown) -> "RunningResult":
        return cls(
            aspects=tuple(AspectDisplay(a.code, a.name, a.display) for a in breakdown.aspects),
            evaluator_index=breakdown.evaluator_index_display,
            ipp=breakdown.ipp,
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
    team: list[EvaluatorAssignment]
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
    survey: SurveySummary  # the unit's F-03 figures, read only
    previous_cycle: str | None = None  # the name of the unit's previous final cycle, if any


def _running(
    assessment: Assessment, levels: dict[int, int], survey: list[list[int]] | None = None
) -> Running:
    """`levels`: the evaluator's levels set so far, by indicator id; `survey`: the valid
    answers when the caller has read them already."""
    rubric = instrument_rubric(assessment.cycle.instrument)
    scored_indicators = [r.indicator for r in rubric if not r.indicator.supplementary]
    by_number = {i.number: levels[i.pk] for i in scored_indicators if i.pk in levels}
    total, scored = len(scored_indicators), len(by_number)
    if scored < total:
        return Running(total=total, scored=scored, remaining=total - scored, result=None)
    if survey is None:
        # The survey answers only once the engine can run: one query fewer while scoring.
        survey = list(
            SurveyResponse.objects.valid()
            .filter(assessment=assessment)
            .order_by("pk")
            .values_list("answers", flat=True)
        )
    try:
        breakdown = engine.score(cycle_spec(assessment.cycle), by_number, survey)
    except engine.ScoringInputError as exc:
        return Running(total, scored, 0, None, exc.problems)
    return Running(total=total, scored=scored, remaining=0, result=RunningResult.of(breakdown))


def f02_running(*, assignment: EvaluatorAssignment) -> Running:
    """The running panel alone (sent with each autosave that changed a level): the levels,
    then the engine. `assignment` comes with its assessment, cycle and instrument."""
    levels = dict(
        Score.objects.filter(assignment=assignment, level__isnull=False).values_list(
            "indicator_id", "level"
        )
    )
    return _running(assignment.assessment, levels)


def _latest_revisions(assessment: Assessment) -> QuerySet[EvidenceRevision]:
    latest = (
        EvidenceRevision.objects.filter(evidence=OuterRef("evidence"))
        .order_by("-number")
        .values("number")[:1]
    )
    return (
        EvidenceRevision.objects.filter(
            evidence__assessment=assessment,
            evidence__removed_at__isnull=True,
            evidence__indicator__isnull=False,
            number=Subquery(latest),
        )
        .select_related("evidence")
        .order_by("evidence__indicator_id", "evidence_id")
    )


def _after(value: dt.datetime | None, since: dt.datetime | None) -> bool:
    return bool(since and value and value > since)


def f02_page(
    *, assessment: Assessment, assignment: EvaluatorAssignment, on: dt.date | None = None
) -> F02Page:
    """Everything the F-02 page shows, in a constant number of queries.

    `assignment` comes from own_assignment. Rows: the rubric (cached), the unit's claim, the
    latest revision of each active evidence document, this evaluator's score, the
    clarifications; what the unit changed after `assignment.last_viewed_at` is flagged.
    Team levels are read only once this evaluator has submitted. The unit's F-03 figures
    come along (their answers also feed the running result).
    """
    since = assignment.last_viewed_at
    rubric = instrument_rubric(assessment.cycle.instrument)
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    scores = {s.indicator_id: s for s in Score.objects.filter(assignment=assignment)}
    evidence: dict[int, list[EvidenceItem]] = {}
    for rev in _latest_revisions(assessment):
        item = EvidenceItem(rev, _after(rev.uploaded_at, since))
        evidence.setdefault(rev.evidence.indicator_id, []).append(item)
    clarifications: dict[int, list[ClarificationItem]] = {}
    for c in (
        Clarification.objects.filter(assessment=assessment)
        .select_related("asked_by")
        .order_by("asked_at", "pk")
    ):
        item = ClarificationItem(c, _after(c.answered_at, since))
        clarifications.setdefault(c.indicator_id, []).append(item)
    team = list(
        EvaluatorAssignment.objects.filter(assessment=assessment)
        .select_related("evaluator")
        .order_by("-is_lead", "evaluator__username")
    )
    team_visible = assignment.submitted_at is not None
    others: dict[tuple[int, int], Score] = {}
    if team_visible:
        others = {
            (s.assignment_id, s.indicator_id): s
            for s in Score.objects.filter(assignment__assessment=assessment).exclude(
                assignment=assignment
            )
        }

    previous = previous_cycle(assessment)
    groups: list[AspectGroup] = []
    missing: list[int] = []
    for rub in rubric:
        ind = rub.indicator
        score = None
        if not ind.supplementary:
            score = scores.get(ind.pk)
            if score is None:
                missing.append(ind.pk)
                score = Score(assignment=assignment, indicator=ind, version=0)
        answer = answers.get(ind.pk)
        row = IndicatorRow(
            indicator=ind,
            rubric=rub,
            answer=answer,
            evidence=evidence.get(ind.pk, []),
            score=score,
            clarifications=clarifications.get(ind.pk, []),
            answer_changed=bool(answer and _after(answer.updated_at, since)),
            previous=previous.get(ind.code),
        )
        if team_visible and score is not None:
            row.team = [
                TeamLevel(a, others.get((a.pk, ind.pk))) for a in team if a.pk != assignment.pk
            ]
        if not groups or groups[-1].aspect != ind.aspect:
            groups.append(AspectGroup(ind.aspect, []))
        groups[-1].rows.append(row)

    levels = {pk: s.level for pk, s in scores.items() if s.level is not None}
    # The F-03 figures, and the same answers for the running result (one query).
    survey = survey_rows(assessment)
    items = instrument_survey_items(assessment.cycle.instrument)
    summary = summarize(assessment.cycle, items, survey)
    lock_reason = "" if team_visible else _lock_reason(assessment, on)
    editable = not team_visible and not lock_reason
    return F02Page(
        assessment=assessment,
        assignment=assignment,
        team=team,
        groups=groups,
        running=_running(assessment, levels, valid_answers(survey)),
        editable=editable,
        lock_reason=lock_reason,
        can_clarify=editable and assessment.status == Status.IN_EVALUATION,
        team_visible=team_visible,
        f01_visible=assessment.status != Status.DRAFT,
        last_viewed_at=since,
        changed_count=sum(1 for g in groups for r in g.rows if r.changed),
        missing_score_ids=missing,
        survey=summary,
        previous_cycle=next(iter(previous.values())).cycle_name if previous else None,
    )


def _lock_reason(assessment: Assessment, on: dt.date | None) -> str:
    """Why an evaluator who has not submitted cannot score now ("" when they can)."""
    if assessment.status == Status.DRAFT:
        return _("Unit belum mengajukan F-01; penilaian F-02 dimulai setelah F-01 diajukan.")
    if assessment.status == Status.CLARIFICATION:
        return _("Menunggu jawaban klarifikasi dari unit; penilaian dilanjutkan setelahnya.")
    if assessment.status not in SCORING_STATUSES:
        return _("Status penilaian adalah “%(status)s”.") % {
            "status": assessment.get_status_display()
        }
    return window_problem(assessment, Phase.EVALUATION, on) or ""


def field_visit_of(assignment: EvaluatorAssignment) -> FieldVisit | None:
    """The evaluator's field visit with its photos, or None before it is recorded."""
    return FieldVisit.objects.filter(assignment=assignment).prefetch_related("photos").first()
