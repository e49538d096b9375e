"""The status flow of an assessment and the phase windows that gate it.

draft → submitted → in evaluation → (clarification ↔ in evaluation) → moderated → final.
Each transition is a service function that checks the phase window and the status, records
the change in the audit history and refuses with a message a person can act on.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from pekppp.lib.text import has_control_characters

from ..models import Assessment, AssessmentStatus, AuditAction, Phase, PhaseExtension
from ..rules import today, window_message
from ..selectors.windows import window_of, window_problem
from .audit import audit_record

Status = AssessmentStatus


class WorkflowError(Exception):
    """An action refused by the status flow or a phase window; `problems` lists why."""

    def __init__(self, *problems: str):
        self.problems = tuple(problems)
        super().__init__(" ".join(problems))


def require_window(assessment: Assessment, phase: Phase, on: dt.date | None = None) -> None:
    """Refuse unless the phase is open for this unit (one query)."""
    problem = window_problem(assessment, phase, on)
    if problem:
        raise WorkflowError(problem)


def require_status(assessment: Assessment, *allowed: Status) -> None:
    if assessment.status not in allowed:
        raise WorkflowError(
            _("Tindakan ini tidak dapat dilakukan karena status penilaian adalah “%(status)s”.")
            % {"status": assessment.get_status_display()}
        )


def require_plain_text(*fields: tuple[str, str]) -> None:
    """Refuse typed text that holds control characters other than tabs and line breaks.

    `fields` are (label, text) pairs; each bad one is named. Views that read text straight
    from request.POST rely on this: a NUL would otherwise reach PostgreSQL, which refuses it
    with an error page instead of this message.
    """
    problems = [
        _(
            "%(field)s memuat karakter kendali (misalnya NUL) yang tidak diizinkan; hapus karakter "
            "itu lalu simpan lagi."
        )
        % {"field": label}
        for label, text in fields
        if has_control_characters(text or "", multiline=True)
    ]
    if problems:
        raise WorkflowError(*problems)


def set_status(assessment: Assessment, to: Status, *, actor, reason: str = "") -> None:
    """Move an assessment to a new status and record it. Callers check who and when."""
    old = assessment.get_status_display()
    assessment.status = to
    assessment.save(update_fields=["status", "updated_at"])
    audit_record(
        assessment=assessment,
        actor=actor,
        action=AuditAction.STATUS,
        old=old,
        new=Status(to).label,
        reason=reason,
    )


@transaction.atomic
def phase_extend(
    *, assessment: Assessment, phase: Phase, ends_on: dt.date, reason: str, by
) -> PhaseExtension:
    """Give one unit more time in one phase; the reason is kept in the audit history.

    The extension and its audit entry are written together or not at all."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Alasan perpanjangan wajib diisi."))
    window = window_of(assessment, phase)
    if window is None:
        raise WorkflowError(window_message(Phase(phase).label, None, today()))
    if ends_on <= window[1]:
        raise WorkflowError(
            _("Tanggal perpanjangan harus setelah akhir jadwal saat ini (%(date)s).")
            % {"date": window[1].strftime("%d-%m-%Y")}
        )
    extension = PhaseExtension.objects.create(
        assessment=assessment, phase=phase, ends_on=ends_on, reason=reason, granted_by=by
    )
    audit_record(
        assessment=assessment,
        actor=by,
        action=AuditAction.EXTENSION,
        old=f"{Phase(phase).label}: {window[1]:%d-%m-%Y}",
        new=f"{Phase(phase).label}: {ends_on:%d-%m-%Y}",
        reason=reason,
    )
    return extension
