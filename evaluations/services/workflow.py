"""The status flow of an assessment and the phase windows that gate it.

draft → submitted → in evaluation → (clarification ↔ in evaluation) → moderated → final.
Each transition is a service function that checks the phase window and the status, records
the change in the audit history and refuses with a message a person can act on.
"""

import datetime as dt

from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Assessment, AssessmentStatus, AuditAction, Phase, PhaseExtension, PhaseWindow
from .audit import audit_record

Status = AssessmentStatus


class WorkflowError(Exception):
    """An action refused by the status flow or a phase window; `problems` lists why."""

    def __init__(self, *problems: str):
        self.problems = tuple(problems)
        super().__init__(" ".join(problems))


def today() -> dt.date:
    return timezone.localdate()


def window_of(assessment: Assessment, phase: Phase) -> tuple[dt.date, dt.date] | None:
    """The window of a phase for this unit: the cycle's, ending later if it was extended."""
    latest_extension = (
        PhaseExtension.objects.filter(assessment_id=assessment.pk, phase=phase)
        .order_by("-ends_on")
        .values("ends_on")[:1]
    )
    row = (
        PhaseWindow.objects.filter(cycle_id=assessment.cycle_id, phase=phase)
        .annotate(extended=Subquery(latest_extension))
        .order_by()
        .values_list("starts_on", "ends_on", "extended")
        .first()
    )
    return window_from(*row) if row else None


def window_from(
    starts: dt.date | None, ends: dt.date | None, extended: dt.date | None
) -> tuple[dt.date, dt.date] | None:
    """A phase's window for one unit from the cycle's dates and the latest end the unit was
    given (None: the cycle has no dates for the phase)."""
    if starts is None or ends is None:
        return None
    return starts, max(ends, extended or ends)


def window_annotated(row) -> tuple[dt.date, dt.date] | None:
    """The window a row carries as `window_starts`, `window_ends` and `window_extended_to`
    (selectors_f02_rows.score_for_autosave reads them with the row)."""
    return window_from(row.window_starts, row.window_ends, row.window_extended_to)


def window_message(phase: Phase, window: tuple[dt.date, dt.date] | None, on: dt.date) -> str | None:
    """None when `on` falls inside `window`, else why the phase is not open (for a person)."""
    label = Phase(phase).label
    if window is None:
        return _("Jadwal tahap %(phase)s belum ditetapkan untuk periode ini.") % {"phase": label}
    starts, ends = window
    if on < starts:
        return _("Tahap %(phase)s baru dibuka pada %(date)s.") % {
            "phase": label,
            "date": starts.strftime("%d-%m-%Y"),
        }
    if on > ends:
        return _("Tahap %(phase)s sudah ditutup pada %(date)s.") % {
            "phase": label,
            "date": ends.strftime("%d-%m-%Y"),
        }
    return None


def window_problem(
    assessment: Assessment, phase: Phase, on: dt.date | None = None, *, annotated=None
) -> str | None:
    """None when the phase is open for this unit on `on` (today), else why it is not.

    `annotated`: a row that may carry the phase's window (see `window_annotated`); when it
    does, the window comes from it instead of a query.
    """
    if hasattr(annotated, "window_ends"):
        window = window_annotated(annotated)
    else:
        window = window_of(assessment, phase)
    return window_message(phase, window, on or today())


def require_window(
    assessment: Assessment, phase: Phase, on: dt.date | None = None, *, annotated=None
) -> None:
    """Refuse unless the phase is open for this unit (`annotated`: as for window_problem)."""
    problem = window_problem(assessment, phase, on, annotated=annotated)
    if problem:
        raise WorkflowError(problem)


def require_status(assessment: Assessment, *allowed: Status) -> None:
    if assessment.status not in allowed:
        raise WorkflowError(
            _("Tindakan ini tidak dapat dilakukan karena status penilaian adalah “%(status)s”.")
            % {"status": assessment.get_status_display()}
        )


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


def phase_extend(
    *, assessment: Assessment, phase: Phase, ends_on: dt.date, reason: str, by
) -> PhaseExtension:
    """Give one unit more time in one phase; the reason is kept in the audit history."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Alasan perpanjangan wajib diisi."))
    window = window_of(assessment, phase)
    if window is None:
        raise WorkflowError(window_problem(assessment, phase))
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
