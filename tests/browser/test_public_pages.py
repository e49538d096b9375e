"""The public result pages in Chromium, without logging in: on a phone and on a desktop."""

import re

from tests.scoring.public_factories import build_public_world

from .support import BrowserTestCase

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
BARS = ".pub-chart svg .ct-bar"


class PublicPagesBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        build_public_world(self)

    def open(self, viewport: dict[str, int], locale: str = "id-ID"):
        self.context.close()
        self.context = self.browser.new_context(locale=locale, viewport=viewport)
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        return page

    def assert_fits(self, page) -> None:
        """Nothing wider than the screen except inside the scrolling table boxes."""
        width = page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, page.viewport_size["width"])

    def check_overview(self, page) -> None:
        page.goto(self.url("/hasil/"))
        page.get_by_role("link", name="Lihat ringkasan nasional").click()
        page.wait_for_url(self.url(f"/hasil/{self.cycle.pk}/"))
        self.assertEqual(page.locator("#ipp-nasional").inner_text(), "3,77")
        # Three charts, each drawn as SVG bars from the data island.
        self.wait_for_js(page, f"document.querySelectorAll('{BARS}').length === 4 + 9 + 6")
        self.assertEqual(page.locator(".pub-chart svg").count(), 3)
        labels = page.locator(".pub-chart .pub-value").all_text_contents()
        self.assertIn("3,77", labels)  # the national bar, as in the table
        self.assertIn("3,63", page.locator("#tabel-kelompok").inner_text())
        self.assertIn("3,88", page.locator("#tabel-provinsi").inner_text())
        self.assert_fits(page)

    def test_it_shows_the_overview_on_a_phone_and_a_desktop(self):
        for viewport in (PHONE, DESKTOP):
            with self.subTest(viewport=viewport):
                page = self.open(viewport)
                self.check_overview(page)
                chart = page.locator(".pub-chart").first.bounding_box()
                table = page.locator("#tabel-kelompok").bounding_box()
                if viewport is PHONE:
                    self.assertGreater(table["y"], chart["y"] + chart["height"] - 1)  # stacked
                else:
                    self.assertGreater(table["x"], chart["x"] + chart["width"] - 1)  # side by side

    def test_it_filters_the_ranking_and_opens_a_unit_on_a_phone(self):
        page = self.open(PHONE)
        page.goto(self.url(f"/hasil/{self.cycle.pk}/"))
        page.get_by_role("link", name="Lihat peringkat semua unit").click()
        rows = page.locator("#ranking-table tbody tr")
        self.assertEqual(rows.count(), 6)
        page.evaluate("window.__marker = 'same page'")

        page.locator("#f-kelompok").select_option("kabkota")
        page.wait_for_url(re.compile(r"kelompok=kabkota"))
        self.wait_for_js(page, "document.querySelectorAll('#ranking-table tbody tr').length === 4")
        self.assertEqual(page.evaluate("window.__marker"), "same page")  # htmx swap, no reload

        # Every word, in the unit's, agency's or province's name; "dukcapil" for Disdukcapil.
        page.locator("#f-q").fill("dukcapil lampung selatan")
        page.get_by_role("button", name="Terapkan").click()
        page.wait_for_url(re.compile(r"q=dukcapil(%20|\+)lampung"))
        self.wait_for_js(page, "document.querySelectorAll('#ranking-table tbody tr').length === 1")
        self.assertEqual(page.evaluate("window.__marker"), "same page")
        self.assert_fits(page)

        page.get_by_role("link", name="Disdukcapil Lampung Selatan").click()
        page.wait_for_url(self.url(f"/hasil/unit/{self.lamsel_unit.pk}/"))
        self.assertEqual(page.locator("#ipp-terbaru").inner_text(), "4,60")
        self.wait_for_js(page, "document.querySelectorAll('.pub-chart svg').length === 2")
        self.assertIn("PEKPPP Nasional 2022", page.locator("#tabel-riwayat").inner_text())
        self.assert_fits(page)

    def test_it_writes_figures_and_chart_labels_in_english(self):
        page = self.open(DESKTOP, locale="en-US")
        page.goto(self.url(f"/hasil/{self.cycle.pk}/"))
        self.assertEqual(page.evaluate("document.documentElement.lang"), "en")
        self.assertEqual(page.locator("#ipp-nasional").inner_text(), "3.77")
        self.wait_for_js(page, f"document.querySelectorAll('{BARS}').length === 4 + 9 + 6")
        labels = page.locator(".pub-chart .pub-value").all_text_contents()
        self.assertIn("3.77", labels)
        self.assertFalse([label for label in labels if "," in label], labels)
