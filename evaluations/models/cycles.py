"""Cycles, their phase windows, loci (assessments), evaluator teams and scoring inputs."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from units.models import Agency, ServiceUnit

from .instruments import Indicator, InstrumentVersion


class Scheme(models.TextChoices):
    NASIONAL = "nasional", _("Nasional")
    MANDIRI = "mandiri", _("Mandiri")
    KHUSUS = "khusus", _("Khusus")


class Cycle(models.Model):
    """One evaluation period under one scheme and one instrument version."""

    year = models.PositiveSmallIntegerField(_("tahun"))
    scheme = models.CharField(_("skema"), max_length=10, choices=Scheme.choices)
    name = models.CharField(_("nama"), max_length=200)
    instrument = models.ForeignKey(
        InstrumentVersion,
        verbose_name=_("instrumen"),
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    owner_agency = models.ForeignKey(
        Agency,
        verbose_name=_("instansi penyelenggara"),
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    # A cycle may override the instrument's σ and m; empty means "as the instrument says".
    survey_weight = models.DecimalField(
        _("bobot survei (σ) khusus"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    min_respondents = models.PositiveSmallIntegerField(
        _("minimum responden (m) khusus"), null=True, blank=True
    )
    # The date by which units report the follow-up of this cycle's recommendations: the
    # default target of each follow-up item and the deadline the result letters state.
    followup_deadline = models.DateField(_("batas tindak lanjut"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("periode evaluasi")
        verbose_name_plural = pgettext_lazy("plural", "periode evaluasi")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scheme", "owner_agency", "name"], name="cycle_unique"
            ),
            models.CheckConstraint(
                condition=Q(survey_weight__isnull=True)
                | Q(survey_weight__gte=0, survey_weight__lte=1),
                name="cycle_survey_weight_0_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_survey_weight(self):
        return self.instrument.survey_weight if self.survey_weight is None else self.survey_weight

    @property
    def effective_min_respondents(self) -> int:
        return (
            self.instrument.min_respondents
            if self.min_respondents is None
            else self.min_respondents
        )


class Phase(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Penilaian mandiri (F-01)")
    SURVEY = "survey", _("Survei pengguna layanan (F-03)")
    EVALUATION = "evaluation", _("Evaluasi (F-02)")
    CLARIFICATION = "clarification", _("Klarifikasi")
    MODERATION = "moderation", _("Moderasi (pleno)")
    PUBLICATION = "publication", _("Publikasi")


class PhaseWindow(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="windows")
    phase = models.CharField(_("tahap"), max_length=20, choices=Phase.choices)
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai"))

    class Meta:
        ordering = ["cycle", "starts_on"]
        verbose_name = _("jadwal tahap")
        verbose_name_plural = pgettext_lazy("plural", "jadwal tahap")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "phase"], name="phase_window_unique"),
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")),
                name="phase_window_order",
                violation_error_message=_("Tanggal mulai tidak boleh setelah tanggal selesai."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()}: {self.starts_on} – {self.ends_on}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    IN_EVALUATION = "in_evaluation", _("Dalam evaluasi")
    CLARIFICATION = "clarification", _("Klarifikasi")
    MODERATED = "moderated", _("Dimoderasi")
    FINAL = "final", _("Final")


# Statuses in which an evaluator may score: F-01 is in, and no clarification is pending.
SCORING_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.IN_EVALUATION)
# The field visit can also be written up while the unit answers a clarification.
VISIT_STATUSES = (*SCORING_STATUSES, AssessmentStatus.CLARIFICATION)


class Assessment(models.Model):
    """A locus: one unit evaluated in one cycle, and the one assessment of it."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("periode"), on_delete=models.CASCADE, related_name="assessments"
    )
    unit = models.ForeignKey(
        ServiceUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui pada"), auto_now=True)

    class Meta:
        ordering = ["cycle", "unit__name"]
        verbose_name = _("lokus")
        verbose_name_plural = pgettext_lazy("plural", "lokus")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="assessment_one_per_locus")
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.cycle}"


class EvaluatorAssignment(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluator"),
        on_delete=models.PROTECT,
        related_name="evaluator_assignments",
    )
    is_lead = models.BooleanField(_("ketua tim"), default=False)
    assigned_at = models.DateTimeField(_("ditugaskan pada"), auto_now_add=True)
    # Until an evaluator submits, the team's other levels stay hidden from them.
    submitted_at = models.DateTimeField(_("F-02 diserahkan pada"), null=True, blank=True)
    # When the evaluator last opened the F-02 page: what the unit changed since is highlighted.
    last_viewed_at = models.DateTimeField(_("terakhir dilihat pada"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "-is_lead", "evaluator__username"]
        verbose_name = _("penugasan evaluator")
        verbose_name_plural = pgettext_lazy("plural", "penugasan evaluator")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "evaluator"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} → {self.assessment}"


class FinalLevel(models.Model):
    """The agreed F-02 level of one indicator of one assessment: what the IPP is computed from."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="final_levels"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("tingkat final"))
    reason = models.TextField(_("alasan"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("ditetapkan pada"), auto_now=True)

    class Meta:
        verbose_name = _("tingkat final")
        verbose_name_plural = pgettext_lazy("plural", "tingkat final")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="final_level_unique"),
            models.CheckConstraint(condition=Q(level__lte=5), name="final_level_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}: {self.level}"
