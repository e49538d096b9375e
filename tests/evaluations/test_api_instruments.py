"""/api/v1/instruments/: instrument versions with aspects, indicators and, one by one, rubrics."""

from decimal import Decimal

from evaluations.models import Aspect, Indicator, InstrumentVersion
from tests import factories as f
from tests.base import PersonaTestCase

URL = "/api/v1/instruments/"


class InstrumentApiTest(PersonaTestCase):
    def get(self, user, url=URL, **params):
        self.client.force_login(user)
        return self.client.get(url, params)

    def test_it_lists_versions_with_aspects_and_indicators(self):
        response = self.get(self.operator)
        self.assertEqual(response.status_code, 200)
        (version,) = response.json()["results"]
        aspects = version.pop("aspects")
        supplementary = version.pop("supplementary_indicators")
        self.assertEqual(
            version,
            {
                "id": self.instrument.pk,
                "code": "UJI-2022",
                "name": "Instrumen uji UJI-2022",
                "year": 2022,
                "variant": "A",
                "legal_basis": "",
                "description": "",
                "provisional": False,
                "survey_weight": "0.250",
                "min_respondents": 10,
            },
        )
        self.assertEqual(
            [(a["code"], a["weight"], len(a["indicators"])) for a in aspects],
            [
                ("I", "24.000", 9),
                ("II", "25.000", 5),
                ("III", "18.000", 6),
                ("IV", "11.000", 4),
                ("V", "10.000", 4),
                ("VI", "12.000", 2),
            ],
        )
        first = aspects[0]["indicators"][0]
        self.assertEqual(
            first,
            {
                "id": self.instrument.indicators.get(number=1).pk,
                "number": 1,
                "code": "1.x.K",
                "title": "Indikator 1",
                "question": "Pertanyaan 1",
                "weight": "17.000",
                "supplementary": False,
                "evidence_required": True,
                "evidence_guidance": "Dokumen pendukung",
            },
        )
        self.assertEqual(
            [(i["number"], i["code"], i["weight"]) for i in supplementary],
            [(31, "tambahan", "0.000")],
        )

    def test_one_version_has_the_rubric_survey_items_and_grades(self):
        response = self.get(self.evaluator, f"{URL}{self.instrument.pk}/")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        levels = data["aspects"][0]["indicators"][0]["levels"]
        self.assertEqual(levels[0], {"value": 0, "description": "Indikator 1: tingkat 0"})
        self.assertEqual([lv["value"] for lv in levels], [0, 1, 2, 3, 4, 5])
        self.assertEqual(len(data["supplementary_indicators"][0]["levels"]), 6)
        self.assertEqual(data["survey_items"][0], {"number": 1, "text": "Butir 1"})
        self.assertEqual(len(data["survey_items"]), 14)
        self.assertEqual(
            data["grade_bands"][0],
            {"grade": "A", "min_ipp": "4.51", "max_ipp": "5.00", "label": "Pelayanan Prima"},
        )
        self.assertEqual([g["grade"] for g in data["grade_bands"]][-1], "F")

    def test_it_is_for_everyone_with_a_role(self):
        for user in (self.admin, self.coordinator, self.evaluator, self.operator, self.leader):
            with self.subTest(user=user.username):
                self.assertEqual(self.get(user).status_code, 200)
        response = self.get(self.outsider)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            response.json(), {"detail": "Anda tidak memiliki peran yang dapat membaca instrumen."}
        )
        self.assertEqual(self.get(self.outsider, f"{URL}{self.instrument.pk}/").status_code, 404)
        self.assertEqual(self.get(self.admin, f"{URL}999999/").status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 401)

    def test_it_filters_by_year_and_code(self):
        f.make_instrument("UJI-2017", year=2017)
        self.client.force_login(self.admin)
        cases = [
            ({}, ["UJI-2022", "UJI-2017"]),
            ({"year": 2017}, ["UJI-2017"]),
            ({"code": "uji-2022"}, ["UJI-2022"]),
            ({"ordering": "year"}, ["UJI-2017", "UJI-2022"]),
        ]
        for params, codes in cases:
            with self.subTest(params=params):
                results = self.client.get(URL, params).json()["results"]
                self.assertEqual([r["code"] for r in results], codes)
        for params in ({"year": "x"}, {"year": "1999"}, {"year": "9" * 30}):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), ["year"])

    def test_it_reads_a_page_of_versions_in_constant_queries(self):
        self.client.force_login(self.operator)
        for total in (20, 300):
            InstrumentVersion.objects.filter(code__startswith="V-").delete()
            versions = InstrumentVersion.objects.bulk_create(
                InstrumentVersion(code=f"V-{total}-{i}", name=f"V {i}", year=2020,
                                  survey_weight=Decimal("0.25"), min_respondents=10)
                for i in range(total)
            )  # fmt: skip
            aspects = Aspect.objects.bulk_create(
                Aspect(instrument=v, code="I", name="A", weight=100, order=1) for v in versions
            )
            Indicator.objects.bulk_create(
                Indicator(instrument=a.instrument, aspect=a, number=1, code="1", title="I",
                          weight=100)
                for a in aspects
            )  # fmt: skip
            # user, roles, count, versions, aspects, their indicators, supplementary ones
            with self.subTest(total=total), self.assertNumQueries(7):
                response = self.client.get(URL, {"page_size": 500})
            self.assertEqual(response.json()["count"], total + 1)
