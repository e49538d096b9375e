import io
import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from evaluations.models import FinalLevel, InstrumentVersion
from scoring.services.results import final_levels_save
from tests import factories as f

GOLDEN_FILE = Path(__file__).parents[1] / "data" / "scoring_cases.json"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class ScoreCasesCommandTest(TestCase):
    def test_it_reproduces_every_golden_case_exactly(self):
        golden = json.loads(GOLDEN_FILE.read_text())["cases"]
        printed = json.loads(run("score_cases", str(GOLDEN_FILE)))
        self.assertEqual(list(printed), ["cases"])
        self.assertEqual(len(printed["cases"]), len(golden))
        for case, got in zip(golden, printed["cases"], strict=True):
            with self.subTest(case=case["id"]):
                self.assertEqual(got, {"id": case["id"], **case["expected"]})

    def test_it_uses_the_loaded_instrument_version_when_there_is_one(self):
        call_command("load_instruments", stdout=io.StringIO())
        self.assertTrue(InstrumentVersion.objects.filter(code="2022-A").exists())
        printed = json.loads(run("score_cases", str(GOLDEN_FILE)))
        self.assertEqual(printed["cases"][0]["ipp"], "4.51")

    def test_it_names_the_case_and_indicator_of_bad_input(self, tmp_path=None):
        cases = {
            "cases": [
                {
                    "id": "ok",
                    "instrument": "2017",
                    "levels": {str(n): 3 for n in range(1, 38)},
                    "survey": None,
                },
                {
                    "id": "level-7",
                    "instrument": "2022-A",
                    "levels": {**{str(n): 3 for n in range(1, 31)}, "4": 7},
                    "survey": None,
                },
                {"id": "unknown", "instrument": "1999", "levels": {}, "survey": None},
            ]
        }
        path = Path(self.enterContext(__import__("tempfile").TemporaryDirectory())) / "cases.json"
        path.write_text(json.dumps(cases))
        with self.assertRaises(CommandError) as caught:
            run("score_cases", str(path))
        self.assertEqual(
            str(caught.exception).splitlines(),
            [
                "kasus level-7: Level indikator 4 (4.a.K) harus bilangan bulat 0–5, bukan 7.",
                "kasus unknown: instrumen '1999' tidak dikenal",
            ],
        )

    def test_it_refuses_a_file_that_is_not_a_case_file(self):
        path = Path(self.enterContext(__import__("tempfile").TemporaryDirectory())) / "x.json"
        path.write_text("[1, 2]")
        with self.assertRaisesMessage(CommandError, "bukan berkas kasus yang sah"):
            run("score_cases", str(path))
        with self.assertRaisesMessage(CommandError, "tidak dapat dibaca"):
            run("score_cases", str(path.with_name("missing.json")))


class RecomputeScoresCommandTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_instruments", stdout=io.StringIO())
        cls.cycle = f.make_cycle(
            InstrumentVersion.objects.get(code="2022-A"), name="PEKPPP Nasional 2023"
        )
        cls.assessment = f.make_assessment(cls.cycle, f.make_unit(name="DPMPTSP Kota Metro"))
        final_levels_save(assessment=cls.assessment, levels={n: 4 for n in range(1, 31)})

    def test_it_reports_nothing_changed_when_nothing_did(self):
        output = run("recompute_scores", "--cycle", "PEKPPP Nasional 2023")
        self.assertEqual(
            output.strip(),
            "1 lokus: 1 dihitung, 1 tidak berubah, 0 berubah, 0 belum lengkap, 0 galat.",
        )

    def test_it_lists_each_changed_result(self):
        FinalLevel.objects.filter(assessment=self.assessment, indicator__number__lte=9).update(
            level=5
        )
        output = run("recompute_scores", "--cycle", str(self.cycle.pk))
        self.assertIn(
            f"BERUBAH  lokus {self.assessment.pk} DPMPTSP Kota Metro: 4.00 (B) → 4.24 (A-)", output
        )
        self.assertIn("1 berubah", output)

    def test_it_refuses_an_unknown_cycle(self):
        with self.assertRaisesMessage(CommandError, "Periode 'PEKPPP 1990' tidak ditemukan"):
            run("recompute_scores", "--cycle", "PEKPPP 1990")
