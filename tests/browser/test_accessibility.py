"""axe-core in Chromium on the pages every role uses, at desktop and phone size, on the demo data.

A page passes with no violation of impact *serious* or *critical*. To check another page, add a
row to CASES: who looks (a demo username, or None for a visitor who has not logged in) and the
path, whose `{placeholders}` are filled from `demo_ids()`.

axe runs under the portal's Content Security Policy: Playwright hands its script to the page
through the DevTools protocol (`page.evaluate`), which the policy does not govern, and axe
itself needs neither `eval` nor inline code, so every test here also passes the CSP watch of
`BrowserTestCase`.
"""

import io

from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone

from evaluations.models import Assessment, Cycle, SurveyLink
from pekppp.demo.data import DEMO_PASSWORD

from .support import PHONE, BrowserTestCase

DESKTOP = {"width": 1366, "height": 900}
BLOCKING = ("serious", "critical")
AXE = Axe()  # reads the package's axe.min.js (axe-core) once
UNIT = "Disdukcapil Kabupaten Lampung Selatan"

CASES: list[tuple[str | None, str]] = [
    (None, "/masuk/"),
    ("admin", "/"),
    ("koordinator", "/"),
    ("evaluator", "/"),
    ("operator", "/"),
    ("pimpinan", "/"),
    ("operator", "/penilaian/{locus}/f01/"),
    ("evaluator", "/penilaian/{locus}/f02/"),
    ("admin", "/penilaian/{final_locus}/moderasi/"),
    ("admin", "/periode/{final_cycle}/dokumen/"),
    ("admin", "/periode/{locus_cycle}/"),
    ("admin", "/periode/{locus_cycle}/beban/"),
    ("admin", "/peringkat/{final_cycle}/"),
    ("evaluator", "/penilaian/{locus}/"),
    ("admin", "/periode/{published_cycle}/prioritas/"),
    ("operator", "/penilaian/{locus}/survei/"),
    ("operator", "/tindak-lanjut/"),
    (None, "/hasil/"),
    (None, "/s/{survey_token}/"),
    ("operator", "/simulasi/"),
    ("operator", "/akun/token/"),
    (None, "/hasil/{published_cycle}/"),
    (None, "/hasil/{published_cycle}/peringkat/"),
    (None, "/hasil/unit/{unit}/"),
    (None, "/hasil/{published_cycle}/data/"),
]


def demo_ids() -> dict[str, int | str]:
    """The values behind CASES' placeholders, looked up by name: the demo's loci of UNIT."""
    year = timezone.localdate().year
    locus = Assessment.objects.get(cycle__name=f"PEKPPP Nasional {year}", unit__name=UNIT)
    final = Assessment.objects.get(cycle__name="PEKPPP Nasional 2023", unit__name=UNIT)
    return {
        "locus": locus.pk,
        "locus_cycle": locus.cycle_id,
        "unit": locus.unit_id,
        "final_locus": final.pk,
        "final_cycle": final.cycle_id,
        "published_cycle": Cycle.objects.get(name="PEKPPP Nasional 2022").pk,
        "survey_token": SurveyLink.objects.get(assessment=locus, revoked_at=None).token,
    }


def blocking_violations(results) -> list[dict]:
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def describe(path: str, violations: list[dict]) -> str:
    """One line per rule and per node: what to fix, and where."""
    lines = []
    for v in violations:
        lines.append(f"{path}: {v['id']} ({v['impact']}) {v['help']}")
        for node in v["nodes"]:
            checks = node["any"] or node["all"] or node["none"]
            message = checks[0]["message"] if checks else ""
            lines.append(f"    {' '.join(map(str, node['target']))}: {message}")
    return "\n".join(lines)


class AccessibilityBrowserTest(BrowserTestCase):
    """Every page of CASES, desktop then phone, on one seeding of the demo (its CPU is most of
    the cost); all findings are reported together."""

    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())

    def test_it_finds_no_serious_violation_on_a_desktop_and_a_phone(self):
        ids = demo_ids()
        failures = self.check("desktop", DESKTOP, ids) + self.check("phone", PHONE, ids)
        if failures:
            self.fail("axe found serious or critical violations:\n" + "\n".join(failures))

    def check(self, size: str, viewport: dict[str, int], ids: dict) -> list[str]:
        """Each case's page at this size (one log-in per person): a report per failing page."""
        pages, failures = {}, []
        for username, template in CASES:
            if username not in pages:
                pages[username] = self.open_as(username, viewport, phone=viewport is PHONE)
            page, path = pages[username], template.format(**ids)
            self.assertEqual((size, path, page.goto(self.url(path)).status), (size, path, 200))
            violations = blocking_violations(AXE.run(page))
            if violations:
                failures.append(describe(f"{size}, {username or 'visitor'}, {path}", violations))
        return failures

    def open_as(self, username: str | None, viewport: dict[str, int], *, phone: bool):
        """A new context of the given size, logged in as `username` unless None."""
        context = self.browser.new_context(
            locale="id-ID", viewport=viewport, is_mobile=phone, has_touch=phone
        )
        self.addCleanup(context.close)  # after tearDown has collected its CSP reports
        page = context.new_page()
        page.set_default_timeout(15_000)
        if username:
            page.goto(self.url("/masuk/"))
            page.get_by_label("Nama pengguna").fill(username)
            page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Masuk").click()
            page.wait_for_url(self.url("/"))
        return page


class AxeCheckBrowserTest(BrowserTestCase):
    def test_it_reports_a_violation_with_its_rule_and_node(self):
        """The check is not vacuous: an image without a text alternative fails it."""
        self.page.goto(self.url("/masuk/"))
        self.page.evaluate(
            "document.querySelector('main').appendChild(document.createElement('img')).id = 'x'"
        )
        violations = blocking_violations(AXE.run(self.page))
        self.assertEqual([(v["id"], v["impact"]) for v in violations], [("image-alt", "critical")])
        report = describe("/masuk/", violations)
        self.assertIn("/masuk/: image-alt (critical)", report)
        self.assertIn("\n    #x: ", report)
