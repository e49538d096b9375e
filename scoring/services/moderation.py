"""Moderation (pleno): final levels from the evaluators' levels, then the final status.

Agreed indicators (every evaluator gave the same level) become final directly; where the
evaluators differ, a moderator decides a level with a reason. Every final level that changes
is written through `results.final_levels_save` (which stores the result in the same
transaction) and recorded in the audit history: who, when, old → new, why.

Moderation belongs to scoring, not evaluations, because it is the step that turns the
evaluators' levels into final levels and the stored result (and finalising needs that result);
the status rules it applies are evaluations' (`evaluations.services.workflow`).
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from evaluations.models import Assessment, AuditAction, Phase
from evaluations.notifications import notify_final
from evaluations.permissions import can_moderate
from evaluations.selectors.moderation import ModerationTable, moderation_table
from evaluations.selectors.windows import window_problem
from evaluations.services.audit import audit_record
from evaluations.services.followup import followup_items_create
from evaluations.services.workflow import (
    Status,
    WorkflowError,
    require_status,
    require_window,
    set_status,
)
from pekppp.lib.text import has_control_characters

from ..models import Result
from .results import FinalLevelError, final_levels_save

# Stored as the reason of a final level nobody had to decide (Indonesian on purpose: it is
# data kept in the history, not interface text that follows the reader's language).
AGREED_REASON = "Disepakati seluruh evaluator"

Decisions = Mapping[int, tuple[int | None, str]]


@dataclass(frozen=True)
class Conflict:
    """A final level someone else changed after the moderator opened the form."""

    number: int
    mine: int
    saved: int | None
    saved_by: str
    saved_at: dt.datetime | None


class FinalLevelConflict(WorkflowError):
    """The decisions were made on final levels that changed meanwhile; nothing was written."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(
            _(
                "Tingkat final indikator %(numbers)s diubah orang lain setelah halaman ini dibuka. "
                "Periksa nilai Anda dan nilai tersimpan, lalu simpan lagi."
            )
            % {"numbers": _numbers(c.number for c in conflicts)}
        )


@dataclass(frozen=True)
class ModerationOutcome:
    changed: dict[int, tuple[int | None, int]]  # indicator number → (old, new final level)
    result: Result | None
    status: str


def _numbers(numbers) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


def _require_moderator(user, assessment: Assessment) -> None:
    if not can_moderate(user, assessment):
        raise PermissionDenied(
            _("Moderasi hanya dapat dilakukan oleh admin KemenPANRB atau koordinator periode ini.")
        )


def _lock_status(assessment: Assessment) -> None:
    # Serialise moderators of one assessment: the second waits, then sees the first's work.
    assessment.status = (
        Assessment.objects.select_for_update(of=("self",))
        .values_list("status", flat=True)
        .get(pk=assessment.pk)
    )


def moderation_problems(assessment: Assessment, table: ModerationTable) -> list[str]:
    """Why final levels cannot be decided now (empty when they can)."""
    problems = []
    if assessment.status not in (Status.IN_EVALUATION, Status.MODERATED):
        problems.append(
            _("Moderasi tidak dapat dilakukan karena status penilaian adalah “%(status)s”.")
            % {"status": assessment.get_status_display()}
        )
    window = window_problem(assessment, Phase.MODERATION)
    if window:
        problems.append(window)
    if not table.team:
        problems.append(_("Belum ada evaluator yang ditugaskan pada penilaian ini."))
    elif table.not_submitted:
        problems.append(
            _("F-02 belum diserahkan oleh: %(names)s.")
            % {"names": ", ".join(a.evaluator.display_name for a in table.not_submitted)}
        )
    return problems


def _clean_decisions(
    table: ModerationTable, decisions: Decisions, *, complete: bool
) -> dict[int, tuple[int, str]]:
    rows = {r.indicator.number: r for r in table.rows}
    unknown, bad_level, no_reason, bad_text, clean = [], [], [], [], {}
    for number, (level, reason) in decisions.items():
        if number not in rows:
            unknown.append(number)
            continue
        if type(level) is int and level == rows[number].final_level:
            continue  # unchanged (the form sends the levels it showed): nothing to justify
        reason = (reason or "").strip()
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 5:
            bad_level.append(number)
        if not reason:
            no_reason.append(number)
        elif has_control_characters(reason, multiline=True):
            bad_text.append(number)
        clean[number] = (level, reason)
    undecided = [
        n
        for n, r in rows.items()
        if complete and not r.agreed and r.final_level is None and n not in clean
    ]
    problems = []
    if unknown:
        problems.append(
            _("Indikator %(numbers)s tidak dinilai dalam instrumen ini.")
            % {"numbers": _numbers(unknown)}
        )
    if undecided:
        problems.append(
            _("Para evaluator berbeda dan tingkat final belum diputuskan: indikator %(numbers)s.")
            % {"numbers": _numbers(undecided)}
        )
    if bad_level:
        problems.append(
            _("Pilih tingkat final 0–5 untuk indikator %(numbers)s.")
            % {"numbers": _numbers(bad_level)}
        )
    if no_reason:
        problems.append(
            _("Alasan keputusan wajib diisi untuk indikator %(numbers)s.")
            % {"numbers": _numbers(no_reason)}
        )
    if bad_text:
        problems.append(
            _(
                "Alasan keputusan untuk indikator %(numbers)s memuat karakter kendali (misalnya "
                "NUL) yang tidak diizinkan."
            )
            % {"numbers": _numbers(bad_text)}
        )
    if problems:
        raise WorkflowError(*problems)
    return clean


@transaction.atomic
def moderation_decide(
    *,
    assessment: Assessment,
    by,
    decisions: Decisions,
    seen: Mapping[int, int | None] | None = None,
    partial: bool = False,
) -> ModerationOutcome:
    """Record final levels: agreed ones directly, the rest as decided, each with its reason.

    `decisions` maps indicator number → (level, reason); every indicator the evaluators
    disagree on and that has no final level yet needs one, unless `partial` (the moderation
    page saves one indicator at a time: the others wait). A decision on an indicator that
    already has a final level re-decides it (old → new). `seen` holds the final levels the
    moderator was shown: a decision on a level that changed since is refused as a conflict.
    When every scored indicator has a final level the assessment becomes "moderated".
    """
    _require_moderator(by, assessment)
    _lock_status(assessment)
    table = moderation_table(assessment)
    problems = moderation_problems(assessment, table)
    if problems:
        raise WorkflowError(*problems)
    clean = _clean_decisions(table, decisions, complete=not partial)

    rows = {r.indicator.number: r for r in table.rows}
    conflicts = [
        Conflict(n, level, rows[n].final_level, rows[n].final_by, rows[n].final_at)
        for n, (level, _reason) in clean.items()
        if seen is not None
        and n in seen
        and seen[n] != rows[n].final_level
        and level != rows[n].final_level
    ]
    if conflicts:
        raise FinalLevelConflict(conflicts)

    changes: dict[int, tuple[int, str]] = {}
    for number, row in rows.items():
        if number in clean:
            level, reason = clean[number]
        elif row.final_level is None and row.agreed:
            level, reason = row.agreed_level, AGREED_REASON
        else:
            continue
        if level != row.final_level:
            changes[number] = (level, reason)

    result = None
    if changes:
        try:
            result = final_levels_save(
                assessment=assessment,
                levels={n: level for n, (level, _r) in changes.items()},
                reasons={n: r for n, (_level, r) in changes.items()},
                by=by,
            )
        except FinalLevelError as exc:
            raise WorkflowError(*exc.problems) from exc
        for number, (level, reason) in sorted(changes.items()):
            audit_record(
                assessment=assessment,
                actor=by,
                action=AuditAction.FINAL,
                indicator=rows[number].indicator,
                old=rows[number].final_level,
                new=level,
                reason=reason,
            )

    complete = all(r.final_level is not None or r.indicator.number in changes for r in table.rows)
    if complete and assessment.status == Status.IN_EVALUATION:
        set_status(
            assessment,
            Status.MODERATED,
            actor=by,
            reason=_("Tingkat final seluruh indikator telah ditetapkan."),
        )
    return ModerationOutcome(
        changed={n: (rows[n].final_level, level) for n, (level, _r) in changes.items()},
        result=result,
        status=assessment.status,
    )


def finalize_check(assessment: Assessment, by) -> None:
    """WorkflowError when `by` cannot make the assessment final now: it must be moderated
    (every indicator decided) with its result stored, within the moderation window. Reads
    only; the confirmation page asks this first."""
    _require_moderator(by, assessment)
    require_status(assessment, Status.MODERATED)
    require_window(assessment, Phase.MODERATION)
    if not Result.objects.filter(assessment=assessment).exists():
        raise WorkflowError(
            _("Hasil penilaian belum tersimpan: tetapkan tingkat final seluruh indikator dahulu.")
        )


def indicator_decide(
    *, assessment: Assessment, by, number: int, level: int | None, reason: str, seen: int | None
) -> ModerationOutcome:
    """Decide one indicator's final level (the moderation page, one row at a time): refused
    for that indicator only (WorkflowError, or FinalLevelConflict when its final level
    changed from `seen` meanwhile). Agreed indicators become final with the first decision;
    the assessment is moderated once every indicator has a final level."""
    return moderation_decide(
        assessment=assessment,
        by=by,
        decisions={number: (level, reason)},
        seen={number: seen},
        partial=True,
    )


@transaction.atomic
def assessment_finalize(*, assessment: Assessment, by, reason: str = "") -> Assessment:
    """Moderated → final, once the result computed from the final levels is stored; the
    recommendations become the unit's follow-up items in the same transaction."""
    _require_moderator(by, assessment)
    _lock_status(assessment)
    finalize_check(assessment, by)
    set_status(assessment, Status.FINAL, actor=by, reason=(reason or "").strip())
    followup_items_create(assessment=assessment)
    notify_final(assessment)
    return assessment
