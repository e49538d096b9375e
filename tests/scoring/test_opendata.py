"""Open data of published results: the API (/api/v1/published/…), each revision's CSV and XLSX
file, and the data page with its licence and data dictionary."""

import csv
import io
from decimal import Decimal

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from scoring.api import PublishedCycleList, PublishedResultList
from scoring.models import Result
from scoring.selectors.opendata import file_key
from scoring.tasks import opendata_files_build
from tests import factories as f
from units.middleware import SESSION_KEY
from units.models import AgencyKind

from .factories import make_ranked_units
from .public_factories import PublicPagesTestCase, table

HEADER = [
    "unit_id",
    "unit_name",
    "agency_id",
    "agency_name",
    "province_code",
    "province_name",
    "ranking_group",
    "service_type_code",
    "service_type_name",
    "aspect_I",
    "aspect_II",
    "aspect_III",
    "aspect_IV",
    "aspect_V",
    "aspect_VI",
    "evaluator_index",
    "survey_index",
    "respondents",
    "survey_reason",
    "ipp",
    "grade",
    "grade_label",
    "rank_national",
    "rank_group",
    "rank_service_type",
]


class OpenDataTestCase(PublicPagesTestCase):
    def setUp(self):
        cache.clear()  # the files are kept in the cache under their revision

    def results_url(self, cycle=None):
        return reverse("opendata:results", args=[(cycle or self.cycle).pk])

    def file_url(self, fmt: str, revision: int = 1, cycle=None):
        return reverse(f"public:data_{fmt}", args=[(cycle or self.cycle).pk, revision])

    def not_found_for_everyone(self, urls):
        """The answers to `urls` for an anonymous visitor, then for the ministry's admin (who
        sees everything else): each must be a 404 that no cache keeps."""
        for user in (None, self.admin):
            if user:
                self.client.force_login(user)
            for url in urls:
                with self.subTest(url=url, user=user):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn("public", response.get("Cache-Control", ""))
                    yield response

    def lamsel_row(self) -> dict:
        """Disdukcapil Lampung Selatan as the API gives it (first nationally)."""
        return {
            "unit_id": self.lamsel_unit.pk,
            "unit_name": "Disdukcapil Lampung Selatan",
            "agency_id": self.lamsel_unit.agency_id,
            "agency_name": "Kabupaten Lampung Selatan",
            "province_code": "18",
            "province_name": "Lampung",
            "ranking_group": "kabkota",
            "service_type_code": "disdukcapil",
            "service_type_name": "Disdukcapil",
            "aspects": {
                "I": "4.79",
                "II": "4.50",
                "III": "4.61",
                "IV": "4.40",
                "V": "4.55",
                "VI": "4.60",
            },
            "evaluator_index": "4.60",
            "survey_index": "4.52",
            "respondents": 12,
            "survey_reason": "",
            "ipp": "4.60",
            "grade": "A",
            "grade_label": "Pelayanan Prima",
            "rank_national": 1,
            "rank_group": 1,
            "rank_service_type": 1,
        }


class PublishedCyclesApiTest(OpenDataTestCase):
    url = reverse("opendata:cycles")

    def test_it_lists_published_cycles_with_their_current_revision_to_anyone(self):
        with self.assertNumQueries(2):
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["count"], 2)
        self.assertEqual(
            [c["name"] for c in body["results"]],
            [
                "PEKPPP Nasional 2023",
                "PEKPPP Nasional 2022",
            ],
        )
        first = body["results"][0]
        published_at = first.pop("published_at")
        self.assertTrue(published_at.startswith(f"{self.publication.published_at:%Y-%m-%d}"))
        pk = self.cycle.pk
        self.assertEqual(
            first,
            {
                "cycle": pk,
                "name": "PEKPPP Nasional 2023",
                "year": 2023,
                "scheme": "nasional",
                "revision": 1,
                "correction_reason": "",
                "result_count": 6,
                "national_ipp": "3.77",
                "licence": "CC BY 4.0",
                "links": {
                    "results": f"http://testserver/api/v1/published/{pk}/results/",
                    "csv": f"http://testserver/hasil/{pk}/data/r1.csv",
                    "xlsx": f"http://testserver/hasil/{pk}/data/r1.xlsx",
                    "page": f"http://testserver/hasil/{pk}/data/",
                },
            },
        )
        self.assertEqual(response["Cache-Control"], "public, max-age=60")
        self.assertIn("Last-Modified", response)

    def test_it_answers_a_conditional_request_until_a_correction(self):
        etag = self.client.get(self.url)["ETag"]
        with self.assertNumQueries(1):
            response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["Cache-Control"], "public, max-age=60")
        f.publish(self.cycle, self.admin, reason="Salah ketik")
        response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["ETag"], etag)
        first = response.json()["results"][0]
        self.assertEqual((first["revision"], first["correction_reason"]), (2, "Salah ketik"))
        self.assertTrue(first["links"]["csv"].endswith("/r2.csv"))

    def test_it_ignores_a_session_and_a_token(self):
        self.client.force_login(self.admin)
        response = self.client.get(self.url, headers={"authorization": "Token nonsense"})
        self.assertEqual(response.status_code, 200)

    def test_it_counts_every_caller_per_address(self):
        for view in (PublishedCycleList, PublishedResultList):
            with self.subTest(view=view.__name__):
                throttles = [f"{t.__module__}.{type(t).__name__}" for t in view().get_throttles()]
                self.assertIn("pekppp.api.AnonThrottle", throttles)

    def test_it_does_not_wait_for_the_second_factor(self):
        self.client.force_login(self.admin)
        session = self.client.session
        session[SESSION_KEY] = "verify"
        session.save()
        self.assertEqual(self.client.get(self.results_url()).status_code, 200)
        self.assertEqual(self.client.get("/").status_code, 302)


class PublishedResultsApiTest(OpenDataTestCase):
    def test_it_gives_the_current_revision_rows_by_national_rank(self):
        response = self.client.get(self.results_url())
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["count"], 6)
        self.assertEqual(body["results"][0], self.lamsel_row())
        self.assertEqual(
            [(r["unit_name"], r["rank_national"], r["rank_group"]) for r in body["results"]],
            [
                ("Disdukcapil Lampung Selatan", 1, 1),
                ("Direktorat Layanan KemenX", 2, 1),
                ("DPMPTSP Provinsi Lampung", 3, 1),
                ("Disdukcapil Pesawaran", 4, 2),
                ("Disdukcapil Tanggamus", 4, 2),
                ("Disdukcapil Kota Bandung", 6, 4),
            ],
        )
        kl = body["results"][1]
        self.assertEqual(
            (kl["province_code"], kl["province_name"], kl["survey_index"], kl["survey_reason"]),
            (None, "", None, "no_survey"),
        )
        self.assertEqual(response["Cache-Control"], "public, max-age=60")

    def test_it_serves_the_snapshot_not_the_live_results(self):
        Result.objects.filter(cycle=self.cycle).update(ipp=Decimal("1.00"), grade="F")
        self.lamsel_unit.name = "Renamed"
        self.lamsel_unit.save()
        self.assertEqual(
            self.client.get(self.results_url()).json()["results"][0], self.lamsel_row()
        )

    def test_it_is_a_404_for_everyone_before_publication(self):
        missing = reverse("opendata:results", args=[99999999])
        for response in self.not_found_for_everyone([self.results_url(self.unpublished), missing]):
            self.assertEqual(set(response.json()), {"detail"})

    def test_it_answers_conditional_requests(self):
        first = self.client.get(self.results_url())
        for headers in (
            {"if-none-match": first["ETag"]},
            {"if-modified-since": first["Last-Modified"]},
        ):
            with self.subTest(headers=headers):
                response = self.client.get(self.results_url(), headers=headers)
                self.assertEqual(response.status_code, 304)
                self.assertEqual(response.content, b"")
        response = self.client.get(self.results_url(), headers={"if-none-match": '"other"'})
        self.assertEqual(response.status_code, 200)

    def test_it_filters_by_group_province_service_type_and_grade(self):
        cases = {
            "group=kabkota": 4,
            "province=32": 1,
            "service_type=dpmptsp": 2,
            "grade=B-": 2,
            "group=kabkota&province=18&grade=A": 1,
        }
        for query, count in cases.items():
            with self.subTest(query=query):
                response = self.client.get(f"{self.results_url()}?{query}")
                self.assertEqual(response.json()["count"], count)

    def test_it_refuses_bad_parameters_with_a_message_per_field(self):
        cases = {
            "group=nope": "group",
            "page_size=100000000000000000000": "page_size",
            "page_size=x": "page_size",
        }
        for query, field in cases.items():
            with self.subTest(query=query):
                response = self.client.get(f"{self.results_url()}?{query}")
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), [field])
        response = self.client.get(f"{self.results_url()}?page=99")
        self.assertEqual(response.status_code, 404)


class OpenDataFilesTest(OpenDataTestCase):
    def test_it_writes_the_revision_as_csv_with_dot_decimals(self):
        with self.assertNumQueries(2):
            response = self.client.get(self.file_url("csv"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"],
            f'attachment; filename="pekppp-2023-{self.cycle.pk}-r1.csv"',
        )
        self.assertEqual(response["Cache-Control"], "public, max-age=31536000, immutable")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
        self.assertEqual(rows[0], HEADER)
        self.assertEqual(
            rows[1],
            [
                str(self.lamsel_unit.pk),
                "Disdukcapil Lampung Selatan",
                str(self.lamsel_unit.agency_id),
                "Kabupaten Lampung Selatan",
                "18",
                "Lampung",
                "kabkota",
                "disdukcapil",
                "Disdukcapil",
                "4.79",
                "4.50",
                "4.61",
                "4.40",
                "4.55",
                "4.60",
                "4.60",
                "4.52",
                "12",
                "",
                "4.60",
                "A",
                "Pelayanan Prima",
                "1",
                "1",
                "1",
            ],
        )
        self.assertEqual(rows[2][4:6] + rows[2][16:19], ["", "", "", "0", "no_survey"])
        self.assertEqual(len(rows), 7)
        # Built once: the next download reads the revision and the cache.
        with self.assertNumQueries(1):
            self.client.get(self.file_url("csv"))

    def test_it_writes_the_revision_as_xlsx_with_numbers_as_numbers(self):
        response = self.client.get(self.file_url("xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows())
        self.assertEqual([c.value for c in rows[0]], HEADER)
        self.assertEqual(
            [c.value for c in rows[1]],
            [
                self.lamsel_unit.pk,
                "Disdukcapil Lampung Selatan",
                self.lamsel_unit.agency_id,
                "Kabupaten Lampung Selatan",
                "18",
                "Lampung",
                "kabkota",
                "disdukcapil",
                "Disdukcapil",
                4.79,
                4.5,
                4.61,
                4.4,
                4.55,
                4.6,
                4.6,
                4.52,
                12,
                None,
                4.6,
                "A",
                "Pelayanan Prima",
                1,
                1,
                1,
            ],
        )
        ipp = rows[1][HEADER.index("ipp")]
        self.assertEqual((ipp.data_type, ipp.number_format), ("n", "0.00"))
        self.assertEqual(rows[1][HEADER.index("province_code")].data_type, "s")
        self.assertEqual(len(rows), 7)

    def test_it_builds_a_new_revision_files_in_a_job_after_publication(self):
        with self.captureOnCommitCallbacks() as callbacks:
            publication = f.publish(self.cycle, self.admin, reason="Koreksi")
        jobs = [c for c in callbacks if getattr(c, "func", None) == opendata_files_build.delay]
        self.assertEqual([job.args for job in jobs], [(publication.pk,)])
        opendata_files_build(publication.pk)
        for fmt in ("csv", "xlsx"):
            with self.subTest(fmt=fmt), self.assertNumQueries(1):  # the revision; no rows
                response = self.client.get(self.file_url(fmt, revision=2))
            self.assertEqual(response.status_code, 200)

    def test_it_asks_to_come_back_while_another_process_builds_the_file(self):
        lock = file_key(self.publication, "xlsx") + ":building"
        cache.add(lock, 1)
        response = self.client.get(self.file_url("xlsx"))
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertNotIn("ETag", response)
        self.assertNotIn("Last-Modified", response)
        self.assertEqual(self.client.get(self.file_url("csv")).status_code, 200)
        cache.delete(lock)
        self.assertEqual(self.client.get(self.file_url("xlsx")).status_code, 200)
        self.assertIsNone(cache.get(lock))

    def test_it_answers_conditional_requests_with_a_long_lived_304(self):
        for fmt in ("csv", "xlsx"):
            with self.subTest(fmt=fmt):
                etag = self.client.get(self.file_url(fmt))["ETag"]
                with self.assertNumQueries(1):
                    response = self.client.get(self.file_url(fmt), headers={"if-none-match": etag})
                self.assertEqual(response.status_code, 304)
                self.assertEqual(response["Cache-Control"], "public, max-age=31536000, immutable")

    def test_it_keeps_each_revision_file_after_a_correction(self):
        before = self.client.get(self.file_url("csv")).content
        Result.objects.filter(assessment__unit=self.bandung_unit).update(ipp=Decimal("3.00"))
        f.publish(self.cycle, self.admin, reason="Koreksi Bandung")
        self.assertEqual(self.client.get(self.file_url("csv")).content, before)
        after = self.client.get(self.file_url("csv", revision=2))
        self.assertEqual(after.status_code, 200)
        self.assertIn(",3.00,C,", after.content.decode().splitlines()[-1])
        self.assertNotEqual(after["ETag"], self.client.get(self.file_url("csv"))["ETag"])

    def test_it_is_a_404_for_everyone_for_unpublished_cycles_and_unknown_revisions(self):
        urls = [
            self.file_url("csv", cycle=self.unpublished),
            self.file_url("xlsx", cycle=self.unpublished),
            self.file_url("csv", revision=2),
            self.file_url("xlsx", revision=99999999999999999999),
        ]
        self.assertEqual(len(list(self.not_found_for_everyone(urls))), 8)


class DataPageTest(OpenDataTestCase):
    def url(self, cycle=None):
        return reverse("public:data", args=[(cycle or self.cycle).pk])

    def test_it_states_the_licence_and_links_the_files_and_the_api(self):
        with self.assertNumQueries(1):
            response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Creative Commons Atribusi 4.0 Internasional (CC BY 4.0)")
        self.assertContains(
            response, 'href="https://creativecommons.org/licenses/by/4.0/deed.id" rel="license"'
        )
        for url in (
            self.file_url("csv"),
            self.file_url("xlsx"),
            self.results_url(),
            reverse("opendata:cycles"),
            reverse("api-docs"),
        ):
            self.assertContains(response, f'href="{url}"')

    def test_it_describes_every_column_of_the_files(self):
        rows = table(self.client.get(self.url()), "tabel-kamus")
        self.assertEqual([r[0] for r in rows[1:]], HEADER)
        self.assertEqual(rows[0], ["Kolom", "Jenis", "Arti"])
        self.assertEqual(
            rows[HEADER.index("ipp") + 1],
            ["ipp", "desimal", "Indeks Pelayanan Publik (IPP), 0–5."],
        )
        self.assertEqual(
            rows[HEADER.index("aspect_I") + 1][2], "Indeks aspek I. Kebijakan Pelayanan, 0–5."
        )

    def test_it_speaks_english_when_asked(self):
        response = self.client.get(self.url(), headers={"accept-language": "en"})
        rows = table(response, "tabel-kamus")
        self.assertEqual(rows[0], ["Column", "Type", "Meaning"])
        self.assertEqual(rows[HEADER.index("ipp") + 1][1], "decimal")
        self.assertContains(
            response,
            '<a href="https://creativecommons.org/licenses/by/4.0/deed.en" rel="license">'
            "Creative Commons Attribution 4.0 International licence (CC BY 4.0)</a>",
        )

    def test_it_lists_every_revision_after_a_correction(self):
        f.publish(self.cycle, self.admin, reason="Salah ketik")
        response = self.client.get(self.url())
        rows = table(response, "tabel-revisi")
        self.assertEqual([r[0] for r in rows[1:]], ["2 (berlaku)", "1"])
        self.assertEqual(rows[1][2], "Salah ketik")
        self.assertContains(response, f'href="{self.file_url("csv", revision=1)}"')
        self.assertContains(response, f'href="{self.file_url("xlsx", revision=2)}"')

    def test_it_is_a_404_for_everyone_before_publication(self):
        self.assertEqual(len(list(self.not_found_for_everyone([self.url(self.unpublished)]))), 2)

    def test_it_is_linked_from_the_overview_and_the_ranking(self):
        for name in ("public:overview", "public:ranking"):
            with self.subTest(page=name):
                response = self.client.get(reverse(name, args=[self.cycle.pk]))
                self.assertContains(response, f'href="{self.url()}"')


class OpenDataQueriesTest(TestCase):
    """The same number of queries for 20 and 300 published rows."""

    def publish(self, size: int):
        instrument = f.make_instrument(f"OPEN-{size}")
        cycle = f.make_cycle(instrument, year=2023, name=f"Terbuka {size}")
        province = f.make_province("Lampung", "18")
        agency = f.make_agency(f"Kota {size}", AgencyKind.KOTA, province)
        ipps = [Decimal(450 - i % 90).scaleb(-2) for i in range(size)]
        make_ranked_units(
            cycle, ipps, agency=agency, service_type=f.make_service_type("dukcapil", "Dukcapil")
        )
        f.publish(cycle)
        return cycle

    def test_it_reads_a_constant_number_of_queries(self):
        for size in (20, 300):
            cycle = self.publish(size)
            cache.clear()
            with self.subTest(size=size):
                with self.assertNumQueries(3):  # the revision, the count, the page
                    response = self.client.get(
                        reverse("opendata:results", args=[cycle.pk]), {"page_size": 500}
                    )
                self.assertEqual(len(response.json()["results"]), size)
                with self.assertNumQueries(2):
                    response = self.client.get(reverse("opendata:cycles"))
                for fmt in ("csv", "xlsx"):
                    with self.assertNumQueries(2):  # the revision, its rows
                        response = self.client.get(
                            reverse(f"public:data_{fmt}", args=[cycle.pk, 1])
                        )
                    self.assertEqual(response.status_code, 200)
                with self.assertNumQueries(1):
                    self.client.get(reverse("public:data", args=[cycle.pk]))
