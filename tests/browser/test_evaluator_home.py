from tests import factories as f
from units.models import AgencyKind

from .support import BrowserTestCase


class EvaluatorHomeBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        kemenpan = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN, code="KEMENPANRB")
        lamsel = f.make_agency("Pemerintah Kabupaten Lampung Selatan", AgencyKind.KABUPATEN)
        unit = f.make_unit(lamsel, "Disdukcapil Kabupaten Lampung Selatan")
        other = f.make_unit(lamsel, "DPMPTSP Kabupaten Lampung Selatan")
        cycle = f.make_cycle(owner=kemenpan, name="PEKPPP Nasional 2024")
        self.evaluator = f.make_evaluator("evaluator", agency=kemenpan, full_name="Siti Rahmawati")
        f.assign(f.make_assessment(cycle, unit), self.evaluator, lead=True)
        f.make_assessment(cycle, other)  # someone else's work: must not show

    def test_it_logs_in_and_shows_the_assigned_assessments(self):
        self.log_in("evaluator", f.PASSWORD)
        page = self.page
        page.wait_for_url(self.url("/"))
        section = page.locator("#role-evaluator")
        self.assertIn("Selamat datang, Siti Rahmawati", page.locator("h1").inner_text())
        self.assertIn("Penilaian yang ditugaskan kepada Anda", section.inner_text())
        rows = section.locator("tbody tr")
        self.assertEqual(rows.count(), 1)
        self.assertIn("Disdukcapil Kabupaten Lampung Selatan", rows.first.inner_text())
        self.assertIn("PEKPPP Nasional 2024", rows.first.inner_text())
        self.assertNotIn("DPMPTSP", section.inner_text())

    def test_it_rejects_a_wrong_password_in_place(self):
        self.log_in("evaluator", "sandi-keliru")
        self.assertIn("/masuk/", self.page.url)
        self.assertIn(
            "nama pengguna atau kata sandi salah",
            self.page.locator("[role=alert]").inner_text().lower(),
        )
