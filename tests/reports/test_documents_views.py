"""The documents pages: the cycle's jobs with progress, the locus panel, requests, downloads."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Scheme
from reports.models import Award, Certificate, Document, DocumentKind, DocumentStatus
from tests import factories as f
from tests.reports.test_documents import PublishedWorld

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class DocumentPagesWorld(PublishedWorld):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.assign(cls.locus, cls.evaluator)
        cls.report_card = cls.make_document(
            DocumentKind.REPORT_CARD, assessment=cls.locus, status=DocumentStatus.DONE
        )
        cls.ranked_pdf = cls.make_document(
            DocumentKind.RANKED_REPORT_PDF, status=DocumentStatus.DONE
        )
        award, _ = Award.objects.get_or_create(
            code="pelayanan-prima", defaults={"title": "Pelayanan Prima", "grades": ["A"]}
        )
        cls.certificate = cls.make_certificate(award, cls.unit, "PP/2023/0001")
        cls.other_certificate = cls.make_certificate(award, cls.other_unit, "PP/2023/0002")

    @classmethod
    def make_document(cls, kind, *, assessment=None, status=DocumentStatus.QUEUED, **fields):
        document = Document.objects.create(
            key=f"{kind}:{assessment.pk if assessment else 0}:{Document.objects.count()}",
            kind=kind,
            cycle=cls.finished,
            publication=cls.publication,
            assessment=assessment,
            status=status,
            requested_by=cls.admin,
            **fields,
        )
        if status == DocumentStatus.DONE:
            document.filename = f"{kind}.pdf"
            document.size, document.sha256 = len(PDF), "ab" * 32
            document.file.save(document.filename, io.BytesIO(PDF), save=True)
        return document

    @classmethod
    def make_certificate(cls, award, unit, serial) -> Certificate:
        certificate = Certificate(
            serial=serial,
            cycle=cls.finished,
            unit=unit,
            award=award,
            result=cls.publication.results.get(unit=unit),
            unit_name=unit.name,
            grade="A",
            issued_on=timezone.localdate(),
        )
        certificate.file.save("sertifikat.pdf", io.BytesIO(PDF), save=True)
        return certificate

    def get_as(self, user, url, **headers):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.get(url, headers=headers)


class DocumentListTest(DocumentPagesWorld):
    def url(self, cycle=None):
        return reverse("reports:document_list", args=[(cycle or self.finished).pk])

    def test_it_walks_the_permission_triad(self):
        response = self.get_as(None, self.url())
        self.assertRedirects(response, f"{reverse('login')}?next={self.url()}")
        self.assertEqual(self.get_as(self.outsider, self.url()).status_code, 404)
        self.assertEqual(self.get_as(self.operator, self.url()).status_code, 404)
        # The province's coordinator sees a Nasional cycle their agency owns but does not run it.
        provincial = f.make_cycle(self.instrument, year=2023, owner=self.pemprov, name="Nasional")
        self.assertEqual(provincial.scheme, Scheme.NASIONAL)
        self.assertEqual(self.get_as(self.coordinator, self.url(provincial)).status_code, 403)
        self.assertEqual(self.get_as(self.admin, self.url()).status_code, 200)

    def test_it_shows_progress_results_and_errors(self):
        self.make_document(
            DocumentKind.CERTIFICATES,
            status=DocumentStatus.RUNNING,
            progress_done=3,
            progress_total=10,
        )
        self.make_document(
            DocumentKind.BERITA_ACARA,
            assessment=self.other_locus,
            status=DocumentStatus.FAILED,
            error="Lokus tidak ditemukan.",
        )
        response = self.get_as(self.admin, self.url())
        self.assertContains(response, '<progress max="100" value="30"', count=1)
        self.assertContains(response, "30%")
        self.assertContains(response, 'hx-trigger="every 2s"', count=1)
        self.assertContains(
            response, reverse("reports:document_download", args=[self.ranked_pdf.pk])
        )
        self.assertContains(response, "ab" * 32)
        self.assertContains(response, "Lokus tidak ditemukan.")
        retry = reverse("reports:assessment_document_create", args=[self.other_locus.pk])
        self.assertContains(response, f'action="{retry}"')
        self.assertContains(response, "Coba lagi")
        for kind in ("ranked_pdf", "ranked_xlsx", "certificates"):
            self.assertContains(response, f'name="jenis" value="{kind}"')
        self.assertContains(response, "PP/2023/0001")

    def test_it_stops_polling_when_no_job_is_pending(self):
        response = self.get_as(self.admin, self.url())
        self.assertNotContains(response, "hx-trigger")

    def test_it_answers_htmx_with_the_job_list_in_a_constant_number_of_queries(self):
        self.client.force_login(self.admin)
        self.client.get(self.url())  # warm the session
        with CaptureQueriesContext(connection) as few:
            response = self.client.get(self.url(), headers={"HX-Request": "true"})
        self.assertNotContains(response, "<html")
        for i in range(12):
            locus = (self.locus, self.other_locus)[i % 2]
            self.make_document(DocumentKind.REPORT_CARD, assessment=locus, status="running")
        with self.assertNumQueries(len(few)):
            response = self.client.get(self.url(), headers={"HX-Request": "true"})
        self.assertContains(response, 'id="jobs"', count=1)
        self.assertContains(response, "<progress", count=12)
        self.assertContains(response, self.other_locus.unit.name, count=6)


class DocumentCreateTest(DocumentPagesWorld):
    def test_it_requests_a_cycle_document_once(self):
        self.client.force_login(self.admin)
        url = reverse("reports:document_create", args=[self.finished.pk])
        for _ in range(2):
            response = self.client.post(url, {"jenis": "ranked_xlsx"})
            self.assertRedirects(
                response, reverse("reports:document_list", args=[self.finished.pk])
            )
        self.assertEqual(Document.objects.filter(kind="ranked_xlsx").count(), 1)

    def test_it_goes_back_only_to_an_address_it_can_send(self):
        # redirect() took "x" for a URL pattern name, and a NUL cannot go into a header: 500.
        self.client.force_login(self.admin)
        url = reverse("reports:assessment_document_create", args=[self.locus.pk])
        default = reverse("evaluations:assessment_detail", args=[self.locus.pk]) + "#dokumen"
        for target, expected in (
            ("x", "x"),
            ("1\x00", default),
            ("/hasil/\n", default),
            ("https://contoh.test/", default),
            ("/hasil/", "/hasil/"),
        ):
            with self.subTest(target=target):
                response = self.client.post(url, {"jenis": "report_card", "next": target})
                self.assertEqual((response.status_code, response["Location"]), (302, expected))

    def test_it_says_what_is_wrong_with_a_bad_kind(self):
        self.client.force_login(self.admin)
        url = reverse("reports:document_create", args=[self.finished.pk])
        response = self.client.post(url, {"jenis": "report_card"}, follow=True)
        self.assertContains(response, "Pilih jenis dokumen periode yang tersedia.")
        response = self.client.post(
            reverse("reports:document_create", args=[self.cycle.pk]),
            {"jenis": "ranked_pdf"},
            follow=True,
        )
        self.assertContains(response, "Hasil periode ini belum dipublikasikan.")

    def test_it_lets_the_operator_request_the_units_report_card_from_the_panel(self):
        Document.objects.filter(kind=DocumentKind.REPORT_CARD).delete()
        self.client.force_login(self.operator)
        panel = reverse("reports:assessment_documents", args=[self.locus.pk])
        response = self.client.get(panel)
        self.assertContains(response, 'name="jenis" value="report_card"')
        self.assertNotContains(response, "berita_acara")
        self.assertContains(
            response, reverse("reports:certificate_download", args=[self.certificate.pk])
        )
        url = reverse("reports:assessment_document_create", args=[self.locus.pk])
        response = self.client.post(url, {"jenis": "report_card"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        document = Document.objects.get(kind=DocumentKind.REPORT_CARD)
        self.assertEqual((document.assessment, document.requested_by), (self.locus, self.operator))
        self.assertContains(response, 'hx-trigger="every 2s"')
        self.assertContains(response, '<progress max="100" value="0"')
        # The Berita Acara is for the people who run the cycle.
        response = self.client.post(url, {"jenis": "berita_acara"})
        self.assertEqual(response.status_code, 403)

    def test_it_walks_the_permission_triad_for_a_request(self):
        Document.objects.filter(kind=DocumentKind.REPORT_CARD).delete()
        url = reverse("reports:assessment_document_create", args=[self.locus.pk])
        data = {"jenis": "report_card"}
        response = self.client.post(url, data)
        self.assertRedirects(response, f"{reverse('login')}?next={url}")
        for user, status in ((self.outsider, 404), (self.coordinator, 404), (self.evaluator, 403)):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url, data).status_code, status)
        self.assertFalse(Document.objects.filter(kind=DocumentKind.REPORT_CARD).exists())
        self.client.force_login(self.leader)
        response = self.client.post(url, data)
        self.assertRedirects(
            response,
            reverse("evaluations:assessment_detail", args=[self.locus.pk]) + "#dokumen",
            fetch_redirect_response=False,
        )
        self.assertEqual(
            Document.objects.get(kind=DocumentKind.REPORT_CARD).requested_by, self.leader
        )

    def test_it_loads_the_panel_on_the_locus_page_only_for_people_with_documents(self):
        page = reverse("evaluations:assessment_detail", args=[self.locus.pk])
        panel = reverse("reports:assessment_documents", args=[self.locus.pk])
        for user, shown in ((self.evaluator, False), (self.operator, True), (self.admin, True)):
            response = self.get_as(user, page)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(panel in response.content.decode(), shown, user)

    def test_it_refuses_the_panel_to_people_without_documents(self):
        panel = reverse("reports:assessment_documents", args=[self.locus.pk])
        self.assertEqual(self.get_as(self.outsider, panel).status_code, 404)
        self.assertEqual(self.get_as(self.evaluator, panel).status_code, 403)
        response = self.get_as(self.admin, panel)
        self.assertContains(response, 'name="jenis" value="berita_acara"')


class DownloadTest(DocumentPagesWorld):
    def test_it_walks_the_permission_triad_for_a_report_card(self):
        url = reverse("reports:document_download", args=[self.report_card.pk])
        self.assertRedirects(self.get_as(None, url), f"{reverse('login')}?next={url}")
        self.assertEqual(self.get_as(self.outsider, url).status_code, 404)
        self.assertEqual(self.get_as(self.evaluator, url).status_code, 403)
        for user in (self.operator, self.leader, self.admin):
            with self.subTest(user=user.username):
                response = self.get_as(user, url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(b"".join(response.streaming_content), PDF)
                self.assertEqual(response["Content-Type"], "application/pdf")
                self.assertEqual(
                    response["Content-Disposition"], 'attachment; filename="report_card.pdf"'
                )

    def test_it_keeps_cycle_documents_to_the_cycles_managers(self):
        url = reverse("reports:document_download", args=[self.ranked_pdf.pk])
        self.assertEqual(self.get_as(self.operator, url).status_code, 404)
        self.assertEqual(self.get_as(self.admin, url).status_code, 200)

    def test_it_has_nothing_to_download_before_the_job_is_done(self):
        running = self.make_document(DocumentKind.CERTIFICATES, status=DocumentStatus.RUNNING)
        url = reverse("reports:document_download", args=[running.pk])
        self.assertEqual(self.get_as(self.admin, url).status_code, 404)

    def test_it_walks_the_permission_triad_for_a_certificate(self):
        url = reverse("reports:certificate_download", args=[self.certificate.pk])
        self.assertRedirects(self.get_as(None, url), f"{reverse('login')}?next={url}")
        self.assertEqual(self.get_as(self.outsider, url).status_code, 404)
        self.assertEqual(self.get_as(self.evaluator, url).status_code, 404)
        other = reverse("reports:certificate_download", args=[self.other_certificate.pk])
        self.assertEqual(self.get_as(self.operator, other).status_code, 404)
        response = self.get_as(self.operator, url)
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertIn("sertifikat-PP-2023-0001.pdf", response["Content-Disposition"])
        Certificate.objects.filter(pk=self.certificate.pk).update(revoked_at=timezone.now())
        self.assertEqual(self.get_as(self.operator, url).status_code, 403)
        self.assertEqual(self.get_as(self.admin, url).status_code, 200)

    def test_it_lets_a_mandiri_coordinator_download_their_cycles_documents(self):
        document = Document.objects.create(
            key="mandiri-doc",
            kind=DocumentKind.RANKED_REPORT_XLSX,
            cycle=self.mandiri,
            status=DocumentStatus.DONE,
            filename="peringkat.xlsx",
            requested_by=self.coordinator,
        )
        document.file.save("peringkat.xlsx", io.BytesIO(b"PK\x03\x04"), save=True)
        url = reverse("reports:document_download", args=[document.pk])
        response = self.get_as(self.coordinator, url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertEqual(self.get_as(self.leader, url).status_code, 404)
