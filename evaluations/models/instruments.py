"""Instrument versions: aspects, indicators with their level rubrics, F-03 items, grades."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InstrumentVersion(models.Model):
    """One version of the evaluation instrument (e.g. 2022 Kode A), loaded from a data file."""

    code = models.CharField(_("kode"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    year = models.PositiveSmallIntegerField(_("tahun"))
    variant = models.CharField(_("kode varian"), max_length=4, blank=True)
    legal_basis = models.CharField(_("dasar hukum"), max_length=300, blank=True)
    description = models.TextField(_("keterangan"), blank=True)
    provisional = models.BooleanField(_("sementara"), default=False)
    survey_weight = models.DecimalField(_("bobot survei (σ)"), max_digits=4, decimal_places=3)
    min_respondents = models.PositiveSmallIntegerField(_("minimum responden (m)"))
    checksum = models.CharField(_("checksum sumber"), max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("dimuat pada"), auto_now=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("versi instrumen")
        verbose_name_plural = pgettext_lazy("plural", "versi instrumen")
        constraints = [
            models.CheckConstraint(
                condition=Q(survey_weight__gte=0, survey_weight__lte=1),
                name="instrument_survey_weight_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Aspect(models.Model):
    instrument = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="aspects"
    )
    code = models.CharField(_("kode"), max_length=8)
    name = models.CharField(_("nama"), max_length=200)
    weight = models.DecimalField(_("bobot (%)"), max_digits=7, decimal_places=3)
    order = models.PositiveSmallIntegerField(_("urutan"))

    class Meta:
        ordering = ["instrument", "order"]
        verbose_name = _("aspek")
        verbose_name_plural = pgettext_lazy("plural", "aspek")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="aspect_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="aspect_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Indicator(models.Model):
    instrument = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="indicators"
    )
    # Supplementary indicators (e.g. the 2022 queue system) belong to no aspect and never score.
    aspect = models.ForeignKey(
        Aspect, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    number = models.PositiveSmallIntegerField(_("nomor"))
    code = models.CharField(_("kode"), max_length=32)
    title = models.CharField(_("judul"), max_length=300)
    question = models.TextField(_("pertanyaan"), blank=True)
    weight = models.DecimalField(_("bobot dalam aspek"), max_digits=7, decimal_places=3)
    supplementary = models.BooleanField(_("informasi tambahan"), default=False)
    evidence_guidance = models.TextField(_("panduan bukti dukung"), blank=True)
    evidence_required = models.BooleanField(_("bukti dukung wajib"), default=True)

    class Meta:
        ordering = ["instrument", "number"]
        verbose_name = _("indikator")
        verbose_name_plural = pgettext_lazy("plural", "indikator")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="indicator_number_unique"
            ),
            models.UniqueConstraint(fields=["instrument", "code"], name="indicator_code_unique"),
            models.CheckConstraint(
                condition=Q(supplementary=True, weight=0, aspect__isnull=True)
                | Q(supplementary=False, weight__gt=0, aspect__isnull=False),
                name="indicator_weight_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.code} {self.title}"


class Level(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField(_("tingkat"))
    description = models.TextField(_("rubrik"))

    class Meta:
        ordering = ["indicator", "value"]
        verbose_name = _("tingkat")
        verbose_name_plural = pgettext_lazy("plural", "tingkat")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "value"], name="level_value_unique"),
            models.CheckConstraint(condition=Q(value__lte=5), name="level_value_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.description[:60]}"


class SurveyItem(models.Model):
    """An F-03 item rated 0–5 by a service user."""

    instrument = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="survey_items"
    )
    number = models.PositiveSmallIntegerField(_("nomor"))
    text = models.CharField(_("pernyataan"), max_length=300)

    class Meta:
        ordering = ["instrument", "number"]
        verbose_name = _("butir survei F-03")
        verbose_name_plural = pgettext_lazy("plural", "butir survei F-03")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="survey_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class GradeBand(models.Model):
    instrument = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="grade_bands"
    )
    grade = models.CharField(_("predikat"), max_length=2)
    min_ipp = models.DecimalField(_("IPP minimum"), max_digits=3, decimal_places=2)
    max_ipp = models.DecimalField(_("IPP maksimum"), max_digits=3, decimal_places=2)
    label = models.CharField(_("kategori"), max_length=60)

    class Meta:
        ordering = ["instrument", "-max_ipp"]
        verbose_name = _("rentang predikat")
        verbose_name_plural = pgettext_lazy("plural", "rentang predikat")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "grade"], name="grade_band_unique"),
            models.CheckConstraint(condition=Q(min_ipp__lte=F("max_ipp")), name="grade_band_order"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} ({self.min_ipp}–{self.max_ipp}) {self.label}"
