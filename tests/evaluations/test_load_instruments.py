"""`manage.py load_instruments`: the shipped files, reloading, broken and changed files."""

import copy
import json
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from evaluations import instrument_file
from evaluations.models import Aspect, GradeBand, Indicator, InstrumentVersion, Level, SurveyItem
from tests.factories import instrument_document, make_cycle

# PEKPPP.md §2: (number, code, aspect, in-aspect weight) of the 30 scored 2022-A indicators.
INDICATORS_2022_A = [
    (1, "1.a.Ak", "I", "17"),
    (2, "2.a.P", "I", "14"),
    (3, "3.a.T", "I", "7"),
    (4, "4.a.K", "I", "14"),
    (5, "5.a.K", "I", "10"),
    (6, "6.a.B", "I", "17"),
    (7, "7.a.T", "I", "7"),
    (8, "8.a.Ak", "I", "7"),
    (9, "9.a.Ak", "I", "7"),
    (10, "10.b.As", "II", "10"),
    (11, "11.b.K", "II", "20"),
    (12, "12.b.Ak", "II", "20"),
    (13, "13.b.K", "II", "20"),
    (14, "14.b.K", "II", "30"),
    (15, "15.c.K", "III", "15"),
    (16, "16.c.As", "III", "23"),
    (17, "17.c.As", "III", "20"),
    (18, "18.c.K", "III", "20"),
    (19, "19.c.As", "III", "11"),
    (20, "20.c.B", "III", "11"),
    (21, "21.d.T", "IV", "30"),
    (22, "22.d.B", "IV", "20"),
    (23, "23.d.As", "IV", "20"),
    (24, "24.d.T", "IV", "30"),
    (25, "25.e.P", "V", "20"),
    (26, "26.e.P", "V", "25"),
    (27, "27.e.Ak", "V", "25"),
    (28, "28.e.Ak", "V", "30"),
    (29, "29.f.B", "VI", "50"),
    (30, "30.f.B", "VI", "50"),
]
ASPECTS_2022_A = [("I", "24"), ("II", "25"), ("III", "18"), ("IV", "11"), ("V", "10"), ("VI", "12")]

# PEKPPP.md §3: the 2017 instrument, numbered 1–37 in this order, integer in-aspect points.
INDICATORS_2017 = [
    (1, "1.a.K1", "I", "5"),
    (2, "1.a.K2", "I", "5"),
    (3, "1.a.K3", "I", "4"),
    (4, "1.a.P", "I", "4"),
    (5, "1.a.T", "I", "4"),
    (6, "1.a.Ak", "I", "4"),
    (7, "1.a.As", "I", "4"),
    (8, "1.a.B", "I", "4"),
    (9, "1.b.T", "I", "5"),
    (10, "1.c.P", "I", "5"),
    (11, "1.c.T", "I", "4"),
    (12, "1.c.Ak", "I", "4"),
    (13, "1.c.B", "I", "4"),
    (14, "2.a.Ak", "II", "3"),
    (15, "2.b.Ak1", "II", "3"),
    (16, "2.b.Ak2", "II", "2"),
    (17, "2.d.K", "II", "3"),
    (18, "2.e.K1", "II", "4"),
    (19, "2.e.K2", "II", "3"),
    (20, "2.g.Ak", "II", "4"),
    (21, "3.a.As", "III", "2"),
    (22, "3.b.K1", "III", "2"),
    (23, "3.b.As", "III", "2"),
    (24, "3.c.K", "III", "3"),
    (25, "3.d.As1", "III", "3"),
    (26, "3.e.As2", "III", "1"),
    (27, "3.e.As4", "III", "2"),
    (28, "4.a.T", "IV", "20"),
    (29, "4.a.B", "IV", "25"),
    (30, "4.a.Ak1", "IV", "25"),
    (31, "4.a.Ak2", "IV", "15"),
    (32, "4.b.T", "IV", "15"),
    (33, "5.1.a.K", "V", "20"),
    (34, "5.1.a.As", "V", "20"),
    (35, "5.2.a.K", "V", "30"),
    (36, "5.2.a.As", "V", "30"),
    (37, "6", "VI", "1"),
]
ASPECTS_2017 = [("I", "30"), ("II", "18"), ("III", "15"), ("IV", "15"), ("V", "15"), ("VI", "7")]
# §3 gives the points' totals per aspect: I 56, II 22, III 15, IV–VI 100, 100, 1.
POINT_TOTALS_2017 = {"I": 56, "II": 22, "III": 15, "IV": 100, "V": 100, "VI": 1}

MODELS = (InstrumentVersion, Aspect, Indicator, Level, SurveyItem, GradeBand)


def load(*files: str) -> str:
    out = StringIO()
    call_command("load_instruments", *files, stdout=out)
    return out.getvalue()


def shipped(name: str) -> dict:
    return json.loads((instrument_file.SHIPPED_DIR / name).read_text(encoding="utf-8"))


def snapshot() -> dict[str, list]:
    """Every row id and the fields that matter, so 'unchanged' can be checked exactly."""
    return {
        "versions": list(InstrumentVersion.objects.values_list("id", "code", "name", "checksum")),
        **{
            model.__name__: list(model.objects.order_by("pk").values_list("pk", flat=True))
            for model in MODELS[1:]
        },
    }


def scored_table(instrument: InstrumentVersion) -> list[tuple]:
    return [
        (ind.number, ind.code, ind.aspect.code, ind.weight)
        for ind in instrument.indicators.filter(supplementary=False).select_related("aspect")
    ]


def as_decimals(table: list[tuple]) -> list[tuple]:
    return [(*row[:-1], Decimal(row[-1])) for row in table]


class LoadInstrumentsTest(TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, name: str, content: dict | str) -> str:
        path = Path(self.tmp.name) / name
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return str(path)

    def assert_levels_0_to_5(self, instrument: InstrumentVersion) -> None:
        indicators = instrument.indicators.prefetch_related("levels")
        for ind in indicators:
            with self.subTest(indicator=ind.code):
                self.assertEqual([lv.value for lv in ind.levels.all()], [0, 1, 2, 3, 4, 5])
                self.assertTrue(all(lv.description.strip() for lv in ind.levels.all()))

    def test_it_loads_2022_a_as_the_domain_table_says(self):
        output = load()
        self.assertIn("2022-A: created (30 indikator berbobot)", output)
        v = InstrumentVersion.objects.get(code="2022-A")

        self.assertEqual(scored_table(v), as_decimals(INDICATORS_2022_A))
        self.assertEqual(
            list(v.aspects.order_by("order").values_list("code", "weight")),
            as_decimals(ASPECTS_2022_A),
        )
        extra = v.indicators.get(supplementary=True)
        self.assertEqual(v.indicators.filter(supplementary=True).count(), 1)
        self.assertEqual(
            (extra.number, extra.code, extra.weight, extra.aspect), (31, "tambahan", 0, None)
        )
        self.assertEqual(v.survey_items.count(), 14)
        self.assertEqual(list(v.survey_items.values_list("number", flat=True)), list(range(1, 15)))
        self.assertEqual(v.grade_bands.count(), 9)
        self.assertEqual(
            list(v.grade_bands.values_list("grade", "min_ipp", "max_ipp")),
            [
                ("A", Decimal("4.51"), Decimal("5.00")),
                ("A-", Decimal("4.01"), Decimal("4.50")),
                ("B", Decimal("3.51"), Decimal("4.00")),
                ("B-", Decimal("3.01"), Decimal("3.50")),
                ("C", Decimal("2.51"), Decimal("3.00")),
                ("C-", Decimal("2.01"), Decimal("2.50")),
                ("D", Decimal("1.51"), Decimal("2.00")),
                ("E", Decimal("1.01"), Decimal("1.50")),
                ("F", Decimal("0.00"), Decimal("1.00")),
            ],
        )
        self.assertEqual(v.survey_weight, Decimal("0.25"))
        self.assertEqual(v.min_respondents, 10)
        self.assertFalse(v.provisional)
        self.assert_levels_0_to_5(v)

    def test_it_loads_2017_as_provisional_with_its_weights(self):
        output = load()
        self.assertIn("2017: created (37 indikator berbobot)", output)
        v = InstrumentVersion.objects.get(code="2017")

        self.assertTrue(v.provisional)
        self.assertEqual(v.indicators.count(), 37)
        self.assertEqual(scored_table(v), as_decimals(INDICATORS_2017))
        self.assertEqual(
            list(v.aspects.order_by("order").values_list("code", "weight")),
            as_decimals(ASPECTS_2017),
        )
        for aspect in v.aspects.all():
            with self.subTest(aspect=aspect.code):
                total = sum(ind.weight for ind in aspect.indicators.all())
                self.assertEqual(total, POINT_TOTALS_2017[aspect.code])
        self.assert_levels_0_to_5(v)

    def test_loading_twice_changes_nothing(self):
        load()
        before = snapshot()
        output = load()
        self.assertIn("2022-A: unchanged", output)
        self.assertIn("2017: unchanged", output)
        self.assertNotIn("created", output)
        self.assertEqual(snapshot(), before)

    def test_it_refuses_a_broken_file_and_lists_every_problem(self):
        load()
        before = snapshot()
        doc = copy.deepcopy(shipped("2022-A.json"))
        doc["aspects"][0]["indicators"][1]["weight"] = "0"
        del doc["aspects"][1]["indicators"][0]["levels"]["3"]
        doc["survey_items"][2]["text"] = ""
        path = self.write("2022-A-rusak.json", doc)

        with self.assertRaises(CommandError) as error:
            load(path)

        self.assertEqual(
            str(error.exception),
            f"{path} ditolak:\n  - "
            "aspek I, indikator 2 (2.a.P): bobot harus bilangan positif (ditulis '0')\n  - "
            "aspek II, indikator 10 (10.b.As): rubrik tingkat 3 belum ada\n  - "
            "butir survei ke-3: 'text' wajib diisi",
        )
        self.assertEqual(snapshot(), before)

    def test_it_refuses_a_file_that_is_not_json(self):
        path = self.write("catatan.json", "Instrumen 2022, lihat lampiran")
        with self.assertRaises(CommandError) as error:
            load(path)
        self.assertIn(f"{path} ditolak:\n  - bukan berkas JSON yang sah", str(error.exception))
        self.assertFalse(InstrumentVersion.objects.exists())

    def test_it_reports_a_missing_file(self):
        with self.assertRaises(CommandError) as error:
            load(str(Path(self.tmp.name) / "tidak-ada.json"))
        self.assertIn("tidak-ada.json: tidak dapat dibaca", str(error.exception))

    def test_a_changed_file_replaces_an_unused_version(self):
        load()
        doc = shipped("2022-A.json")
        doc["name"] = "Instrumen PEKPPP 2022 Kode A (revisi)"
        doc["aspects"][0]["indicators"][0]["title"] = "Standar Pelayanan (revisi)"

        output = load(self.write("2022-A.json", doc))

        self.assertEqual(output, "2022-A: replaced (30 indikator berbobot)\n")
        v = InstrumentVersion.objects.get(code="2022-A")
        self.assertEqual(v.name, "Instrumen PEKPPP 2022 Kode A (revisi)")
        self.assertEqual(v.indicators.get(number=1).title, "Standar Pelayanan (revisi)")
        self.assertEqual(v.indicators.count(), 31)
        self.assertEqual(Level.objects.filter(indicator__instrument=v).count(), 31 * 6)
        self.assertEqual(InstrumentVersion.objects.filter(code="2022-A").count(), 1)

    def test_a_changed_file_is_refused_for_a_version_a_cycle_uses(self):
        load()
        make_cycle(InstrumentVersion.objects.get(code="2022-A"))
        before = snapshot()
        doc = shipped("2022-A.json")
        doc["aspects"][0]["indicators"][0]["weight"] = "18"
        doc["aspects"][0]["indicators"][1]["weight"] = "13"

        with self.assertRaises(CommandError) as error:
            load(self.write("2022-A.json", doc))

        self.assertIn(
            "versi '2022-A' sudah dipakai periode evaluasi dan tidak dapat diubah; "
            "impor sebagai versi baru dengan kode lain",
            str(error.exception),
        )
        self.assertEqual(snapshot(), before)
        v = InstrumentVersion.objects.get(code="2022-A")
        self.assertEqual(v.indicators.get(number=1).weight, Decimal("17"))
        # The unchanged file still loads: reloading is safe once a version is in use.
        self.assertIn("2022-A: unchanged", load())

    def test_the_factory_document_loads_from_a_file(self):
        output = load(self.write("uji.json", instrument_document("UJI-FILE")))
        self.assertEqual(output, "UJI-FILE: created (30 indikator berbobot)\n")
