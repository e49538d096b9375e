"""F-03 end to end in Chromium at phone size: the unit's operator watches the count, the tenth
service user answers from the poster's link, is refused a second answer, and the locus's
stored result then blends the survey in exactly as §4 says (golden case random-7-4)."""

import json
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache

from evaluations.models import Phase, SurveyResponse
from scoring.models import Result
from scoring.services.results import final_levels_save
from scoring.services.survey import survey_answer, survey_link
from tests import factories as f

from .support import BrowserTestCase

GOLDEN = {
    case["id"]: case
    for case in json.loads(
        (Path(__file__).resolve().parents[1] / "data" / "scoring_cases.json").read_text()
    )["cases"]
}
CASE = GOLDEN["random-7-4"]  # ten respondents: E 4.31, S 4.66, IPP 4.40 (A-)


class SurveyJourneyTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()  # the survey's rate-limit counters
        cycle = f.make_cycle(f.shipped_instrument("2022-A"), year=2026, name="PEKPPP Nasional 2026")
        f.open_window(cycle, Phase.SURVEY)
        agency = f.make_agency("Pemerintah Kabupaten Lampung Selatan")
        unit = f.make_unit(agency, "Disdukcapil Kabupaten Lampung Selatan")
        self.locus = f.make_assessment(cycle, unit)
        self.operator = f.make_user("operator-f03")
        f.grant(self.operator, f.Role.UNIT_OPERATOR, unit=unit)
        final_levels_save(assessment=self.locus, levels=f.golden_levels("random-7-4"))
        self.link = survey_link(assessment=self.locus, by=self.operator)
        *self.earlier, self.last = CASE["survey"]
        for answers in self.earlier:
            survey_answer(link=self.link, answers=answers)

    def operator_count(self, page) -> str:
        page.goto(self.url(f"/penilaian/{self.locus.pk}/survei/"))
        return " ".join(page.locator(".survey-count").first.inner_text().split())

    def test_the_tenth_answer_brings_the_survey_into_the_ipp(self):
        # Nine respondents: the result is flagged and IPP = E.
        result = Result.objects.get(assessment=self.locus)
        self.assertEqual((result.respondents, result.survey_reason), (9, "too_few_respondents"))
        self.assertEqual(result.ipp, Decimal(CASE["expected"]["evaluator_index"]))

        operator, op_page = self.phone()
        self.page = op_page
        self.log_in("operator-f03", f.PASSWORD)
        self.assertEqual(self.operator_count(op_page), "9 dari minimum 10 responden; kurang 1")

        respondent, page = self.phone()
        try:
            page.goto(self.url(f"/s/{self.link.token}/"))
            page.get_by_role("button", name="Saya setuju, mulai survei").tap()
            for number, value in enumerate(self.last, start=1):
                page.locator(f"#q-b{number} label.sv-opt").nth(5 - value).tap()
            page.get_by_role("button", name="Kirim jawaban").tap()
            page.get_by_role("heading", name="Terima kasih!").wait_for()
            # The same phone again: told, no form, nothing stored.
            page.goto(self.url(f"/s/{self.link.token}/?setuju=1"))
            page.get_by_role("heading", name="Jawaban sudah diterima").wait_for()
            self.assertEqual(page.locator('input[name="b1"]').count(), 0)
        finally:
            respondent.close()

        self.assertEqual(SurveyResponse.objects.filter(assessment=self.locus).count(), 10)
        self.assertEqual(self.operator_count(op_page), "10 dari minimum 10 responden; cukup")
        figures = " ".join(op_page.locator(".survey-figures").first.inner_text().split())
        self.assertIn("4,66", figures)  # S, in Indonesian

        expected = CASE["expected"]
        result = Result.objects.get(assessment=self.locus)
        self.assertEqual(result.respondents, 10)
        self.assertEqual(result.survey_reason, "")
        self.assertEqual(result.survey_index, Decimal(expected["survey_index"]))
        self.assertEqual(result.evaluator_index, Decimal(expected["evaluator_index"]))
        self.assertEqual(result.ipp, Decimal(expected["ipp"]))
        self.assertEqual(result.grade, expected["grade"])
        self.assertEqual(result.aspects, expected["aspects"])
        operator.close()
