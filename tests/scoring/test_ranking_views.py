"""Ranking pages: who may open them, what they show, bad filters, constant queries."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Scheme
from tests import factories as f
from tests.base import PersonaTestCase
from units.models import Role

from .factories import make_ranked_units, make_result

HTMX = {"HTTP_HX_REQUEST": "true"}


class RankingViewTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_result(cls.assessment, "4.79", aspects={"I": "4.79", "II": "4.48"})
        make_result(cls.other_assessment, "4.20", aspects={"I": "4.20", "II": "4.49"})
        make_result(cls.mandiri_assessment, "3.90")
        cls.url = f"/peringkat/{cls.cycle.pk}/"
        cls.mandiri_url = f"/peringkat/{cls.mandiri.pk}/"

    def get(self, user, url=None, **extra):
        self.client.force_login(user)
        return self.client.get(url or self.url, **extra)

    def test_it_sends_anonymous_visitors_to_log_in(self):
        for url in ("/peringkat/", self.url):
            with self.subTest(url=url):
                self.assertRedirects(self.client.get(url), f"/masuk/?next={url}")

    def test_it_hides_a_ranking_from_everyone_but_admins_and_the_owner_agency(self):
        pemprov_leader = f.make_user(agency=self.pemprov)
        f.grant(pemprov_leader, Role.LEADERSHIP, agency=self.pemprov)
        expected = {
            "outsider": (404, 404),
            "evaluator": (404, 404),
            "operator": (404, 404),
            "leader": (404, 404),
            "coordinator": (404, 200),
            "pemprov_leader": (404, 200),
            "admin": (200, 200),
        }
        people = self.personas() | {"pemprov_leader": pemprov_leader}
        for name, (nasional, mandiri) in expected.items():
            with self.subTest(persona=name):
                self.assertEqual(self.get(people[name]).status_code, nasional)
                self.assertEqual(self.get(people[name], self.mandiri_url).status_code, mandiri)
                self.assertEqual(
                    self.get(people[name], self.mandiri_url, **HTMX).status_code, mandiri
                )

    def test_it_names_its_urls(self):
        self.assertEqual(reverse("scoring:ranking_list"), "/peringkat/")
        self.assertEqual(reverse("scoring:ranking_detail", args=[self.cycle.pk]), self.url)

    def test_it_answers_404_for_a_cycle_that_does_not_exist(self):
        self.assertEqual(self.get(self.admin, "/peringkat/999999/").status_code, 404)

    def test_it_lists_the_cycles_each_person_may_rank(self):
        nasional, mandiri = "PEKPPP Nasional 2024", "PEKPPP Mandiri Lampung 2024"
        expected = {
            "admin": ([nasional, mandiri], []),
            "coordinator": ([mandiri], [nasional]),
            "outsider": (["Belum ada peringkat yang dapat Anda lihat."], [nasional, mandiri]),
            "evaluator": (["Belum ada peringkat yang dapat Anda lihat."], [nasional, mandiri]),
        }
        for name, (present, absent) in expected.items():
            with self.subTest(persona=name):
                response = self.get(self.personas()[name], "/peringkat/")
                self.assertEqual(response.status_code, 200)
                for text in present:
                    self.assertContains(response, text)
                for text in absent:
                    self.assertNotContains(response, text)
        response = self.get(self.admin, "/peringkat/")
        self.assertContains(response, f'href="{self.url}"')

    def test_it_shows_the_ranking_and_the_group_summary(self):
        response = self.get(self.admin)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "scoring/ranking_detail.html")
        self.assertContains(response, "css/ranking.css")
        self.assertContains(response, "Ringkasan per kelompok")
        rows = response.context["ranking"].page.rows
        self.assertEqual(
            [(r.rank, r.unit, r.ipp) for r in rows],
            [
                (1, "Disdukcapil Kabupaten Lampung Selatan", Decimal("4.79")),
                (2, "Disdukcapil Kabupaten Tanggamus", Decimal("4.20")),
            ],
        )
        # Bahasa Indonesia writes decimals with a comma; (4.79 + 4.20) / 2 = 4.495 → 4,50.
        self.assertContains(
            response, '<td class="num" data-label="IPP"><strong>4,79</strong></td>', html=True
        )
        summary = response.context["ranking"].summary
        self.assertEqual(summary.groups[0].aspects[:2], (Decimal("4.50"), Decimal("4.49")))
        self.assertEqual(
            summary.groups[0].aspect_cells[:2], (("I", Decimal("4.50")), ("II", Decimal("4.49")))
        )
        # Average IPP and aspect I, for Kabupaten/Kota and for all groups; each cell carries
        # its column's heading for the stacked rows of a phone.
        self.assertContains(response, '<td class="num" data-label="IPP">4,50</td>', count=2)
        self.assertContains(response, '<td class="num" data-label="I">4,50</td>', count=2)

    def test_it_renders_only_the_table_for_htmx(self):
        response = self.get(self.admin, f"{self.url}?q=tanggamus", **HTMX)
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertTrue(content.lstrip().startswith('<div id="ranking-table"'))
        self.assertNotIn("<html", content)
        self.assertNotIn("Ringkasan per kelompok", content)
        self.assertIn("Disdukcapil Kabupaten Tanggamus", content)
        self.assertNotIn("Disdukcapil Kabupaten Lampung Selatan", content)
        self.assertIn("HX-Request", response["Vary"])

    def test_it_renders_the_whole_page_when_htmx_restores_history(self):
        response = self.get(self.admin, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
        self.assertContains(response, "<html")
        self.assertContains(response, "Ringkasan per kelompok")

    def test_it_works_as_a_plain_get_form(self):
        response = self.get(
            self.admin, f"{self.url}?kelompok=kabkota&jenis=disdukcapil&provinsi=18&predikat=A&q="
        )
        self.assertContains(response, '<form class="rank-filters" method="get"')
        self.assertContains(response, 'hx-get="/peringkat/')
        self.assertContains(response, '<option value="kabkota" selected>', html=False)
        self.assertContains(response, '<option value="A" selected>', html=False)
        self.assertEqual(
            [r.unit for r in response.context["ranking"].page.rows],
            ["Disdukcapil Kabupaten Lampung Selatan"],
        )
        self.assertEqual(response.context["problems"], [])

    def test_it_shows_the_change_since_last_year(self):
        earlier = f.make_cycle(
            self.instrument, year=2023, owner=self.kemenpan, name="PEKPPP Nasional 2023"
        )
        make_result(f.make_assessment(earlier, self.unit), "4.99")
        make_result(f.make_assessment(earlier, self.other_unit), "4.00")
        response = self.get(self.admin)
        self.assertContains(
            response,
            '<td class="num trend trend-down" data-label="Perubahan">-0,20</td>',
            html=True,
        )
        self.assertContains(
            response, '<td class="num trend trend-up" data-label="Perubahan">+0,20</td>', html=True
        )
        self.assertContains(response, "4,99")

    def test_it_explains_bad_filter_values_instead_of_failing(self):
        cases = {
            "kelompok=xyz": "Kelompok “xyz” tidak dikenal; filter kelompok diabaikan.",
            "jenis=tidak-ada": "Jenis layanan “tidak-ada” tidak dikenal",
            "provinsi=99": "Provinsi “99” tidak dikenal",
            "predikat=Z": "Predikat “Z” tidak dikenal",
            "halaman=abc": "Nomor halaman “abc” tidak valid; halaman pertama ditampilkan.",
            "halaman=-3": "Nomor halaman “-3” tidak valid",
            "halaman=0": "Nomor halaman “0” tidak valid",
            "halaman=%C2%B2": "Nomor halaman “²” tidak valid",
            f"halaman={'9' * 5000}": "tidak valid; halaman pertama ditampilkan.",
            "halaman=9999": "Halaman 9999 tidak ada; hasil ini hanya 1 halaman.",
            "halaman=99999999999999999999999": "tidak ada; hasil ini hanya 1 halaman.",
        }
        for params, message in cases.items():
            for extra in ({}, HTMX):
                with self.subTest(params=params, htmx=bool(extra)):
                    response = self.get(self.admin, f"{self.url}?{params}", **extra)
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, message)
        self.assertNotContains(
            self.get(self.admin, f"{self.url}?halaman=9999"), "Disdukcapil Kabupaten Tanggamus"
        )
        self.assertContains(
            self.get(self.admin, f"{self.url}?halaman=abc"), "Disdukcapil Kabupaten Tanggamus"
        )
        long_search = self.get(self.admin, f"{self.url}?q={'x' * 5000}")
        self.assertContains(long_search, "Tidak ada unit yang sesuai dengan filter.")

    def test_it_says_when_a_cycle_has_no_results_yet(self):
        empty = f.make_cycle(self.instrument, year=2025, owner=self.kemenpan)
        response = self.get(self.admin, f"/peringkat/{empty.pk}/")
        self.assertContains(response, "Belum ada hasil penilaian dalam periode ini.")

    def test_it_links_pages_for_htmx_and_for_plain_browsers(self):
        make_ranked_units(
            self.cycle, ["3.00"] * 60, agency=self.tanggamus, service_type=self.unit.service_type
        )
        response = self.get(self.admin, f"{self.url}?kelompok=kabkota&halaman=2")
        self.assertContains(response, 'href="?kelompok=kabkota&amp;halaman=1"')
        self.assertContains(response, 'hx-get="?kelompok=kabkota&amp;halaman=1"')
        self.assertContains(response, "Halaman 2 dari 2")
        # 4.79 and 4.20 lead; the 60 units at 3.00 all share rank 3, on both pages.
        page = response.context["ranking"].page
        self.assertEqual(([r.rank for r in page.rows], page.start, page.end), ([3] * 12, 51, 62))


class RankingQueryCountTest(PersonaTestCase):
    def add_units(self, count):
        results = make_ranked_units(
            self.cycle,
            [Decimal("4.00")] * (count // 2) + [Decimal("3.00")] * (count - count // 2),
            agency=self.tanggamus,
            service_type=self.unit.service_type,
        )
        earlier = f.make_cycle(self.instrument, year=2023, owner=self.kemenpan)
        make_ranked_units(
            earlier,
            ["3.50"] * count,
            agency=self.tanggamus,
            service_type=self.unit.service_type,
            units=[r.assessment.unit for r in results],
        )

    def test_it_renders_a_ranking_in_constant_queries(self):
        # Counts are taken from the small case: how the session is read is not this page's
        # business. The ranking's own queries are counted exactly in test_rankings.
        self.client.force_login(self.admin)
        url = f"/peringkat/{self.cycle.pk}/?kelompok=kabkota&jenis=disdukcapil&q=Unit"
        self.add_units(20)
        with CaptureQueriesContext(connection) as page_queries:
            small = self.client.get(url)
        with CaptureQueriesContext(connection) as table_queries:
            small_table = self.client.get(url, **HTMX)
        # The htmx table skips the summary (aspects, groups and grades, aspect sums) and the
        # top bar's unread count.
        self.assertEqual(len(page_queries) - len(table_queries), 4)
        self.add_units(280)
        with self.assertNumQueries(len(page_queries)):
            large = self.client.get(url)
        with self.assertNumQueries(len(page_queries) - 1):  # the aspect sums are cached now
            self.client.get(url)
        with self.assertNumQueries(len(table_queries)):
            large_table = self.client.get(url, **HTMX)
        self.assertEqual(len(small.context["ranking"].page.rows), 20)
        self.assertEqual(large.context["ranking"].page.count, 300)
        self.assertEqual(small_table.content.count(b"<tr>"), 21)
        self.assertEqual(large_table.content.count(b"<tr>"), 51)
        self.assertEqual(large.context["ranking"].page.rows[0].previous_ipp, Decimal("3.50"))

    def test_it_lists_cycles_in_constant_queries(self):
        self.client.force_login(self.admin)
        self.add_units(5)
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/peringkat/")
        for year in (2019, 2020, 2021):
            cycle = f.make_cycle(
                self.instrument, year=year, scheme=Scheme.KHUSUS, owner=self.kemenpan
            )
            make_ranked_units(
                cycle, ["4.00"] * 3, agency=self.tanggamus, service_type=self.unit.service_type
            )
        with self.assertNumQueries(len(queries)):
            response = self.client.get("/peringkat/")
        self.assertEqual(len(response.context["cycles"]), 5)
