"""Nothing of an unpublished cycle is visible to units other than their own: every page that
shows results, walked by the people of another unit; and a unit's own published figures on
its operator's home page."""

from django.urls import reverse

from evaluations.models import AssessmentStatus
from scoring.services.publication import cycle_publish
from tests import factories as f
from tests.base import PersonaTestCase
from units.models import Role

from .factories import make_result

# Figures no other page carries, so finding one means the result leaked. Pages show numbers
# localized ("3,77" in Bahasa Indonesia); a leak is looked for in both spellings.
OWN_IPP, OTHER_IPP = "3.77", "4.63"


def shown(ipp: str) -> str:
    return ipp.replace(".", ",")


class UnpublishedResultsTest(PersonaTestCase):
    """The 2024 Nasional cycle, scored and final for both units, not published."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_result(cls.assessment, OWN_IPP)
        make_result(cls.other_assessment, OTHER_IPP)
        cls.cycle.assessments.update(status=AssessmentStatus.FINAL)
        cls.other_operator = f.make_user("operator-tanggamus", agency=cls.tanggamus)
        f.grant(cls.other_operator, Role.UNIT_OPERATOR, unit=cls.other_unit)
        cls.other_leader = f.make_user("pimpinan-tanggamus", agency=cls.tanggamus)
        f.grant(cls.other_leader, Role.LEADERSHIP, agency=cls.tanggamus)

    def get(self, user, url):
        self.client.force_login(user)
        return self.client.get(url)

    def assertNotShown(self, response, ipp):
        for text in (ipp, shown(ipp)):
            self.assertNotContains(response, text, status_code=response.status_code)

    def result_pages(self):
        return {
            "home": reverse("home"),
            "ranking list": reverse("scoring:ranking_list"),
            "ranking": reverse("scoring:ranking_detail", args=[self.cycle.pk]),
            "locus": reverse("evaluations:assessment_detail", args=[self.assessment.pk]),
            "simulator": reverse("simulator:page"),
            "publication": reverse("scoring:publication_detail", args=[self.cycle.pk]),
        }

    def test_it_shows_a_unit_its_own_result_on_its_locus_page(self):
        for user in (self.operator, self.leader):
            with self.subTest(user=user.username):
                self.assertContains(
                    self.get(user, self.result_pages()["locus"]), f"IPP {shown(OWN_IPP)}"
                )

    def test_it_hides_a_units_unpublished_result_from_the_people_of_other_units(self):
        # The pages do carry the figures, for those who may see them.
        ranking = self.get(self.admin, self.result_pages()["ranking"])
        self.assertContains(ranking, shown(OWN_IPP))
        self.assertContains(ranking, shown(OTHER_IPP))
        for user in (self.other_operator, self.other_leader, self.outsider):
            for page, url in self.result_pages().items():
                with self.subTest(user=user.username, page=page):
                    response = self.get(user, url)
                    self.assertIn(response.status_code, (200, 403, 404))
                    self.assertNotShown(response, OWN_IPP)
        # and the other way round: Lampung Selatan's people do not see Tanggamus.
        for user in (self.operator, self.leader, self.evaluator):
            with self.subTest(user=user.username):
                other_locus = reverse(
                    "evaluations:assessment_detail", args=[self.other_assessment.pk]
                )
                self.assertEqual(self.get(user, other_locus).status_code, 404)
                for url in self.result_pages().values():
                    response = self.get(user, url)
                    self.assertNotShown(response, OTHER_IPP)

    def test_it_keeps_the_ranking_closed_to_units_before_and_after_publication(self):
        url = reverse("scoring:ranking_detail", args=[self.cycle.pk])
        for published in (False, True):
            if published:
                cycle_publish(cycle=self.cycle, user=self.admin)
            for user in (self.operator, self.other_operator, self.leader, self.evaluator):
                with self.subTest(user=user.username, published=published):
                    self.assertEqual(self.get(user, url).status_code, 404)
                    listing = self.get(user, reverse("scoring:ranking_list"))
                    self.assertNotContains(listing, f'href="{url}"')
                    # Once published, the leader finds their agency's published rows there
                    # (linked to the public ranking), never the live ranking.
                    if not published or user != self.leader:
                        self.assertNotContains(listing, self.cycle.name)

    def test_it_scores_nothing_stored_through_the_simulation_api(self):
        self.client.force_login(self.other_operator)
        response = self.client.post(
            "/api/v1/simulasi/",
            {"instrument": self.instrument.code, "assessment": self.assessment.pk},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(OWN_IPP, response.content.decode())


class OperatorHomeTest(PersonaTestCase):
    """The unit operator's home page shows its unit's figures once a cycle is published."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.finished = f.make_cycle(
            cls.instrument, year=2023, owner=cls.kemenpan, name="PEKPPP Nasional 2023"
        )
        make_result(f.make_assessment(cls.finished, cls.unit), OWN_IPP)
        make_result(f.make_assessment(cls.finished, cls.other_unit), OTHER_IPP)
        cls.finished.assessments.update(status=AssessmentStatus.FINAL)

    def setUp(self):
        self.client.force_login(self.operator)

    def home(self):
        return self.client.get("/")

    def test_it_shows_nothing_before_publication(self):
        response = self.home()
        self.assertNotContains(response, shown(OWN_IPP))
        self.assertContains(response, "Belum dipublikasikan", count=2)

    def test_it_shows_the_units_published_ipp_and_grade_but_not_other_units(self):
        cycle_publish(cycle=self.finished, user=self.admin)
        response = self.home()
        self.assertContains(
            response, f"IPP <strong>{shown(OWN_IPP)}</strong> · B — Baik", html=False, count=1
        )
        self.assertNotContains(response, shown(OTHER_IPP))
        # The 2024 locus is still unpublished.
        self.assertContains(response, "Belum dipublikasikan", count=1)

    def test_it_shows_the_current_revision(self):
        cycle_publish(cycle=self.finished, user=self.admin)
        self.finished.results.filter(assessment__unit=self.unit).update(
            ipp="4.55", grade="A", grade_label="Pelayanan Prima"
        )
        self.assertContains(self.home(), f"<strong>{shown(OWN_IPP)}</strong>", html=False)
        cycle_publish(cycle=self.finished, user=self.admin, reason="Koreksi")
        response = self.home()
        self.assertContains(response, "IPP <strong>4,55</strong> · A — Pelayanan Prima", html=False)
        self.assertNotContains(response, shown(OWN_IPP))

    def test_it_lists_the_units_loci_in_constant_queries(self):
        cycle_publish(cycle=self.finished, user=self.admin)
        self.home()
        # user, roles, "perlu jawaban Anda" (the loci whose F-01 is open: none here), open work
        # (F-01, survey, clarifications, follow-ups), the loci with their published figures,
        # the bell (session: cache)
        with self.assertNumQueries(9):
            self.home()
        for year in (2019, 2020, 2021, 2022):
            cycle = f.make_cycle(self.instrument, year=year, owner=self.kemenpan)
            make_result(f.make_assessment(cycle, self.unit), "3.10")
            cycle.assessments.update(status=AssessmentStatus.FINAL)
            cycle_publish(cycle=cycle, user=self.admin)
        with self.assertNumQueries(9):
            response = self.home()
        self.assertContains(response, "IPP <strong>3,10</strong>", html=False, count=4)
