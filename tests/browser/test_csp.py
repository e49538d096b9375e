"""Pages under the Content Security Policy in Chromium, and the check that catches a breach.

Every browser test fails on a violation (support.py); these tests prove the check itself
fails on an inline script without the nonce, and walk the admin, which no journey covers.
"""

from django.contrib import admin
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin

from tests import factories as f

from .support import BrowserTestCase

INJECTED = "<script>window.injected = true;</script></body>"


class CspBrowserTest(BrowserTestCase):
    def test_it_fails_a_page_with_an_inline_script_without_the_nonce(self):
        def inject(route):
            response = route.fetch()  # the portal's real answer, with its real policy
            body = response.text().replace("</body>", INJECTED)
            route.fulfill(response=response, body=body)

        self.page.route(self.url("/masuk/"), inject)
        response = self.page.goto(self.url("/masuk/"))
        self.assertIn("default-src 'self'", response.headers["content-security-policy"])
        self.assertIsNone(self.page.evaluate("window.injected"), "the policy stops the script")
        self.collect_csp_violations()
        with self.assertRaises(AssertionError):
            self.assert_no_csp_violations()
        self.assertIn(
            f"script-src-elem blocked inline at {self.url('/masuk/')}", self.csp_violations
        )
        self.csp_violations.clear()  # caught as expected: the test itself passes

    def test_it_opens_every_admin_list_and_add_page_without_a_violation(self):
        f.make_user("super", is_staff=True, is_superuser=True)
        self.log_in_admin("super")
        pages = [reverse("admin:index")]
        for model in admin.site._registry:
            opts = model._meta
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
            if isinstance(admin.site._registry[model], ImportExportModelAdmin):
                pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
                pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_export"))
        for path in pages:
            self.page.goto(self.url(path))
        # The export page's "select all" runs django-import-export's inline handler.
        self.page.goto(self.url(reverse("admin:units_agency_export")))
        fields = self.page.locator(".selectable-field-export-row:visible input[type=checkbox]")
        self.assertTrue(fields.first.is_checked())
        self.page.locator("input.select-toggle:visible").uncheck()
        self.assertFalse(fields.first.is_checked())

    def log_in_admin(self, username: str) -> None:
        self.page.goto(self.url(reverse("admin:login")))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f.PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url(self.url(reverse("admin:index")))
