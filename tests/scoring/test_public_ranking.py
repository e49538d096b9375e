"""The public ranking of a published cycle: ranks as published, filters, search, pages."""

from decimal import Decimal
from unittest import skipUnless

from django.db import connection
from django.test import TestCase
from django.urls import reverse

from scoring.models import PublishedResult, Result
from scoring.selectors.public import SEARCH_NAMES, _in_names
from tests import factories as f
from units.models import AgencyKind
from units.selectors import name_search_q

from .factories import make_ranked_units
from .public_factories import PublicPagesTestCase, table


class PublicRankingTest(PublicPagesTestCase):
    def get(self, cycle=None, **params):
        url = reverse("public:ranking", args=[(cycle or self.cycle).pk])
        return self.client.get(url, params)

    def rows(self, response) -> list[list[str]]:
        return table(response, "ranking-table")[1:]

    def test_it_lists_every_unit_with_published_ranks_and_indices(self):
        # 5, and the current publications read for the ETag (`public_state`)
        with self.assertNumQueries(6):
            response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            table(response, "ranking-table")[0],
            ["Kel.", "Nas.", "Unit", "Wilayah dan jenis", "I", "II", "III", "IV", "V", "VI"]
            + ["IPP", "Predikat"],
        )
        rows = self.rows(response)
        self.assertEqual(
            rows[0],
            [
                "1",
                "1",
                "Disdukcapil Lampung Selatan Kabupaten Lampung Selatan",
                "Kabupaten/Kota Lampung Disdukcapil",
                *("4,79", "4,50", "4,61", "4,40", "4,55", "4,60"),
                "4,60",
                "A Pelayanan Prima",
            ],
        )
        self.assertEqual(
            [(r[0], r[1], r[2].split(" Kab")[0].split(" Pem")[0]) for r in rows[1:]],
            [
                ("1", "2", "Direktorat Layanan KemenX Kementerian X"),
                ("1", "3", "DPMPTSP Provinsi Lampung"),
                ("2", "4", "Disdukcapil Pesawaran"),
                ("2", "4", "Disdukcapil Tanggamus"),
                ("4", "6", "Disdukcapil Kota Bandung Kota Bandung"),
            ],
        )
        self.assertContains(response, reverse("public:unit", args=[self.lamsel_unit.pk]))
        self.assertContains(response, "Unit 1–6 dari 6.")

    def test_it_filters_by_group_province_service_type_and_grade(self):
        cases = [
            ({"kelompok": "kabkota"}, ["4,60", "3,50", "3,50", "2,90"]),
            ({"provinsi": "32"}, ["2,90"]),
            ({"provinsi": "18", "predikat": "B-"}, ["3,50", "3,50"]),
            ({"jenis": "dpmptsp"}, ["4,20", "3,90"]),
            ({"kelompok": "provinsi", "jenis": "dpmptsp"}, ["3,90"]),
            ({"predikat": "A"}, ["4,60"]),
        ]
        for params, ipps in cases:
            with self.subTest(params=params):
                response = self.get(**params)
                self.assertEqual([row[-2] for row in self.rows(response)], ipps)
                self.assertNotContains(response, 'role="alert"')

    def test_it_keeps_the_published_ranks_under_a_filter(self):
        rows = self.rows(self.get(kelompok="kabkota"))
        self.assertEqual(
            [(r[0], r[1]) for r in rows], [("1", "1"), ("2", "4"), ("2", "4"), ("4", "6")]
        )

    def test_it_searches_every_word_in_unit_agency_and_province_names(self):
        lamsel = "Disdukcapil Lampung Selatan Kabupaten Lampung Selatan"
        pesawaran = "Disdukcapil Pesawaran Kabupaten Pesawaran"
        tanggamus = "Disdukcapil Tanggamus Kabupaten Tanggamus"
        bandung = "Disdukcapil Kota Bandung Kota Bandung"
        cases = [
            ("  DISDUKCAPIL lampung ", [lamsel, pesawaran, tanggamus]),
            ("dukcapil lampung selatan", [lamsel]),
            ("selatan dukcapil", [lamsel]),
            ("kabupaten tanggamus", [tanggamus]),
            ("kab. pesawaran", [pesawaran]),
            ("jawa barat", [bandung]),
            ("Dinas Kependudukan dan Pencatatan Sipil bandung", [bandung]),
        ]
        for search, units in cases:
            with self.subTest(search=search):
                self.assertEqual([r[2] for r in self.rows(self.get(q=search))], units)
        rows = self.rows(self.get(q="pelayanan terpadu satu pintu"))
        self.assertEqual([r[2].split(" Pemerintah")[0] for r in rows], ["DPMPTSP Provinsi Lampung"])
        for search in ("tidak ada unit ini", "lampung bandung"):
            response = self.get(q=search)
            self.assertContains(response, "Tidak ada unit yang sesuai dengan filter.")

    def test_it_reports_invalid_filters_and_ignores_them(self):
        response = self.get(kelompok="desa", provinsi="99", jenis="nope", predikat="Z", halaman="x")
        self.assertEqual(response.status_code, 200)
        for message in (
            "Kelompok “desa” tidak dikenal; filter kelompok diabaikan.",
            "Provinsi “99” tidak dikenal; filter provinsi diabaikan.",
            "Jenis layanan “nope” tidak dikenal; filter jenis layanan diabaikan.",
            "Predikat “Z” tidak dikenal; filter predikat diabaikan.",
            "Nomor halaman “x” tidak valid; halaman pertama ditampilkan.",
        ):
            self.assertContains(response, message)
        self.assertEqual(len(self.rows(response)), 6)

    def test_it_reports_a_page_beyond_the_last(self):
        for page in ("2", "99999999999999999999"):
            with self.subTest(page=page):
                response = self.get(halaman=page)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "tidak ada; hasil ini hanya 1 halaman.")

    def test_it_answers_htmx_with_the_table_only(self):
        url = reverse("public:ranking", args=[self.cycle.pk])
        response = self.client.get(url, {"kelompok": "provinsi"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        self.assertTrue(html.lstrip().startswith('<div id="ranking-table"'))
        self.assertNotIn("<form", html)
        self.assertEqual([r[-2] for r in self.rows(response)], ["3,90"])
        self.assertIn("HX-Request", response["Vary"])

    def test_it_reads_the_publication_not_the_live_results(self):
        Result.objects.filter(cycle=self.cycle).update(ipp=Decimal("1.00"), grade="F")
        self.assertEqual(self.rows(self.get(predikat="A"))[0][-2], "4,60")

    def test_it_is_not_found_for_an_unpublished_or_missing_cycle(self):
        self.assertEqual(self.get(self.unpublished).status_code, 404)
        url = reverse("public:ranking", args=[987654])
        self.assertEqual(self.client.get(url).status_code, 404)


class PublicRankingPagesTest(PublicPagesTestCase):
    """A published cycle of 130 units: three pages, the same queries on each."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        instrument = f.make_instrument("PUBLIK-BESAR")
        cls.big = f.make_cycle(instrument, year=2023, name="PEKPPP Besar 2023")
        kota = f.make_agency("Kota Metro", AgencyKind.KOTA, cls.lampung)
        kemen = f.make_agency("Kementerian Y", AgencyKind.KEMENTERIAN)
        ipps = [Decimal(450 - i % 90).scaleb(-2) for i in range(100)]
        make_ranked_units(cls.big, ipps, agency=kota, service_type=cls.disdukcapil, prefix="Kota")
        make_ranked_units(
            cls.big, ipps[:30], agency=kemen, service_type=cls.dpmptsp, prefix="Kemen"
        )
        f.publish(cls.big, cls.admin)

    def get(self, **params):
        return self.client.get(reverse("public:ranking", args=[self.big.pk]), params)

    def test_it_pages_fifty_rows_with_a_constant_number_of_queries(self):
        for params in (
            {},
            {"halaman": "2"},
            {"halaman": "3"},
            {"kelompok": "kabkota", "halaman": "2"},
            {"provinsi": "18", "predikat": "B"},
            {"q": "kemen"},
        ):
            with self.subTest(params=params), self.assertNumQueries(6):
                response = self.get(**params)
            self.assertEqual(response.status_code, 200)
        rows = table(self.get(halaman="3"), "ranking-table")[1:]
        self.assertEqual(len(rows), 30)
        self.assertContains(self.get(halaman="2"), "Unit 51–100 dari 130.")

    def test_it_orders_ties_by_name_across_pages(self):
        first = table(self.get(), "ranking-table")[1:]
        # 4.50 is shared by Kemen 0001, Kota 0001 and Kota 0091: national rank 1 for all three.
        self.assertEqual(
            [(r[1], r[2].split(" ")[0] + " " + r[2].split(" ")[1]) for r in first[:4]],
            [("1", "Kemen 0001"), ("1", "Kota 0001"), ("1", "Kota 0091"), ("4", "Kemen 0002")],
        )


@skipUnless(connection.vendor == "postgresql", "the trigram index exists on PostgreSQL only")
class PublicSearchIndexTest(TestCase):
    def test_the_trigram_index_serves_every_word_of_a_search(self):
        # Migration 0006 compiles the index from the same expression as the search; a change
        # to one without the other would leave every search reading the whole publication.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        rows = PublishedResult.objects.alias(names=SEARCH_NAMES).filter(
            name_search_q("dukcapil lampung", ("names",), match=_in_names)
        )
        self.assertIn("pubres_names_trgm", rows.explain())
