"""Document jobs: requesting a document, running its builder, recovering from dead workers.

A `Document` row is the job. `document_request` creates it once per key (asking again returns
it), `document_run` builds it in a worker, `documents_requeue_stale` sends again the jobs whose
worker died. Who runs a job is decided by `heartbeat_at`: a run claims the row by writing its
own stamp there and only writes (progress, the file) while the stamp is still its own, so a run
that lost its claim to a recovery run stops instead of writing over it.
"""

import hashlib
import logging
import pathlib
import tempfile
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from evaluations.models import Assessment, AssessmentStatus, Cycle
from scoring.models import Publication, PublishedResult
from units.models import Agency

from ..models import Document, DocumentKind, DocumentStatus
from ..permissions import AGENCY_KINDS, CYCLE_KINDS, can_request_document

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the broker went away, the disk hiccuped.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    OSError,
    RedisConnectionError,
    RedisTimeoutError,
)
# Progress is written at most this often (seconds); each write also refreshes the heartbeat.
PROGRESS_INTERVAL = 0.5
PENDING = (DocumentStatus.QUEUED, DocumentStatus.RUNNING)


class DocumentError(ValueError):
    """The document cannot be requested; the message says why (shown to the person)."""


class Superseded(Exception):
    """This run lost its claim: a recovery run took the job over."""


def _stale_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.DOCUMENT_STALE_SECONDS)


def _enqueue(document_id: int) -> None:
    from ..tasks import document_build  # tasks import this module

    transaction.on_commit(lambda: document_build.delay(document_id))


def document_key(
    kind: str, publication_id: int | None, assessment_id: int | None, agency_id: int | None = None
) -> str:
    """The identity of a document: one job per kind, publication revision and assessment (or
    agency, for a result letter)."""
    key = f"{kind}:p{publication_id or 0}:a{assessment_id or 0}"
    return f"{key}:i{agency_id}" if agency_id else key


def _current_publication(cycle: Cycle) -> Publication | None:
    return Publication.objects.filter(cycle=cycle, is_current=True).first()


def _validated_target(
    kind: str, cycle: Cycle | None, assessment: Assessment | None
) -> tuple[Cycle, Publication | None]:
    """(cycle, publication) the document is made from, or DocumentError saying what is missing."""
    if kind not in DocumentKind.values:
        raise DocumentError(_("Jenis dokumen tidak dikenal."))
    if kind in CYCLE_KINDS or kind in AGENCY_KINDS:
        if cycle is None:
            raise DocumentError(_("Periode evaluasi wajib dipilih."))
        publication = _current_publication(cycle)
        if publication is None:
            raise DocumentError(_("Hasil periode ini belum dipublikasikan."))
        return cycle, publication
    if assessment is None:
        raise DocumentError(_("Lokus wajib dipilih."))
    if kind == DocumentKind.BERITA_ACARA:
        if assessment.status != AssessmentStatus.FINAL:
            raise DocumentError(_("Berita Acara dibuat setelah penilaian lokus ini final."))
        return assessment.cycle, _current_publication(assessment.cycle)
    publication = _current_publication(assessment.cycle)
    if (
        publication is None
        or not PublishedResult.objects.filter(
            publication=publication, unit_id=assessment.unit_id
        ).exists()
    ):
        raise DocumentError(_("Hasil unit ini belum dipublikasikan."))
    return assessment.cycle, publication


@transaction.atomic
def document_request(
    *,
    user,
    kind: str,
    cycle: Cycle | None = None,
    publication: Publication | None = None,
    assessment: Assessment | None = None,
    agency: Agency | None = None,
) -> Document:
    """The job producing `kind` of the cycle's current publication (or of `assessment`, or
    the result letter to `agency`).

    Idempotent: asking again returns the existing job; a failed one is reset and sent again.
    The task is enqueued after commit. Raises PermissionDenied or DocumentError.
    `publication` pins a revision; by default the current one is used.
    """
    # A locus document belongs to the locus's cycle, whatever cycle the caller names.
    locus_kind = kind not in CYCLE_KINDS and kind not in AGENCY_KINDS
    target_cycle = assessment.cycle if assessment is not None and locus_kind else cycle
    if target_cycle is None or not can_request_document(user, kind, target_cycle, assessment):
        raise PermissionDenied
    target_cycle, current = _validated_target(kind, target_cycle, assessment)
    if publication is not None and kind != DocumentKind.BERITA_ACARA:
        if publication.cycle_id != target_cycle.pk:
            raise DocumentError(_("Publikasi itu bukan milik periode ini."))
        current = publication
    if kind in AGENCY_KINDS:
        if agency is None:
            raise DocumentError(_("Instansi tujuan surat wajib dipilih."))
        if not PublishedResult.objects.filter(publication=current, agency=agency).exists():
            raise DocumentError(_("Tidak ada unit instansi ini dalam publikasi hasil periode ini."))
    # Berita Acara is of the final levels, which no publication changes.
    publication_id = None if kind == DocumentKind.BERITA_ACARA else current.pk
    assessment_id = assessment.pk if locus_kind else None
    agency_id = agency.pk if kind in AGENCY_KINDS else None
    now = timezone.now()
    document, created = Document.objects.select_for_update().get_or_create(
        key=document_key(kind, publication_id, assessment_id, agency_id),
        defaults={
            "kind": kind,
            "cycle": target_cycle,
            "publication_id": publication_id,
            "assessment_id": assessment_id,
            "agency_id": agency_id,
            "requested_by": user,
            "heartbeat_at": now,
        },
    )
    if created:
        _enqueue(document.pk)
    elif document.status == DocumentStatus.FAILED:
        document.status = DocumentStatus.QUEUED
        document.error = ""
        document.progress_done = document.progress_total = 0
        document.requested_by = user
        document.heartbeat_at = now
        document.finished_at = None
        document.save()
        _enqueue(document.pk)
    return document


def _claim(document_id: int) -> tuple[Document, datetime] | None:
    """Take the job for this run, or None when it is finished or another live run has it."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("cycle", "publication", "assessment")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status in (DocumentStatus.DONE, DocumentStatus.FAILED):
            return None
        alive = document.heartbeat_at is not None and document.heartbeat_at >= _stale_before()
        if document.status == DocumentStatus.RUNNING and alive:
            return None
        stamp = timezone.now()
        document.status = DocumentStatus.RUNNING
        document.attempts += 1
        document.started_at = stamp
        document.heartbeat_at = stamp
        document.error = ""
        document.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "error"])
        return document, stamp


class _Progress:
    """The builder's progress callback: throttled writes that also prove the run is alive."""

    def __init__(self, document: Document, stamp: datetime):
        self.document = document
        self.stamp = stamp
        self.last_write = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last_write < PROGRESS_INTERVAL and done < total:
            return
        stamp = timezone.now()
        updated = Document.objects.filter(
            pk=self.document.pk, status=DocumentStatus.RUNNING, heartbeat_at=self.stamp
        ).update(progress_done=done, progress_total=total, heartbeat_at=stamp)
        if not updated:
            raise Superseded
        self.stamp, self.last_write = stamp, now
        self.document.progress_done, self.document.progress_total = done, total


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _store(document_id: int, stamp: datetime, path: pathlib.Path, filename: str) -> Document:
    """Save the built file under its deterministic name and mark the job done."""
    sha256, size = _sha256(path), path.stat().st_size
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status != DocumentStatus.RUNNING or document.heartbeat_at != stamp:
            raise Superseded
        name = document.file.field.generate_filename(document, filename)
        storage = document.file.storage
        if document.file and document.file.name != name:
            storage.delete(document.file.name)  # an earlier run's file under another name
        if storage.exists(name):  # an earlier run's file: replace it, never "name_x7Yz.pdf"
            storage.delete(name)
        with path.open("rb") as handle:
            document.file.save(filename, File(handle), save=False)
        document.filename = filename
        document.sha256 = sha256
        document.size = size
        document.status = DocumentStatus.DONE
        document.progress_done = max(document.progress_done, document.progress_total)
        document.finished_at = document.heartbeat_at = timezone.now()
        document.save()
    return document


def _release(document_id: int, stamp: datetime) -> None:
    """Give the job back to the queue after a transient error, for the task's retry."""
    try:
        Document.objects.filter(
            pk=document_id, status=DocumentStatus.RUNNING, heartbeat_at=stamp
        ).update(status=DocumentStatus.QUEUED, heartbeat_at=timezone.now())
    except TRANSIENT_ERRORS:
        logger.warning("document %s: could not release the claim", document_id, exc_info=True)


def _fail_claimed(document_id: int, stamp: datetime, error: str) -> None:
    Document.objects.filter(
        pk=document_id, status=DocumentStatus.RUNNING, heartbeat_at=stamp
    ).update(status=DocumentStatus.FAILED, error=error, finished_at=timezone.now())


def document_run(*, document_id: int) -> Document | None:
    """Build the document of job `document_id` unless it is done or a live run has it.

    BuildError marks the job failed with its message. Transient errors (database, broker,
    disk) release the job and propagate so that the task retries; any other error marks the
    job failed and propagates. Returns the job when this run finished it, else None.
    """
    # Imported here: the builders pull in WeasyPrint and openpyxl, which only workers need.
    from ..builders import BUILDERS, BuildError

    claim = _claim(document_id)
    if claim is None:
        return None
    document, stamp = claim
    progress = _Progress(document, stamp)
    try:
        builder = BUILDERS.get(document.kind)
        if builder is None:
            raise BuildError(_("Pembuat dokumen jenis ini belum tersedia."))
        with tempfile.TemporaryDirectory(prefix=f"pekppp-doc-{document_id}-") as workdir:
            built = builder(document, progress, pathlib.Path(workdir))
            return _store(document_id, progress.stamp, built.path, built.filename)
    except Superseded:
        logger.info("document %s: taken over by another run", document_id)
        return None
    except BuildError as exc:
        _fail_claimed(document_id, progress.stamp, str(exc))
        return None
    except TRANSIENT_ERRORS:
        _release(document_id, progress.stamp)
        raise
    except Exception:
        logger.exception("document %s: builder failed", document_id)
        _fail_claimed(
            document_id, progress.stamp, _("Terjadi kesalahan internal saat membuat dokumen.")
        )
        raise


def document_fail(*, document_id: int, error: str) -> None:
    """Mark an unfinished job failed (the task gave up after its last retry)."""
    Document.objects.filter(pk=document_id, status__in=PENDING).update(
        status=DocumentStatus.FAILED, error=error, finished_at=timezone.now()
    )


def documents_requeue_stale() -> list[int]:
    """Send again every unfinished job whose worker died (or whose message was lost).

    A job is stale when its heartbeat (last sign of life, or when it was queued) is older
    than DOCUMENT_STALE_SECONDS. Each is put back to "queued" with a fresh stamp, so a run
    that is in fact still alive loses its claim at its next write instead of racing the new
    one. Returns the ids sent.
    """
    cutoff = _stale_before()
    stale = Document.objects.filter(status__in=PENDING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    )
    sent = []
    for pk, status, heartbeat in stale.values_list("pk", "status", "heartbeat_at"):
        with transaction.atomic():
            if Document.objects.filter(pk=pk, status=status, heartbeat_at=heartbeat).update(
                status=DocumentStatus.QUEUED, heartbeat_at=timezone.now()
            ):
                _enqueue(pk)
                sent.append(pk)
    if sent:
        logger.warning("requeued document jobs of dead workers: %s", sent)
    return sent
