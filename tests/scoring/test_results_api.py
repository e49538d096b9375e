"""/api/v1/results/: the stored results each person may read in the pages, filtered."""

import datetime as dt
from decimal import Decimal

from tests import factories as f
from tests.base import PersonaTestCase
from units.models import Role

from .factories import make_ranked_units, make_result

URL = "/api/v1/results/"


class ResultApiTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.result = make_result(cls.assessment, "4.79", aspects=f.aspects(*["4.79"] * 6))
        cls.other = make_result(cls.other_assessment, "3.20")
        cls.mandiri_result = make_result(cls.mandiri_assessment, "3.90")
        # The leadership of the Nasional cycle's owner: its ranking, not its loci.
        cls.owner_leader = f.make_user("pimpinan-kemenpan", agency=cls.kemenpan)
        f.grant(cls.owner_leader, Role.LEADERSHIP, agency=cls.kemenpan)

    def get(self, user, url=URL, **params):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.get(url, params)

    def ids(self, response) -> list[int]:
        self.assertEqual(response.status_code, 200, response.content)
        return [row["id"] for row in response.json()["results"]]

    def test_it_asks_an_anonymous_caller_for_a_token(self):
        for url in (URL, f"{URL}{self.result.pk}/"):
            with self.subTest(url=url):
                response = self.get(None, url)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response["WWW-Authenticate"], "Token")

    def test_it_lists_what_the_ranking_and_assessment_pages_show_each_role(self):
        r, other, mandiri = self.result.pk, self.other.pk, self.mandiri_result.pk
        expected = {
            # Newest cycle first (both 2024: the Nasional one was created first), then by IPP.
            "admin": [r, other, mandiri],
            # Their Mandiri cycle's ranking; the Nasional loci are another agency's.
            "coordinator": [mandiri],
            # The loci they evaluate, operate, or whose agency they lead.
            "evaluator": [r],
            "operator": [r],
            "leader": [r],
            "outsider": [],
        }
        personas = self.personas() | {"owner_leader": self.owner_leader}
        expected["owner_leader"] = [r, other]
        for role, user in personas.items():
            with self.subTest(role=role):
                self.assertEqual(self.ids(self.get(user)), expected[role])
                for pk in (r, other, mandiri):
                    status = 200 if pk in expected[role] else 404
                    self.assertEqual(self.get(user, f"{URL}{pk}/").status_code, status)

    def test_it_gives_a_result_in_full(self):
        response = self.get(self.operator, f"{URL}{self.result.pk}/")
        data = response.json()
        self.assertEqual(
            dt.datetime.fromisoformat(data.pop("computed_at")), self.result.computed_at
        )
        self.assertEqual(
            data,
            {
                "id": self.result.pk,
                "assessment": self.assessment.pk,
                "cycle": {
                    "id": self.cycle.pk,
                    "name": "PEKPPP Nasional 2024",
                    "year": 2024,
                    "scheme": "nasional",
                },
                "unit": {
                    "id": self.unit.pk,
                    "code": self.unit.code,
                    "name": "Disdukcapil Kabupaten Lampung Selatan",
                },
                "agency": {
                    "id": self.lamsel.pk,
                    "code": "KAB-1801",
                    "name": "Pemerintah Kabupaten Lampung Selatan",
                },
                "province": {"code": "18", "name": "Lampung"},
                "service_type": {"code": "disdukcapil", "name": "Disdukcapil"},
                "ranking_group": "kabkota",
                "aspects": dict.fromkeys(("I", "II", "III", "IV", "V", "VI"), "4.79"),
                "evaluator_index": "4.79",
                "survey_index": None,
                "respondents": 0,
                "survey_reason": "no_survey",
                "ipp": "4.79",
                "grade": "A",
                "grade_label": "Pelayanan Prima",
                "instrument": "UJI-2022",
                "engine_version": "test",
            },
        )

    def test_it_filters_results(self):
        r, other, mandiri = self.result.pk, self.other.pk, self.mandiri_result.pk
        cases = [
            ({"cycle": self.mandiri.pk}, [mandiri]),
            ({"agency": "KAB-1806"}, [other]),
            ({"province": "18", "group": "provinsi"}, [mandiri]),
            ({"service_type": "disdukcapil"}, [r, other]),
            ({"grade": "A"}, [r]),
            ({"grade": "B-"}, [other]),
            ({"q": "dukcapil tanggamus"}, [other]),
            ({"cycle": self.cycle.pk, "ordering": "ipp"}, [other, r]),
            ({"ordering": "unit"}, [r, other, mandiri]),  # ignoring case: "Di…" before "DP…"
            ({"ordering": "-year,-ipp"}, [r, mandiri, other]),
        ]
        for params, ids in cases:
            with self.subTest(params=params):
                self.assertEqual(self.ids(self.get(self.admin, **params)), ids)

    def test_it_filters_within_what_one_may_read(self):
        self.assertEqual(self.ids(self.get(self.leader, agency="KAB-1806")), [])
        # A cycle one reads no result of is refused like one that does not exist.
        for cycle in (self.cycle.pk, 10**6):
            response = self.get(self.coordinator, cycle=cycle)
            self.assertEqual(response.status_code, 400)
            self.assertEqual(list(response.json()), ["cycle"])
        self.assertEqual(
            self.ids(self.get(self.coordinator, cycle=self.mandiri.pk)), [self.mandiri_result.pk]
        )

    def test_it_refuses_bad_query_parameters_with_a_message_per_parameter(self):
        cases = [
            ({"cycle": "abc"}, "cycle"),
            ({"cycle": "1.5"}, "cycle"),
            ({"cycle": str(10**30)}, "cycle"),
            ({"cycle": "-1"}, "cycle"),
            ({"agency": "TIDAK-ADA"}, "agency"),
            ({"province": "99"}, "province"),
            ({"group": "semua"}, "group"),
            ({"service_type": "x" * 5000}, "service_type"),
            ({"grade": "Z"}, "grade"),
            ({"ordering": "inputs"}, "ordering"),
            ({"q": "x" * 101}, "q"),
            ({"page": "-1"}, "page"),
            ({"page_size": "abc"}, "page_size"),
        ]
        for params, field in cases:
            with self.subTest(params={k: v[:20] for k, v in params.items()}):
                response = self.get(self.admin, **params)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertEqual(list(response.json()), [field])
        for path in (f"{URL}{10**30}/", f"{URL}0/"):
            with self.subTest(path=path):
                self.assertEqual(self.get(self.admin, path).status_code, 404)
        response = self.get(self.admin, grade="A\x00")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(list(response.json()), ["detail"])


class ResultApiQueryCountTest(PersonaTestCase):
    """The list reads the same number of queries for 20 results as for 300."""

    def add_results(self, n: int, prefix: str) -> None:
        make_ranked_units(
            self.cycle,
            [Decimal("4.20")] * n,
            agency=self.lamsel,
            service_type=f.make_service_type(),
            prefix=prefix,
        )

    def assert_queries(self, user, rows: int, queries: int, **params) -> None:
        self.client.force_login(user)
        with self.assertNumQueries(queries):
            response = self.client.get(URL, {"page_size": 500, **params})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.json()["results"]), rows)

    def test_it_reads_a_constant_number_of_queries(self):
        self.add_results(20, "Dua Puluh")
        # user, roles, count, page; with filters: the cycle, the province and the grades
        self.assert_queries(self.admin, 20, 4)
        self.assert_queries(self.leader, 20, 4)
        self.assert_queries(self.admin, 20, 7, cycle=self.cycle.pk, grade="A-", province="18")
        self.add_results(280, "Tiga Ratus")
        self.assert_queries(self.admin, 300, 4)
        self.assert_queries(self.leader, 300, 4)
        self.assert_queries(self.admin, 300, 7, cycle=self.cycle.pk, grade="A-", province="18")
