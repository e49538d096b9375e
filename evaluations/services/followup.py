"""Tindak lanjut: follow-up items made from a final assessment's recommendations, and the
unit's record of what it did about each.

Rules (also in evaluations/README.md):
- Items are made when the assessment becomes final, one per scored indicator that has a
  recommendation, with the final level; the recommendation is copied and never edited.
- Only the unit's operators edit, at any time after final. Every changed field is kept in
  FollowUpChange (field, old, new, who, when). A save made on a version someone else has
  changed since is refused with both values (`FollowUpConflict`), nothing written.
- "selesai" needs at least one evidence file; "tidak dapat dilaksanakan" needs a reason.
  A closed item (selesai or tidak dapat) is locked except for its status and reason: set it
  back to belum/berjalan to change anything else or its files.
- Evidence files pass the checks of bukti dukung (`evidence.upload_check`): type by
  content, size, SHA-256, virus scan; all files of one save are checked before any is stored.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    FinalLevel,
    FollowUpChange,
    FollowUpFile,
    FollowUpItem,
    FollowUpStatus,
    Score,
)
from ..permissions import can_edit_followup
from ..selectors.followup import CLOSED_STATUSES as CLOSED
from .evidence import MB, CheckedUpload, files_store, size_mb, upload_check
from .versioned import save_versioned
from .workflow import WorkflowError, require_plain_text

PLANNED_ACTION_MAX = 4000
RESPONSIBLE_MAX = 200
REASON_MAX = 2000
FILES_PER_SAVE_MAX = 10
EARLIEST_TARGET = dt.date(2000, 1, 1)
LATEST_TARGET = dt.date(2100, 12, 31)
# The fields a unit edits, in the order the history names them.
FIELDS = ("planned_action", "responsible", "target_date", "status", "status_reason")


# --- Creation at final --------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def recommendation_text(texts: Iterable[str]) -> str:
    """The evaluators' recommendations for one indicator as one text, in team order (the lead
    evaluator's first): blank ones dropped, each kept once (compared without case and spacing
    differences); several are numbered paragraphs "(1) …", "(2) …"."""
    kept: dict[str, str] = {}
    for text in texts:
        text = (text or "").strip()
        if text and _key(text) not in kept:
            kept[_key(text)] = text
    if len(kept) <= 1:
        return next(iter(kept.values()), "")
    return "\n\n".join(f"({n}) {text}" for n, text in enumerate(kept.values(), start=1))


@transaction.atomic
def followup_items_create(*, assessment: Assessment) -> int:
    """Make the follow-up items of a final assessment; returns how many were made.

    One item per scored indicator with a final level and at least one evaluator's
    recommendation (`recommendation_text`), with the final level, the unit, and the cycle's
    follow-up deadline as target date. Items that exist are left as they are, so running it
    again makes nothing (and the unique constraint keeps two runs at once from doubling)."""
    if assessment.status != AssessmentStatus.FINAL:
        raise WorkflowError(_("Tindak lanjut dibuat setelah penilaian berstatus final."))
    texts: dict[int, list[str]] = {}
    for indicator_id, text in (
        Score.objects.filter(assignment__assessment=assessment, indicator__supplementary=False)
        .exclude(recommendation="")
        .order_by("-assignment__is_lead", "assignment__evaluator__username", "assignment_id")
        .values_list("indicator_id", "recommendation")
    ):
        texts.setdefault(indicator_id, []).append(text)
    existing = set(
        FollowUpItem.objects.filter(assessment=assessment).values_list("indicator_id", flat=True)
    )
    deadline = Cycle.objects.values_list("followup_deadline", flat=True).get(pk=assessment.cycle_id)
    items = []
    for indicator_id, level in (
        FinalLevel.objects.filter(assessment=assessment, indicator_id__in=list(texts))
        .order_by("indicator__number")
        .values_list("indicator_id", "level")
    ):
        recommendation = recommendation_text(texts[indicator_id])
        if recommendation and indicator_id not in existing:
            items.append(
                FollowUpItem(
                    assessment=assessment,
                    unit_id=assessment.unit_id,
                    indicator_id=indicator_id,
                    level=level,
                    recommendation=recommendation,
                    target_date=deadline,
                )
            )
    FollowUpItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


# --- The unit's edits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpValues:
    """What the unit edits on one item."""

    planned_action: str
    responsible: str
    target_date: dt.date | None
    status: str
    status_reason: str

    @classmethod
    def of(cls, item: FollowUpItem) -> "FollowUpValues":
        return cls(*(getattr(item, name) for name in FIELDS))

    def get_status_display(self) -> str:
        """As on the item, so a page shows either the same way."""
        return str(FollowUpStatus(self.status).label) if self.status in FollowUpStatus else ""


class FollowUpConflict(WorkflowError):
    """The item was saved by someone else after the form was opened; nothing was written."""

    def __init__(self, saved: FollowUpItem, mine: FollowUpValues):
        self.saved = saved
        self.mine = mine
        super().__init__(
            _(
                "Tindak lanjut ini sudah diubah orang lain setelah halaman ini dibuka. Tidak ada "
                "yang tertimpa: periksa nilai Anda dan nilai tersimpan, lalu simpan lagi."
            )
        )


def _lock(item: FollowUpItem, by) -> FollowUpItem:
    if not can_edit_followup(by, item):
        raise PermissionDenied(_("Tindak lanjut hanya dapat diubah oleh operator unit ini."))
    return (
        FollowUpItem.objects.select_for_update(of=("self",))
        .select_related("assessment", "unit", "updated_by")
        .get(pk=item.pk)
    )


def _clean(values: FollowUpValues) -> FollowUpValues:
    return FollowUpValues(
        planned_action=(values.planned_action or "").replace("\r\n", "\n").strip(),
        responsible=" ".join((values.responsible or "").split()),
        target_date=values.target_date,
        status=values.status,
        status_reason=(values.status_reason or "").replace("\r\n", "\n").strip()
        if values.status == FollowUpStatus.NOT_POSSIBLE
        else "",
    )


def _problems(values: FollowUpValues, raw_reason: str) -> list[str]:
    problems = []
    for label, text, limit in (
        (_("Rencana aksi"), values.planned_action, PLANNED_ACTION_MAX),
        (_("Penanggung jawab"), values.responsible, RESPONSIBLE_MAX),
        (_("Alasan tidak dapat dilaksanakan"), raw_reason, REASON_MAX),
    ):
        if len(text) > limit:
            problems.append(
                _("%(field)s terlalu panjang: %(n)s karakter, paling banyak %(limit)s.")
                % {"field": label, "n": len(text), "limit": limit}
            )
    if values.status not in FollowUpStatus.values:
        problems.append(_("Status tindak lanjut tidak dikenal."))
    date = values.target_date
    if date is not None and not EARLIEST_TARGET <= date <= LATEST_TARGET:
        problems.append(
            _("Target selesai harus antara %(first)s dan %(last)s.")
            % {
                "first": EARLIEST_TARGET.strftime("%d-%m-%Y"),
                "last": LATEST_TARGET.strftime("%d-%m-%Y"),
            }
        )
    if values.status == FollowUpStatus.NOT_POSSIBLE and not values.status_reason:
        problems.append(_("Tuliskan alasan mengapa rekomendasi tidak dapat dilaksanakan."))
    return problems


def _active_files(item: FollowUpItem):
    return FollowUpFile.objects.filter(item=item, removed_at__isnull=True)


def _check_files(item: FollowUpItem, files: Sequence[File]) -> list[tuple[File, CheckedUpload]]:
    """Every file checked, and the item's locus's follow-up files kept within the per-locus
    limit of bukti dukung, before any is stored."""
    if len(files) > FILES_PER_SAVE_MAX:
        raise WorkflowError(
            _("Paling banyak %(n)s berkas sekali simpan.") % {"n": FILES_PER_SAVE_MAX}
        )
    checked = []
    for file in files:
        try:
            checked.append((file, upload_check(file)))
        except WorkflowError as exc:
            raise WorkflowError(f"{file.name}: {exc}") from None
    if checked:
        used = (
            FollowUpFile.objects.filter(
                item__assessment_id=item.assessment_id, removed_at__isnull=True
            ).aggregate(total=Sum("size"))["total"]
            or 0
        )
        size = sum(c.size for _f, c in checked)
        limit = settings.EVIDENCE_MAX_ASSESSMENT_MB * MB
        if used + size > limit:
            raise WorkflowError(
                _(
                    "Bukti tindak lanjut lokus ini akan menjadi %(total)s MB, melebihi batas "
                    "%(limit)s MB (sudah terpakai %(used)s MB)."
                )
                % {
                    "total": size_mb(used + size),
                    "limit": settings.EVIDENCE_MAX_ASSESSMENT_MB,
                    "used": size_mb(used),
                }
            )
    return checked


def _store_files(item: FollowUpItem, checked, by) -> list[FollowUpFile]:
    rows = [(FollowUpFile(item=item, **c.fields(by)), file) for file, c in checked]
    files_store(rows)
    return [row for row, _file in rows]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def followup_item_update(
    *,
    item: FollowUpItem,
    by,
    version: int,
    values: FollowUpValues,
    files: Sequence[File] = (),
) -> FollowUpItem:
    """Save the unit's follow-up of one item (and add evidence files), if nobody saved it
    since `version`; every changed field and each added file goes into the history.

    Raises PermissionDenied for anyone but the unit's operators, FollowUpConflict on a stale
    version, and WorkflowError listing every problem of the input; then nothing is stored."""
    locked = _lock(item, by)
    clean = _clean(values)
    if version != locked.version:
        raise FollowUpConflict(locked, clean)
    problems = _problems(clean, values.status_reason or "") + _plain_text_problems(clean)
    if problems:
        raise WorkflowError(*problems)
    before = FollowUpValues.of(locked)
    changed = [n for n in FIELDS if getattr(clean, n) != getattr(before, n)]
    stays_closed = locked.status in CLOSED and clean.status in CLOSED
    if stays_closed and (files or set(changed) - {"status", "status_reason"}):
        raise WorkflowError(_closed_message(locked))
    checked = _check_files(locked, files)
    if clean.status == FollowUpStatus.DONE and not checked and not _active_files(locked).exists():
        raise WorkflowError(
            _("Status selesai memerlukan minimal satu berkas bukti penyelesaian; unggah dulu.")
        )
    if not changed and not checked:
        return locked
    now = timezone.now()
    new_version = save_versioned(
        FollowUpItem.objects.filter(pk=locked.pk),
        version=version,
        values={
            **{n: getattr(clean, n) for n in FIELDS},
            "updated_at": now,
            "updated_by": by,
        },
    )
    if new_version is None:  # cannot happen while the row is locked; kept as the rule
        raise FollowUpConflict(locked, clean)
    stored = _store_files(locked, checked, by)
    FollowUpChange.objects.bulk_create(
        [
            FollowUpChange(
                item=locked,
                actor=by,
                field=name,
                old=_text(getattr(before, name)),
                new=_text(getattr(clean, name)),
            )
            for name in changed
        ]
        + [
            FollowUpChange(item=locked, actor=by, field="file", new=row.original_name)
            for row in stored
        ]
    )
    locked.refresh_from_db()
    return locked


def _closed_message(item: FollowUpItem) -> str:
    return _(
        "Tindak lanjut ini sudah ditutup (%(status)s): hanya status dan alasannya yang dapat "
        "diubah. Buka kembali dengan status “Belum dilaksanakan” atau “Sedang berjalan” untuk "
        "mengubah isian lain atau berkasnya."
    ) % {"status": item.get_status_display()}


def _plain_text_problems(values: FollowUpValues) -> list[str]:
    try:
        require_plain_text(
            (_("Rencana aksi"), values.planned_action),
            (_("Penanggung jawab"), values.responsible),
            (_("Alasan tidak dapat dilaksanakan"), values.status_reason),
        )
    except WorkflowError as exc:
        return list(exc.problems)
    return []


@transaction.atomic
def followup_file_remove(*, attachment: FollowUpFile, by) -> FollowUpFile:
    """Hide an evidence file of an open item; the file stays stored and in the history."""
    locked = _lock(attachment.item, by)
    attachment = FollowUpFile.objects.select_for_update().get(pk=attachment.pk)
    if attachment.removed_at is not None:
        raise WorkflowError(_("Berkas ini sudah dihapus."))
    if locked.status in CLOSED:
        raise WorkflowError(_closed_message(locked))
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    FollowUpChange.objects.create(item=locked, actor=by, field="file", old=attachment.original_name)
    return attachment
