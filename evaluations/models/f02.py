"""F-02: each evaluator's levels, the field visit, and clarifications with the unit."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..storage import private_storage
from .cycles import Assessment, EvaluatorAssignment
from .instruments import Indicator


class Score(models.Model):
    """One evaluator's level for one indicator. `version` guards concurrent edits."""

    assignment = models.ForeignKey(
        EvaluatorAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("tingkat"), null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    recommendation = models.TextField(_("rekomendasi"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("diperbarui pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("nilai F-02")
        verbose_name_plural = pgettext_lazy("plural", "nilai F-02")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator"], name="score_unique"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=5), name="score_level_0_5"
            ),
        ]

    def __str__(self) -> str:
        return f"F-02 {self.assignment_id}/{self.indicator_id}: {self.level}"


class FieldVisit(models.Model):
    """An evaluator's record of the visit to the unit."""

    assignment = models.OneToOneField(
        EvaluatorAssignment, on_delete=models.CASCADE, related_name="field_visit"
    )
    visit_date = models.DateField(_("tanggal kunjungan"))
    people_met = models.TextField(_("pihak yang ditemui"))
    observations = models.TextField(_("hasil pengamatan"))
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)

    class Meta:
        verbose_name = _("kunjungan lapangan")
        verbose_name_plural = pgettext_lazy("plural", "kunjungan lapangan")

    def __str__(self) -> str:
        return f"Kunjungan {self.visit_date} ({self.assignment})"


def visit_photo_path(photo: "FieldVisitPhoto", filename: str) -> str:
    return f"visits/{photo.visit.assignment.assessment_id}/{uuid.uuid4().hex}{photo.extension}"


class FieldVisitPhoto(models.Model):
    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(storage=private_storage, upload_to=visit_photo_path, max_length=255)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("keterangan"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)

    class Meta:
        ordering = ["visit", "pk"]
        verbose_name = _("foto kunjungan")
        verbose_name_plural = pgettext_lazy("plural", "foto kunjungan")

    def __str__(self) -> str:
        return self.original_name


class ClarificationStatus(models.TextChoices):
    OPEN = "open", _("Menunggu jawaban unit")
    ANSWERED = "answered", _("Sudah dijawab")


class Clarification(models.Model):
    """An indicator returned to the unit with a question; the unit answers and may add evidence."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="clarifications"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("pertanyaan"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(_("diajukan pada"), auto_now_add=True)
    answer = models.TextField(_("jawaban unit"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ClarificationStatus.choices,
        default=ClarificationStatus.OPEN,
    )

    class Meta:
        ordering = ["assessment", "asked_at", "pk"]
        verbose_name = _("klarifikasi")
        verbose_name_plural = pgettext_lazy("plural", "klarifikasi")

    def __str__(self) -> str:
        return f"Klarifikasi {self.assessment_id}/{self.indicator_id}"
