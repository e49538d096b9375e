"""The public pages of published results: index, overview, ranking and unit pages."""

import json
import re
from decimal import Decimal

from django.urls import reverse

from scoring.models import Publication, Result
from tests import factories as f

from .public_factories import PublicPagesTestCase, table


class IndexTest(PublicPagesTestCase):
    def test_it_lists_published_cycles_newest_first_for_anonymous_visitors(self):
        with self.assertNumQueries(2):  # the current publications for the ETag, the list
            response = self.client.get(reverse("public:index"))
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertLess(text.index("PEKPPP Nasional 2023"), text.index("PEKPPP Nasional 2022"))
        self.assertNotIn("PEKPPP Nasional 2024", text)
        latest = text[text.index('class="card pub-latest"') :]
        self.assertIn(reverse("public:overview", args=[self.cycle.pk]), latest)
        self.assertIn("3,77", latest)

    def test_it_says_so_when_nothing_is_published(self):
        Publication.objects.update(is_current=False)
        response = self.client.get(reverse("public:index"))
        self.assertContains(response, "Belum ada hasil evaluasi yang dipublikasikan.")

    def test_it_links_the_results_from_every_page_header(self):
        response = self.client.get(reverse("public:index"))
        self.assertContains(response, f'href="{reverse("public:index")}">Hasil PEKPPP</a>', 1)
        self.client.force_login(self.admin)
        response = self.client.get(reverse("public:overview", args=[self.cycle.pk]))
        self.assertContains(response, f'<a href="{reverse("public:index")}">Hasil PEKPPP</a>')


class OverviewTest(PublicPagesTestCase):
    def url(self, cycle=None):
        return reverse("public:overview", args=[(cycle or self.cycle).pk])

    def test_it_shows_the_national_figures_from_the_publication_in_one_query_and_the_etags(self):
        self.client.get(self.url())  # the province map's figures are cached after one visit
        with self.assertNumQueries(2):  # the current publications (ETag), the publication
            response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<dd class="pub-big" id="ipp-nasional">3,77</dd>', html=True)
        self.assertEqual(
            table(response, "tabel-kelompok"),
            [
                ["Kelompok", "Unit", "Rata-rata IPP"],
                ["Kementerian/Lembaga", "1", "4,20"],
                ["Provinsi", "1", "3,90"],
                ["Kabupaten/Kota", "4", "3,63"],  # 14.50 / 4 = 3.625, half-up
                ["Nasional", "6", "3,77"],  # 22.60 / 6
            ],
        )
        self.assertEqual(
            table(response, "tabel-provinsi")[1:],
            # 15.50 / 4 = 3.875; one of Lampung's four units is graded A
            [["Jawa Barat", "1", "2,90", "0%"], ["Lampung", "4", "3,88", "25%"]],
        )

    def test_it_shows_the_grade_distribution_nationally_and_per_group(self):
        rows = table(self.client.get(self.url()), "tabel-predikat")
        self.assertEqual(rows[0], ["Predikat", "Nasional", "K/L", "Provinsi", "Kab/Kota"])
        self.assertEqual(
            rows[1:],
            [
                ["A Pelayanan Prima", "1", "0", "0", "1"],
                ["A- Sangat Baik", "1", "1", "0", "0"],
                ["B Baik", "1", "0", "1", "0"],
                ["B- Baik (Dengan Catatan)", "2", "0", "0", "2"],
                ["C Cukup", "1", "0", "0", "1"],
                ["C- Cukup (Dengan Catatan)", "0", "0", "0", "0"],
                ["D Buruk", "0", "0", "0", "0"],
                ["E Sangat Buruk", "0", "0", "0", "0"],
                ["F Gagal", "0", "0", "0", "0"],
            ],
        )

    def test_it_shows_aspect_averages_and_top_units(self):
        response = self.client.get(self.url())
        rows = table(response, "tabel-aspek")
        # Aspect I: 4.20 + 3.90 + 4.79 + 3.50 + 3.50 + 2.90 = 22.79 / 6 = 3.798…; K/L 4.20.
        self.assertEqual(rows[1], ["I. Kebijakan Pelayanan", "3,80", "4,20", "3,90", "3,67"])
        self.assertEqual(rows[4][:2], ["IV. Sistem Informasi Pelayanan Publik", "3,73"])
        top = table(response, "tabel-terbaik")
        self.assertEqual(
            top[1:],
            [
                ["1", "Disdukcapil Lampung Selatan Kabupaten Lampung Selatan · Kabupaten/Kota"]
                + ["4,60", "A"],
                [
                    "2",
                    "Direktorat Layanan KemenX Kementerian X · Kementerian/Lembaga",
                    "4,20",
                    "A-",
                ],
                [
                    "3",
                    "DPMPTSP Provinsi Lampung Pemerintah Provinsi Lampung · Provinsi",
                    "3,90",
                    "B",
                ],
                ["4", "Disdukcapil Pesawaran Kabupaten Pesawaran · Kabupaten/Kota", "3,50", "B-"],
                ["4", "Disdukcapil Tanggamus Kabupaten Tanggamus · Kabupaten/Kota", "3,50", "B-"],
                ["6", "Disdukcapil Kota Bandung Kota Bandung · Kabupaten/Kota", "2,90", "C"],
            ],
        )
        self.assertContains(response, reverse("public:unit", args=[self.lamsel_unit.pk]))

    def test_it_gives_the_charts_the_figures_of_the_tables(self):
        response = self.client.get(self.url())
        found = re.search(
            r'<script id="overview-charts" type="application/json">(.*?)</script>',
            response.content.decode(),
        )
        charts = json.loads(found.group(1))
        self.assertEqual(
            charts["ipp"],
            {
                "labels": ["Nasional", "K/L", "Provinsi", "Kab/Kota"],
                "values": ["3.77", "4.20", "3.90", "3.63"],
            },
        )
        self.assertEqual(charts["grades"]["values"], [1, 1, 1, 2, 1, 0, 0, 0, 0])
        self.assertEqual(charts["aspects"]["labels"], list(f.ASPECTS))
        self.assertEqual(charts["aspects"]["values"][0], "3.80")
        self.assertContains(response, 'vendor/chartist/chartist.min.js" defer')

    def test_it_reads_the_publication_not_the_live_results(self):
        Result.objects.filter(cycle=self.cycle).update(ipp=Decimal("1.00"), grade="F")
        response = self.client.get(self.url())
        self.assertContains(response, '<dd class="pub-big" id="ipp-nasional">3,77</dd>', html=True)

    def test_it_shows_the_current_revision_after_a_correction(self):
        Result.objects.filter(assessment__unit=self.bandung_unit, cycle=self.cycle).update(
            ipp=Decimal("3.50"), grade="B-"
        )
        f.publish(self.cycle, self.admin, reason="Salah ketik nilai Kota Bandung")
        response = self.client.get(self.url())
        self.assertContains(response, '<dd class="pub-big" id="ipp-nasional">3,87</dd>', html=True)
        self.assertContains(response, "revisi 2")

    def test_it_is_not_found_for_an_unpublished_or_missing_cycle(self):
        for cycle_pk in (self.unpublished.pk, 987654):
            with self.subTest(cycle_pk=cycle_pk):
                response = self.client.get(reverse("public:overview", args=[cycle_pk]))
                self.assertEqual(response.status_code, 404)

    def test_it_is_not_found_once_no_revision_is_current(self):
        Publication.objects.filter(cycle=self.cycle).update(is_current=False)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
