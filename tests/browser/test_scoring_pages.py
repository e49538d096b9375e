"""The simulator and the ranking pages, used in Chromium on the demo data."""

import io
import re

from django.core.management import call_command

from pekppp.demo.data import DEMO_PASSWORD
from scoring.models import Result

from .support import BrowserTestCase


class ScoringPagesBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())

    def test_it_updates_the_simulated_ipp_as_levels_are_picked(self):
        self.log_in("operator", DEMO_PASSWORD)
        page = self.page
        page.wait_for_url(self.url("/"))
        page.get_by_role("link", name="Simulasi nilai").click()
        result = page.locator("#result")
        self.assertIn("Tinggal 30 indikator lagi", result.inner_text())

        page.locator("select[name=fill]").select_option("4")
        page.get_by_role("button", name="Isi semua").click()
        # Figures in the page's language: 4,00 in Bahasa Indonesia.
        self.wait_for_js(page, "document.querySelector('.sim-ipp-value')?.textContent === '4,00'")
        self.assertEqual(page.locator(".sim-grade").inner_text(), "B")

        # Raising indicator 29 (innovation, half of aspect VI, 12 %) to 5: +0.06 → 4.06, A-.
        page.locator("#indikator-29 input[value='5']").check()
        self.wait_for_js(page, "document.querySelector('.sim-ipp-value')?.textContent === '4,06'")
        self.assertEqual(page.locator(".sim-grade").inner_text(), "A-")
        self.assertIn("4,50", page.locator(".sim-aspects").inner_text())

        # In English the same figures are written 4.00 and 4.50.
        page.get_by_role("button", name="EN").click()
        page.wait_for_url(self.url("/simulasi/"))
        page.locator("select[name=fill]").select_option("4")
        page.get_by_role("button", name="Fill all").click()
        self.wait_for_js(page, "document.querySelector('.sim-ipp-value')?.textContent === '4.00'")
        self.assertIn("4.00", page.locator(".sim-aspects").inner_text())
        self.assertNotIn(",", page.locator(".sim-aspects").inner_text())

    def test_it_ranks_the_demo_cycle_and_filters_without_reloading(self):
        self.log_in("admin", DEMO_PASSWORD)
        page = self.page
        page.wait_for_url(self.url("/"))
        page.get_by_role("link", name="Peringkat").click()
        page.get_by_role("link", name=re.compile("PEKPPP Nasional 2023")).click()
        rows = page.locator("table.rank-rows tbody tr")
        best = Result.objects.filter(cycle__name="PEKPPP Nasional 2023").order_by("-ipp").first()
        self.assertEqual(rows.first.locator("td.rank").inner_text(), "1")
        self.assertIn(best.assessment.unit.name, rows.first.inner_text())

        page.evaluate("window.__marker = 'same page'")
        page.locator("#f-kelompok").select_option("kabkota")
        page.wait_for_url(re.compile(r"kelompok=kabkota"))
        self.wait_for_js(page, "document.querySelectorAll('table.rank-rows tbody tr').length > 0")
        self.assertEqual(page.evaluate("window.__marker"), "same page")  # htmx swap, no reload
        kabkota = Result.objects.filter(cycle__name="PEKPPP Nasional 2023", ranking_group="kabkota")
        self.assertIn(f"dari {kabkota.count()}", page.locator("#ranking-table").inner_text())
        groups = {
            t.strip().split("\n")[0]
            for t in page.locator("table.rank-rows tbody td:nth-child(3)").all_inner_texts()
        }
        self.assertEqual(groups, {"Kabupaten/Kota"})
