"""/api/docs/: Swagger UI (vendored) draws the API's description in Chromium under the portal's
Content Security Policy, on a desktop screen and on a phone."""

from django.urls import reverse

from .support import BrowserTestCase

SIMULATE = "#operations-simulasi-simulasi_create"


class ApiDocsBrowserTest(BrowserTestCase):
    def open_docs(self, page) -> None:
        response = page.goto(self.url(reverse("api-docs")))
        self.assertEqual(response.status, 200)
        self.assertIn("default-src 'self'", response.headers["content-security-policy"])
        page.locator(SIMULATE).wait_for()

    def response_codes(self, page) -> list[str]:
        page.locator(f"{SIMULATE} .opblock-summary-control").click()
        rows = page.locator(f"{SIMULATE} .responses-table tr.response")
        rows.first.wait_for()
        return [row.get_attribute("data-code") for row in rows.all()]

    def test_it_lists_the_operations_with_their_errors_and_examples(self):
        self.open_docs(self.page)
        self.assertEqual(
            self.page.locator(".info .title").inner_text().split("\n")[0].strip(),
            "API Portal PEKPPP",
        )
        paths = self.page.locator(".opblock-summary-path").all_inner_texts()
        self.assertIn("/api/v1/simulasi/", [p.strip().replace("\u200b", "") for p in paths])
        self.assertEqual(self.response_codes(self.page), ["200", "400", "401", "403", "415", "429"])
        body_examples = self.page.locator(f"{SIMULATE} .opblock-section-request-body select")
        self.assertEqual(
            body_examples.last.locator("option").all_inner_texts(),
            ["Levels only", "With a survey of 10 respondents"],
        )
        self.assertIn(
            '"instrument": "2022-A"', self.page.locator(f"{SIMULATE} pre").first.inner_text()
        )
        # Components the error answers refer to are listed with the rest.
        models = self.page.locator(".models .model-container").all()
        names = [m.get_attribute("data-name") for m in models]
        for name in ("Error", "FieldErrors", "Simulation", "SimulateRequest"):
            self.assertIn(name, names)

    def test_it_fits_a_phone(self):
        context, page = self.phone()
        try:
            self.open_docs(page)
            self.assertEqual(self.response_codes(page)[0], "200")
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            self.assertLessEqual(width[0], width[1], "nothing wider than the screen")
            # One column: the empty "Links" column is hidden, the example gets the width.
            self.assertFalse(page.locator(f"{SIMULATE} .response-col_links").first.is_visible())
            example = page.locator(f"{SIMULATE} .responses-table .highlight-code").first
            self.assertGreater(example.bounding_box()["width"], 300)
        finally:
            context.close()
