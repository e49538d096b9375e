"""The token page in Chromium: an operator finds it in the top bar, creates a token, copies
the key shown once, calls the API with it, and revokes it; on a phone the page fits."""

import re

from tests import factories as f
from units.models import AgencyKind, Role

from .support import BrowserTestCase


class ApiTokenBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        province = f.make_province("Lampung", "18")
        lamsel = f.make_agency(
            "Pemerintah Kabupaten Lampung Selatan", AgencyKind.KABUPATEN, province
        )
        self.unit = f.make_unit(lamsel, "Disdukcapil Kabupaten Lampung Selatan")
        self.operator = f.make_user("operator", agency=lamsel, full_name="Operator Disdukcapil")
        f.grant(self.operator, Role.UNIT_OPERATOR, unit=self.unit)

    def api_names(self, key: str) -> tuple[int, list[str]]:
        response = self.page.request.get(
            self.url("/api/v1/units/"), headers={"Authorization": f"Token {key}"}
        )
        body = response.json()
        return response.status, [row["name"] for row in body.get("results", [])]

    def test_an_operator_creates_uses_and_revokes_a_token(self):
        page = self.page
        self.log_in("operator", f.PASSWORD)
        page.get_by_role("link", name="Token API").click()
        page.wait_for_url("**/akun/token/")
        self.assertTrue(page.get_by_text("Belum ada token").is_visible())

        page.get_by_role("button", name="Buat token").click()
        key = page.locator("#api-token-key").inner_text()
        self.assertRegex(key, r"^[0-9a-f]{40}$")
        self.assertIn(f'Authorization: Token {key}"', page.locator("pre").inner_text())
        self.assertEqual(self.api_names(key), (200, ["Disdukcapil Kabupaten Lampung Selatan"]))

        # Back on the page the key is not shown again.
        page.goto(self.url("/akun/token/"))
        self.assertNotIn(key, page.content())
        page.get_by_role("button", name="Cabut token").click()
        self.assertTrue(page.get_by_text("Token API dicabut").is_visible())
        self.assertEqual(self.api_names(key)[0], 401)

    def test_the_page_fits_a_phone(self):
        self.log_in("operator", f.PASSWORD)
        context, phone = self.phone()
        context.add_cookies(self.context.cookies())
        phone.goto(self.url("/akun/token/"))
        phone.get_by_role("button", name="Buat token").click()
        self.assertTrue(re.fullmatch(r"[0-9a-f]{40}", phone.locator("#api-token-key").inner_text()))
        width = phone.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, 390)
        context.close()
