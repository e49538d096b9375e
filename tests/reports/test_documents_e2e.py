"""A document job through a real builder: request, Celery task, stored file, download."""

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Document, DocumentKind, DocumentStatus
from reports.tasks import document_build
from tests.reports.test_documents import PublishedWorld


class RankedXlsxJobTest(PublishedWorld):
    def build(self) -> Document:
        with self.captureOnCommitCallbacks() as sent:
            document = self.ranked()
        self.assertEqual(len(sent), 1)
        document_build.apply(args=[document.pk])
        document.refresh_from_db()
        return document

    def test_it_builds_the_ranked_xlsx_and_serves_it_to_the_admin(self):
        document = self.build()
        self.assertEqual(document.status, DocumentStatus.DONE, document.error)
        self.assertEqual(document.filename, "peringkat-pekppp-nasional-2023.xlsx")
        self.assertGreater(document.progress_total, 0)
        self.assertEqual(document.progress_done, document.progress_total)

        self.client.force_login(self.admin)
        response = self.client.get(reverse("reports:document_download", args=[document.pk]))
        content = b"".join(response.streaming_content)
        self.assertEqual(len(content), document.size)
        cells = {
            cell
            for sheet in load_workbook(io.BytesIO(content), read_only=True).worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        }
        self.assertIn("Disdukcapil Kabupaten Lampung Selatan", cells)
        self.assertIn("Disdukcapil Kabupaten Tanggamus", cells)
        self.assertTrue(
            {Decimal("3.75"), Decimal("4.60")}
            <= {Decimal(str(c)) for c in cells if isinstance(c, float)}
        )

    def test_it_builds_the_same_bytes_when_the_job_runs_again(self):
        first = self.build()
        Document.objects.filter(pk=first.pk).update(status=DocumentStatus.QUEUED)
        document_build.apply(args=[first.pk])
        again = Document.objects.get(pk=first.pk)
        self.assertEqual(again.status, DocumentStatus.DONE)
        self.assertEqual(
            (again.sha256, again.size, again.file.name), (first.sha256, first.size, first.file.name)
        )
        self.assertEqual(again.attempts, 2)
        self.assertEqual(DocumentKind(again.kind), DocumentKind.RANKED_REPORT_XLSX)
