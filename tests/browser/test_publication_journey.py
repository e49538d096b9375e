"""Issue 5 end to end in Chromium: an admin publishes the demo's 2023 cycle; the public reads
the overview, the ranking and a unit page; the admin has the ranked report and the
certificates made by a Celery worker, watching their progress; and the QR code printed on a
certificate, read back from the PDF's pixels, opens its verification page.
"""

import io
import re
from pathlib import Path

from celery.contrib.testing.worker import start_worker
from django.core.management import call_command

from evaluations.models import Cycle
from pekppp.celery import app
from pekppp.demo.data import DEMO_PASSWORD
from reports.models import Award, Certificate, Document, DocumentStatus
from scoring.models import PublishedResult
from tests.browser.support import BrowserTestCase
from tests.qr_scan import require_tools, scan_qr


class PublicationJourneyTest(BrowserTestCase):
    def setUp(self):
        require_tools()
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        # A migration ships this award; an earlier TransactionTestCase's flush may have removed
        # it from the test database.
        Award.objects.get_or_create(
            code="pelayanan-prima", defaults={"title": "Pelayanan Prima", "grades": ["A"]}
        )
        self.cycle = Cycle.objects.get(name="PEKPPP Nasional 2023")

    def test_it_publishes_shows_the_public_pages_and_makes_the_documents(self):
        page = self.page

        # 1. The admin publishes the cycle.
        self.log_in("admin", DEMO_PASSWORD)
        page.wait_for_url(self.url("/"))
        page.goto(self.url(f"/periode/{self.cycle.pk}/publikasi/"))
        page.get_by_role("button", name="Publikasikan hasil").click()
        page.wait_for_selector("h1:has-text('Publikasikan hasil?')")
        page.get_by_role("button", name="Publikasikan hasil").click()
        page.wait_for_selector("text=Revisi 1 dipublikasikan: 54 hasil.")

        # 2. The public, not logged in, reads the overview, the ranking and a unit page.
        public = self.browser.new_context(locale="id-ID", viewport={"width": 375, "height": 740})
        try:
            visitor = public.new_page()
            visitor.set_default_timeout(15_000)
            visitor.goto(self.url("/hasil/"))
            visitor.get_by_role("link", name=re.compile("PEKPPP Nasional 2023")).first.click()
            visitor.wait_for_url(self.url(f"/hasil/{self.cycle.pk}/"))
            summary = self.cycle.publications.get().summary
            national = summary["national"]["ipp"].replace(".", ",")
            self.assertIn(national, visitor.locator("main").inner_text())
            self.assertGreater(visitor.locator("main svg").count(), 0)

            visitor.goto(self.url(f"/hasil/{self.cycle.pk}/peringkat/"))
            visitor.select_option("#f-predikat", "A")
            visitor.wait_for_url(re.compile(r"predikat=A"))
            rows = visitor.locator("#ranking-table tbody tr")
            grade_a = PublishedResult.objects.filter(
                publication__cycle=self.cycle, grade="A"
            ).order_by("rank_national", "unit_name")
            self.assertEqual(rows.count(), grade_a.count())
            best = grade_a.first()
            rows.first.get_by_role("link", name=best.unit_name).click()
            visitor.wait_for_url(self.url(f"/hasil/unit/{best.unit_id}/"))
            history = visitor.locator("main").inner_text()
            self.assertIn("PEKPPP Nasional 2023", history)
            self.assertIn(str(best.ipp).replace(".", ","), history)
        finally:
            public.close()

        # 3. The admin asks for the ranked report and the certificates: queued, with progress
        # bars, until a worker runs them; the page then offers the downloads by itself.
        page.goto(self.url(f"/periode/{self.cycle.pk}/dokumen/"))
        page.get_by_role("button", name="Laporan peringkat (PDF)").click()
        page.get_by_role("button", name="Sertifikat penghargaan (bundel)").click()
        self.assertEqual(page.locator("progress").count(), 2)
        self.assertEqual(
            set(Document.objects.values_list("status", flat=True)), {DocumentStatus.QUEUED}
        )
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            page.wait_for_selector("a:has-text('Unduh peringkat')", timeout=120_000)
            page.wait_for_selector("a:has-text('Unduh sertifikat')", timeout=120_000)
        done = Document.objects.filter(status=DocumentStatus.DONE)
        self.assertEqual(done.count(), 2)
        self.assertTrue(all(d.sha256 and d.size > 0 for d in done))
        with page.expect_download() as download:
            page.locator("a:has-text('Unduh peringkat')").click()
        self.assertTrue(download.value.suggested_filename.endswith(".pdf"))

        # 4. Every grade-A unit has a certificate; its QR code opens the verification page.
        certificates = Certificate.objects.filter(cycle=self.cycle)
        self.assertEqual(certificates.count(), 3)
        certificate = certificates.order_by("serial").first()
        url = scan_qr(Path(certificate.file.path))
        self.assertTrue(url.endswith(f"/verifikasi/{certificate.serial}/"), url)
        self.context.clear_cookies()
        page.goto(self.url(url[url.index("/verifikasi/") :]))
        text = page.locator("main").inner_text()
        self.assertIn(certificate.serial, text)
        self.assertIn(certificate.unit_name, text)
        self.assertIn("SAH", text)
