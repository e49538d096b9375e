"""The rubric read once per process: its content, its escaping and when it is read again."""

from django.test import TestCase

from evaluations.models import Level
from evaluations.selectors_rubric import instrument_rubric, rubric_cache_clear
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

    def test_it_escapes_descriptions_and_checks_only_the_given_level(self):
        row = instrument_rubric(self.instrument)[0]
        html = row.level_inputs(2)
        self.assertIn("Ada &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;", html)
        self.assertNotIn("<script>", html)
        self.assertEqual(html.count(" checked"), 1)
        self.assertIn('value="2" checked>', html)
        self.assertNotIn("checked", row.level_inputs(None))
        self.assertIn("&lt;script&gt;", row.rubric_list)

    def test_it_reads_again_after_the_version_is_reimported(self):
        instrument_rubric(self.instrument)
        self.document["aspects"][0]["indicators"][0]["levels"]["5"] = "Baru"
        instrument, outcome = instrument_import(data=self.document)
        self.assertNotEqual(outcome, "unchanged")
        stored = Level.objects.get(indicator__instrument=instrument, indicator__number=1, value=5)
        self.assertEqual(stored.description, "Baru")
        self.assertEqual(instrument_rubric(instrument)[0].levels[5].description, "Baru")
