"""POST /api/v1/simulasi/: the score simulator's JSON twin."""

import json

from django.test import Client

from evaluations.instrument_spec import instrument_plan
from evaluations.models import InstrumentVersion
from scoring.api import SIMULATE_EXAMPLES
from scoring.models import Result
from tests import factories as f
from tests.base import PersonaTestCase

URL = "/api/v1/simulasi/"
CASES = f.SCORING_CASES


def body(case_id, **changes):
    case = CASES[case_id]
    return {
        "instrument": case["instrument"],
        "levels": dict(case["levels"]),
        "survey": case["survey"],
    } | changes


class SimulateApiTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.shipped_instrument()

    def post(self, data, user=None, *, raw=False, content_type="application/json"):
        self.client.force_login(user or self.evaluator)
        return self.client.post(URL, data if raw else json.dumps(data), content_type=content_type)

    def assert_errors(self, response, errors):
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response.json(), {"errors": errors})

    def test_it_scores_the_golden_boundary_case_exactly(self):
        response = self.post(body("boundary-45050"))
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(
            data["aspects"],
            [
                {"code": "I", "name": "Kebijakan Pelayanan", "weight": "24.00", "index": "4.79"},
                {"code": "II", "name": "Profesionalisme SDM", "weight": "25.00", "index": "4.20"},
                {"code": "III", "name": "Sarana Prasarana", "weight": "18.00", "index": "4.38"},
                {
                    "code": "IV",
                    "name": data["aspects"][3]["name"],
                    "weight": "11.00",
                    "index": "4.20",
                },
                {
                    "code": "V",
                    "name": "Konsultasi dan Pengaduan",
                    "weight": "10.00",
                    "index": "4.55",
                },
                {"code": "VI", "name": "Inovasi", "weight": "12.00", "index": "5.00"},
            ],
        )
        self.assertEqual(
            {k: v for k, v in data.items() if k not in ("aspects", "indicators")},
            {
                "instrument": "2022-A",
                "engine_version": "1",
                "evaluator_index": "4.51",
                "survey_index": None,
                "survey_counted": False,
                "survey_message": "Tidak ada data survei; IPP = indeks evaluator.",
                "respondents": 0,
                "ipp": "4.51",
                "grade": "A",
                "grade_label": "Pelayanan Prima",
            },
        )
        self.assertEqual(len(data["indicators"]), 30)
        self.assertEqual(
            data["indicators"][0],
            {
                "number": 1,
                "code": "1.a.Ak",
                "aspect": "I",
                "level": 5,
                "weight_share": "0.1700",
                "contribution": "0.8500",
            },
        )
        # Indicator 7 (weight 7 of 100 in aspect I) at level 3.
        self.assertEqual(data["indicators"][6]["weight_share"], "0.0700")
        self.assertEqual(data["indicators"][6]["contribution"], "0.2100")

    def test_it_blends_a_survey_of_enough_respondents(self):
        case = CASES["random-7-4"]
        self.assertEqual(len(case["survey"]), 10)
        data = self.post(body("random-7-4")).json()
        self.assertEqual(
            (data["evaluator_index"], data["survey_index"], data["ipp"], data["grade"]),
            ("4.31", "4.66", "4.40", "A-"),
        )
        self.assertEqual((data["respondents"], data["survey_counted"]), (10, True))
        self.assertEqual(data["survey_message"], "Survei dihitung: 10 responden.")

    def test_it_leaves_out_a_survey_of_too_few_respondents(self):
        data = self.post(body("random-7-2")).json()
        self.assertEqual(
            (data["survey_index"], data["ipp"], data["respondents"]), (None, "3.77", 3)
        )
        self.assertEqual(
            data["survey_message"],
            "Jumlah responden 3 kurang dari minimum 10; IPP = indeks evaluator.",
        )

    def test_it_agrees_with_every_golden_case(self):
        for case_id, case in CASES.items():
            with self.subTest(case=case_id):
                data = self.post(body(case_id)).json()
                expected = case["expected"]
                self.assertEqual(
                    {a["code"]: a["index"] for a in data["aspects"]}, expected["aspects"]
                )
                self.assertEqual(
                    [data[k] for k in ("evaluator_index", "survey_index", "ipp", "grade")],
                    [expected[k] for k in ("evaluator_index", "survey_index", "ipp", "grade")],
                )

    def test_its_documented_examples_are_what_it_answers(self):
        requests = {e.name: e.value for e in SIMULATE_EXAMPLES if e.request_only}
        answers = {e.name: e.value for e in SIMULATE_EXAMPLES if e.response_only}
        self.assertEqual(set(requests), {"Levels only", "With a survey"})
        for name, request in requests.items():
            with self.subTest(name):
                data = self.post(request).json()
                shown = answers[name]["indicators"]  # the first rows only
                self.assertEqual(
                    data | {"indicators": data["indicators"][: len(shown)]}, answers[name]
                )
        data = body("boundary-45050")
        del data["levels"]["5"]
        self.assertEqual(self.post(data).json(), answers["A level missing"])
        form = self.post("instrument=2022-A", raw=True, content_type="multipart/form-data")
        self.assertEqual(form.json(), answers["A form instead of JSON"])

    def test_it_stores_nothing(self):
        self.post(body("random-7-4"))
        self.assertEqual(Result.objects.count(), 0)

    def test_it_answers_in_constant_queries(self):
        instrument_plan(InstrumentVersion.objects.get(code="2022-A"))  # the per-process cache
        self.client.force_login(self.evaluator)
        # user, roles, instrument (the session is read from the cache)
        with self.assertNumQueries(3):
            response = self.client.post(
                URL, json.dumps(body("random-7-8")), content_type="application/json"
            )
        self.assertEqual(response.status_code, 200)

    def test_it_rejects_an_unknown_instrument(self):
        self.assert_errors(
            self.post(body("boundary-45050", instrument="2022-Z")),
            ["Instrumen '2022-Z' tidak dikenal. Instrumen yang tersedia: 2017, 2022-A, UJI-2022."],
        )

    def test_it_requires_an_instrument(self):
        data = body("boundary-45050")
        del data["instrument"]
        self.assert_errors(
            self.post(data), ['Kode instrumen ("instrument") wajib diisi, misalnya "2022-A".']
        )

    def test_it_names_a_missing_indicator(self):
        data = body("boundary-45050")
        del data["levels"]["5"]
        self.assert_errors(self.post(data), ["Indikator 5 (5.a.K) belum diberi level."])

    def test_it_rejects_a_level_outside_0_to_5(self):
        data = body("boundary-45050")
        data["levels"]["1"] = 6
        data["levels"]["2"] = "3"
        self.assert_errors(
            self.post(data),
            [
                "Level indikator 1 (1.a.Ak) harus bilangan bulat 0–5, bukan 6.",
                "Level indikator 2 (2.a.P) harus bilangan bulat 0–5, bukan '3'.",
            ],
        )

    def test_it_rejects_an_indicator_the_instrument_does_not_have(self):
        data = body("boundary-45050")
        data["levels"] |= {"99": 1, "x": 2}
        self.assert_errors(
            self.post(data),
            [
                "Indikator nomor 99 tidak ada dalam instrumen 2022-A.",
                "Indikator nomor 'x' tidak ada dalam instrumen 2022-A.",
            ],
        )

    def test_it_rejects_a_survey_answer_out_of_range(self):
        survey = [[4] * 14 for _ in range(10)]
        survey[1][13] = 7
        self.assert_errors(
            self.post(body("boundary-45050", survey=survey)),
            ["Responden ke-2, butir 14: jawaban harus bilangan bulat 0–5, bukan 7."],
        )

    def test_it_rejects_a_respondent_with_the_wrong_number_of_answers(self):
        self.assert_errors(
            self.post(body("boundary-45050", survey=[[4] * 13])),
            ["Responden ke-1 mengisi 13 butir; seharusnya 14 butir."],
        )

    def test_it_rejects_a_survey_that_is_not_a_list(self):
        self.assert_errors(
            self.post(body("boundary-45050", survey="4,4,4")),
            [
                '"survey" harus berupa daftar jawaban responden '
                "(satu daftar per responden) atau null."
            ],
        )

    def test_it_rejects_malformed_json(self):
        self.assert_errors(
            self.post('{"instrument": "2022-A", "levels": {', raw=True),
            ["Data permintaan bukan JSON yang sah."],
        )

    def test_it_rejects_json_nested_too_deeply_for_the_parser(self):
        # json.loads recurses per level: 100,000 levels raised RecursionError, answered 500.
        for deep in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
            with self.subTest(deep[:2]):
                self.assert_errors(
                    self.post(deep, raw=True), ["Data permintaan bukan JSON yang sah."]
                )

    def test_it_rejects_an_instrument_code_with_a_nul(self):
        # PostgreSQL refuses NUL in a query parameter: the code is never looked up.
        response = self.post(body("boundary-45050", instrument="2022-A\u0000"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("Instrumen '2022-A\\x00' tidak dikenal.", response.json()["errors"][0])

    def test_it_rejects_levels_that_are_not_an_object(self):
        self.assert_errors(
            self.post(body("boundary-45050", levels=[5] * 30)),
            ['"levels" harus berupa objek {"nomor indikator": level}, misalnya {"1": 3}.'],
        )

    def test_it_rejects_a_body_that_is_not_an_object(self):
        self.assert_errors(
            self.post([1, 2, 3]),
            ['Data permintaan harus berupa objek JSON: {"instrument": …, "levels": {…}}.'],
        )

    def test_it_accepts_json_only(self):
        response = self.post(
            "instrument=2022-A", raw=True, content_type="application/x-www-form-urlencoded"
        )
        self.assertEqual(response.status_code, 415)
        self.assertEqual(
            response.json(),
            {"errors": ["Kirim data sebagai JSON (Content-Type: application/json)."]},
        )

    def test_it_only_accepts_post(self):
        self.client.force_login(self.evaluator)
        self.assertEqual(self.client.get(URL).status_code, 405)

    def test_it_requires_the_csrf_token_of_the_session(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.evaluator)
        response = client.post(
            URL, json.dumps(body("boundary-45050")), content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn("CSRF", response.json()["detail"])

    def test_it_walks_the_permissions(self):
        anonymous = self.client.post(
            URL, json.dumps(body("boundary-45050")), content_type="application/json"
        )
        # Token authentication comes first: anonymous callers are asked for a token.
        self.assertEqual(anonymous.status_code, 401)
        self.assertEqual(anonymous["WWW-Authenticate"], "Token")
        expected = {
            "outsider": 403,
            "leader": 200,  # reads: the simulator stores nothing
            "operator": 200,
            "evaluator": 200,
            "coordinator": 200,
            "admin": 200,
        }
        for name, status in expected.items():
            with self.subTest(persona=name):
                response = self.post(body("boundary-45050"), self.personas()[name])
                self.assertEqual(response.status_code, status)
