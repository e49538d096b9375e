from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from reports.services.certificates import certificates_issue
from scoring.models import Result
from tests import factories as f

from .doc_factories import PUBLISHED_AT, PublishedWorldTestCase


class CertificateVerifyTest(PublishedWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        certificates_issue(publication=cls.publication)

    def url(self, serial: str) -> str:
        return reverse("reports:certificate_verify", kwargs={"serial": serial})

    def test_it_is_reached_at_the_address_the_qr_code_holds(self):
        self.assertEqual(self.url("PEKPPP/2023/N/00002"), "/verifikasi/PEKPPP/2023/N/00002/")

    def test_it_shows_a_valid_certificate_to_anyone(self):
        for user in (AnonymousUser(), f.make_user()):
            with self.subTest(user=str(user)):
                if user.is_authenticated:
                    self.client.force_login(user)
                # One query for the certificate; a signed-in user adds the session's user,
                # their roles (for the menu) and their unread notifications (the bell).
                with self.assertNumQueries(1 if not user.is_authenticated else 4):
                    response = self.client.get(self.url("PEKPPP/2023/N/00002"))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "<strong>SAH</strong>", html=True)
                self.assertContains(response, '<div class="verdict verdict-valid" role="status">')
                self.assertContains(response, "Sertifikat ini terdaftar dan berlaku.")
                for text in (
                    "PEKPPP/2023/N/00002",
                    "Pelayanan Prima",
                    "Disdukcapil Lampung Selatan",
                    "Pemerintah Kabupaten Lampung Selatan",
                    "PEKPPP Nasional 2023",
                    "A (Pelayanan Prima)",
                    "12 Mei 2023",
                ):
                    self.assertContains(response, text)
                self.assertNotContains(response, "DICABUT")

    def test_it_says_revoked_and_why(self):
        Result.objects.filter(assessment=self.lamsel).update(ipp=Decimal("4.40"), grade="A-")
        certificates_issue(
            publication=f.publish(
                self.cycle, self.admin, reason="Salah input indikator 3.", at=PUBLISHED_AT
            )
        )
        response = self.client.get(self.url("PEKPPP/2023/N/00002"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<strong>DICABUT</strong>", html=True)
        self.assertContains(response, '<div class="verdict verdict-revoked" role="status">')
        self.assertContains(response, "Sertifikat ini telah dicabut dan tidak berlaku lagi.")
        self.assertContains(
            response,
            "Unit tidak lagi memenuhi syarat penghargaan pada publikasi revisi 2. "
            "Alasan koreksi: Salah input indikator 3.",
        )
        self.assertNotContains(response, "<strong>SAH</strong>", html=True)

    def test_it_answers_404_for_an_unknown_serial(self):
        for user in (AnonymousUser(), f.make_user()):
            with self.subTest(user=str(user)):
                if user.is_authenticated:
                    self.client.force_login(user)
                response = self.client.get(self.url("PEKPPP/2023/N/99999"))
                self.assertEqual(response.status_code, 404)
                self.assertContains(
                    response, "Nomor seri PEKPPP/2023/N/99999 tidak terdaftar.", status_code=404
                )
                self.assertContains(
                    response, '<div class="verdict verdict-unknown" role="status">', status_code=404
                )

    def test_it_refuses_a_serial_with_a_control_character(self):
        # A NUL reached PostgreSQL and answered 500.
        for path in ("/verifikasi/%00/", "/verifikasi/PEKPPP/2023/N/0001%00/"):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "karakter kendali", status_code=400)

    def test_it_escapes_what_is_typed_as_a_serial(self):
        response = self.client.get(self.url("<script>alert(1)</script>"))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "<script>alert(1)</script>", status_code=404)
