"""Tindak lanjut: what a unit does about each recommendation of its final assessment."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from units.models import ServiceUnit

from ..storage import private_storage
from .cycles import Assessment
from .evidence import StoredFile
from .instruments import Indicator


class FollowUpStatus(models.TextChoices):
    NOT_STARTED = "belum", _("Belum dilaksanakan")
    IN_PROGRESS = "berjalan", _("Sedang berjalan")
    DONE = "selesai", pgettext_lazy("follow-up status", "Selesai")
    NOT_POSSIBLE = "tidak_dapat", _("Tidak dapat dilaksanakan")


class FollowUpItem(models.Model):
    """One recommendation of a final assessment and the unit's follow-up of it.

    The recommendation is copied when the assessment becomes final and never edited; the
    unit's fields change through the service, each change in `FollowUpChange`, guarded by
    `version` against concurrent edits."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("lokus"), on_delete=models.CASCADE, related_name="followups"
    )
    # Copied from the locus so lists per unit, agency and province read one table.
    unit = models.ForeignKey(
        ServiceUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="followups"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indikator"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("tingkat final"))
    recommendation = models.TextField(_("rekomendasi"))
    planned_action = models.TextField(_("rencana aksi"), blank=True)
    responsible = models.CharField(_("penanggung jawab"), max_length=200, blank=True)
    target_date = models.DateField(_("target selesai"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.NOT_STARTED,
    )
    status_reason = models.TextField(_("alasan tidak dapat dilaksanakan"), blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "indicator__number"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = pgettext_lazy("plural", "tindak lanjut")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="followup_unique"),
            models.CheckConstraint(
                condition=~Q(status="tidak_dapat") | ~Q(status_reason=""),
                name="followup_not_possible_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="followup_unit_status"),
            models.Index(fields=["status", "target_date"], name="followup_due"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.indicator}"


class FollowUpChange(models.Model):
    """One change of a follow-up item: who, when, which field, old → new. Never edited."""

    item = models.ForeignKey(FollowUpItem, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    field = models.CharField(_("isian"), max_length=32)
    old = models.TextField(_("nilai lama"), blank=True)
    new = models.TextField(_("nilai baru"), blank=True)

    class Meta:
        ordering = ["item", "at", "pk"]
        verbose_name = _("riwayat tindak lanjut")
        verbose_name_plural = pgettext_lazy("plural", "riwayat tindak lanjut")

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"


def followup_file_path(attachment: "FollowUpFile", filename: str) -> str:
    return f"followup/{attachment.item.assessment_id}/{uuid.uuid4().hex}{attachment.extension}"


class FollowUpFile(StoredFile):
    """Evidence of completion: checked, hashed and stored like bukti dukung; removing hides it."""

    item = models.ForeignKey(FollowUpItem, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to=followup_file_path, max_length=255)
    removed_at = models.DateTimeField(_("dihapus pada"), null=True, blank=True)

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("bukti tindak lanjut")
        verbose_name_plural = pgettext_lazy("plural", "bukti tindak lanjut")

    def __str__(self) -> str:
        return self.original_name
