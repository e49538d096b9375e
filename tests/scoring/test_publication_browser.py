"""An admin publishes the demo's 2023 cycle in Chromium; the unit operator then sees its
published IPP on its home page."""

import io
import re

from django.core.management import call_command

from pekppp.demo.data import DEMO_PASSWORD
from scoring.models import Publication, PublishedResult
from tests.browser.support import BrowserTestCase


class PublicationBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())

    def test_it_lets_an_admin_publish_the_demo_cycle_and_the_unit_see_its_figures(self):
        self.log_in("admin", DEMO_PASSWORD)
        page = self.page
        page.wait_for_url(self.url("/"))
        page.get_by_role("link", name="Periode", exact=True).click()
        page.get_by_role("link", name="PEKPPP Nasional 2023").click()
        page.get_by_role("link", name="Validasi dan publikasi").click()
        self.assertIn("Valid: setiap lokus final", page.locator("#validasi").inner_text())
        self.assertIn("Periode ini belum dipublikasikan.", page.locator("#revisi").inner_text())

        page.get_by_role("button", name="Publikasikan hasil").click()
        page.wait_for_selector("h1:has-text('Publikasikan hasil?')")
        page.get_by_role("button", name="Publikasikan hasil").click()
        page.wait_for_selector("text=Revisi 1 dipublikasikan: 54 hasil.")
        publication = Publication.objects.get(cycle__name="PEKPPP Nasional 2023")
        self.assertEqual((publication.revision, publication.result_count), (1, 54))
        self.assertIn("Berlaku", page.locator("#revisi").inner_text())

        page.locator("#revisi").get_by_role("link", name="1", exact=True).click()
        page.wait_for_url(re.compile(r"/publikasi/1/$"))
        first = page.locator("#hasil table tbody tr").first
        self.assertEqual(first.locator("td.rank").inner_text(), "1")

        self.context.clear_cookies()
        self.log_in("operator", DEMO_PASSWORD)
        page.wait_for_url(self.url("/"))
        own = PublishedResult.objects.get(
            publication=publication, unit__name="Disdukcapil Kabupaten Lampung Selatan"
        )
        row = page.locator("#role-unit_operator tr", has_text="PEKPPP Nasional 2023")
        self.assertIn(f"IPP {str(own.ipp).replace('.', ',')} · {own.grade}", row.inner_text())
