"""The rubric read once per process: its content and when it is read again."""

from django.test import TestCase

from evaluations.models import Level
from evaluations.selectors.rubric import instrument_rubric, rubric_cache_clear
from evaluations.services.instruments import instrument_import
from tests import factories as f


class InstrumentRubricTest(TestCase):
    def setUp(self):
        rubric_cache_clear()
        self.document = f.instrument_document("RUBRIK-1")
        self.document["aspects"][0]["indicators"][0]["levels"]["2"] = (
            'Ada <script>alert("x")</script> & "kutip"'
        )
        self.instrument, _ = instrument_import(data=self.document)

    def test_it_lists_every_indicator_in_order_with_its_aspect_and_levels(self):
        rubric = instrument_rubric(self.instrument)
        self.assertEqual([r.indicator.number for r in rubric], list(range(1, 32)))
        self.assertEqual(rubric[0].indicator.aspect.code, "I")
        self.assertIsNone(rubric[-1].indicator.aspect)
        self.assertEqual([lv.value for lv in rubric[0].levels], [0, 1, 2, 3, 4, 5])

    def test_it_reads_the_database_once_per_instrument_version(self):
        with self.assertNumQueries(2):
            first = instrument_rubric(self.instrument)
        with self.assertNumQueries(0):
            self.assertIs(instrument_rubric(self.instrument), first)

    def test_it_keeps_the_descriptions_as_written_for_the_template_to_escape(self):
        row = instrument_rubric(self.instrument)[0]
        self.assertEqual(row.levels[2].description, 'Ada <script>alert("x")</script> & "kutip"')
        self.assertEqual({type(lv).__name__ for lv in row.levels}, {"Level"})

    def test_it_reads_again_after_the_version_is_reimported(self):
        instrument_rubric(self.instrument)
        self.document["aspects"][0]["indicators"][0]["levels"]["5"] = "Baru"
        instrument, outcome = instrument_import(data=self.document)
        self.assertNotEqual(outcome, "unchanged")
        stored = Level.objects.get(indicator__instrument=instrument, indicator__number=1, value=5)
        self.assertEqual(stored.description, "Baru")
        self.assertEqual(instrument_rubric(instrument)[0].levels[5].description, "Baru")
