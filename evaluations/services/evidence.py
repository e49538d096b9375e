"""Bukti dukung: upload, replace, remove and carry over evidence files of F-01.

Every file is checked by its content (evaluations.filetypes), kept within the per-file and
per-assessment limits, hashed (SHA-256) while it is read in chunks, and stored in private
storage under a generated name. Revisions are never changed or deleted; each change is in the
audit history. Editing follows the F-01 rules: draft within the self-assessment window, or an
indicator with an open clarification within the clarification window.
"""

import hashlib
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .. import filetypes, virus_scan
from ..models import Assessment, AuditAction, Evidence, EvidenceRevision, Indicator
from ..permissions import is_operator_of
from ..selectors.f01 import carry_over_sources, f01_gate
from .audit import audit_record
from .workflow import WorkflowError, require_plain_text

MB = 1024 * 1024


def size_mb(size: int) -> str:
    """A size in bytes as megabytes with one decimal, in the active language ("0,6")."""
    # number_format cuts decimals off; round first so 0.59 MB reads "0,6", not "0,5".
    return formats.number_format(round(size / MB, 1), 1)


def _lock(assessment: Assessment, by) -> Assessment:
    """The assessment row, locked: uploads of one unit are checked against its total in turn."""
    if not is_operator_of(by, assessment):
        raise PermissionDenied
    return Assessment.objects.select_for_update().select_related("cycle").get(pk=assessment.pk)


def _require_editable(assessment: Assessment, indicator_id: int) -> None:
    problem = f01_gate(assessment).problem(indicator_id)
    if problem:
        raise WorkflowError(problem)


def clean_file_name(name: str) -> str:
    """The uploader's file name, kept for display and downloads only: no folders, no control
    or direction-changing characters, at most 255 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = " ".join(name.split())
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext[:16])] + ext[:16]
    return name or "berkas"


def _active_total(assessment: Assessment, *, except_evidence: Evidence | None = None) -> int:
    """Bytes of the latest revision of each active evidence of an assessment."""
    latest = (
        EvidenceRevision.objects.filter(evidence=OuterRef("pk")).order_by("-number").values("size")
    )
    rows = Evidence.objects.filter(assessment=assessment, removed_at__isnull=True)
    if except_evidence is not None:
        rows = rows.exclude(pk=except_evidence.pk)
    total = rows.annotate(latest_size=Subquery(latest[:1])).aggregate(total=Sum("latest_size"))
    return total["total"] or 0


def _check_file_size(size: int) -> None:
    if size > settings.EVIDENCE_MAX_FILE_MB * MB:
        raise WorkflowError(
            _("Berkas terlalu besar (%(size)s MB); batas per berkas %(limit)s MB.")
            % {"size": size_mb(size), "limit": settings.EVIDENCE_MAX_FILE_MB}
        )


def _check_sizes(assessment: Assessment, size: int, *, replacing: Evidence | None = None) -> None:
    _check_file_size(size)
    used = _active_total(assessment, except_evidence=replacing)
    limit = settings.EVIDENCE_MAX_ASSESSMENT_MB * MB
    if used + size > limit:
        raise WorkflowError(
            _(
                "Total bukti dukung penilaian ini akan menjadi %(total)s MB, melebihi batas "
                "%(limit)s MB per penilaian (sudah terpakai %(used)s MB, berkas ini %(size)s MB)."
            )
            % {
                "total": size_mb(used + size),
                "limit": settings.EVIDENCE_MAX_ASSESSMENT_MB,
                "used": size_mb(used),
                "size": size_mb(size),
            }
        )


def _inspect(file: File) -> tuple[filetypes.FileType, str, int]:
    """The real type, SHA-256 and size of an upload, read once in chunks."""
    try:
        kind = filetypes.detect(file)
    except filetypes.FileTypeError as exc:
        raise WorkflowError(str(exc)) from exc
    digest, size = hashlib.sha256(), 0
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return kind, digest.hexdigest(), size


def _scan(file: File) -> bool:
    """Refuse a file the virus scan flags (only a clean file reaches storage); whether it was
    scanned at all (False when no scanner is configured)."""
    problem = virus_scan.upload_problem(file)
    if problem:
        raise WorkflowError(problem)
    return virus_scan.scanner() is not None


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks of bukti dukung, with what its row records."""

    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str

    def fields(self, by) -> dict:
        """What a `StoredFile` row records of it, uploaded by `by`."""
        return {
            "original_name": self.original_name,
            "content_type": self.content_type,
            "extension": self.extension,
            "size": self.size,
            "sha256": self.sha256,
            "uploaded_by": by,
        }


def upload_check(file: File) -> CheckedUpload:
    """Check an uploaded document as bukti dukung is checked, storing nothing: the per-file
    size limit, the type by content (`filetypes`: PDF without active content, JPEG/PNG within
    the pixel limit, DOCX/XLSX), its SHA-256, and the virus scan. WorkflowError says what is
    wrong. Other areas (follow-up evidence) use this with `file_store`."""
    _check_file_size(file.size)
    kind, sha256, size = _inspect(file)
    _scan(file)
    return CheckedUpload(
        kind.content_type, kind.extension, size, sha256, clean_file_name(file.name)
    )


def file_store(row, file: File) -> None:
    """Save a checked upload into `row.file` under the generated name its `upload_to` gives
    (the uploader's name never reaches the disk), then the row; if the row cannot be saved,
    the stored bytes are deleted again."""
    row.file.save("upload", file, save=False)
    try:
        row.save()
    except BaseException:
        row.file.storage.delete(row.file.name)
        raise


def files_store(rows: Sequence[tuple[Any, File]]) -> None:
    """`file_store` for several (row, file) pairs, all or none: if one cannot be stored, the
    bytes of those already stored are deleted again (the caller's transaction takes the rows
    back)."""
    stored = []
    try:
        for row, file in rows:
            file_store(row, file)
            stored.append(row)
    except BaseException:
        for row in stored:
            row.file.storage.delete(row.file.name)
        raise


def _store(*, evidence: Evidence, number: int, file: File, inspected, by) -> EvidenceRevision:
    kind, sha256, size = inspected
    scanned = _scan(file)
    revision = EvidenceRevision(
        evidence=evidence,
        number=number,
        original_name=clean_file_name(file.name),
        content_type=kind.content_type,
        extension=kind.extension,
        size=size,
        sha256=sha256,
        uploaded_by=by,
        virus_scanned=scanned,
    )
    # The storage name is generated by evidence_path; the uploader's name never reaches disk.
    file_store(revision, file)
    return revision


@transaction.atomic
def evidence_upload(
    *, assessment: Assessment, indicator: Indicator, file: File, title: str, by
) -> Evidence:
    """Add one evidence document (revision 1) to an indicator of F-01."""
    locked = _lock(assessment, by)
    if indicator.instrument_id != locked.cycle.instrument_id:
        raise WorkflowError(_("Indikator ini bukan bagian dari instrumen periode ini."))
    _require_editable(locked, indicator.pk)
    require_plain_text((_("Judul"), title))
    _check_sizes(locked, file.size)
    inspected = _inspect(file)
    name = clean_file_name(file.name)
    evidence = Evidence.objects.create(
        assessment=locked,
        indicator=indicator,
        title=(title or "").strip()[:255] or os.path.splitext(name)[0][:255] or name,
        created_by=by,
    )
    revision = _store(evidence=evidence, number=1, file=file, inspected=inspected, by=by)
    audit_record(
        assessment=locked,
        actor=by,
        action=AuditAction.EVIDENCE,
        indicator=indicator,
        new=f"{evidence.title}: {revision.original_name} (rev. 1)",
        reason=f"SHA-256 {revision.sha256}",
    )
    return evidence


def survey_sheet_store(*, assessment: Assessment, file: File, title: str, by) -> EvidenceRevision:
    """Keep the scan of a paper F-03 sheet as evidence without an indicator (never listed on
    F-01), under the same type, size and virus checks as bukti dukung. The caller holds the
    locus row locked, checks who may do it and audits the entry it belongs to."""
    _check_sizes(assessment, file.size)
    inspected = _inspect(file)
    evidence = Evidence.objects.create(
        assessment=assessment, indicator=None, title=title[:255], created_by=by
    )
    return _store(evidence=evidence, number=1, file=file, inspected=inspected, by=by)


@transaction.atomic
def evidence_replace(*, evidence: Evidence, file: File, by) -> EvidenceRevision:
    """Upload a new revision of an evidence document; earlier revisions stay."""
    locked = _lock(evidence.assessment, by)
    evidence = Evidence.objects.select_related("indicator").get(pk=evidence.pk)
    evidence.assessment = locked
    if evidence.removed_at is not None:
        raise WorkflowError(_("Bukti dukung ini sudah dihapus."))
    _require_editable(locked, evidence.indicator_id)
    _check_sizes(locked, file.size, replacing=evidence)
    inspected = _inspect(file)
    previous = evidence.revisions.order_by("-number").first()
    number = (previous.number if previous else 0) + 1
    revision = _store(evidence=evidence, number=number, file=file, inspected=inspected, by=by)
    audit_record(
        assessment=locked,
        actor=by,
        action=AuditAction.EVIDENCE,
        indicator=evidence.indicator,
        old=f"{evidence.title}: {previous.original_name} (rev. {previous.number})"
        if previous
        else "",
        new=f"{evidence.title}: {revision.original_name} (rev. {number})",
        reason=f"SHA-256 {revision.sha256}",
    )
    return revision


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by) -> Evidence:
    """Hide an evidence document from F-01; its revisions stay for the audit trail."""
    locked = _lock(evidence.assessment, by)
    evidence = Evidence.objects.select_related("indicator").get(pk=evidence.pk)
    if evidence.removed_at is not None:
        raise WorkflowError(_("Bukti dukung ini sudah dihapus."))
    _require_editable(locked, evidence.indicator_id)
    evidence.removed_at = timezone.now()
    evidence.save(update_fields=["removed_at"])
    audit_record(
        assessment=locked,
        actor=by,
        action=AuditAction.EVIDENCE,
        indicator=evidence.indicator,
        old=evidence.title,
        new=_("Dihapus"),
    )
    return evidence


@transaction.atomic
def evidence_carry_over(*, assessment: Assessment, by) -> list[Evidence]:
    """Bring the active evidence of the unit's most recent earlier cycle into this F-01.

    Each document becomes new evidence of the indicator with the same code, with one revision
    pointing at the same stored file (no bytes copied; same SHA-256). Running it again adds
    nothing: documents already carried over (even if since removed) are skipped.
    """
    locked = _lock(assessment, by)
    problem = f01_gate(locked).carry_over_problem()
    if problem:
        raise WorkflowError(problem)
    sources = list(
        carry_over_sources(locked)
        .select_related("indicator", "assessment__cycle")
        .annotate(latest_number=Max("revisions__number"))
        .order_by("indicator__number", "pk")
    )
    latest = {
        (r.evidence_id, r.number): r
        for r in EvidenceRevision.objects.filter(evidence__in=[s.pk for s in sources])
    }
    pairs = [(s, latest[(s.pk, s.latest_number)]) for s in sources if s.latest_number]
    if not pairs:
        return []
    size = sum(rev.size for _src, rev in pairs)
    used = _active_total(locked)
    limit = settings.EVIDENCE_MAX_ASSESSMENT_MB * MB
    if used + size > limit:
        raise WorkflowError(
            _(
                "Bukti dukung periode sebelumnya (%(size)s MB) tidak muat: batas %(limit)s MB per "
                "penilaian, sudah terpakai %(used)s MB."
            )
            % {
                "size": size_mb(size),
                "limit": settings.EVIDENCE_MAX_ASSESSMENT_MB,
                "used": size_mb(used),
            }
        )
    indicator_by_code = {
        ind.code: ind for ind in Indicator.objects.filter(instrument_id=locked.cycle.instrument_id)
    }
    carried = []
    for source, rev in pairs:
        indicator = indicator_by_code[source.indicator.code]
        evidence = Evidence.objects.create(
            assessment=locked,
            indicator=indicator,
            title=source.title,
            created_by=by,
            carried_from=source,
        )
        EvidenceRevision.objects.create(
            evidence=evidence,
            number=1,
            file=rev.file.name,  # the same immutable stored file
            original_name=rev.original_name,
            content_type=rev.content_type,
            extension=rev.extension,
            size=rev.size,
            sha256=rev.sha256,
            uploaded_by=by,
            virus_scanned=rev.virus_scanned,  # the same bytes, as checked when first stored
        )
        audit_record(
            assessment=locked,
            actor=by,
            action=AuditAction.EVIDENCE,
            indicator=indicator,
            new=f"{evidence.title}: {rev.original_name} (rev. 1)",
            reason=_("Dibawa dari %(cycle)s; SHA-256 %(sha)s")
            % {"cycle": source.assessment.cycle.name, "sha": rev.sha256},
        )
        carried.append(evidence)
    return carried
