"""Reads of F-01: the page of one assessment, the row an autosave writes, and the edit gate.

The F-01 page of 30 indicators with answers and evidence costs the same constant number of
queries however much is filled in; the row an autosave needs comes with everything the
permission, status and window checks need in one query.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from units.models import Role, RoleAssignment

from ..models import (
    Answer,
    Aspect,
    Assessment,
    AssessmentStatus,
    Clarification,
    ClarificationStatus,
    Evidence,
    EvidenceRevision,
    Indicator,
    Phase,
    Submission,
)
from ..rules import Window, today, window_from, window_message
from .access import assessments_visible_to
from .followup import PreviousIndicator, previous_assessment, previous_cycle
from .windows import window_subqueries

# --- The edit gate ----------------------------------------------------------------------------


@dataclass(frozen=True)
class F01Gate:
    """What decides whether the unit may change an indicator's F-01 answer and evidence."""

    status: str
    self_window: Window | None
    clarification_window: Window | None
    open_indicators: frozenset[int] = frozenset()

    def problem(self, indicator_id: int, on: dt.date | None = None) -> str | None:
        """None when the indicator is editable now, else a message the operator can act on.

        Draft: editable within the self-assessment window. Clarification: only indicators
        with an open clarification, within the clarification window. Otherwise read-only.
        """
        on = on or today()
        if self.status == AssessmentStatus.DRAFT:
            return window_message(Phase.SELF_ASSESSMENT.label, self.self_window, on)
        if self.status == AssessmentStatus.CLARIFICATION:
            if indicator_id not in self.open_indicators:
                return _(
                    "Indikator ini tidak sedang diklarifikasi: selama klarifikasi hanya indikator "
                    "yang diminta evaluator yang dapat diubah."
                )
            return window_message(Phase.CLARIFICATION.label, self.clarification_window, on)
        return _(
            "Tindakan ini tidak dapat dilakukan karena status penilaian adalah “%(status)s”."
        ) % {"status": AssessmentStatus(self.status).label}

    def carry_over_problem(self, on: dt.date | None = None) -> str | None:
        """Carrying evidence over is part of filling F-01: draft and self-assessment window."""
        on = on or today()
        if self.status != AssessmentStatus.DRAFT:
            return _(
                "Tindakan ini tidak dapat dilakukan karena status penilaian adalah “%(status)s”."
            ) % {"status": AssessmentStatus(self.status).label}
        return window_message(Phase.SELF_ASSESSMENT.label, self.self_window, on)


def _window_annotations(cycle_ref: str, assessment_ref: str) -> dict:
    """Start, end and latest extension of the two F-01 phases, as subqueries of one row."""
    annotations = {}
    for prefix, phase in (("sa", Phase.SELF_ASSESSMENT), ("cl", Phase.CLARIFICATION)):
        starts, ends, extended = window_subqueries(
            phase, cycle_ref=cycle_ref, assessment_ref=assessment_ref
        )
        annotations[f"gate_{prefix}_starts"] = starts
        annotations[f"gate_{prefix}_ends"] = ends
        annotations[f"gate_{prefix}_extended"] = extended
    return annotations


def _window(row, prefix: str) -> Window | None:
    return window_from(
        getattr(row, f"gate_{prefix}_starts"),
        getattr(row, f"gate_{prefix}_ends"),
        getattr(row, f"gate_{prefix}_extended"),
    )


def _gate(row, status: str, open_indicators) -> F01Gate:
    return F01Gate(
        status=status,
        self_window=_window(row, "sa"),
        clarification_window=_window(row, "cl"),
        open_indicators=frozenset(open_indicators),
    )


def f01_gate(assessment: Assessment) -> F01Gate:
    """The gate of an assessment read fresh from the database (two queries)."""
    row = Assessment.objects.annotate(**_window_annotations("cycle_id", "pk")).get(pk=assessment.pk)
    open_ids = Clarification.objects.filter(
        assessment=assessment, status=ClarificationStatus.OPEN
    ).values_list("indicator_id", flat=True)
    return _gate(row, row.status, open_ids)


# --- The autosave row -------------------------------------------------------------------------


def answer_for_autosave(*, user, assessment_id: int, indicator_id: int) -> Answer | None:
    """The answer row with what an autosave checks, in one query, or None if there is none.

    Annotated: `is_operator` (the person operates the assessed unit), `has_open_clarification`
    and the phase windows; the assessment, indicator and last editor come along.
    """
    return (
        Answer.objects.filter(assessment__pk=assessment_id, indicator__pk=indicator_id)
        .select_related("assessment", "indicator", "updated_by")
        .annotate(
            is_operator=Exists(
                RoleAssignment.objects.filter(
                    user_id=user.pk,
                    role=Role.UNIT_OPERATOR,
                    unit_id=OuterRef("assessment__unit_id"),
                )
            ),
            has_open_clarification=Exists(
                Clarification.objects.filter(
                    assessment_id=OuterRef("assessment_id"),
                    indicator_id=OuterRef("indicator_id"),
                    status=ClarificationStatus.OPEN,
                )
            ),
            **_window_annotations("assessment__cycle_id", "assessment_id"),
        )
        .first()
    )


def autosave_gate(answer: Answer) -> F01Gate:
    """The gate carried by a row from `answer_for_autosave`."""
    open_ids = [answer.indicator_id] if answer.has_open_clarification else []
    return _gate(answer, answer.assessment.status, open_ids)


def answer_current(answer_id: int) -> Answer:
    """The saved state of an answer, to show beside the person's own value on a conflict."""
    return Answer.objects.select_related("updated_by").get(pk=answer_id)


# --- The F-01 page ----------------------------------------------------------------------------


def f01_assessments(user) -> QuerySet[Assessment]:
    """Assessments the person may open, with what the F-01 page header and gate need."""
    return (
        assessments_visible_to(user)
        .select_related("cycle", "cycle__instrument", "unit", "unit__agency")
        .annotate(**_window_annotations("cycle_id", "pk"))
    )


@dataclass
class EvidenceItem:
    evidence: Evidence
    latest: EvidenceRevision
    revisions: list[EvidenceRevision]  # newest first
    revision_count: int


@dataclass
class IndicatorRow:
    indicator: Indicator
    levels: list
    answer: Answer | None
    evidence: list[EvidenceItem]
    clarifications: list[Clarification]
    problem: str | None  # why it cannot be edited now; None = editable
    level_missing: bool
    evidence_missing: bool
    previous: PreviousIndicator | None = None  # last cycle's level and follow-up
    # Messages about this indicator from the last action (set by the view, shown in its card).
    notes: list = field(default_factory=list)

    @property
    def editable(self) -> bool:
        return self.problem is None

    @property
    def open_clarification(self) -> Clarification | None:
        return next((c for c in self.clarifications if c.status == ClarificationStatus.OPEN), None)


@dataclass
class AspectGroup:
    aspect: Aspect | None  # None: supplementary indicators (recorded, never scored)
    rows: list[IndicatorRow] = field(default_factory=list)


@dataclass
class F01Page:
    assessment: Assessment
    gate: F01Gate
    groups: list[AspectGroup]
    answered: int
    required: int
    evidence_needed: int
    evidence_present: int
    progress_percent: int
    missing_answer_rows: bool
    last_submission: Submission | None
    carry_over_from: str | None  # the earlier cycle's name when evidence can be carried over
    carry_over_count: int
    previous_cycle: str | None  # the name of the unit's previous final cycle, if any
    editable_any: bool
    locked_reason: str | None  # why nothing can be edited, when nothing can
    missing: list["MissingItem"]
    todo: "F01Todo"

    def rows(self) -> list[IndicatorRow]:
        return [row for group in self.groups for row in group.rows]

    def row_of(self, indicator_id: int) -> IndicatorRow:
        return next(row for row in self.rows() if row.indicator.pk == indicator_id)


@dataclass(frozen=True)
class MissingItem:
    """Something that keeps F-01 from being submitted, named so the operator can find it."""

    indicator_id: int
    number: int
    title: str
    kind: str  # "level" or "evidence"
    what: str

    def __str__(self) -> str:
        return f"{self.number}. {self.title}: {self.what}"


@dataclass(frozen=True)
class F01Todo:
    """What waits for the unit on F-01, indicator by indicator, for the top of the page and
    the operator's home: open clarifications (during clarification), indicators without a
    level or without their required evidence (while F-01 is a draft)."""

    clarifications: tuple[MissingItem, ...] = ()
    no_level: tuple[MissingItem, ...] = ()
    no_evidence: tuple[MissingItem, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.clarifications or self.no_level or self.no_evidence)


def f01_todo(status: str, indicators, open_ids: set[int], missing: list[MissingItem]) -> F01Todo:
    """The unit's to-do on F-01 from what `f01_missing` found and the open clarifications."""
    if status == AssessmentStatus.CLARIFICATION:
        asked = _("klarifikasi menunggu jawaban")
        return F01Todo(
            clarifications=tuple(
                MissingItem(ind.pk, ind.number, ind.title, "clarification", asked)
                for ind in indicators
                if ind.pk in open_ids
            )
        )
    if status == AssessmentStatus.DRAFT:
        return F01Todo(
            no_level=tuple(m for m in missing if m.kind == "level"),
            no_evidence=tuple(m for m in missing if m.kind == "evidence"),
        )
    return F01Todo()


def f01_missing(indicators, level_of: dict[int, int | None], with_evidence: set[int]):
    """What is missing before submission: a level for each scored indicator, evidence where
    the instrument requires it. In indicator order."""
    missing = []
    for ind in indicators:
        if not ind.supplementary and level_of.get(ind.pk) is None:
            missing.append(
                MissingItem(ind.pk, ind.number, ind.title, "level", _("tingkat belum dipilih"))
            )
        if ind.evidence_required and ind.pk not in with_evidence:
            missing.append(
                MissingItem(
                    ind.pk,
                    ind.number,
                    ind.title,
                    "evidence",
                    _("bukti dukung wajib belum diunggah"),
                )
            )
    return missing


def evidence_with_revisions(assessment: Assessment) -> list[EvidenceItem]:
    """Active evidence of an assessment, each with its revisions (two queries)."""
    evidence = Evidence.objects.filter(
        assessment=assessment, removed_at__isnull=True, indicator__isnull=False
    ).prefetch_related(
        Prefetch(
            "revisions",
            queryset=EvidenceRevision.objects.select_related("uploaded_by").order_by("-number"),
        )
    )
    items = []
    for ev in evidence:
        revisions = list(ev.revisions.all())
        if revisions:
            items.append(EvidenceItem(ev, revisions[0], revisions, len(revisions)))
    return items


def carry_over_sources(assessment: Assessment) -> QuerySet[Evidence]:
    """Active evidence of the unit's most recent earlier assessment not yet carried over, for
    indicators (matched by code) that the current instrument also has."""
    source = previous_assessment(assessment).values("pk")[:1]
    return Evidence.objects.filter(
        assessment_id=Subquery(source),
        removed_at__isnull=True,
        indicator__code__in=Indicator.objects.filter(
            instrument_id=assessment.cycle.instrument_id
        ).values("code"),
    ).exclude(
        pk__in=Evidence.objects.filter(assessment=assessment, carried_from__isnull=False).values(
            "carried_from_id"
        )
    )


def f01_page(assessment: Assessment) -> F01Page:
    """Everything the F-01 page shows, in a constant number of queries.

    `assessment` comes from `f01_assessments` (it carries the window annotations).
    """
    instrument_id = assessment.cycle.instrument_id
    aspects = list(Aspect.objects.filter(instrument_id=instrument_id).order_by("order"))
    indicators = list(
        Indicator.objects.filter(instrument_id=instrument_id)
        .order_by("number")
        .prefetch_related("levels")
    )
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    evidence: dict[int, list[EvidenceItem]] = {}
    for item in evidence_with_revisions(assessment):
        evidence.setdefault(item.evidence.indicator_id, []).append(item)
    clarifications: dict[int, list[Clarification]] = {}
    for c in Clarification.objects.filter(assessment=assessment).select_related(
        "asked_by", "answered_by"
    ):
        clarifications.setdefault(c.indicator_id, []).append(c)
    open_ids = {
        ind_id
        for ind_id, items in clarifications.items()
        if any(c.status == ClarificationStatus.OPEN for c in items)
    }
    gate = _gate(assessment, assessment.status, open_ids)
    on = today()
    previous = previous_cycle(assessment)

    level_of = {ind_id: a.claimed_level for ind_id, a in answers.items()}
    missing = f01_missing(indicators, level_of, set(evidence))
    missing_level = {m.indicator_id for m in missing if m.kind == "level"}
    missing_evidence = {m.indicator_id for m in missing if m.kind == "evidence"}

    problems = [gate.problem(ind.pk, on) for ind in indicators]
    groups = {a.pk: AspectGroup(a) for a in aspects}
    supplementary = AspectGroup(None)
    for ind, problem in zip(indicators, problems, strict=True):
        row = IndicatorRow(
            indicator=ind,
            levels=list(ind.levels.all()),
            answer=answers.get(ind.pk),
            evidence=evidence.get(ind.pk, []),
            clarifications=clarifications.get(ind.pk, []),
            problem=problem,
            level_missing=ind.pk in missing_level,
            evidence_missing=ind.pk in missing_evidence,
            previous=previous.get(ind.code),
        )
        (groups.get(ind.aspect_id) or supplementary).rows.append(row)
    ordered = [g for g in groups.values() if g.rows]
    if supplementary.rows:
        ordered.append(supplementary)

    scored = [ind for ind in indicators if not ind.supplementary]
    answered = sum(1 for ind in scored if level_of.get(ind.pk) is not None)
    needing = [ind for ind in indicators if ind.evidence_required]
    present = sum(1 for ind in needing if ind.pk in evidence)

    carry = list(
        carry_over_sources(assessment)
        .values("assessment__cycle__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return F01Page(
        assessment=assessment,
        gate=gate,
        groups=ordered,
        answered=answered,
        required=len(scored),
        evidence_needed=len(needing),
        evidence_present=present,
        progress_percent=(answered * 100 // len(scored)) if scored else 100,
        missing_answer_rows=len(answers) < len(indicators),
        last_submission=Submission.objects.filter(assessment=assessment)
        .select_related("submitted_by")
        .order_by("-submitted_at")
        .first(),
        carry_over_from=carry[0]["assessment__cycle__name"] if carry else None,
        carry_over_count=carry[0]["n"] if carry else 0,
        previous_cycle=next(iter(previous.values())).cycle_name if previous else None,
        editable_any=None in problems,
        locked_reason=None if None in problems else (problems[0] if problems else None),
        missing=missing,
        todo=f01_todo(assessment.status, indicators, open_ids, missing),
    )


def f01_snapshot(assessment: Assessment) -> dict:
    """F-01 as it stands: answers and the active evidence with their latest revisions."""
    indicators = {
        ind.pk: ind
        for ind in Indicator.objects.filter(instrument_id=assessment.cycle.instrument_id)
    }
    answers = Answer.objects.filter(assessment=assessment).order_by("indicator__number")
    items = sorted(
        evidence_with_revisions(assessment),
        key=lambda it: (indicators[it.evidence.indicator_id].number, it.evidence.pk),
    )
    return {
        "assessment": assessment.pk,
        "cycle": assessment.cycle_id,
        "unit": assessment.unit_id,
        "answers": [
            {
                "indicator_id": a.indicator_id,
                "number": indicators[a.indicator_id].number,
                "code": indicators[a.indicator_id].code,
                "claimed_level": a.claimed_level,
                "explanation": a.explanation,
                "version": a.version,
                "updated_by": a.updated_by_id,
                "updated_at": a.updated_at.isoformat() if a.updated_at else None,
            }
            for a in answers
        ],
        "evidence": [
            {
                "evidence_id": it.evidence.pk,
                "indicator_id": it.evidence.indicator_id,
                "indicator_number": indicators[it.evidence.indicator_id].number,
                "title": it.evidence.title,
                "carried_from": it.evidence.carried_from_id,
                "revision_id": it.latest.pk,
                "revision_number": it.latest.number,
                "sha256": it.latest.sha256,
                "original_name": it.latest.original_name,
                "content_type": it.latest.content_type,
                "size": it.latest.size,
                "uploaded_by": it.latest.uploaded_by_id,
                "uploaded_at": it.latest.uploaded_at.isoformat(),
            }
            for it in items
        ],
    }
