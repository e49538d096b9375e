"""Stored results: computed from final levels and survey answers, recomputable, audited by diff."""

import json
from decimal import Decimal
from pathlib import Path

from django.db.models import Q
from django.test import TestCase

from evaluations.models import FinalLevel, SurveyResponse
from scoring import engine
from scoring.models import Result
from scoring.services.results import FinalLevelError, final_levels_save, results_recompute
from tests import factories as f
from units.models import AgencyKind

GOLDEN = f.SCORING_CASES


class ResultTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.instrument = f.shipped_instrument()
        cls.lamsel = f.make_agency("Pemerintah Kabupaten Lampung Selatan", AgencyKind.KABUPATEN)
        cls.cycle = f.make_cycle(cls.instrument, year=2024)
        cls.assessment = f.make_assessment(
            cls.cycle, f.make_unit(cls.lamsel, "Disdukcapil Lampung Selatan")
        )

    def add_survey(self, assessment, respondents):
        SurveyResponse.objects.bulk_create(
            SurveyResponse(assessment=assessment, answers=answers, channel="online")
            for answers in respondents
        )


class FinalLevelsSaveTest(ResultTestCase):
    def test_it_stores_no_result_until_every_indicator_has_a_level(self):
        levels = f.golden_levels("boundary-45050")
        partial = {n: lv for n, lv in levels.items() if n != 30}
        self.assertIsNone(final_levels_save(assessment=self.assessment, levels=partial))
        self.assertEqual(FinalLevel.objects.filter(assessment=self.assessment).count(), 29)
        self.assertFalse(Result.objects.exists())

    def test_it_stores_the_golden_boundary_case_exactly(self):
        result = final_levels_save(
            assessment=self.assessment, levels=f.golden_levels("boundary-45050")
        )
        expected = GOLDEN["boundary-45050"]["expected"]
        result.refresh_from_db()
        self.assertEqual(result.aspects, expected["aspects"])
        self.assertEqual(result.evaluator_index, Decimal(expected["evaluator_index"]))
        self.assertEqual(
            (result.ipp, result.grade, result.grade_label),
            (Decimal("4.51"), "A", "Pelayanan Prima"),
        )
        self.assertIsNone(result.survey_index)
        self.assertEqual(result.survey_reason, "no_survey")
        self.assertEqual(
            (result.instrument, result.engine_version), (self.instrument, engine.ENGINE_VERSION)
        )
        self.assertEqual((result.cycle, result.ranking_group), (self.cycle, "kabkota"))

    def test_it_counts_the_survey_when_enough_people_answered(self):
        case = GOLDEN["random-7-4"]
        self.add_survey(self.assessment, case["survey"])
        result = final_levels_save(assessment=self.assessment, levels=f.golden_levels("random-7-4"))
        self.assertEqual(
            (str(result.survey_index), str(result.ipp), result.grade, result.respondents),
            (
                case["expected"]["survey_index"],
                case["expected"]["ipp"],
                case["expected"]["grade"],
                10,
            ),
        )

    def test_it_applies_the_cycles_own_minimum_respondents(self):
        case = GOLDEN["random-7-2"]  # 3 respondents: ignored with m = 10
        self.add_survey(self.assessment, case["survey"])
        levels = f.golden_levels("random-7-2")
        self.assertIsNone(final_levels_save(assessment=self.assessment, levels=levels).survey_index)
        self.cycle.min_respondents = 3
        self.cycle.save()
        spec = engine.instrument_from_dict(
            json.loads(
                (Path(__file__).parents[2] / "evaluations/instruments/2022-A.json").read_text()
            )
        ).with_survey_settings(m=3)
        expected = engine.score(spec, levels, case["survey"])
        self.assessment.refresh_from_db()
        result = final_levels_save(assessment=self.assessment, levels=levels)
        self.assertEqual(result.survey_index, expected.survey_index_display)
        self.assertEqual(result.ipp, expected.ipp)
        self.assertEqual(result.inputs["min_respondents"], 3)

    def test_it_keeps_inputs_that_reproduce_the_result(self):
        self.add_survey(self.assessment, GOLDEN["random-7-6"]["survey"])
        result = final_levels_save(assessment=self.assessment, levels=f.golden_levels("random-7-6"))
        spec = engine.instrument_from_dict(
            json.loads(
                (Path(__file__).parents[2] / "evaluations/instruments/2022-A.json").read_text()
            )
        ).with_survey_settings(
            Decimal(result.inputs["survey_weight"]), result.inputs["min_respondents"]
        )
        again = engine.score(
            spec, {int(n): lv for n, lv in result.inputs["levels"].items()}, result.inputs["survey"]
        )
        self.assertEqual((again.ipp, again.grade), (result.ipp, result.grade))
        self.assertEqual(str(result.ipp), GOLDEN["random-7-6"]["expected"]["ipp"])

    def test_it_refuses_bad_levels_and_saves_nothing(self):
        with self.assertRaises(FinalLevelError) as caught:
            final_levels_save(assessment=self.assessment, levels={1: 6, 99: 3, 2: 4})
        self.assertEqual(
            caught.exception.problems,
            (
                "Level indikator 1 harus bilangan bulat 0–5, bukan 6.",
                "Indikator nomor 99 tidak ada dalam instrumen 2022-A.",
            ),
        )
        self.assertFalse(FinalLevel.objects.exists())

    def test_it_rolls_back_the_levels_when_the_stored_survey_is_broken(self):
        self.add_survey(self.assessment, [[3] * 13])
        with self.assertRaises(FinalLevelError) as caught:
            final_levels_save(assessment=self.assessment, levels=f.golden_levels("random-7-1"))
        self.assertIn(
            "Responden ke-1 mengisi 13 butir; seharusnya 14 butir.", caught.exception.problems
        )
        self.assertFalse(FinalLevel.objects.exists())
        self.assertFalse(Result.objects.exists())


class RecomputeTest(ResultTestCase):
    def test_it_reports_exactly_what_changed(self):
        final_levels_save(assessment=self.assessment, levels=f.golden_levels("boundary-45050"))
        report = results_recompute()
        self.assertEqual((report.computed, report.unchanged, report.changes), (1, 1, []))

        # An edit behind the service's back (e.g. a repaired import) is caught by recompute.
        FinalLevel.objects.filter(assessment=self.assessment, indicator__number=1).update(level=0)
        report = results_recompute()
        self.assertEqual(len(report.changes), 1)
        change = report.changes[0]
        self.assertEqual(change.before, (Decimal("4.51"), "A"))
        self.assertEqual(change.after[1], "A-")
        self.assertEqual(Result.objects.get().grade, "A-")

    def test_it_removes_a_result_whose_levels_are_incomplete(self):
        final_levels_save(assessment=self.assessment, levels=f.golden_levels("boundary-45050"))
        FinalLevel.objects.filter(indicator__number=5).delete()
        report = results_recompute()
        self.assertEqual((report.incomplete, report.changes[0].after), (1, None))
        self.assertFalse(Result.objects.exists())

    def test_it_reports_broken_inputs_without_stopping(self):
        other = f.make_assessment(self.cycle, f.make_unit(self.lamsel))
        final_levels_save(assessment=self.assessment, levels=f.golden_levels("random-7-1"))
        FinalLevel.objects.bulk_create(
            FinalLevel(assessment=other, indicator_id=fl.indicator_id, level=fl.level)
            for fl in FinalLevel.objects.filter(assessment=self.assessment)
        )
        SurveyResponse.objects.create(assessment=other, answers=[9] * 14, channel="paper")
        report = results_recompute()
        self.assertEqual(report.computed, 1)
        self.assertEqual(len(report.errors), 1)
        self.assertEqual(report.errors[0][0], other.pk)
        self.assertIn(
            "Responden ke-1, butir 1: jawaban harus bilangan bulat 0–5, bukan 9.",
            report.errors[0][2],
        )

    def test_it_recomputes_with_constant_queries(self):
        def add(n):
            for _ in range(n):
                a = f.make_assessment(self.cycle, f.make_unit(self.lamsel))
                FinalLevel.objects.bulk_create(
                    FinalLevel(assessment=a, indicator=ind, level=3)
                    for ind in self.instrument.indicators.filter(supplementary=False)
                )
                self.add_survey(a, [[4] * 14] * 10)

        add(3)
        results_recompute()  # warm the instrument cache
        with self.assertNumQueries(7):
            results_recompute(assessments=Q(cycle=self.cycle))
        add(40)
        with self.assertNumQueries(8):  # + one upsert of the new results (batches of 2,000)
            report = results_recompute(assessments=Q(cycle=self.cycle))
        self.assertEqual((report.assessments, report.computed, len(report.changes)), (44, 43, 40))
        self.assertEqual(Result.objects.filter(grade="B-", ipp=Decimal("3.25")).count(), 43)
