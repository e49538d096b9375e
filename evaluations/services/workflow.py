"""The status flow of an assessment and the phase windows that gate it.

draft → submitted → in evaluation → (clarification ↔ in evaluation) → moderated → final.
Each transition is a service function that checks the phase window and the status, records
the change in the audit history and refuses with a message a person can act on.
"""

import datetime as dt

from django.db.models import OuterRef, Subquery
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
    if row is None:
        return None
    starts, ends, extended = row
    return starts, max(ends, extended or ends)


def window_annotations(phase: Phase, *, cycle: str, assessment: str) -> dict[str, Subquery]:
    """Annotations that read a phase's window, and this unit's latest extension of it, in the
    query of another row: `cycle` and `assessment` name that row's path to their ids. Read
    them back with `window_annotated`."""
    window = PhaseWindow.objects.filter(cycle_id=OuterRef(cycle), phase=phase).order_by()
    extension = PhaseExtension.objects.filter(
        assessment_id=OuterRef(assessment), phase=phase
    ).order_by("-ends_on")
    return {
        "window_starts": Subquery(window.values("starts_on")[:1]),
        "window_ends": Subquery(window.values("ends_on")[:1]),
        "window_extended_to": Subquery(extension.values("ends_on")[:1]),
    }


def window_annotated(row) -> tuple[dt.date, dt.date] | None:
    """The window a row fetched with `window_annotations` carries, as `window_of` gives it."""
    starts, ends, extended = row.window_starts, row.window_ends, row.window_extended_to
    if starts is None or ends is None:
        return None
    return starts, max(ends, extended or ends)


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

    `annotated`: a row that may have been fetched with `window_annotations(phase, …)`; when it
    was, the window comes from it instead of a query.
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
