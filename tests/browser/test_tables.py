"""Wide tables in Chromium at 1366×900 and on a 390×844 phone: the page never scrolls sideways,
a table that does not fit scrolls inside its own labelled, focusable region, the columns that
matter (grade, status) stay in view, and long tables become stacked rows on the phone."""

from django.utils import timezone

from reports.models import Award, Certificate
from reports.services.certificates import certificates_issue
from tests import factories as f
from tests.scoring.public_factories import build_public_world, make_scored_unit
from units.models import AgencyKind

from .support import PHONE, BrowserTestCase

DESKTOP = {"width": 1366, "height": 900}

# Every `.scroll` box of the page: [role, tabindex, its label's text, scrolls sideways?].
REGIONS = """[...document.querySelectorAll('.scroll')].map(el => {
  const by = el.getAttribute('aria-labelledby');
  const label = by ? (document.getElementById(by) || {}).textContent
                   : el.getAttribute('aria-label');
  return [el.getAttribute('role'), el.getAttribute('tabindex'), (label || '').trim(),
          el.scrollWidth > el.clientWidth + 1];
})"""

# The right edge of a text's own glyphs (a label's box may be wider than its text).
TEXT_RIGHT = """(el) => { const r = document.createRange(); r.selectNodeContents(el);
  return r.getBoundingClientRect().right; }"""


def luminance(rgb: str) -> float:
    """WCAG relative luminance of a computed `rgb(r, g, b)` colour."""
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class TablesBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        build_public_world(self)
        # Names as long as real ones: they made the ranking 1208 px wide in a 1034 px box.
        long_type = f.make_service_type(
            "dpmptsp-panjang", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
        )
        agency = f.make_agency(
            "Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional", AgencyKind.KEMENTERIAN
        )
        for name, ipp in (
            ("Kantor Pertanahan Kota Bandar Lampung", "4.45"),
            ("Kantor Pertanahan Kabupaten Tulang Bawang Barat", "3.05"),
        ):
            make_scored_unit(self.cycle, agency, name, ipp, service_type=long_type)
        self.publication = f.publish(self.cycle, self.admin, reason="Unit baru.")

    def open(self, viewport: dict[str, int]):
        context = self.browser.new_context(
            locale="id-ID", viewport=viewport, is_mobile=viewport is PHONE, has_touch=True
        )
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    def sign_in(self, page, username: str) -> None:
        page.goto(self.url("/masuk/"))
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Kata sandi").fill(f.PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(self.url("/"))

    def assert_page_fits(self, page) -> None:
        width = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        self.assertLessEqual(width[0], width[1], page.url)

    def assert_regions_labelled(self, page) -> list[list]:
        regions = page.evaluate(REGIONS)
        self.assertTrue(regions)
        for role, tabindex, label, _scrolls in regions:
            self.assertEqual((role, tabindex), ("region", "0"))
            self.assertTrue(label, page.url)
        return regions

    def test_the_public_ranking_keeps_its_grade_column_and_stacks_on_a_phone(self):
        for viewport in (DESKTOP, PHONE):
            with self.subTest(viewport=viewport):
                page = self.open(viewport)
                page.goto(self.url(f"/hasil/{self.cycle.pk}/peringkat/"))
                self.assert_page_fits(page)
                self.assert_regions_labelled(page)
                region = page.locator(".rank-table .scroll")
                box = region.bounding_box()
                rows = page.locator(".pub-rank tbody tr")
                self.assertEqual(rows.count(), 8)
                if viewport is DESKTOP:
                    # The whole table fits its box: the grade column is in view, no scrolling.
                    self.assertFalse(region.evaluate("el => el.scrollWidth > el.clientWidth"))
                    heading = page.locator(".pub-rank thead th").last
                    self.assertEqual(heading.inner_text(), "Predikat")
                    head = heading.bounding_box()
                    self.assertLessEqual(head["x"] + head["width"], box["x"] + box["width"] + 1)
                else:
                    self.assertTrue(
                        page.locator(".pub-rank thead").evaluate(
                            "el => el.getBoundingClientRect().height <= 1"
                        )
                    )
                for i in range(rows.count()):
                    grade = rows.nth(i).locator(".grade").bounding_box()
                    self.assertIsNotNone(grade)
                    self.assertLessEqual(grade["x"] + grade["width"], viewport["width"])
                    self.assertLessEqual(grade["x"] + grade["width"], box["x"] + box["width"] + 1)
                if viewport is PHONE:
                    # Each figure carries its column's name.
                    ipp = rows.first.locator(".pub-ipp")
                    self.assertEqual(
                        ipp.evaluate("el => getComputedStyle(el, '::before').content"), '"IPP "'
                    )
                # The region takes the keyboard's focus.
                region.focus()
                self.assertTrue(region.evaluate("el => document.activeElement === el"))

    def test_the_overview_side_tables_fit_beside_their_charts(self):
        for viewport in (DESKTOP, PHONE):
            with self.subTest(viewport=viewport):
                page = self.open(viewport)
                page.goto(self.url(f"/hasil/{self.cycle.pk}/"))
                self.wait_for_js(page, "document.querySelectorAll('.pub-chart svg').length === 3")
                self.assert_page_fits(page)
                regions = self.assert_regions_labelled(page)
                self.assertEqual([r for r in regions if r[3]], [])  # none needs scrolling
                for table in ("#tabel-predikat", "#tabel-aspek"):
                    last = page.locator(f"{table} tbody tr").first.locator("td").last
                    # The last group's column, labelled for the phone's stacked rows.
                    heading = page.locator(f"{table} thead th").last.inner_text()
                    self.assertEqual(last.get_attribute("data-label"), heading)
                    cell = last.bounding_box()
                    self.assertLessEqual(cell["x"] + cell["width"], viewport["width"])

    def test_the_unit_history_shows_every_year_label(self):
        for viewport in (DESKTOP, PHONE):
            with self.subTest(viewport=viewport):
                page = self.open(viewport)
                page.goto(self.url(f"/hasil/unit/{self.lamsel_unit.pk}/"))
                labels = page.locator(".pub-chart-line .ct-label.ct-horizontal")
                self.wait_for_js(
                    page, "document.querySelectorAll('.pub-chart-line .ct-label').length > 0"
                )
                self.assertEqual(labels.all_inner_texts(), ["2022", "2023"])
                svg = page.locator(".pub-chart-line svg").bounding_box()
                right = labels.last.evaluate(TEXT_RIGHT)
                self.assertLessEqual(right, svg["x"] + svg["width"])
                self.assert_page_fits(page)
                self.assert_regions_labelled(page)
                self.assertIn(
                    "1 dari 4 (Disdukcapil)", page.locator("#peringkat-jenis").inner_text()
                )

    def test_the_operator_home_shows_each_status_on_a_phone(self):
        operator = f.make_user("op-tabel")
        f.grant(operator, f.Role.UNIT_OPERATOR, unit=self.lamsel_unit)
        for viewport in (DESKTOP, PHONE):
            with self.subTest(viewport=viewport):
                page = self.open(viewport)
                self.sign_in(page, "op-tabel")
                self.assert_page_fits(page)
                self.assert_regions_labelled(page)
                statuses = page.locator("#role-unit_operator .status")
                self.assertEqual(statuses.count(), 3)  # 2022, 2023 and the unpublished 2024
                for i in range(statuses.count()):
                    box = statuses.nth(i).bounding_box()
                    self.assertLessEqual(box["x"] + box["width"], viewport["width"])

    def test_the_documents_page_has_a_styled_cycle_menu(self):
        admin = f.make_publisher()
        admin.username = "admin-tabel"
        admin.save()
        for viewport in (DESKTOP, PHONE):
            with self.subTest(viewport=viewport):
                page = self.open(viewport)
                self.sign_in(page, "admin-tabel")
                page.goto(self.url(f"/periode/{self.cycle.pk}/dokumen/"))
                menu = page.get_by_role("navigation", name="Menu periode")
                self.assertEqual(
                    menu.locator("ul").evaluate(
                        "el => [getComputedStyle(el).display, getComputedStyle(el).listStyleType]"
                    ),
                    ["flex", "none"],
                )
                current = menu.locator("[aria-current=page]")
                self.assertEqual(current.inner_text(), "Dokumen")
                colours = current.evaluate(
                    "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
                )
                self.assertGreaterEqual(contrast(*colours), 4.5)
                self.assert_page_fits(page)

    def test_the_verification_verdict_reads_valid_or_revoked_at_a_glance(self):
        # A live-server test starts without the awards the data migration ships.
        Award.objects.update_or_create(
            code="pelayanan-prima", defaults={"title": "Pelayanan Prima", "grades": ["A", "A-"]}
        )
        certificates_issue(publication=self.publication)
        valid = Certificate.objects.get(unit_name="Disdukcapil Lampung Selatan")
        revoked = Certificate.objects.exclude(pk=valid.pk).first()
        page = self.open(PHONE)
        cases = [
            (valid, "verdict-valid", "SAH"),
            (revoked, "verdict-revoked", "DICABUT"),
            (None, "verdict-unknown", "TIDAK TERDAFTAR"),
        ]
        for certificate, kind, word in cases:
            with self.subTest(kind):
                serial = certificate.serial if certificate else "PEKPPP/2023/N/99999"
                if certificate and kind == "verdict-revoked":
                    Certificate.objects.filter(pk=certificate.pk).update(
                        revoked_at=timezone.now(), revoked_reason="Koreksi."
                    )
                page.goto(self.url(f"/verifikasi/{serial}/"))
                badge = page.locator(f".{kind} .verdict-badge")
                self.assertEqual(badge.inner_text().strip(), word)
                self.assertEqual(badge.locator("svg").count(), 1)  # an icon, not colour alone
                colours = badge.evaluate(
                    "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
                )
                self.assertGreaterEqual(contrast(*colours), 4.5)
                # --ok (#1a6b37) and --bad (#b42318) of portal.css.
                self.assertIn(
                    "rgb(26, 107, 55)" if kind == "verdict-valid" else "rgb(180, 35, 24)",
                    colours[1],
                )
                self.assert_page_fits(page)
