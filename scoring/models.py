"""Stored results: each one can be recomputed from the inputs it keeps; publications; the
priority units and coaching that follow a publication."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from evaluations.models import Assessment, Cycle, InstrumentVersion, StoredFile
from evaluations.storage import private_storage
from units.models import Agency, Province, RankingGroup, ServiceType, ServiceUnit


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


class Exclusion(models.Model):
    """A locus left out of its cycle's publication, and why (validation accepts it as done)."""

    assessment = models.OneToOneField(
        Assessment, verbose_name=_("lokus"), on_delete=models.CASCADE, related_name="exclusion"
    )
    reason = models.TextField(_("alasan"))
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    excluded_at = models.DateTimeField(_("dikecualikan pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("lokus dikecualikan")
        verbose_name_plural = pgettext_lazy("plural", "lokus dikecualikan")

    def __str__(self) -> str:
        return f"{self.assessment}: {self.reason}"


class Publication(models.Model):
    """One published revision of a cycle's results: an immutable snapshot.

    Revision 1 is the publication; every later revision is a correction with a reason. The
    newest is `is_current` (what the public sees); admins see them all. `summary` holds the
    national figures computed once at publication (national IPP, per group, grade
    distribution, aspect averages, provinces, top units), so public pages read one row.
    """

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("periode"), on_delete=models.PROTECT, related_name="publications"
    )
    revision = models.PositiveSmallIntegerField(_("revisi"))
    reason = models.TextField(_("alasan koreksi"), blank=True)
    is_current = models.BooleanField(_("berlaku"), default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("dipublikasikan pada"))
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    engine_version = models.CharField(_("versi mesin"), max_length=16)
    result_count = models.PositiveIntegerField(_("jumlah hasil"))
    summary = models.JSONField(_("ringkasan"))

    class Meta:
        ordering = ["cycle", "-revision"]
        verbose_name = _("publikasi hasil")
        verbose_name_plural = pgettext_lazy("plural", "publikasi hasil")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "revision"], name="publication_revision"),
            models.UniqueConstraint(
                fields=["cycle"], condition=Q(is_current=True), name="publication_one_current"
            ),
            models.CheckConstraint(
                condition=Q(revision=1) | ~Q(reason=""), name="publication_correction_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} — revisi {self.revision}"


class PublishedResult(models.Model):
    """One unit's figures as published: copied, never recomputed, never edited.

    Names are copied too, so a later rename of a unit or agency does not change what was
    published. Ranks are computed at publication (ties share a rank): within the ranking
    group, nationally, and within the service type.
    """

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="results")
    # The locus may be deleted later; the published figure stays.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("unit"), max_length=255)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    agency_name = models.CharField(_("instansi"), max_length=255)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    province_name = models.CharField(_("provinsi"), max_length=100, blank=True)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    service_type_name = models.CharField(_("jenis layanan"), max_length=100)
    ranking_group = models.CharField(_("kelompok"), max_length=16, choices=RankingGroup.choices)
    # {"I": "4.79", …} as displayed; levels {"1": 4, …} by indicator number.
    aspects = models.JSONField(_("indeks aspek"))
    levels = models.JSONField(_("tingkat final"))
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
    rank = models.PositiveIntegerField(_("peringkat dalam kelompok"))
    rank_national = models.PositiveIntegerField(_("peringkat nasional"))
    rank_service_type = models.PositiveIntegerField(_("peringkat dalam jenis layanan"))

    class Meta:
        verbose_name = _("hasil terpublikasi")
        verbose_name_plural = pgettext_lazy("plural", "hasil terpublikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "unit"], name="published_result_one_per_unit"
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "rank_national"], name="pubres_national"),
            models.Index(fields=["publication", "ranking_group", "rank"], name="pubres_group"),
            models.Index(fields=["unit", "publication"], name="pubres_unit_history"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name}: {self.ipp} ({self.grade})"


class PriorityBasis(models.TextChoices):
    GRADE = "grade", _("Predikat di bawah batas")
    BOTTOM_SHARE = "bottom", _("Peringkat terbawah kelompok")
    MANUAL = "manual", _("Ditambahkan koordinator/admin")


class PriorityUnit(models.Model):
    """A unit proposed, after publication, for priority coaching (UPP prioritas pembinaan);
    it is on the list once an admin or the cycle's coordinator confirms it.

    A row is never deleted: a proposal taken off the list keeps its row with `removed_at`,
    who and why, so proposing again does not bring it back (`services.priority`).
    """

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("periode"), on_delete=models.CASCADE, related_name="priority_units"
    )
    unit = models.ForeignKey(
        ServiceUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    published_result = models.ForeignKey(
        PublishedResult, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    basis = models.CharField(_("dasar usulan"), max_length=8, choices=PriorityBasis.choices)
    proposed_at = models.DateTimeField(_("diusulkan pada"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("ditetapkan pada"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why a unit was added by hand (basis manual).
    note = models.TextField(_("alasan penambahan"), blank=True)
    removed_at = models.DateTimeField(_("dikeluarkan pada"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removal_reason = models.TextField(_("alasan dikeluarkan"), blank=True)

    class Meta:
        ordering = ["cycle", "unit__name"]
        verbose_name = _("UPP prioritas pembinaan")
        verbose_name_plural = pgettext_lazy("plural", "UPP prioritas pembinaan")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="priority_unit_once"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(removed_at__isnull=True),
                name="priority_confirmed_or_removed",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removal_reason=""),
                name="priority_removed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(basis="manual") | ~Q(note=""), name="priority_manual_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.cycle})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class CoachingMode(models.TextChoices):
    ON_SITE = "luring", _("Luring (tatap muka)")
    ONLINE = "daring", _("Daring")
    HYBRID = "hibrida", _("Hibrida")


class CoachingSession(models.Model):
    """One coaching (pendampingan) session of a unit: when, how, who, what was covered."""

    unit = models.ForeignKey(
        ServiceUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("periode"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("tanggal"))
    mode = models.CharField(_("bentuk"), max_length=8, choices=CoachingMode.choices)
    people = models.TextField(_("peserta"))
    topics = models.TextField(_("topik"))
    notes = models.TextField(_("catatan"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)

    class Meta:
        ordering = ["unit", "-held_on", "-pk"]
        verbose_name = _("sesi pendampingan")
        verbose_name_plural = pgettext_lazy("plural", "sesi pendampingan")
        indexes = [models.Index(fields=["cycle", "unit"], name="coaching_cycle_unit")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.held_on}"

    @property
    def is_scheduled(self) -> bool:
        """Dated after today: planned, not yet held."""
        return self.held_on > timezone.localdate()


def coaching_file_path(attachment: "CoachingFile", filename: str) -> str:
    return f"coaching/{attachment.session.unit_id}/{uuid.uuid4().hex}{attachment.extension}"


class CoachingFile(StoredFile):
    """An attachment of a coaching session, checked and stored like bukti dukung."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to=coaching_file_path, max_length=255)

    class Meta:
        ordering = ["session", "pk"]
        verbose_name = _("lampiran pendampingan")
        verbose_name_plural = pgettext_lazy("plural", "lampiran pendampingan")

    def __str__(self) -> str:
        return self.original_name
