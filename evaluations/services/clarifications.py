"""Clarification: the evaluator returns indicators with a question, the unit answers."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Assessment, AuditAction, Clarification, ClarificationStatus, Indicator, Phase
from ..notifications import notify_clarification, notify_clarification_answer
from .audit import audit_record
from .workflow import (
    Status,
    WorkflowError,
    require_plain_text,
    require_status,
    require_window,
    set_status,
)


@transaction.atomic
def clarification_request(
    *, assessment: Assessment, by, items: Sequence[tuple[Indicator, str]]
) -> list[Clarification]:
    """Return chosen indicators to the unit, each with a question; status → clarification."""
    require_status(assessment, Status.IN_EVALUATION)
    require_window(assessment, Phase.EVALUATION)
    items = [(indicator, (question or "").strip()) for indicator, question in items]
    if not items:
        raise WorkflowError(_("Pilih minimal satu indikator untuk diklarifikasi."))
    require_plain_text(
        *((_("Pertanyaan klarifikasi indikator %(n)s") % {"n": ind.number}, q) for ind, q in items)
    )
    missing = [str(ind.number) for ind, question in items if not question]
    if missing:
        raise WorkflowError(
            _("Pertanyaan klarifikasi wajib diisi untuk indikator %(numbers)s.")
            % {"numbers": ", ".join(missing)}
        )
    created = Clarification.objects.bulk_create(
        Clarification(assessment=assessment, indicator=ind, question=question, asked_by=by)
        for ind, question in items
    )
    for ind, question in items:
        audit_record(
            assessment=assessment,
            actor=by,
            action=AuditAction.CLARIFICATION,
            indicator=ind,
            new=_("Diminta"),
            reason=question,
        )
    set_status(assessment, Status.CLARIFICATION, actor=by)
    notify_clarification(assessment, [f"{ind.number}. {ind.title}: {q}" for ind, q in items])
    return created


@transaction.atomic
def clarification_answer(*, clarification: Clarification, by, answer: str) -> Clarification:
    """Record the unit's answer; when nothing is left open, evaluation resumes."""
    assessment = clarification.assessment
    require_status(assessment, Status.CLARIFICATION)
    require_window(assessment, Phase.CLARIFICATION)
    answer = (answer or "").strip()
    if not answer:
        raise WorkflowError(_("Jawaban klarifikasi wajib diisi."))
    require_plain_text((_("Jawaban klarifikasi"), answer))
    if clarification.status != ClarificationStatus.OPEN:
        raise WorkflowError(_("Klarifikasi ini sudah dijawab."))
    clarification.answer = answer
    clarification.answered_by = by
    clarification.answered_at = timezone.now()
    clarification.status = ClarificationStatus.ANSWERED
    clarification.save()
    audit_record(
        assessment=assessment,
        actor=by,
        action=AuditAction.CLARIFICATION,
        indicator=clarification.indicator,
        old=_("Diminta"),
        new=_("Dijawab"),
        reason=answer,
    )
    resumed = not assessment.clarifications.filter(status=ClarificationStatus.OPEN).exists()
    if resumed:
        set_status(
            assessment, Status.IN_EVALUATION, actor=by, reason=_("Semua klarifikasi telah dijawab.")
        )
    notify_clarification_answer(clarification, resumed=resumed)
    return clarification
