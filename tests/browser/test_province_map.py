"""The province map of the public overview in Chromium, at desktop and phone size."""

from django.core.cache import cache

from tests.scoring.public_factories import build_public_world

from .support import PHONE, BrowserTestCase

DESKTOP = {"width": 1366, "height": 900}


class ProvinceMapBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        build_public_world(self)

    def open(self, viewport: dict[str, int]):
        if viewport is PHONE:
            context, page = self.phone()
        else:
            context = self.browser.new_context(locale="id-ID", viewport=viewport)
            page = context.new_page()
            page.set_default_timeout(15_000)
        self.addCleanup(context.close)
        page.goto(self.url(f"/hasil/{self.cycle.pk}/"))
        return page

    def check(self, page, viewport) -> None:
        svg = page.locator("#peta-provinsi")
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        # The whole country is drawn inside the screen, at a readable size.
        self.assertGreaterEqual(box["x"], 0)
        self.assertLessEqual(box["x"] + box["width"], viewport["width"])
        self.assertGreater(box["width"], viewport["width"] * (0.4 if viewport is DESKTOP else 0.8))
        self.assertAlmostEqual(box["height"] / box["width"], 366 / 1000, delta=0.01)
        self.assertEqual(svg.locator("path").count(), 33)
        # Shaded as the figures say: the fill comes from the class.
        lampung = page.locator('path[data-kode="ID-LA"]')
        self.assertEqual(lampung.evaluate("p => getComputedStyle(p).fill"), "rgb(79, 140, 196)")
        aceh = page.locator('path[data-kode="ID-AC"]')
        self.assertEqual(aceh.evaluate("p => getComputedStyle(p).fill"), "rgb(243, 244, 246)")
        # The table is there for readers of text, beside the map on a desktop, under it on a phone.
        table = page.locator("#tabel-provinsi").bounding_box()
        if viewport is DESKTOP:
            self.assertGreater(table["x"], box["x"] + box["width"] - 1)
        else:
            self.assertGreater(table["y"], box["y"] + box["height"] - 1)
        self.assertLessEqual(
            page.evaluate("document.scrollingElement.scrollWidth"), page.evaluate("innerWidth")
        )

    def test_the_map_fits_and_a_province_opens_its_ranking(self):
        for viewport in (DESKTOP, PHONE):
            with self.subTest(viewport=viewport):
                page = self.open(viewport)
                self.check(page, viewport)
                page.get_by_role("link", name="Lampung: rata-rata IPP 3,88", exact=False).click()
                page.wait_for_url(self.url(f"/hasil/{self.cycle.pk}/peringkat/?provinsi=18"))
                text = page.locator("main").inner_text()
                self.assertIn("Disdukcapil Tanggamus", text)
                self.assertNotIn("Disdukcapil Kota Bandung", text)

    def test_the_keyboard_reaches_a_province_and_the_second_map(self):
        page = self.open(DESKTOP)
        page.get_by_role("link", name="Porsi unit berpredikat A/A-").click()
        page.wait_for_url(self.url(f"/hasil/{self.cycle.pk}/?peta=a#provinsi"))
        lampung = page.locator('path[data-kode="ID-LA"]')
        self.assertEqual(lampung.get_attribute("class"), "peta-a-2")
        link = page.locator('#peta-provinsi a[href$="provinsi=32"]')
        link.focus()
        self.assertEqual(page.evaluate("document.activeElement.getAttribute('href')"),
                         link.get_attribute("href"))  # fmt: skip
        page.keyboard.press("Enter")
        page.wait_for_url(self.url(f"/hasil/{self.cycle.pk}/peringkat/?provinsi=32"))
