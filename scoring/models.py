"""Stored results: each one can be recomputed from the inputs it keeps."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from evaluations.models import Assessment, Cycle, InstrumentVersion
from units.models import Province, RankingGroup, ServiceType


class Result(models.Model):
    """The IPP of one assessment, with what it was computed from.

    `cycle`, `ranking_group`, `province` and `service_type` are copied from the locus when the
    result is computed, so rankings read one table; a recompute refreshes them.
    """

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="results")
    ranking_group = models.CharField(_("kelompok"), max_length=16, choices=RankingGroup.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    engine_version = models.CharField(_("versi mesin"), max_length=16)
    # {"I": "4.79", …}: aspect indices rounded half-up for display.
    aspects = models.JSONField(_("indeks aspek"))
    evaluator_index = models.DecimalField(
        _("indeks evaluator (F-02)"), max_digits=3, decimal_places=2
    )
    respondents = models.PositiveIntegerField(_("jumlah responden"), default=0)
    survey_index = models.DecimalField(
        _("indeks survei (F-03)"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    survey_reason = models.CharField(_("alasan survei tidak dihitung"), max_length=32, blank=True)
    ipp = models.DecimalField(_("IPP"), max_digits=3, decimal_places=2)
    grade = models.CharField(_("predikat"), max_length=2)
    grade_label = models.CharField(_("kategori"), max_length=60)
    # levels by indicator number, survey answers, σ and m: enough to recompute exactly.
    inputs = models.JSONField(_("masukan"))
    computed_at = models.DateTimeField(_("dihitung pada"), auto_now=True)

    class Meta:
        verbose_name = _("hasil penilaian")
        verbose_name_plural = pgettext_lazy("plural", "hasil penilaian")
        indexes = [
            models.Index(fields=["cycle", "ranking_group", "-ipp"], name="result_group_rank"),
            models.Index(fields=["cycle", "-ipp"], name="result_cycle_rank"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ipp__gte=0, ipp__lte=5), name="result_ipp_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.ipp} ({self.grade})"

    @property
    def survey_counted(self) -> bool:
        return self.survey_index is not None
