"""F-01 writes: the answer rows, the autosave of one answer, and the submission."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, Assessment, AuditAction, Indicator, Phase, Submission
from ..notifications import notify_submission
from ..permissions import is_operator_of
from ..selectors.f01 import F01Gate, MissingItem, answer_current, f01_missing, f01_snapshot
from .audit import audit_record
from .versioned import save_versioned
from .workflow import (
    Status,
    WorkflowError,
    require_plain_text,
    require_status,
    require_window,
    set_status,
)

MAX_EXPLANATION = 10_000


def answers_ensure(assessment: Assessment) -> None:
    """Create the missing answer rows of an assessment (one per indicator), so that every
    autosave is a versioned UPDATE of an existing row. Safe to run twice or concurrently."""
    ids = Indicator.objects.filter(instrument_id=assessment.cycle.instrument_id).values_list(
        "pk", flat=True
    )
    Answer.objects.bulk_create(
        [Answer(assessment=assessment, indicator_id=pk) for pk in ids], ignore_conflicts=True
    )


@dataclass(frozen=True)
class AutosaveOutcome:
    """`saved`: the values are stored at `answer.version`. Otherwise someone saved first and
    `answer` is what they saved (the caller shows both values)."""

    saved: bool
    answer: Answer


def answer_autosave(
    *,
    answer: Answer,
    gate: F01Gate,
    by,
    version: int,
    claimed_level: int | None,
    explanation: str,
) -> AutosaveOutcome:
    """Save one indicator's claimed level and explanation if nobody saved it since `version`.

    `answer` and `gate` come from `selectors_f01.answer_for_autosave` (one query); the caller
    has checked that `by` operates the unit. Refuses with WorkflowError outside the editing
    rules (status, window, clarification) and for an over-long explanation or one holding
    control characters.

    Deliberately not wrapped in a transaction: the versioned UPDATE alone decides who wins,
    and an autosave must stay within 4 queries (user, this row, UPDATE, audit INSERT; Django
    counts a transaction's BEGIN/COMMIT or SAVEPOINT/RELEASE as two more). The audit INSERT
    follows the UPDATE; should it fail (the database lost between two statements), the
    request fails with the level saved but not audited, and the person's retry is told of
    a conflict. Accepted: the alternative costs two round trips on every level change.
    """
    if claimed_level is not None and not 0 <= claimed_level <= 5:
        raise ValueError("claimed_level must be 0..5")
    problem = gate.problem(answer.indicator_id)
    if problem:
        raise WorkflowError(problem)
    require_plain_text((_("Penjelasan"), explanation))
    if len(explanation) > MAX_EXPLANATION:
        raise WorkflowError(
            _("Penjelasan terlalu panjang (%(n)s karakter); batasnya %(max)s karakter.")
            % {"n": len(explanation), "max": MAX_EXPLANATION}
        )
    if answer.version != version:
        return AutosaveOutcome(saved=False, answer=answer)
    if answer.claimed_level == claimed_level and answer.explanation == explanation:
        return AutosaveOutcome(saved=True, answer=answer)
    now = timezone.now()
    new_version = save_versioned(
        Answer.objects.filter(pk=answer.pk),
        version=version,
        values={
            "claimed_level": claimed_level,
            "explanation": explanation,
            "updated_by": by,
            "updated_at": now,
        },
    )
    if new_version is None:
        return AutosaveOutcome(saved=False, answer=answer_current(answer.pk))
    old_level = answer.claimed_level
    answer.claimed_level, answer.explanation = claimed_level, explanation
    answer.updated_by, answer.updated_at, answer.version = by, now, new_version
    if old_level != claimed_level:
        audit_record(
            assessment=answer.assessment,
            actor=by,
            action=AuditAction.CLAIM,
            indicator=answer.indicator,
            old=old_level,
            new=claimed_level,
        )
    return AutosaveOutcome(saved=True, answer=answer)


class SubmissionIncomplete(WorkflowError):
    """F-01 cannot be submitted yet; `missing` names each indicator and what it lacks."""

    def __init__(self, missing: list[MissingItem]):
        self.missing = missing
        super().__init__(_("F-01 belum dapat diajukan. Lengkapi dulu:"), *(str(m) for m in missing))


def submission_check(assessment: Assessment, snapshot: dict | None = None) -> list[MissingItem]:
    """What stands between F-01 and its submission (reads only; the confirmation page asks
    this first): WorkflowError for a wrong status or a closed window, else what is missing
    (empty when it can be submitted), from `snapshot` (`f01_snapshot`) when given."""
    require_status(assessment, Status.DRAFT)
    require_window(assessment, Phase.SELF_ASSESSMENT)
    snapshot = snapshot or f01_snapshot(assessment)
    indicators = list(
        Indicator.objects.filter(instrument_id=assessment.cycle.instrument_id).order_by("number")
    )
    return f01_missing(
        indicators,
        {a["indicator_id"]: a["claimed_level"] for a in snapshot["answers"]},
        {e["indicator_id"] for e in snapshot["evidence"]},
    )


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by) -> Submission:
    """Submit F-01: draft → submitted within the self-assessment window.

    Refused with the full list of what is missing: each scored indicator without a claimed
    level and each indicator whose evidence is required but absent. Freezes a snapshot of the
    answers and the exact evidence revisions (id, number, SHA-256) and tells the evaluators.
    """
    if not is_operator_of(by, assessment):
        raise PermissionDenied
    locked = (
        Assessment.objects.select_for_update().select_related("cycle", "unit").get(pk=assessment.pk)
    )
    snapshot = f01_snapshot(locked)
    missing = submission_check(locked, snapshot)
    if missing:
        raise SubmissionIncomplete(missing)
    snapshot["submitted_by"] = by.pk
    snapshot["frozen_at"] = timezone.now().isoformat()
    submission = Submission.objects.create(assessment=locked, submitted_by=by, snapshot=snapshot)
    set_status(locked, Status.SUBMITTED, actor=by)
    assessment.status = locked.status
    notify_submission(locked)
    return submission
