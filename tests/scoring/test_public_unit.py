"""A unit's public page: its published figures in every published cycle."""

import json
import re
from decimal import Decimal

from django.urls import reverse

from scoring.models import Publication, PublishedResult, Result
from tests import factories as f

from .public_factories import PublicPagesTestCase, make_scored_unit, table


class PublicUnitTest(PublicPagesTestCase):
    def get(self, unit):
        return self.client.get(reverse("public:unit", args=[unit.pk]))

    def test_it_shows_the_latest_figures_and_ranks_in_one_query_and_the_etags(self):
        with self.assertNumQueries(2):  # the current publications (ETag), the unit's rows
            response = self.get(self.lamsel_unit)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Disdukcapil Lampung Selatan</h1>", html=True)
        self.assertContains(response, '<dd class="pub-big" id="ipp-terbaru">4,60</dd>', html=True)
        self.assertContains(response, "1 dari 4 (Kabupaten/Kota)")
        self.assertContains(response, "1 dari 6")
        self.assertContains(
            response, '<dd id="peringkat-jenis">1 dari 4 (Disdukcapil)</dd>', html=True
        )
        self.assertEqual(
            table(response, "tabel-aspek")[1:],
            [
                ["I. Kebijakan Pelayanan", "4,79"],
                ["II. Profesionalisme SDM", "4,50"],
                ["III. Sarana Prasarana", "4,61"],
                ["IV. Sistem Informasi Pelayanan Publik", "4,40"],
                ["V. Konsultasi dan Pengaduan", "4,55"],
                ["VI. Inovasi", "4,60"],
            ],
        )

    def test_it_counts_the_units_of_its_service_type_in_the_publication(self):
        # DPMPTSP in 2023: Direktorat Layanan KemenX (4.20), then the province's unit (3.90).
        response = self.get(self.prov_unit)
        self.assertContains(response, '<dd id="peringkat-jenis">2 dari 2 (DPMPTSP)</dd>', html=True)

    def test_it_shows_the_history_of_published_cycles_only(self):
        response = self.get(self.lamsel_unit)
        rows = table(response, "tabel-riwayat")
        self.assertEqual(
            rows[1:],
            [
                ["PEKPPP Nasional 2023", "4,79", "4,50", "4,61", "4,40", "4,55", "4,60", "4,60"]
                + ["A Pelayanan Prima", "4,52", "12", "1 / 4", "1 / 6"],
                ["PEKPPP Nasional 2022", *["3,95"] * 6, "3,95", "B Baik"]
                + ["tidak dihitung (kurang dari minimum 10 responden)", "7", "1 / 2", "1 / 2"],
            ],
        )
        self.assertNotContains(response, "PEKPPP Nasional 2024")
        self.assertNotContains(response, "4,99")
        found = re.search(
            r'<script id="unit-charts" type="application/json">(.*?)</script>',
            response.content.decode(),
        )
        charts = json.loads(found.group(1))
        self.assertEqual(
            charts["history"], {"labels": ["2022", "2023"], "values": ["3.95", "4.60"]}
        )
        self.assertEqual(charts["aspects"]["values"][0], "4.79")

    def test_it_shows_the_latest_survey_index_and_respondents(self):
        response = self.get(self.lamsel_unit)
        self.assertContains(response, '<dd id="survei-terbaru">4,52</dd>', html=True)
        self.assertContains(response, '<dd id="responden-terbaru">12</dd>', html=True)
        self.assertEqual(table(response, "tabel-riwayat")[0][9:11], ["Indeks survei", "Responden"])

    def test_it_says_in_words_why_a_survey_did_not_count(self):
        published = PublishedResult.objects.filter(
            unit_id=self.lamsel_unit.pk, publication=self.publication
        )
        cases = [
            ("too_few_respondents", 9, "tidak dihitung (kurang dari minimum 10 responden)"),
            ("no_survey", 0, "tidak dihitung (tidak ada responden)"),
            (
                "survey_weight_zero",
                14,
                "tidak dihitung (instrumen ini tidak memakai survei (bobot 0))",
            ),
        ]
        for reason, respondents, text in cases:
            with self.subTest(reason=reason):
                # Published rows are never updated by the portal; the test stands in for
                # revisions published with each reason.
                published.update(survey_index=None, survey_reason=reason, respondents=respondents)
                response = self.get(self.lamsel_unit)
                self.assertContains(
                    response,
                    f'<dd id="survei-terbaru">{text.replace("(", "<small>(", 1)}</small></dd>',
                    html=True,
                )
                self.assertContains(
                    response, f'<dd id="responden-terbaru">{respondents}</dd>', html=True
                )

    def test_it_names_the_minimum_the_cycle_used_when_published(self):
        self.cycle.min_respondents = 15
        self.cycle.save()
        Result.objects.filter(assessment__unit=self.lamsel_unit, cycle=self.cycle).update(
            survey_index=None, survey_reason="too_few_respondents"
        )
        publication = f.publish(self.cycle, self.admin, reason="Minimum responden 15")
        self.assertEqual(
            publication.summary["survey"], {"weight": "0.250", "min_respondents": 15, "counted": 0}
        )
        response = self.get(self.lamsel_unit)
        self.assertContains(response, "tidak dihitung <small>(kurang dari minimum 15 responden)")
        # A publication made before σ and m were recorded says it without the number.
        summary = {k: v for k, v in publication.summary.items() if k != "survey"}
        Publication.objects.filter(pk=publication.pk).update(summary=summary)
        response = self.get(self.lamsel_unit)
        self.assertContains(
            response, "tidak dihitung <small>(kurang dari jumlah minimum responden)"
        )

    def test_it_shows_the_survey_figures_in_english(self):
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        response = self.get(self.lamsel_unit)
        rows = table(response, "tabel-riwayat")
        self.assertEqual(rows[1][9:11], ["4.52", "12"])
        self.assertEqual(rows[2][9], "not counted (fewer than the minimum of 10 respondents)")

    def test_it_shows_the_current_revision_only(self):
        Result.objects.filter(assessment__unit=self.lamsel_unit, cycle=self.cycle).update(
            ipp=Decimal("4.10"), grade="A-", grade_label="Sangat Baik"
        )
        f.publish(self.cycle, self.admin, reason="Koreksi nilai Lampung Selatan")
        response = self.get(self.lamsel_unit)
        self.assertContains(response, '<dd class="pub-big" id="ipp-terbaru">4,10</dd>', html=True)
        self.assertEqual(len(table(response, "tabel-riwayat")), 3)

    def test_it_is_not_found_without_a_published_result(self):
        scored_unpublished = make_scored_unit(
            self.unpublished, self.lamsel_unit.agency, "Unit Baru", "4.00"
        )
        self.assertEqual(self.get(scored_unpublished).status_code, 404)
        self.assertEqual(self.client.get(reverse("public:unit", args=[987654])).status_code, 404)
