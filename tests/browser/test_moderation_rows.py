"""Moderation in Chromium, desktop and phone: a missing reason is refused at its row (in view,
the other rows untouched), a decision saves its row alone and the progress follows live."""

import re

from playwright.sync_api import expect

from tests import factories as f
from tests.browser.support import PHONE, BrowserTestCase
from tests.evaluations.moderation_factories import evaluated, open_windows
from units.models import Role

from ..scoring.test_moderation import DIFFERENT, GOLDEN


class ModerationRowsBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cycle = f.make_cycle(f.shipped_instrument(), owner=f.make_agency("KemenPANRB"))
        open_windows(cycle)
        unit = f.make_unit(f.make_agency("Pemkab Lampung Selatan"), "Disdukcapil Lampung Selatan")
        self.locus = f.make_assessment(cycle, unit)
        evaluated(self.locus, GOLDEN, DIFFERENT)
        self.admin = f.make_user("moderator", full_name="Admin Moderasi")
        f.grant(self.admin, Role.MINISTRY_ADMIN)

    def journey(self, page, width):
        page.goto(self.url("/masuk/"))
        page.get_by_label("Nama pengguna").fill("moderator")
        page.get_by_label("Kata sandi").fill(f.PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(self.url("/"))
        page.goto(self.url(f"/penilaian/{self.locus.pk}/moderasi/"))
        progress = page.locator("#moderation-progress")
        expect(progress).to_contain_text("0 dari 3 diputuskan")

        row = page.locator("tr#indikator-11")
        row.locator("select[name=level-11]").select_option("2")
        row.get_by_role("button", name="Simpan keputusan indikator 11").click()
        problem = row.locator(".row-problems")
        expect(problem).to_have_text("Alasan keputusan wajib diisi untuk indikator 11.")
        expect(problem).to_be_in_viewport()
        expect(row.locator("select[name=level-11]"), "the choice is kept").to_have_value("2")
        expect(page.locator("tr#indikator-7 .row-problems")).to_have_count(0)
        expect(progress).to_contain_text("0 dari 3 diputuskan")

        row.locator("textarea[name=reason-11]").fill("Maklumat belum dipajang")
        row.get_by_role("button", name="Simpan keputusan indikator 11").click()
        expect(row.locator(".row-saved")).to_have_text("Tersimpan: tingkat final 2.")
        expect(progress).to_contain_text("1 dari 3 diputuskan")
        expect(page.locator("tr#indikator-1 td.final"), "agreed rows became final").to_have_text(
            re.compile(r"^\s*5")
        )
        # The page itself never scrolls sideways; the wide table scrolls in its own region.
        self.assertLessEqual(
            page.evaluate("document.scrollingElement.scrollWidth"),
            width,
            "no horizontal page overflow",
        )
        notes = page.locator("tr#indikator-11 .evaluator-notes")
        self.assertEqual(notes.count(), 0)  # no note written in this set-up: nothing shown

    def test_it_decides_row_by_row_on_a_desktop(self):
        self.page.set_viewport_size({"width": 1366, "height": 900})
        self.journey(self.page, 1366)

    def test_it_decides_row_by_row_on_a_phone(self):
        context, page = self.phone()
        try:
            self.journey(page, PHONE["width"])
        finally:
            context.close()
