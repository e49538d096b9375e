"""Celery tasks of the reports app: thin wrappers around services/documents.py."""

from celery import Task, shared_task
from django.utils.translation import gettext as _

from .services import documents

MAX_RETRIES = 5


class DocumentTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # The last retry failed too (or the error was not transient): say so on the job.
        document_id = args[0] if args else kwargs["document_id"]
        documents.document_fail(
            document_id=document_id,
            error=_("Dokumen gagal dibuat setelah %(n)d percobaan: %(error)s")
            % {"n": self.request.retries + 1, "error": exc.__class__.__name__},
        )


@shared_task(
    base=DocumentTask,
    name="reports.document_build",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=documents.TRANSIENT_ERRORS,
    max_retries=MAX_RETRIES,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
)
def document_build(document_id: int) -> None:
    """Build one document job (idempotent: a finished or live job is left alone)."""
    documents.document_run(document_id=document_id)


@shared_task(name="reports.documents_requeue_stale")
def documents_requeue_stale() -> None:
    """Periodic (beat) and at worker start: send again the jobs of dead workers."""
    documents.documents_requeue_stale()
