"""Document jobs: requesting (idempotent, permission-checked, validated) and running them."""

import hashlib
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from evaluations.models import AssessmentStatus
from reports.builders import BUILDERS, BuildError
from reports.models import Document, DocumentKind, DocumentStatus
from reports.services.documents import (
    DocumentError,
    document_request,
    document_run,
    documents_requeue_stale,
)
from scoring.services.publication import cycle_publish
from tests import factories as f
from tests.base import PersonaTestCase
from tests.reports.slow_builder import STEPS, expected_bytes, steady_build
from tests.scoring.factories import make_result


class PublishedWorld(PersonaTestCase):
    """The personas, plus a finished Nasional 2023 cycle whose two loci are published."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.finished = f.make_cycle(
            cls.instrument, year=2023, owner=cls.kemenpan, name="PEKPPP Nasional 2023"
        )
        cls.locus = make_result(f.make_assessment(cls.finished, cls.unit), "3.75").assessment
        cls.other_locus = make_result(
            f.make_assessment(cls.finished, cls.other_unit), "4.60"
        ).assessment
        cls.finished.assessments.update(status=AssessmentStatus.FINAL)
        cls.locus.refresh_from_db()
        cls.other_locus.refresh_from_db()
        cls.publication = cycle_publish(cycle=cls.finished, user=cls.admin)

    def ranked(self, user=None) -> Document:
        return document_request(
            user=user or self.admin, kind=DocumentKind.RANKED_REPORT_XLSX, cycle=self.finished
        )


class CountingBuilder:
    """`steady_build` that counts its calls and can fail or act in the middle."""

    def __init__(self, fail_with: Exception | None = None, during=None):
        self.calls = 0
        self.fail_with = fail_with
        self.during = during

    def __call__(self, document, progress, workdir):
        self.calls += 1
        if self.during is not None:
            self.during(document, progress)
        if self.fail_with is not None:
            raise self.fail_with
        return steady_build(document, progress, workdir)


def builders(builder):
    return mock.patch.dict(BUILDERS, {DocumentKind.RANKED_REPORT_XLSX: builder})


class DocumentRequestTest(PublishedWorld):
    def test_it_returns_the_same_job_when_asked_twice(self):
        with self.captureOnCommitCallbacks() as sent:
            first = self.ranked()
        with self.captureOnCommitCallbacks() as sent_again:
            second = self.ranked(self.admin)
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(Document.objects.count(), 1)
        self.assertEqual((len(sent), len(sent_again)), (1, 0))
        self.assertEqual(first.key, f"ranked_xlsx:p{self.publication.pk}:a0")
        self.assertEqual(first.status, DocumentStatus.QUEUED)
        self.assertEqual(first.publication, self.publication)

    def test_it_resets_and_sends_again_a_failed_job(self):
        document = self.ranked()
        Document.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED, error="rusak", progress_done=3, progress_total=10
        )
        with self.captureOnCommitCallbacks() as sent:
            again = self.ranked()
        self.assertEqual(again.pk, document.pk)
        self.assertEqual(len(sent), 1)
        again.refresh_from_db()
        self.assertEqual((again.status, again.error, again.progress_done), ("queued", "", 0))

    def test_it_refuses_cycle_documents_before_publication(self):
        with self.assertRaisesMessage(DocumentError, "belum dipublikasikan"):
            document_request(user=self.admin, kind=DocumentKind.RANKED_REPORT_PDF, cycle=self.cycle)
        self.assertFalse(Document.objects.exists())

    def test_it_refuses_a_report_card_of_an_unpublished_unit(self):
        with self.assertRaisesMessage(DocumentError, "Hasil unit ini belum dipublikasikan"):
            document_request(
                user=self.operator, kind=DocumentKind.REPORT_CARD, assessment=self.assessment
            )

    def test_it_refuses_a_berita_acara_before_the_locus_is_final(self):
        with self.assertRaisesMessage(DocumentError, "final"):
            document_request(
                user=self.admin, kind=DocumentKind.BERITA_ACARA, assessment=self.assessment
            )

    def test_it_lets_the_units_people_request_its_report_card_only(self):
        for user in (self.operator, self.leader):
            document = document_request(
                user=user, kind=DocumentKind.REPORT_CARD, assessment=self.locus
            )
            self.assertEqual(document.key, f"report_card:p{self.publication.pk}:a{self.locus.pk}")
        self.assertEqual(Document.objects.count(), 1)
        refused = [
            (self.operator, DocumentKind.REPORT_CARD, {"assessment": self.other_locus}),
            (self.operator, DocumentKind.BERITA_ACARA, {"assessment": self.locus}),
            (self.operator, DocumentKind.RANKED_REPORT_PDF, {"cycle": self.finished}),
            (self.evaluator, DocumentKind.REPORT_CARD, {"assessment": self.locus}),
            (self.coordinator, DocumentKind.CERTIFICATES, {"cycle": self.finished}),
            (self.outsider, DocumentKind.REPORT_CARD, {"assessment": self.locus}),
        ]
        for user, kind, target in refused:
            with self.subTest(user=user.username, kind=kind), self.assertRaises(PermissionDenied):
                document_request(user=user, kind=kind, **target)

    def test_it_keeps_one_berita_acara_per_locus(self):
        first = document_request(
            user=self.admin, kind=DocumentKind.BERITA_ACARA, assessment=self.locus
        )
        second = document_request(
            user=self.admin, kind=DocumentKind.BERITA_ACARA, assessment=self.locus
        )
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(first.key, f"berita_acara:p0:a{self.locus.pk}")
        self.assertIsNone(first.publication)


class DocumentRunTest(PublishedWorld):
    def test_it_builds_once_and_keeps_the_same_file_and_checksum(self):
        document = self.ranked()
        builder = CountingBuilder()
        with builders(builder):
            done = document_run(document_id=document.pk)
            again = document_run(document_id=document.pk)
        self.assertIsNone(again)
        self.assertEqual(builder.calls, 1)
        document.refresh_from_db()
        content = expected_bytes(document.key)
        self.assertEqual(document.status, DocumentStatus.DONE)
        self.assertEqual(document.file.name, f"documents/ranked_xlsx/{document.pk}/dokumen-uji.txt")
        self.assertEqual(document.file.read(), content)
        document.file.close()
        self.assertEqual(document.sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual((document.size, document.filename), (len(content), "dokumen-uji.txt"))
        self.assertEqual((document.progress_done, document.progress_total), (STEPS, STEPS))
        self.assertEqual((document.attempts, document.percent), (1, 100))
        self.assertIsNotNone(document.finished_at)
        self.assertEqual(done.pk, document.pk)

        # Built again (a lost job sent again after it stored its file): same name and bytes.
        Document.objects.filter(pk=document.pk).update(status=DocumentStatus.QUEUED)
        with builders(builder):
            document_run(document_id=document.pk)
        rebuilt = Document.objects.get(pk=document.pk)
        self.assertEqual(builder.calls, 2)
        self.assertEqual((rebuilt.file.name, rebuilt.sha256), (document.file.name, document.sha256))
        self.assertEqual(rebuilt.attempts, 2)

    def test_it_persists_progress_while_building(self):
        document = self.ranked()
        seen = []

        def during(doc, progress):
            progress(1, 4)
            seen.append(Document.objects.values_list("status", "progress_done").get(pk=doc.pk))
            progress(2, 4)  # within the throttle interval: not written
            seen.append(Document.objects.values_list("progress_done", flat=True).get(pk=doc.pk))

        with builders(CountingBuilder(during=during)):
            document_run(document_id=document.pk)
        self.assertEqual(seen, [("running", 1), 1])
        document.refresh_from_db()
        self.assertEqual((document.progress_done, document.progress_total), (STEPS, STEPS))

    def test_it_marks_the_job_failed_with_the_builders_message(self):
        document = self.ranked()
        with builders(CountingBuilder(fail_with=BuildError("publikasi tidak ditemukan"))):
            self.assertIsNone(document_run(document_id=document.pk))
        document.refresh_from_db()
        self.assertEqual(document.status, DocumentStatus.FAILED)
        self.assertEqual(document.error, "publikasi tidak ditemukan")
        self.assertFalse(document.file)
        self.assertIsNotNone(document.finished_at)

    def test_it_gives_the_job_back_and_raises_on_a_transient_error(self):
        document = self.ranked()
        with (
            builders(CountingBuilder(fail_with=OperationalError("server closed"))),
            self.assertRaises(OperationalError),
        ):
            document_run(document_id=document.pk)
        document.refresh_from_db()
        self.assertEqual((document.status, document.attempts), (DocumentStatus.QUEUED, 1))

    def test_it_marks_the_job_failed_on_an_unexpected_error(self):
        document = self.ranked()
        with (
            builders(CountingBuilder(fail_with=KeyError("x"))),
            self.assertLogs("reports.services.documents", "ERROR"),
            self.assertRaises(KeyError),
        ):
            document_run(document_id=document.pk)
        document.refresh_from_db()
        self.assertEqual(document.status, DocumentStatus.FAILED)
        self.assertIn("kesalahan internal", document.error)

    def test_it_leaves_a_job_alone_while_another_live_run_has_it(self):
        document = self.ranked()
        Document.objects.filter(pk=document.pk).update(
            status=DocumentStatus.RUNNING, heartbeat_at=timezone.now(), attempts=1
        )
        builder = CountingBuilder()
        with builders(builder):
            self.assertIsNone(document_run(document_id=document.pk))
        self.assertEqual(builder.calls, 0)
        self.assertEqual(Document.objects.get(pk=document.pk).attempts, 1)

    @override_settings(DOCUMENT_STALE_SECONDS=60)
    def test_it_takes_over_a_job_whose_worker_stopped_beating(self):
        document = self.ranked()
        Document.objects.filter(pk=document.pk).update(
            status=DocumentStatus.RUNNING,
            heartbeat_at=timezone.now() - timezone.timedelta(seconds=61),
            attempts=1,
        )
        with builders(CountingBuilder()):
            document_run(document_id=document.pk)
        document.refresh_from_db()
        self.assertEqual((document.status, document.attempts), (DocumentStatus.DONE, 2))

    def test_it_stops_a_run_that_lost_its_claim_without_storing_anything(self):
        document = self.ranked()

        def taken_over(doc, progress):
            progress(1, 4)
            # A recovery run claims the job (its stamp replaces this run's).
            Document.objects.filter(pk=doc.pk).update(heartbeat_at=timezone.now())

        with builders(CountingBuilder(during=taken_over)):
            self.assertIsNone(document_run(document_id=document.pk))
        document.refresh_from_db()
        self.assertEqual(document.status, DocumentStatus.RUNNING)
        self.assertFalse(document.file)

    def test_it_fails_a_kind_without_a_builder(self):
        document = self.ranked()
        with mock.patch.dict(BUILDERS, clear=True):
            document_run(document_id=document.pk)
        document.refresh_from_db()
        self.assertEqual(document.status, DocumentStatus.FAILED)
        self.assertEqual(document.error, "Pembuat dokumen jenis ini belum tersedia.")


@override_settings(DOCUMENT_STALE_SECONDS=60)
class RequeueStaleTest(PublishedWorld):
    def test_it_sends_again_only_the_jobs_without_a_recent_heartbeat(self):
        now = timezone.now()
        old = now - timezone.timedelta(seconds=90)
        rows = {}
        for name, kind, status, heartbeat in [
            ("dead", DocumentKind.RANKED_REPORT_PDF, DocumentStatus.RUNNING, old),
            ("lost", DocumentKind.RANKED_REPORT_XLSX, DocumentStatus.QUEUED, old),
            ("alive", DocumentKind.CERTIFICATES, DocumentStatus.RUNNING, now),
            ("done", DocumentKind.REPORT_CARD, DocumentStatus.DONE, old),
        ]:
            rows[name] = Document.objects.create(
                key=name,
                kind=kind,
                cycle=self.finished,
                status=status,
                heartbeat_at=heartbeat,
                requested_by=self.admin,
            )
        with self.captureOnCommitCallbacks() as sent:
            requeued = documents_requeue_stale()
        self.assertEqual(sorted(requeued), sorted([rows["dead"].pk, rows["lost"].pk]))
        self.assertEqual(len(sent), 2)
        statuses = dict(Document.objects.values_list("key", "status"))
        self.assertEqual(
            statuses, {"dead": "queued", "lost": "queued", "alive": "running", "done": "done"}
        )
        self.assertGreater(Document.objects.get(key="dead").heartbeat_at, old)
        # Sent once: the fresh stamp keeps the next check from sending it again.
        self.assertEqual(documents_requeue_stale(), [])
