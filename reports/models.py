"""Awards, certificates and the documents that background jobs produce."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from evaluations.models import Assessment, Cycle
from evaluations.storage import private_storage
from scoring.models import Publication, PublishedResult
from units.models import Agency, ServiceUnit


class Award(models.Model):
    """An award list: units whose published grade is in `grades`, or the top N of each group.

    "Pelayanan Prima" (grade A) ships with the portal; admins add others in the admin.
    """

    code = models.SlugField(_("kode"), max_length=32, unique=True)
    title = models.CharField(_("nama penghargaan"), max_length=120)
    # Published grades that earn the award, e.g. ["A"]. Empty when `top_per_group` decides.
    grades = models.JSONField(_("predikat"), default=list, blank=True)
    top_per_group = models.PositiveSmallIntegerField(
        _("peringkat teratas per kelompok"), null=True, blank=True
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("penghargaan")
        verbose_name_plural = pgettext_lazy("plural", "penghargaan")
        constraints = [
            models.CheckConstraint(
                condition=~Q(grades=[]) | Q(top_per_group__isnull=False),
                name="award_has_rule",
                violation_error_message=_("Isi predikat atau peringkat teratas per kelompok."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


def certificate_path(certificate: "Certificate", filename: str) -> str:
    return f"certificates/{certificate.cycle_id}/{certificate.serial.replace('/', '-')}.pdf"


class Certificate(models.Model):
    """One award to one unit in one cycle, with a serial the QR code's page verifies.

    One serial per (cycle, unit, award) however often the job runs. A correction that drops
    the unit from the list revokes the certificate; it is never deleted.
    """

    serial = models.CharField(_("nomor seri"), max_length=40, unique=True)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="certificates")
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="certificates")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="certificates")
    # The published figures the certificate states (the revision it was issued from).
    result = models.ForeignKey(PublishedResult, on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("unit"), max_length=255)
    grade = models.CharField(_("predikat"), max_length=2)
    issued_on = models.DateField(_("tanggal terbit"))
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)
    revoked_reason = models.TextField(_("alasan pencabutan"), blank=True)
    file = models.FileField(
        storage=private_storage, upload_to=certificate_path, max_length=255, blank=True
    )
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["cycle", "serial"]
        verbose_name = _("sertifikat")
        verbose_name_plural = pgettext_lazy("plural", "sertifikat")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit", "award"], name="certificate_one_per_award"
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class DocumentKind(models.TextChoices):
    RANKED_REPORT_PDF = "ranked_pdf", _("Laporan peringkat (PDF)")
    RANKED_REPORT_XLSX = "ranked_xlsx", _("Laporan peringkat (XLSX)")
    REPORT_CARD = "report_card", _("Laporan Hasil Evaluasi unit")
    BERITA_ACARA = "berita_acara", _("Berita Acara")
    CERTIFICATES = "certificates", _("Sertifikat penghargaan (bundel)")
    RESULT_LETTER = "result_letter", _("Surat penyampaian hasil (satu instansi)")
    RESULT_LETTERS = "result_letters", _("Surat penyampaian hasil (bundel)")


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Dalam antrean")
    RUNNING = "running", _("Diproses")
    DONE = "done", pgettext_lazy("document status", "Selesai")
    FAILED = "failed", _("Gagal")


def document_path(document: "Document", filename: str) -> str:
    return f"documents/{document.kind}/{document.pk}/{filename}"


class Document(models.Model):
    """A document job and, when done, its file.

    `key` makes a request idempotent: asking again for the same kind of document of the same
    publication (and assessment or agency) returns the existing job instead of starting
    another.
    """

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("jenis"), max_length=16, choices=DocumentKind.choices)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="documents")
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    # The agency a result letter is addressed to (documents of one agency only).
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    error = models.TextField(_("galat"), blank=True)
    file = models.FileField(
        storage=private_storage, upload_to=document_path, max_length=255, blank=True
    )
    filename = models.CharField(_("nama berkas"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("diminta pada"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Refreshed while a worker runs the job: a stale heartbeat means the worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("dokumen")
        verbose_name_plural = pgettext_lazy("plural", "dokumen")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="document_pending")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.cycle}"

    @property
    def percent(self) -> int:
        if self.status == DocumentStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


def result_letter_path(letter: "ResultLetter", filename: str) -> str:
    return f"result-letters/{letter.cycle_id}/{letter.publication_id}/{letter.agency_id}.pdf"


class ResultLetter(models.Model):
    """The letter that sends one agency the results of its units from one publication.

    Numbered once, from a sequence per cycle, when it is first built; every rebuild (the
    agency's own job, the cycle's bundle) reuses the number and the date, so the letter is
    the same letter. A correction (a new publication) gives the agency a new letter. The file
    is the letter's last build, like a certificate's.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="result_letters")
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="result_letters"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="+"
    )
    sequence = models.PositiveIntegerField(_("nomor urut"))
    number = models.CharField(_("nomor surat"), max_length=60, unique=True)
    issued_on = models.DateField(_("tanggal surat"))
    file = models.FileField(
        storage=private_storage, upload_to=result_letter_path, max_length=255, blank=True
    )
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["cycle", "sequence"]
        verbose_name = _("surat penyampaian hasil")
        verbose_name_plural = pgettext_lazy("plural", "surat penyampaian hasil")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "agency"], name="result_letter_one_per_agency"
            ),
            models.UniqueConstraint(fields=["cycle", "sequence"], name="result_letter_sequence"),
        ]

    def __str__(self) -> str:
        return self.number
