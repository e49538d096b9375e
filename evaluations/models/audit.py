"""The audit history of an assessment (append-only) and per-unit window extensions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .cycles import Assessment, Phase
from .instruments import Indicator


class AuditAction(models.TextChoices):
    CLAIM = "claim", _("Klaim tingkat F-01")
    SCORE = "score", _("Tingkat F-02")
    FINAL = "final", _("Tingkat final")
    STATUS = "status", _("Status")
    EVIDENCE = "evidence", _("Bukti dukung")
    CLARIFICATION = "clarification", _("Klarifikasi")
    EXTENSION = "extension", _("Perpanjangan jadwal")
    ASSIGNMENT = "assignment", _("Penugasan evaluator")
    SURVEY = "survey", _("Survei F-03")


class AuditEntry(models.Model):
    """Who changed what, when, from which value to which, and why. Never edited or deleted."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    action = models.CharField(_("jenis"), max_length=16, choices=AuditAction.choices)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    old = models.CharField(_("nilai lama"), max_length=255, blank=True)
    new = models.CharField(_("nilai baru"), max_length=255, blank=True)
    reason = models.TextField(_("alasan"), blank=True)

    class Meta:
        ordering = ["assessment", "at", "pk"]
        verbose_name = _("riwayat perubahan")
        verbose_name_plural = pgettext_lazy("plural", "riwayat perubahan")
        indexes = [models.Index(fields=["assessment", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.old} → {self.new}"


class PhaseExtension(models.Model):
    """A later end of one phase window for one unit, granted by an admin with a reason."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="extensions")
    phase = models.CharField(_("tahap"), max_length=20, choices=Phase.choices)
    ends_on = models.DateField(_("diperpanjang sampai"))
    reason = models.TextField(_("alasan"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("diberikan pada"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "phase", "-ends_on"]
        verbose_name = _("perpanjangan jadwal")
        verbose_name_plural = pgettext_lazy("plural", "perpanjangan jadwal")

    def __str__(self) -> str:
        return f"{self.get_phase_display()} s.d. {self.ends_on}"
