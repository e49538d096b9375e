"""The Celery task around a document job: retries on transient errors, then gives up clearly."""

from django.db import OperationalError

from reports.models import Document, DocumentStatus
from reports.tasks import MAX_RETRIES, document_build, documents_requeue_stale
from tests.reports.test_documents import CountingBuilder, PublishedWorld, builders


class FlakyBuilder(CountingBuilder):
    """Fails with a transient error the first `failures` times, then builds."""

    def __init__(self, failures: int):
        super().__init__()
        self.failures = failures

    def __call__(self, document, progress, workdir):
        self.fail_with = OperationalError("connection lost") if self.calls < self.failures else None
        return super().__call__(document, progress, workdir)


class DocumentBuildTaskTest(PublishedWorld):
    def test_it_retries_a_transient_error_and_then_builds(self):
        document = self.ranked()
        builder = FlakyBuilder(failures=2)
        with builders(builder):
            document_build.apply(args=[document.pk])
        document.refresh_from_db()
        self.assertEqual(builder.calls, 3)
        self.assertEqual((document.status, document.attempts), (DocumentStatus.DONE, 3))
        self.assertEqual(document.error, "")
        self.assertEqual(len(document.sha256), 64)

    def test_it_marks_the_job_failed_after_the_last_retry(self):
        document = self.ranked()
        builder = FlakyBuilder(failures=100)
        with builders(builder):
            result = document_build.apply(args=[document.pk])
        self.assertIsInstance(result.result, OperationalError)
        document.refresh_from_db()
        self.assertEqual(builder.calls, MAX_RETRIES + 1)
        self.assertEqual(document.status, DocumentStatus.FAILED)
        self.assertEqual(
            document.error,
            f"Dokumen gagal dibuat setelah {MAX_RETRIES + 1} percobaan: OperationalError",
        )

    def test_it_does_nothing_for_a_finished_or_deleted_job(self):
        document = self.ranked()
        builder = CountingBuilder()
        with builders(builder):
            document_build.apply(args=[document.pk])
            document_build.apply(args=[document.pk])
            document_build.apply(args=[document.pk + 1000])
        self.assertEqual(builder.calls, 1)
        self.assertEqual(Document.objects.get().status, DocumentStatus.DONE)

    def test_it_is_configured_to_survive_a_lost_worker(self):
        self.assertTrue(document_build.acks_late)
        self.assertTrue(document_build.reject_on_worker_lost)
        self.assertEqual(document_build.max_retries, MAX_RETRIES)
        self.assertIn(OperationalError, document_build.autoretry_for)

    def test_the_periodic_check_requeues_nothing_when_all_is_well(self):
        self.ranked()
        with self.captureOnCommitCallbacks() as sent:
            documents_requeue_stale.apply()
        self.assertEqual(sent, [])
