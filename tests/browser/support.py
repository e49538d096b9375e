"""Real Chromium (Debian's package) driven by Playwright against Django's live server.

Every page runs under the portal's Content Security Policy, and a test fails on any violation:
each browser context the test opens (through `self.browser.new_context`, whoever calls it)
reports the page's `securitypolicyviolation` events and Chromium's CSP console errors back to
the test, which checks them when it ends.
"""

import os
import shutil
import time

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The machine has no network beyond package registries: keep Chromium from trying.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Runs in every page before the page's own scripts; the binding survives navigations.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__pekpppCspViolation(
    e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " +
    e.documentURI + (e.sample ? " (" + e.sample + ")" : "")
  );
}, true);
"""


class CspWatchedBrowser:
    """The Playwright browser, whose new contexts report CSP violations to `violations`."""

    def __init__(self, browser, violations: list[str]):
        self._browser = browser
        self.violations = violations

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.expose_binding("__pekpppCspViolation", lambda source, text: self.report(text))
        context.add_init_script(CSP_WATCH)
        context.on("console", self._console)
        return context

    def report(self, text: str) -> None:
        self.violations.append(text)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.report(message.text)


# A common phone screen in CSS pixels; the survey and the pages a unit uses on the go fit it.
PHONE = {"width": 390, "height": 844}


def require_chromium() -> None:
    """Skip on a developer machine without Chromium; in CI a missing browser is a failure."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run must install it")
    pytest.skip(f"Chromium not found at {CHROMIUM}")


@pytest.mark.browser
class BrowserTestCase(StaticLiveServerTestCase):
    """Starts one headless Chromium for the class; each test gets a fresh context (no cookies)."""

    @classmethod
    def setUpClass(cls):
        require_chromium()
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls._playwright = sync_playwright().start()
        cls.csp_violations: list[str] = []
        cls.browser = CspWatchedBrowser(
            cls._playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            ),
            cls.csp_violations,
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls._playwright.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.csp_violations.clear()
        self.context = self.browser.new_context(locale="id-ID")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    def tearDown(self):
        self.collect_csp_violations()
        self.context.close()
        super().tearDown()
        self.assert_no_csp_violations()

    def collect_csp_violations(self) -> None:
        """A round trip to each open page delivers the reports still on their way."""
        for context in self.browser.contexts:
            for page in context.pages:
                if not page.is_closed():
                    page.evaluate("0")

    def assert_no_csp_violations(self) -> None:
        self.maxDiff = None
        self.assertEqual(self.csp_violations, [], "a page broke the Content Security Policy")

    def wait_for_js(self, page, expression: str, timeout: float = 15) -> None:
        """Wait until `expression` is truthy in the page. Playwright's wait_for_function runs
        the expression through the page's eval(), which the policy refuses."""
        deadline = time.monotonic() + timeout
        while not page.evaluate(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout} s: {expression}")
            time.sleep(0.05)

    def phone(self, *, javascript: bool = True):
        """A new context and page as a cheap phone shows them (390×844, touch, Indonesian)."""
        context = self.browser.new_context(
            locale="id-ID",
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            java_script_enabled=javascript,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return context, page

    def url(self, path: str) -> str:
        return f"{self.live_server_url}{path}"

    def log_in(self, username: str, password: str) -> None:
        self.page.goto(self.url("/masuk/"))
        self.page.get_by_label("Nama pengguna").fill(username)
        self.page.get_by_label("Kata sandi").fill(password)
        self.page.get_by_role("button", name="Masuk").click()
