"""`seed_demo` publishes the 2022 Nasional cycle once and leaves 2023 for an admin."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from evaluations.models import Cycle
from pekppp.demo.data import seed_demo
from scoring.models import Publication, PublishedResult, Result
from scoring.selectors.publication import cycle_validation
from units.models import User


def publication_rows():
    return (
        list(Publication.objects.values_list("pk", "cycle__name", "revision", "is_current")),
        list(PublishedResult.objects.order_by("pk").values_list("pk", "unit_id", "ipp", "rank")),
    )


class SeedDemoPublicationTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.summary = seed_demo()
        cls.nasional_2022 = Cycle.objects.get(name="PEKPPP Nasional 2022")
        cls.nasional_2023 = Cycle.objects.get(name="PEKPPP Nasional 2023")

    def test_it_publishes_2022_as_revision_1_by_the_demo_admin(self):
        publication = Publication.objects.get(cycle=self.nasional_2022)
        self.assertEqual((publication.revision, publication.is_current), (1, True))
        self.assertEqual(publication.published_by, User.objects.get(username="admin"))
        self.assertEqual(publication.result_count, 36)
        self.assertEqual(
            sorted(PublishedResult.objects.values_list("unit_id", "ipp")),
            sorted(
                Result.objects.filter(cycle=self.nasional_2022).values_list(
                    "assessment__unit_id", "ipp"
                )
            ),
        )
        self.assertEqual(self.summary.published, (("PEKPPP Nasional 2022", 1),))

    def test_it_leaves_2023_ready_for_an_admin_to_publish(self):
        self.assertFalse(Publication.objects.filter(cycle=self.nasional_2023).exists())
        self.assertTrue(cycle_validation(self.nasional_2023).is_valid)

    def test_it_publishes_nothing_more_when_run_again(self):
        before = publication_rows()
        again = seed_demo()
        call_command("seed_demo", stdout=StringIO())
        self.assertEqual(publication_rows(), before)
        self.assertEqual(again.published, self.summary.published)
