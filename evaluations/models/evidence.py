"""Bukti dukung: evidence files per indicator, each upload an immutable revision."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..storage import private_storage
from .cycles import Assessment
from .instruments import Indicator


def evidence_path(revision: "EvidenceRevision", filename: str) -> str:
    """A generated name: the uploader's file name never reaches the file system."""
    return f"evidence/{revision.evidence.assessment_id}/{uuid.uuid4().hex}{revision.extension}"


class Evidence(models.Model):
    """One document of an indicator's evidence; its content lives in revisions.

    Without an indicator it is the scanned sheet of a paper F-03 response (same checks and
    storage as bukti dukung, never listed on F-01)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("judul"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    # Removing hides the document from F-01; its revisions stay for the audit trail.
    removed_at = models.DateTimeField(_("dihapus pada"), null=True, blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibawa dari periode sebelumnya"),
    )

    class Meta:
        ordering = ["assessment", "indicator", "pk"]
        verbose_name = _("bukti dukung")
        verbose_name_plural = pgettext_lazy("plural", "bukti dukung")
        indexes = [models.Index(fields=["assessment", "indicator"])]

    def __str__(self) -> str:
        return self.title


class StoredFile(models.Model):
    """What the portal keeps of an uploaded file beside the file itself (checked by content,
    hashed while read, stored under a generated name): bukti dukung revisions, follow-up
    evidence, coaching attachments. Each subclass adds its `file` with its own folder."""

    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(_("jenis isi"), max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField(_("ukuran (bita)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)

    class Meta:
        abstract = True


class EvidenceRevision(StoredFile):
    """One uploaded file, never changed or deleted: replacing a file adds a revision."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revisi ke"))
    file = models.FileField(storage=private_storage, upload_to=evidence_path, max_length=255)
    # True: ClamAV found nothing before it was stored (a file it flags is never stored);
    # False: stored while no scanner was configured; None: stored before this was recorded.
    virus_scanned = models.BooleanField(_("dipindai antivirus"), null=True, blank=True)

    class Meta:
        ordering = ["evidence", "number"]
        verbose_name = _("revisi bukti dukung")
        verbose_name_plural = pgettext_lazy("plural", "revisi bukti dukung")
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="evidence_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (rev. {self.number})"
