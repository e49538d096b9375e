import datetime as dt

from evaluations.models import (
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    EvaluatorAssignment,
    FinalLevel,
    Indicator,
)
from reports.builders import BuildError
from reports.models import DocumentKind
from scoring.models import Result
from tests import factories as f

from .doc_factories import PublishedWorldTestCase, build, pdf_text, sha256


def words(content: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces as single spaces."""
    return " ".join(pdf_text(content).split())


class BeritaAcaraTest(PublishedWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        lead = f.make_user("eval-satu", full_name="Evaluator Satu", nip="198001012010011001")
        second = f.make_user("eval-dua", full_name="Evaluator Dua")
        EvaluatorAssignment.objects.create(assessment=cls.lamsel, evaluator=lead, is_lead=True)
        EvaluatorAssignment.objects.create(assessment=cls.lamsel, evaluator=second)
        FinalLevel.objects.bulk_create(
            FinalLevel(assessment=cls.lamsel, indicator=i, level=cls.levels.get(i.number, 3))
            for i in Indicator.objects.filter(instrument=cls.instrument)
        )
        entry = AuditEntry.objects.create(
            assessment=cls.lamsel, action=AuditAction.STATUS, old="Dimoderasi", new="Final"
        )
        AuditEntry.objects.filter(pk=entry.pk).update(
            at=dt.datetime(2023, 4, 20, 3, 0, tzinfo=dt.UTC)
        )

    def record(self, assessment):
        return build(DocumentKind.BERITA_ACARA, cycle=self.cycle, assessment=assessment)

    def test_it_records_the_unit_team_levels_and_result_for_signature(self):
        built, content, calls = self.record(self.lamsel)
        self.assertEqual(
            built.filename, "berita-acara-pekppp-nasional-2023-disdukcapil-lampung-selatan.pdf"
        )
        text = words(content)
        self.assertIn("BERITA ACARA HASIL EVALUASI KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", text)
        self.assertIn(
            "Pada hari ini, Kamis, 20 April 2023, tim evaluator PEKPPP Nasional 2023 menetapkan",
            text,
        )
        self.assertIn("Unit Disdukcapil Lampung Selatan", text)
        self.assertIn("Instansi Pemerintah Kabupaten Lampung Selatan", text)
        self.assertIn("1 Evaluator Satu 198001012010011001 Ketua Tim", text)
        self.assertIn("2 Evaluator Dua — Anggota", text)
        self.assertIn("Indeks evaluator (F-02) 4,60", text)
        self.assertIn("Indeks Pelayanan Publik (IPP) 4,60", text)
        self.assertIn("Predikat A (Pelayanan Prima)", text)
        self.assertIn("I. Kebijakan Pelayanan (bobot 24%) 4,79", text)
        self.assertIn(
            "1 Indikator 1 (1.x.K) 5 2 Indikator 2 (2.x.K) 5 3 Indikator 3 (3.x.K) 4", text
        )
        self.assertIn("31 Sistem antrean 3", text)
        # Signature blocks: each evaluator and the unit's head.
        self.assertIn("Evaluator Satu NIP 198001012010011001", text)
        self.assertIn("Evaluator Dua NIP ....................", text)
        self.assertIn("Pimpinan Disdukcapil Lampung Selatan", text)
        self.assertEqual(calls[-1], (2, 2))

    def test_it_dates_the_record_by_the_final_levels_without_an_audit_entry(self):
        FinalLevel.objects.create(
            assessment=self.tanggamus,
            indicator=Indicator.objects.get(instrument=self.instrument, number=1),
            level=3,
        )
        FinalLevel.objects.filter(assessment=self.tanggamus).update(
            decided_at=dt.datetime(2023, 3, 31, 20, 0, tzinfo=dt.UTC)  # 1 April in Jakarta
        )
        self.assertIn("Pada hari ini, Sabtu, 1 April 2023,", words(self.record(self.tanggamus)[1]))

    def test_it_builds_identical_files_on_rerun(self):
        self.assertEqual(sha256(self.record(self.lamsel)[1]), sha256(self.record(self.lamsel)[1]))

    def test_it_refuses_an_assessment_that_is_not_final(self):
        self.lamsel.status = AssessmentStatus.MODERATED
        self.lamsel.save()
        with self.assertRaisesMessage(BuildError, "sudah final"):
            self.record(self.lamsel)

    def test_it_refuses_a_final_assessment_without_a_result(self):
        Result.objects.filter(assessment=self.dpmptsp).delete()
        with self.assertRaisesMessage(BuildError, "belum tersimpan"):
            self.record(self.dpmptsp)
