"""/simulasi/: pick levels per indicator, see aspect indices, IPP and grade."""

import re

from evaluations.instrument_spec import instrument_plan
from evaluations.models import InstrumentVersion
from tests import factories as f
from tests.base import PersonaTestCase

URL = "/simulasi/"
HTMX = {"HX-Request": "true"}
CASES = f.SCORING_CASES


def form_data(case_id, **extra):
    case = CASES[case_id]
    levels = {f"level_{n}": str(v) for n, v in case["levels"].items()}
    return {"instrument": case["instrument"]} | levels | extra


def indicator_block(html: str, number: int) -> str:
    match = re.search(rf'<fieldset[^>]*id="indikator-{number}".*?</fieldset>', html, re.S)
    assert match, f"indicator {number} not on the page"
    return match.group(0)


class SimulatorPageTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.shipped_instrument()

    def setUp(self):
        self.client.force_login(self.operator)

    def test_it_shows_an_empty_sheet_of_2022_a(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertRegex(html, r'<option value="2022-A" selected>')
        self.assertEqual(html.count('class="sim-indicator'), 30)
        self.assertContains(response, "I. Kebijakan Pelayanan")
        self.assertContains(response, "bobot 24%")
        block = indicator_block(html, 1)
        self.assertIn("1. Standar Pelayanan sesuai ketentuan", block)
        self.assertIn("Unit tidak memiliki Standar Pelayanan.", block)
        self.assertIn("1.a.Ak", block)
        self.assertEqual(block.count('type="radio"'), 6)
        self.assertNotIn("checked", html)
        self.assertContains(response, "Tinggal 30 indikator lagi")
        self.assertContains(response, "σ = 0,25")  # in the reader's language
        self.assertNotContains(response, 'id="indikator-31"')  # the unscored queue indicator

    def test_it_returns_the_result_panel_to_htmx(self):
        response = self.client.post(URL, form_data("boundary-45050"), headers=HTMX)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode().strip()
        self.assertTrue(html.startswith('<aside id="result"'), html[:80])
        self.assertNotIn("<html", html)
        self.assertNotIn("sim-indicator", html)
        self.assertInHTML('<strong class="sim-ipp-value">4,51</strong>', html)
        self.assertInHTML('<span class="sim-grade">A</span>', html)
        self.assertInHTML('<span class="sim-grade-label">Pelayanan Prima</span>', html)
        for code, index in CASES["boundary-45050"]["expected"]["aspects"].items():
            self.assertInHTML(f"<dt>{code}</dt><dd>{index.replace('.', ',')}</dd>", html)
        self.assertIn("Indeks evaluator <strong>4,51</strong>", html)
        self.assertIn("HX-Request", response["Vary"])

    def test_it_renders_the_whole_page_without_javascript(self):
        response = self.client.post(URL, form_data("boundary-45050"))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("<html", html)
        self.assertInHTML('<strong class="sim-ipp-value">4,51</strong>', html)
        self.assertEqual(html.count("checked"), 30)
        self.assertIn('value="3" id="id_level_7_3" checked', indicator_block(html, 7))

    def test_it_writes_numbers_in_the_readers_language(self):
        self.client.post("/i18n/setlang/", {"language": "en", "next": URL})
        response = self.client.post(URL, form_data("boundary-45050"))
        html = response.content.decode()
        self.assertInHTML('<strong class="sim-ipp-value">4.51</strong>', html)
        self.assertIn("Evaluator index <strong>4.51</strong>", html)
        self.assertIn("σ = 0.25", html)
        self.client.post("/i18n/setlang/", {"language": "id", "next": URL})
        html = self.client.post(URL, form_data("boundary-45050")).content.decode()
        self.assertInHTML('<strong class="sim-ipp-value">4,51</strong>', html)
        self.assertIn("σ = 0,25", html)

    def test_it_scores_another_instrument_version(self):
        response = self.client.post(URL, form_data("v2017-7-0"), headers=HTMX)
        self.assertInHTML('<strong class="sim-ipp-value">2,49</strong>', response.content.decode())
        self.assertContains(response, "C-")

    def test_it_counts_the_indicators_still_without_a_level(self):
        data = form_data("boundary-45050")
        for n in (3, 17, 30):
            del data[f"level_{n}"]
        for headers in ({}, HTMX):
            with self.subTest(htmx=bool(headers)):
                response = self.client.post(URL, data, headers=headers)
                self.assertContains(response, "Tinggal 3 indikator lagi")
                self.assertNotContains(response, "sim-ipp-value")

    def test_it_shows_an_invalid_level_in_place(self):
        data = form_data("boundary-45050", level_1="9", level_2="x")
        response = self.client.post(URL, data)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for number, value in ((1, "9"), (2, "x")):
            block = indicator_block(html, number)
            self.assertIn("has-error", block)
            self.assertIn(f"{value} bukan salah satu dari pilihan yang tersedia", block)
        self.assertNotIn("has-error", indicator_block(html, 3))
        self.assertIn("Tinggal 2 indikator lagi", html)
        self.assertIn("Ada isian yang tidak sah", html)

        response = self.client.post(URL, data, headers=HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ada isian yang tidak sah")

    def test_it_fills_every_indicator_with_one_level(self):
        response = self.client.post(
            URL, {"instrument": "2022-A", "fill": "4", "action": "fill"}, headers=HTMX
        )
        self.assertEqual(response.status_code, 200)
        html = response.content.decode().strip()
        self.assertTrue(html.startswith('<div id="sim"'), html[:80])
        self.assertEqual(html.count("checked"), 30)
        self.assertEqual(len(re.findall(r'value="4" id="id_level_\d+_4" checked', html)), 30)
        self.assertInHTML('<strong class="sim-ipp-value">4,00</strong>', html)
        self.assertInHTML('<span class="sim-grade">B</span>', html)

        full = self.client.post(URL, {"instrument": "2022-A", "fill": "0", "action": "fill"})
        self.assertContains(full, "<html")
        self.assertInHTML('<span class="sim-grade">F</span>', full.content.decode())

    def test_it_ignores_an_invalid_fill_level(self):
        response = self.client.post(URL, {"instrument": "2022-A", "fill": "8", "action": "fill"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Tinggal 30 indikator lagi")

    def test_it_switches_to_another_version(self):
        response = self.client.get(URL, {"instrument": "2017"})
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response.content.decode(), r'<option value="2017" selected>')
        self.assertContains(response, "Tinggal 37 indikator lagi")
        self.assertContains(response, "tidak memberi bobot pada survei")
        self.assertEqual(self.client.get(URL, {"instrument": "1999"}).status_code, 404)
        self.assertEqual(self.client.post(URL, {"instrument": "1999"}).status_code, 404)

    def test_it_reads_the_sheet_in_constant_queries(self):
        # user, roles, instrument versions, indicators with aspects, level rubrics, the bell
        # (session: cache)
        for code in ("UJI-2022", "2022-A", "2017"):
            with self.subTest(instrument=code), self.assertNumQueries(6):
                response = self.client.get(URL, {"instrument": code})
            self.assertEqual(response.status_code, 200)

    def test_it_scores_in_constant_queries(self):
        for case_id in ("boundary-45050", "v2017-7-1"):
            code = CASES[case_id]["instrument"]
            instrument_plan(InstrumentVersion.objects.get(code=code))  # the per-process cache
            with self.subTest(case=case_id), self.assertNumQueries(5):
                self.client.post(URL, form_data(case_id), headers=HTMX)

    def test_it_walks_the_permissions(self):
        self.client.logout()
        self.assertRedirects(
            self.client.get(URL), "/masuk/?next=/simulasi/", fetch_redirect_response=False
        )
        self.assertRedirects(
            self.client.post(URL, form_data("boundary-45050")),
            "/masuk/?next=/simulasi/",
            fetch_redirect_response=False,
        )
        expected = {
            "outsider": 403,
            "leader": 200,  # reads: the simulator stores nothing
            "operator": 200,
            "evaluator": 200,
            "coordinator": 200,
            "admin": 200,
        }
        for name, status in expected.items():
            with self.subTest(persona=name):
                self.client.force_login(self.personas()[name])
                self.assertEqual(self.client.get(URL).status_code, status)
                self.assertEqual(
                    self.client.post(URL, form_data("boundary-45050"), headers=HTMX).status_code,
                    status,
                )


class SimulatorDefaultTest(PersonaTestCase):
    """Without 2022-A loaded, the newest version that is not provisional comes first."""

    def test_it_prefers_the_newest_settled_version(self):
        f.make_instrument("UJI-2030", year=2030, provisional=True)
        f.make_instrument("UJI-2025", year=2025)
        self.client.force_login(self.evaluator)
        html = self.client.get(URL).content.decode()
        self.assertRegex(html, r'<option value="UJI-2025" selected>')
        self.assertIn("— sementara", html)
