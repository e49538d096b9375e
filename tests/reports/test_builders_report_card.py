from django.utils import translation

from evaluations.models import EvaluatorAssignment, FinalLevel, Indicator, Score
from reports.builders import BuildError
from reports.models import DocumentKind
from tests import factories as f

from .doc_factories import PublishedWorldTestCase, build, pdf_text, sha256


class ReportCardTest(PublishedWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        lead = f.make_user("eval-satu", full_name="Evaluator Satu")
        second = f.make_user("eval-dua", full_name="Evaluator Dua")
        one, two = (Indicator.objects.get(instrument=cls.instrument, number=n) for n in (1, 2))
        for user, is_lead, note, recommendation in (
            (
                lead,
                True,
                "SK standar pelayanan belum diperbarui.",
                "Perbarui SK standar pelayanan.",
            ),
            (second, False, "Standar pelayanan dipajang di loket.", ""),
        ):
            assignment = EvaluatorAssignment.objects.create(
                assessment=cls.lamsel, evaluator=user, is_lead=is_lead
            )
            Score.objects.create(
                assignment=assignment, indicator=one, level=4, note=note,
                recommendation=recommendation,
            )  # fmt: skip
            Score.objects.create(assignment=assignment, indicator=two, level=5)
        FinalLevel.objects.create(
            assessment=cls.lamsel, indicator=one, level=5, reason="Disepakati dalam pleno."
        )
        FinalLevel.objects.create(assessment=cls.lamsel, indicator=two, level=5)

    def card(self, assessment):
        return build(
            DocumentKind.REPORT_CARD,
            cycle=self.cycle,
            publication=self.publication,
            assessment=assessment,
        )

    def test_it_prints_the_published_figures_beside_last_cycles(self):
        built, content, calls = self.card(self.lamsel)
        self.assertEqual(
            built.filename,
            "laporan-hasil-evaluasi-pekppp-nasional-2023-disdukcapil-lampung-selatan.pdf",
        )
        text = pdf_text(content)
        self.assertIn("Unit Disdukcapil Lampung Selatan", text)
        self.assertIn("Instansi Pemerintah Kabupaten Lampung Selatan", text)
        self.assertIn("Publikasi Revisi 1, 12 Mei 2023", text)
        self.assertIn("Ringkasan hasil\n2023 2022\nIPP 4,60 4,10\n", text)
        self.assertIn("Predikat A (Pelayanan Prima) A- (Sangat Baik)", text)
        self.assertIn("Peringkat dalam kelompok 1 dari 3 1", text)
        self.assertIn("Peringkat nasional 2 dari 5 1", text)
        # Aspects: weight, this cycle, last cycle.
        self.assertIn("I. Kebijakan Pelayanan 24 4,79 4,20", text)
        self.assertIn("VI. Inovasi 12 4,55 4,10", text)
        # Indicators: the published final level with its rubric text, and last cycle's level.
        self.assertIn("1 Indikator 1 (1.x.K)\nIndikator 1: tingkat 5\n5 4\n", text)
        self.assertIn("3 Indikator 3 (3.x.K)\nIndikator 3: tingkat 4\n4 4\n", text)
        self.assertEqual(calls[-1], (3, 3))

    def test_it_writes_figures_in_the_documents_language_whoever_asks(self):
        # Documents are in Bahasa Indonesia (render_pdf), the chart's figures too, even when
        # the build runs under English.
        with translation.override("en"):
            text = pdf_text(self.card(self.lamsel)[1])
        self.assertIn("IPP 4,60 4,10\n", text)
        self.assertIn("I. Kebijakan Pelayanan 24 4,79 4,20", text)
        self.assertNotIn("4.79", text)

    def test_it_prints_notes_recommendations_and_the_final_levels_reason(self):
        text = pdf_text(self.card(self.lamsel)[1])
        remarks = text[text.index("Catatan dan rekomendasi") :]
        self.assertIn("1. Indikator 1\nAlasan tingkat final: Disepakati dalam pleno.", remarks)
        self.assertIn(
            "Catatan (Evaluator Satu): SK standar pelayanan belum diperbarui.\n"
            "Rekomendasi (Evaluator Satu): Perbarui SK standar pelayanan.\n"
            "Catatan (Evaluator Dua): Standar pelayanan dipajang di loket.",
            remarks,
        )
        self.assertNotIn("2. Indikator 2", remarks)

    def test_it_shows_dashes_without_an_earlier_cycle(self):
        text = pdf_text(self.card(self.imigrasi)[1])
        self.assertIn("IPP 4,75 —", text)
        self.assertIn("Tidak ada catatan atau rekomendasi evaluator.", text)

    def test_it_builds_identical_files_on_rerun(self):
        self.assertEqual(sha256(self.card(self.lamsel)[1]), sha256(self.card(self.lamsel)[1]))

    def test_it_refuses_a_unit_outside_the_publication(self):
        outside = f.make_assessment(self.cycle)
        with self.assertRaisesMessage(BuildError, "tidak termasuk dalam publikasi"):
            self.card(outside)

    def test_it_refuses_a_document_without_a_locus(self):
        with self.assertRaisesMessage(BuildError, "memerlukan lokus"):
            self.card(None)
