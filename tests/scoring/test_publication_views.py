"""Publication pages: who may open them, exclusions, publishing, corrections, refusals shown
on the page, one revision's figures and what a correction changed, constant queries."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import AssessmentStatus
from notifications.models import Notification
from scoring.models import Exclusion, Publication, Result
from scoring.services.publication import cycle_publish, locus_exclude
from tests import factories as f
from tests.base import PersonaTestCase
from units.models import Role

from .factories import make_ranked_units, make_result


class PublicationPageTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_result(cls.assessment, "4.51")
        cls.assessment.status = AssessmentStatus.FINAL
        cls.assessment.save()
        cls.url = reverse("scoring:publication_detail", args=[cls.cycle.pk])
        cls.publish_url = reverse("scoring:publication_publish", args=[cls.cycle.pk])
        cls.exclude_url = reverse("scoring:publication_exclude", args=[cls.cycle.pk])
        cls.include_url = reverse("scoring:publication_include", args=[cls.cycle.pk])

    def as_(self, user):
        self.client.force_login(user)
        return self.client

    def finish(self):
        make_result(self.other_assessment, "3.80")
        self.other_assessment.status = AssessmentStatus.FINAL
        self.other_assessment.save()

    def test_it_names_its_urls(self):
        pk = self.cycle.pk
        self.assertEqual(self.url, f"/periode/{pk}/publikasi/")
        self.assertEqual(self.publish_url, f"/periode/{pk}/publikasi/terbitkan/")
        self.assertEqual(
            reverse("scoring:publication_revision", args=[pk, 2]), f"/periode/{pk}/publikasi/2/"
        )

    def test_it_opens_only_for_those_who_run_the_cycle(self):
        ministry_coordinator = f.make_user(agency=self.kemenpan)
        f.grant(ministry_coordinator, Role.COORDINATOR, agency=self.kemenpan)
        mandiri_url = reverse("scoring:publication_detail", args=[self.mandiri.pk])
        self.assertRedirects(self.client.get(self.url), f"/masuk/?next={self.url}")
        expected = {
            "outsider": (404, 404),
            "evaluator": (404, 404),
            "operator": (404, 404),
            "leader": (404, 404),
            # Sees the Nasional cycle of its agency, but only admins run a Nasional cycle.
            "ministry_coordinator": (403, 404),
            "coordinator": (404, 200),
            "admin": (200, 200),
        }
        people = self.personas() | {"ministry_coordinator": ministry_coordinator}
        for name, (nasional, mandiri) in expected.items():
            client = self.as_(people[name])
            with self.subTest(persona=name):
                self.assertEqual(client.get(self.url).status_code, nasional)
                self.assertEqual(client.get(mandiri_url).status_code, mandiri)
                for url in (self.publish_url, self.exclude_url, self.include_url):
                    self.assertEqual(client.post(url).status_code, nasional)
        self.assertFalse(Publication.objects.exists())

    def test_it_links_the_page_from_the_cycle_for_those_who_may_publish(self):
        self.assertContains(
            self.as_(self.admin).get(reverse("evaluations:cycle_detail", args=[self.cycle.pk])),
            f'href="{self.url}"',
        )
        self.assertNotContains(
            self.as_(self.coordinator).get(
                reverse("evaluations:cycle_detail", args=[self.mandiri.pk])
            ),
            f'href="{self.url}"',
        )

    def test_it_reports_the_loci_and_lists_the_pending_ones_with_a_link(self):
        response = self.as_(self.admin).get(self.url)
        report = response.context["overview"].report
        self.assertEqual((report.loci, report.final, report.excluded), (2, 1, 0))
        self.assertContains(
            response,
            f'<a href="/penilaian/{self.other_assessment.pk}/">Disdukcapil Kabupaten Tanggamus</a>'
            "</td><td>Draf</td>",
            html=False,
        )
        self.assertContains(response, "Belum valid")
        self.assertContains(response, f'name="lokus" value="{self.other_assessment.pk}"')
        self.assertNotContains(response, "Publikasikan hasil")

    def test_it_excludes_a_pending_locus_with_a_reason_and_takes_it_back(self):
        client = self.as_(self.admin)
        page = client.post(
            self.exclude_url,
            {"lokus": self.other_assessment.pk, "alasan": "Unit dilebur"},
            follow=True,
        )
        self.assertRedirects(page, self.url)
        exclusion = Exclusion.objects.get()
        self.assertEqual(
            (exclusion.assessment, exclusion.reason, exclusion.excluded_by),
            (self.other_assessment, "Unit dilebur", self.admin),
        )
        self.assertContains(page, "Disdukcapil Kabupaten Tanggamus dikecualikan dari publikasi.")
        self.assertContains(page, "<td>Unit dilebur</td><td>Admin KemenPANRB</td>", html=False)
        self.assertContains(page, "Valid: setiap lokus final")
        self.assertContains(page, "Publikasikan hasil")

        response = client.post(self.include_url, {"lokus": self.other_assessment.pk})
        self.assertRedirects(response, self.url)
        self.assertFalse(Exclusion.objects.exists())

    def test_it_lists_why_an_exclusion_is_refused_and_writes_nothing(self):
        foreign = self.mandiri_assessment.pk
        cases = [
            (
                {"lokus": self.other_assessment.pk, "alasan": "  "},
                "Alasan pengecualian wajib diisi.",
            ),
            ({"lokus": foreign, "alasan": "Salah"}, "Lokus tidak ditemukan dalam periode ini."),
            ({"lokus": "abc", "alasan": "Salah"}, "Lokus tidak ditemukan dalam periode ini."),
            ({"alasan": "Salah"}, "Lokus wajib dipilih."),
        ]
        client = self.as_(self.admin)
        for data, message in cases:
            with self.subTest(data=data):
                response = client.post(self.exclude_url, data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Permintaan ditolak; tidak ada yang diubah:")
                self.assertContains(response, f"<li>{message}</li>", html=False)
        response = client.post(self.include_url, {"lokus": self.other_assessment.pk})
        self.assertContains(response, "<li>Lokus ini tidak sedang dikecualikan.</li>", html=False)
        self.assertFalse(Exclusion.objects.exists())

    def test_it_refuses_to_publish_with_a_pending_locus_and_names_it(self):
        response = self.as_(self.admin).post(self.publish_url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "<li>Disdukcapil Kabupaten Tanggamus belum final (status: Draf) dan tidak "
            "dikecualikan.</li>",
            html=False,
        )
        self.assertFalse(Publication.objects.exists())

    def test_it_publishes_then_asks_a_reason_for_a_correction(self):
        self.finish()
        client = self.as_(self.admin)
        page = client.post(self.publish_url, {"confirm": "1"}, follow=True)
        self.assertRedirects(page, self.url)
        publication = Publication.objects.get()
        self.assertEqual((publication.revision, publication.result_count), (1, 2))
        self.assertContains(page, "Revisi 1 dipublikasikan: 2 hasil.")
        self.assertContains(page, "Terbitkan revisi koreksi")
        self.assertContains(page, 'name="alasan"')

        refused = client.post(self.publish_url, {"alasan": "   "})
        self.assertEqual(refused.status_code, 200)
        self.assertContains(
            refused, "<li>Publikasi ulang (koreksi) wajib disertai alasan.</li>", html=False
        )
        self.assertEqual(Publication.objects.count(), 1)

        Result.objects.filter(assessment=self.other_assessment).update(
            ipp=Decimal("3.40"), grade="B-", grade_label="Baik (Dengan Catatan)"
        )
        asked = client.post(self.publish_url, {"alasan": "Koreksi nilai Tanggamus"})
        self.assertTemplateUsed(asked, "confirm.html")
        self.assertContains(asked, "Alasan koreksi: Koreksi nilai Tanggamus")
        self.assertContains(
            asked, '<input type="hidden" name="alasan" value="Koreksi nilai Tanggamus">', html=True
        )
        self.assertEqual(Publication.objects.count(), 1)
        response = client.post(
            self.publish_url, {"alasan": "Koreksi nilai Tanggamus", "confirm": "1"}
        )
        self.assertRedirects(response, self.url)
        page = client.get(self.url)
        revisions = page.context["overview"].revisions
        self.assertEqual(
            [(p.revision, p.is_current, p.reason, p.result_count) for p in revisions],
            [(2, True, "Koreksi nilai Tanggamus", 2), (1, False, "", 2)],
        )
        self.assertContains(page, "Berlaku")
        self.assertContains(page, "Digantikan")
        self.assertContains(page, "Koreksi nilai Tanggamus")

    def test_it_asks_for_confirmation_naming_what_is_frozen_and_who_is_told(self):
        self.finish()
        client = self.as_(self.admin)
        for asked in (client.get(self.publish_url), client.post(self.publish_url)):
            self.assertTemplateUsed(asked, "confirm.html")
            self.assertContains(asked, '<h1 id="confirm-title">Publikasikan hasil?</h1>', html=True)
            self.assertContains(asked, "2 hasil final: tingkat, indeks, predikat, peringkat")
            self.assertContains(asked, "<strong>Operator UPP</strong>", html=True)
            self.assertContains(asked, "<strong>Pimpinan</strong>", html=True)
        self.assertFalse(Publication.objects.exists())
        self.assertFalse(Notification.objects.exists())

    def test_it_answers_a_get_on_a_post_endpoint_with_405(self):
        client = self.as_(self.admin)
        for url in (self.exclude_url, self.include_url):
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 405)


class RevisionPageTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.finished = f.make_cycle(cls.instrument, year=2023, owner=cls.kemenpan)
        cls.service_type = cls.unit.service_type

    def publish(self, reason=""):
        self.finished.assessments.update(status=AssessmentStatus.FINAL)
        return cycle_publish(cycle=self.finished, user=self.admin, reason=reason)

    def get(self, revision, page=None):
        self.client.force_login(self.admin)
        url = reverse("scoring:publication_revision", args=[self.finished.pk, revision])
        return self.client.get(url, {"halaman": page} if page else {})

    def add(self, n, prefix):
        ipps = [f"{4.9 - (i % 300) / 100:.2f}" for i in range(n)]
        return make_ranked_units(
            self.finished, ipps, agency=self.lamsel, service_type=self.service_type, prefix=prefix
        )

    def test_it_shows_the_summary_and_the_results_by_national_rank(self):
        make_ranked_units(
            self.finished,
            ["4.60", "3.80", "3.80"],
            agency=self.lamsel,
            service_type=self.service_type,
            prefix="Kab",
        )
        make_ranked_units(
            self.finished,
            ["4.00"],
            agency=self.pemprov,
            service_type=self.service_type,
            prefix="Prov",
        )
        self.publish()
        response = self.get(1)
        self.assertEqual(response.status_code, 200)
        rows = [(r.rank_national, r.unit_name) for r in response.context["results"]]
        self.assertEqual(
            rows, [(1, "Kab 0001"), (2, "Prov 0001"), (3, "Kab 0002"), (3, "Kab 0003")]
        )
        summary = response.context["summary"]
        self.assertEqual(
            [(g.label, g.count, g.ipp) for g in summary.groups],
            [("Provinsi", 1, Decimal("4.00")), ("Kabupaten/Kota", 3, Decimal("4.07"))],
        )
        self.assertEqual((summary.national.count, summary.national.ipp), (4, Decimal("4.05")))
        self.assertContains(response, '<td class="num">4,05</td>', html=False)
        self.assertContains(response, "Semua kelompok")
        self.assertNotContains(response, "Perubahan dari revisi")

    def test_it_shows_what_a_correction_changed(self):
        units = [self.unit, self.other_unit, f.make_unit(self.tanggamus, "RSUD Tanggamus")]
        results = [
            make_result(f.make_assessment(self.finished, unit), ipp)
            for unit, ipp in zip(units, ["3.75", "4.60", "2.40"], strict=True)
        ]
        self.publish()
        Result.objects.filter(pk=results[0].pk).update(
            ipp=Decimal("3.45"), grade="B-", grade_label="Baik (Dengan Catatan)"
        )
        locus_exclude(assessment=results[2].assessment, user=self.admin, reason="Dibubarkan")
        self.publish("Koreksi Lampung Selatan")
        response = self.get(2)
        changes = [
            (c.unit_name, c.old_ipp, c.old_grade, c.new_ipp, c.new_grade)
            for c in response.context["changes"].rows
        ]
        self.assertEqual(
            changes,
            [
                (
                    "Disdukcapil Kabupaten Lampung Selatan",
                    Decimal("3.75"),
                    "B",
                    Decimal("3.45"),
                    "B-",
                ),
                ("RSUD Tanggamus", Decimal("2.40"), "C-", None, ""),
            ],
        )
        self.assertContains(response, "Perubahan dari revisi 1")
        self.assertContains(response, "B → B-")
        self.assertContains(response, "tidak lagi dipublikasikan")
        self.assertContains(response, "Koreksi Lampung Selatan")
        # Revision 1 keeps what it published.
        old = self.get(1)
        self.assertEqual(
            [(r.unit_name, r.ipp) for r in old.context["results"]],
            [
                ("Disdukcapil Kabupaten Tanggamus", Decimal("4.60")),
                ("Disdukcapil Kabupaten Lampung Selatan", Decimal("3.75")),
                ("RSUD Tanggamus", Decimal("2.40")),
            ],
        )
        self.assertContains(old, "Digantikan oleh revisi yang lebih baru")

    def test_it_answers_404_for_a_revision_that_does_not_exist(self):
        self.add(2, "Unit")
        self.publish()
        self.assertEqual(self.get(2).status_code, 404)
        self.assertEqual(self.get(0).status_code, 404)

    def queries(self, revision, page=None) -> int:
        self.get(revision, page)  # warm per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = self.get(revision, page)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_it_shows_a_revision_in_constant_queries(self):
        self.add(5, "Awal")
        self.publish()
        self.publish("Koreksi kecil")
        small = self.queries(2)

        self.add(250, "Tambahan")
        self.publish("Koreksi besar")
        self.assertEqual(self.queries(3), small)
        self.assertEqual(self.queries(3, page=3), small)
        response = self.get(3, page=3)
        self.assertEqual(len(response.context["results"].object_list), 55)
        self.assertEqual(len(response.context["changes"].rows), 250)
        self.assertContains(response, "Unit 201–255 dari 255")
