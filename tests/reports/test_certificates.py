import datetime as dt
import io
from decimal import Decimal

from django.conf import settings
from pypdf import PdfReader

from reports.builders import BuildError
from reports.models import Award, Certificate, DocumentKind
from reports.services.certificates import CertificateError, certificates_issue
from scoring.models import Result
from tests import factories as f
from units.models import AgencyKind

from .doc_factories import PUBLISHED_AT, PublishedWorldTestCase, build, pdf_text, scored, sha256


def serials(publication) -> dict[str, str]:
    """unit name → serial of the valid certificates issued from `publication`'s cycle."""
    return {c.unit_name: c.serial for c in certificates_issue(publication=publication)}


class CertificateIssueTest(PublishedWorldTestCase):
    def test_it_issues_one_serial_per_unit_graded_a(self):
        certificates = certificates_issue(publication=self.publication)
        may_12 = dt.date(2023, 5, 12)
        self.assertEqual(
            [(c.serial, c.unit_name, c.grade, c.issued_on) for c in certificates],
            [
                ("PEKPPP/2023/N/00001", "Kantor Imigrasi Bandar Lampung", "A", may_12),
                ("PEKPPP/2023/N/00002", "Disdukcapil Lampung Selatan", "A", may_12),
            ],
        )
        self.assertEqual({c.award.code for c in certificates}, {"pelayanan-prima"})

    def test_it_reuses_the_serials_when_run_again(self):
        first = serials(self.publication)
        second = serials(self.publication)
        self.assertEqual(first, second)
        self.assertEqual(Certificate.objects.filter(cycle=self.cycle).count(), 2)

    def test_it_revokes_the_certificate_of_a_unit_a_correction_drops(self):
        before = serials(self.publication)
        Result.objects.filter(assessment=self.lamsel).update(
            ipp=Decimal("4.40"), grade="A-", grade_label="Sangat Baik"
        )
        correction = f.publish(
            self.cycle, self.admin, reason="Salah input tingkat indikator 3.", at=PUBLISHED_AT
        )
        after = serials(correction)
        self.assertEqual(after, {"Kantor Imigrasi Bandar Lampung": "PEKPPP/2023/N/00001"})
        revoked = Certificate.objects.get(serial=before["Disdukcapil Lampung Selatan"])
        self.assertIsNotNone(revoked.revoked_at)
        self.assertEqual(
            revoked.revoked_reason,
            "Unit tidak lagi memenuhi syarat penghargaan pada publikasi revisi 2. "
            "Alasan koreksi: Salah input tingkat indikator 3.",
        )
        kept = Certificate.objects.get(serial="PEKPPP/2023/N/00001")
        self.assertEqual(kept.result.publication, correction)
        self.assertIsNone(kept.revoked_at)

    def test_it_gives_the_same_serial_back_when_the_unit_qualifies_again(self):
        serials(self.publication)
        Result.objects.filter(assessment=self.lamsel).update(ipp=Decimal("4.40"), grade="A-")
        serials(f.publish(self.cycle, self.admin, reason="Koreksi pertama.", at=PUBLISHED_AT))
        Result.objects.filter(assessment=self.lamsel).update(ipp=Decimal("4.62"), grade="A")
        third = f.publish(
            self.cycle,
            self.admin,
            reason="Koreksi kedua.",
            at=dt.datetime(2023, 6, 2, tzinfo=dt.UTC),
        )
        self.assertEqual(serials(third)["Disdukcapil Lampung Selatan"], "PEKPPP/2023/N/00002")
        back = Certificate.objects.get(serial="PEKPPP/2023/N/00002")
        self.assertEqual((back.revoked_at, back.revoked_reason), (None, ""))
        self.assertEqual((back.result.ipp, back.issued_on), (Decimal("4.62"), dt.date(2023, 6, 2)))

    def test_it_awards_the_top_units_of_each_group(self):
        Award.objects.create(code="terbaik", title="Unit Terbaik Kelompok", top_per_group=1)
        certificates = certificates_issue(publication=self.publication)
        best = [(c.serial, c.unit_name) for c in certificates if c.award.code == "terbaik"]
        self.assertEqual(
            best,
            [
                ("PEKPPP/2023/N/00003", "Kantor Imigrasi Bandar Lampung"),
                ("PEKPPP/2023/N/00004", "Disdukcapil Lampung Selatan"),
                ("PEKPPP/2023/N/00005", "DPMPTSP Provinsi Lampung"),
            ],
        )

    def test_it_asks_for_both_rules_of_an_award_that_has_both(self):
        Award.objects.create(
            code="prima-terbaik", title="Prima Terbaik", grades=["A"], top_per_group=1
        )
        names = {
            c.unit_name
            for c in certificates_issue(publication=self.publication)
            if c.award.code == "prima-terbaik"
        }
        self.assertEqual(names, {"Kantor Imigrasi Bandar Lampung", "Disdukcapil Lampung Selatan"})

    def test_it_issues_nothing_for_an_inactive_award(self):
        Award.objects.filter(code="pelayanan-prima").update(is_active=False)
        self.assertEqual(certificates_issue(publication=self.publication), [])

    def test_it_refuses_a_superseded_publication(self):
        f.publish(self.cycle, self.admin, reason="Koreksi.", at=PUBLISHED_AT)
        with self.assertRaisesMessage(CertificateError, "sudah digantikan"):
            certificates_issue(publication=self.publication)

    def test_it_keeps_serials_unique_across_cycles_sharing_year_and_scheme(self):
        serials(self.publication)
        other = f.make_cycle(self.instrument, year=2023, name="PEKPPP Nasional 2023 Susulan")
        scored(
            other,
            f.make_agency("Pemerintah Kota Metro", AgencyKind.KOTA),
            "Disdukcapil Metro",
            "4.80",
        )
        self.assertEqual(
            serials(f.publish(other, self.admin, at=PUBLISHED_AT)),
            {"Disdukcapil Metro": "PEKPPP/2023/N/00003"},
        )


class CertificatesBuilderTest(PublishedWorldTestCase):
    def bundle(self):
        return build(DocumentKind.CERTIFICATES, cycle=self.cycle, publication=self.publication)

    def test_it_stores_each_certificate_and_returns_the_bundle(self):
        built, content, calls = self.bundle()
        self.assertEqual(built.filename, "sertifikat-pekppp-nasional-2023.pdf")
        self.assertEqual(len(PdfReader(io.BytesIO(content)).pages), 2)
        self.assertEqual(calls, [(1, 3), (2, 3), (3, 3)])
        certificate = Certificate.objects.get(serial="PEKPPP/2023/N/00002")
        with certificate.file.open("rb") as stored:
            data = stored.read()
        self.assertEqual(sha256(data), certificate.sha256)
        self.assertEqual(
            certificate.file.name, f"certificates/{self.cycle.pk}/PEKPPP-2023-N-00002.pdf"
        )
        text = " ".join(pdf_text(data).split())
        for expected in (
            "SERTIFIKAT PENGHARGAAN",
            "Pelayanan Prima",
            "Disdukcapil Lampung Selatan",
            "Pemerintah Kabupaten Lampung Selatan",
            "atas capaian Indeks Pelayanan Publik 4,60 dengan predikat A (Pelayanan Prima) pada "
            "PEKPPP Nasional 2023.",
            "Diterbitkan pada 12 Mei 2023",
            "Nomor seri: PEKPPP/2023/N/00002",
            f"{settings.SITE_URL}/verifikasi/PEKPPP/2023/N/00002/",
        ):
            self.assertIn(expected, text)

    def test_it_gives_identical_files_on_rerun_without_rewriting_them(self):
        first = self.bundle()[1]
        stored = {c.serial: (c.file.name, c.sha256) for c in Certificate.objects.all()}
        second = self.bundle()[1]
        self.assertEqual(sha256(first), sha256(second))
        self.assertEqual(
            {c.serial: (c.file.name, c.sha256) for c in Certificate.objects.all()}, stored
        )

    def test_it_explains_when_no_unit_qualifies(self):
        Award.objects.update(is_active=False)
        with self.assertRaisesMessage(BuildError, "Tidak ada unit yang memenuhi syarat"):
            self.bundle()
