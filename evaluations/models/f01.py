"""F-01: the unit's self-assessment answers and the snapshots frozen when it is submitted."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .cycles import Assessment
from .instruments import Indicator


class Answer(models.Model):
    """The level a unit claims for one indicator, and why. `version` guards concurrent edits."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    claimed_level = models.PositiveSmallIntegerField(
        _("tingkat yang diklaim"), null=True, blank=True
    )
    explanation = models.TextField(_("penjelasan"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("diperbarui pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("jawaban F-01")
        verbose_name_plural = pgettext_lazy("plural", "jawaban F-01")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_unique"),
            models.CheckConstraint(
                condition=Q(claimed_level__isnull=True) | Q(claimed_level__lte=5),
                name="answer_level_0_5",
            ),
        ]

    def __str__(self) -> str:
        return f"F-01 {self.assessment_id}/{self.indicator_id}: {self.claimed_level}"


class Submission(models.Model):
    """F-01 as it was submitted: answers and the exact evidence revisions, frozen as JSON."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="submissions")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("diajukan pada"), auto_now_add=True)
    snapshot = models.JSONField(_("salinan F-01"))

    class Meta:
        ordering = ["assessment", "-submitted_at"]
        verbose_name = _("pengajuan F-01")
        verbose_name_plural = pgettext_lazy("plural", "pengajuan F-01")

    def __str__(self) -> str:
        return f"F-01 {self.assessment_id} @ {self.submitted_at:%Y-%m-%d %H:%M}"
