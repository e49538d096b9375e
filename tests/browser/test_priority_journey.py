"""Priority coaching in Chromium on the demo data: the admin takes a proposal off the 2022 list
with a reason, adds a locus by hand, records a held coaching session with an attachment; the
demo operator reads their unit's scheduled session on a phone, without any form."""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from evaluations.models import Cycle
from pekppp.demo.data import DEMO_PASSWORD
from scoring.models import CoachingSession, PriorityUnit
from tests.browser.support import BrowserTestCase
from tests.factories import EVIDENCE_PDF
from units.models import ServiceUnit


class PriorityJourneyTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.cycle = Cycle.objects.get(name="PEKPPP Nasional 2022")

    def test_the_admin_decides_and_records_coaching_and_the_operator_reads_it(self):
        page = self.page
        self.log_in("admin", DEMO_PASSWORD)
        page.wait_for_url(self.url("/"))
        page.goto(self.url(f"/periode/{self.cycle.pk}/"))
        page.get_by_role("link", name="Prioritas pembinaan").click()
        page.wait_for_url(self.url(f"/periode/{self.cycle.pk}/prioritas/"))

        # Take the proposal of DPMPTSP Tulang Bawang Barat off the list, with a reason.
        row = page.locator("tr", has_text="DPMPTSP Kabupaten Tulang Bawang Barat")
        row.get_by_text("Keluarkan…").click()
        row.get_by_label("Alasan").fill("Sudah dibina Pemerintah Provinsi Lampung")
        row.get_by_role("button", name="Keluarkan", exact=True).click()
        page.wait_for_selector(
            "text=DPMPTSP Kabupaten Tulang Bawang Barat dikeluarkan dari daftar."
        )

        # Add RSUD Bob Bazar Kalianda by hand.
        page.get_by_label("Nama unit").fill("Bob Bazar")
        page.get_by_role("button", name="Cari").click()
        candidate = page.locator("#tambah tr", has_text="RSUD Bob Bazar Kalianda")
        candidate.get_by_label("Alasan").fill("Permintaan bupati")
        candidate.get_by_role("button", name="Tambahkan").click()
        page.wait_for_selector("text=RSUD Bob Bazar Kalianda ditambahkan ke daftar dan ditetapkan.")

        # Record a held session of Disdukcapil Mesuji with its attendance list.
        page.get_by_role("link", name="Disdukcapil Kabupaten Mesuji").click()
        held = timezone.localdate() - dt.timedelta(days=3)
        page.fill("#id_held_on", held.isoformat())
        page.get_by_label("Luring (tatap muka)").check()
        page.get_by_label("Peserta").fill("Tim KemenPANRB; Kepala Disdukcapil Mesuji")
        page.get_by_label("Topik").fill("Standar pelayanan dan maklumat")
        page.get_by_label("Lampiran (opsional)").set_input_files(
            {"name": "daftar-hadir.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE_PDF}
        )
        page.get_by_role("button", name="Simpan sesi").click()
        page.wait_for_selector(f"text=Sesi pendampingan {held:%d-%m-%Y} tersimpan.")
        self.assertTrue(page.get_by_role("link", name="daftar-hadir.pdf").is_visible())

        mesuji = ServiceUnit.objects.get(name="Disdukcapil Kabupaten Mesuji")
        session = CoachingSession.objects.get(cycle=self.cycle, unit=mesuji)
        self.assertEqual((session.held_on, session.mode), (held, "luring"))
        self.assertEqual(
            set(
                PriorityUnit.objects.filter(cycle=self.cycle, removed_at__isnull=False).values_list(
                    "unit__name", "removal_reason"
                )
            ),
            {("DPMPTSP Kabupaten Tulang Bawang Barat", "Sudah dibina Pemerintah Provinsi Lampung")},
        )

        # The operator, on a phone, reads their unit's status and its scheduled session.
        context, phone = self.phone()
        try:
            phone.goto(self.url("/masuk/"))
            phone.get_by_label("Nama pengguna").fill("operator")
            phone.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
            phone.get_by_role("button", name="Masuk").click()
            phone.wait_for_url(self.url("/"))
            phone.goto(self.url(f"/periode/{self.cycle.pk}/prioritas/"))
            text = phone.locator("main").inner_text()
            self.assertIn("Disdukcapil Kabupaten Lampung Selatan", text)
            self.assertNotIn("Mesuji", text)
            phone.get_by_role("link", name="Disdukcapil Kabupaten Lampung Selatan").click()
            phone.wait_for_selector("text=Terjadwal")
            self.assertEqual(phone.locator("form[enctype]").count(), 0)
            width = phone.evaluate("document.documentElement.scrollWidth")
            self.assertLessEqual(width, 390)
        finally:
            context.close()
