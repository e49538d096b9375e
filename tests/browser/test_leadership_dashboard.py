"""The leadership's dashboard in Chromium, at desktop and phone size: it fits the screen and
each unit shows its IPP, grade and rank."""

from tests import factories as f
from tests.scoring.test_leadership import build_leadership_world

from .support import BrowserTestCase

DESKTOP = {"width": 1366, "height": 900}

# Whether the page scrolls sideways, and the grade and rank cells of each unit: visible
# (with a size) and inside the page's width.
LAYOUT = """() => {
  const page = document.scrollingElement;
  const rows = [...document.querySelectorAll('.lead-units tbody tr')];
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= window.innerWidth;
  };
  return {
    overflow: page.scrollWidth > window.innerWidth,
    rows: rows.map((tr) => ({
      unit: tr.querySelector('th').innerText.split('\\n')[0],
      grade: shown(tr.querySelector('.grade')) ? tr.querySelector('.grade').innerText : null,
      rank: shown(tr.querySelector('td:nth-of-type(3)'))
        ? tr.querySelector('td:nth-of-type(3)').innerText : null,
    })),
    aspects: [...document.querySelectorAll('.lead-aspects meter')].filter(shown).length,
  };
}"""


class LeadershipDashboardBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        build_leadership_world(self)

    def open_dashboard(self, page) -> dict:
        page.goto(self.url("/masuk/"))
        page.get_by_label("Nama pengguna").fill("pimpinan")
        page.get_by_label("Kata sandi").fill(f.PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(self.url("/"))
        # The cycle switch: the published 2023 results.
        page.get_by_role("navigation", name="Periode dasbor").get_by_role(
            "link", name="PEKPPP Nasional 2023"
        ).click()
        page.wait_for_url(self.url(f"/?periode={self.c2023.pk}#dasbor"))
        return page.evaluate(LAYOUT)

    def check(self, layout: dict) -> None:
        self.assertFalse(layout["overflow"], "the page scrolls sideways")
        self.assertEqual(
            [(r["unit"], r["grade"]) for r in layout["rows"]],
            [("Disdukcapil Lampung Selatan", "A-"), ("RSUD Kalianda", "B")],
        )
        self.assertIn("1 dari 3", layout["rows"][0]["rank"])
        self.assertIn("nasional 2 dari 3", layout["rows"][1]["rank"])
        self.assertEqual(layout["aspects"], 12)  # six aspects, unit and national bars

    def test_it_fits_a_desktop_screen(self):
        self.page.set_viewport_size(DESKTOP)
        self.check(self.open_dashboard(self.page))

    def test_it_fits_a_phone(self):
        context, page = self.phone()
        try:
            layout = self.open_dashboard(page)
            self.check(layout)
            # Stacked rows: the labels stand before the figures.
            label = page.evaluate(
                "getComputedStyle(document.querySelector('.lead-units td'), '::before').content"
            )
            self.assertEqual(label, '"IPP"')
        finally:
            context.close()
