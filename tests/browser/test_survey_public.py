"""The public F-03 survey in Chromium at phone size (390×844), as a service user meets it
from the poster's QR code: consent, the items, thanks, and no second answer from the same
browser. Once with JavaScript and once without: the page needs none."""

from django.core.cache import cache

from evaluations.models import Phase, SurveyLink, SurveyResponse
from tests import factories as f

from .support import PHONE, BrowserTestCase

VALUES = [5, 4, 4, 3, 5, 2, 1, 0, 3, 4, 5, 2, 3, 4]


class SurveyPublicBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()  # the survey's rate-limit counters
        cycle = f.make_cycle(f.make_instrument("UJI-F03"), year=2024, name="PEKPPP Nasional 2024")
        f.open_window(cycle, Phase.SURVEY)
        agency = f.make_agency("Pemerintah Kabupaten Lampung Selatan")
        unit = f.make_unit(agency, "Disdukcapil Kabupaten Lampung Selatan")
        self.assessment = f.make_assessment(cycle, unit)
        self.link = SurveyLink.objects.create(assessment=self.assessment)

    def assert_fits_the_phone(self, page) -> None:
        """Nothing wider than the screen (a phone would zoom the whole page out)."""
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), PHONE["width"])

    def answer(self, page) -> None:
        page.goto(self.url(f"/s/{self.link.token}/"))
        self.assertEqual(page.locator(".sv-unit").inner_text(), self.assessment.unit.name)
        page.get_by_role("heading", name="Pemberitahuan pelindungan data pribadi").wait_for()
        page.get_by_role("button", name="Saya setuju, mulai survei").tap()
        page.get_by_role("heading", name="Penilaian pelayanan").wait_for()
        for number, value in enumerate(VALUES, start=1):
            # The whole option is the target: tap its words, not the small circle.
            page.locator(f"#q-b{number} label.sv-opt").nth(5 - value).tap()
        page.get_by_role("radio", name="Perempuan").check()
        page.get_by_label("Layanan yang Anda terima").fill("Perekaman KTP-el")
        self.assert_fits_the_phone(page)
        page.get_by_role("button", name="Kirim jawaban").tap()
        page.get_by_role("heading", name="Terima kasih!").wait_for()
        self.assertEqual(page.url, self.url(f"/s/{self.link.token}/terima-kasih/"))

    def check_journey(self, *, javascript: bool) -> None:
        context, page = self.phone(javascript=javascript)
        try:
            self.answer(page)
            self.assert_fits_the_phone(page)
            # The same browser, opening the poster's link again, is told and gets no form.
            for path in (f"/s/{self.link.token}/", f"/s/{self.link.token}/?setuju=1"):
                page.goto(self.url(path))
                page.get_by_role("heading", name="Jawaban sudah diterima").wait_for()
                self.assertEqual(page.locator('input[name="b1"]').count(), 0)
        finally:
            context.close()
        (response,) = SurveyResponse.objects.all()
        self.assertEqual(response.answers, VALUES)
        self.assertEqual(response.assessment_id, self.assessment.pk)
        self.assertEqual((response.gender, response.service_used), ("P", "Perekaman KTP-el"))
        self.assertEqual(response.channel, "online")

    def test_a_respondent_answers_once_on_a_phone(self):
        self.check_journey(javascript=True)

    def test_a_respondent_answers_once_on_a_phone_without_javascript(self):
        self.check_journey(javascript=False)

    def test_the_browser_names_an_unanswered_item_before_sending(self):
        context, page = self.phone(javascript=True)
        try:
            page.goto(self.url(f"/s/{self.link.token}/?setuju=1"))
            for number, value in enumerate(VALUES[:-1], start=1):
                page.locator(f'#q-b{number} input[value="{value}"]').check()
            page.get_by_role("button", name="Kirim jawaban").tap()
            # The browser's own check (the items are required) stops at item 14.
            self.wait_for_js(page, "document.activeElement.name === 'b14'")
            self.assertEqual(SurveyResponse.objects.count(), 0)
        finally:
            context.close()

    def test_the_language_switches_without_script(self):
        context, page = self.phone(javascript=False)
        try:
            page.goto(self.url(f"/s/{self.link.token}/"))
            page.get_by_role("button", name="English").tap()
            page.get_by_role("button", name="I agree, start the survey").wait_for()
            self.assertEqual(page.locator("html").get_attribute("lang"), "en")
            page.get_by_role("button", name="I agree, start the survey").tap()
            page.get_by_role("heading", name="Rate the service").wait_for()
            first = page.locator("#q-b1 label.sv-opt").first.inner_text()
            self.assertEqual(first.split(), ["5", "Strongly", "agree"])
        finally:
            context.close()
