"""/api/v1/agencies/ and /api/v1/units/: who sees what, filters, ordering, paging, bad input."""

from django.test import override_settings
from rest_framework.authtoken.models import Token

from tests import factories as f
from tests.base import PersonaTestCase
from tests.units.test_two_factor import enrolled, next_code
from units.models import Agency, AgencyKind, ServiceScope, ServiceUnit

AGENCIES = "/api/v1/agencies/"
UNITS = "/api/v1/units/"


class ApiTestCase(PersonaTestCase):
    def get(self, url, user=None, **params):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.get(url, params)

    def names(self, response) -> list[str]:
        self.assertEqual(response.status_code, 200, response.content)
        return [row["name"] for row in response.json()["results"]]


class AgencyApiTest(ApiTestCase):
    def test_it_asks_an_anonymous_caller_for_a_token(self):
        for url in (AGENCIES, f"{AGENCIES}{self.lamsel.pk}/", UNITS, f"{UNITS}{self.unit.pk}/"):
            with self.subTest(url=url):
                response = self.get(url)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response["WWW-Authenticate"], "Token")
                self.assertEqual(response.json(), {"detail": "Data autentikasi tidak diberikan."})

    def test_it_lists_the_agencies_each_role_sees(self):
        everyone = sorted(Agency.objects.values_list("name", flat=True), key=str.lower)
        expected = {
            "admin": everyone,
            "coordinator": ["Pemerintah Provinsi Lampung"],
            "leader": ["Pemerintah Kabupaten Lampung Selatan"],
            "operator": [],
            "evaluator": [],
            "outsider": [],
        }
        for role, user in self.personas().items():
            with self.subTest(role=role):
                self.assertEqual(self.names(self.get(AGENCIES, user)), expected[role])

    def test_it_gives_an_agency_in_full(self):
        response = self.get(f"{AGENCIES}{self.lamsel.pk}/", self.leader)
        self.assertEqual(
            response.json(),
            {
                "id": self.lamsel.pk,
                "code": "KAB-1801",
                "name": "Pemerintah Kabupaten Lampung Selatan",
                "kind": "kabupaten",
                "ranking_group": "kabkota",
                "province": {"code": "18", "name": "Lampung"},
                "head_title": "",
            },
        )

    def test_it_answers_404_for_an_agency_one_may_not_see(self):
        url = f"{AGENCIES}{self.lamsel.pk}/"
        expected = {
            "admin": 200,
            "leader": 200,
            "coordinator": 404,
            "operator": 404,
            "evaluator": 404,
            "outsider": 404,
        }
        for role, user in self.personas().items():
            with self.subTest(role=role):
                self.assertEqual(self.get(url, user).status_code, expected[role])
        response = self.get(f"{AGENCIES}{10**30}/", self.admin)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"detail": "Data tidak ditemukan."})

    def test_it_filters_agencies(self):
        cases = [
            ({"province": "18", "group": "kabkota"}, ["Pemerintah Kabupaten Lampung Selatan",
                                                      "Pemerintah Kabupaten Tanggamus"]),
            ({"kind": "kementerian"}, ["Kementerian PANRB"]),
            ({"q": "kab lampung selatan"}, ["Pemerintah Kabupaten Lampung Selatan"]),
            ({"province": "18", "ordering": "-name"}, ["Pemerintah Provinsi Lampung",
                                                       "Pemerintah Kabupaten Tanggamus",
                                                       "Pemerintah Kabupaten Lampung Selatan"]),
        ]  # fmt: skip
        for params, names in cases:
            with self.subTest(params=params):
                self.assertEqual(self.names(self.get(AGENCIES, self.admin, **params)), names)


class UnitApiTest(ApiTestCase):
    def test_it_lists_the_units_each_role_sees(self):
        everyone = sorted(ServiceUnit.objects.values_list("name", flat=True), key=str.lower)
        expected = {
            "admin": everyone,
            "coordinator": ["DPMPTSP Provinsi Lampung"],
            "leader": ["Disdukcapil Kabupaten Lampung Selatan"],
            "operator": ["Disdukcapil Kabupaten Lampung Selatan"],
            "evaluator": [],
            "outsider": [],
        }
        for role, user in self.personas().items():
            with self.subTest(role=role):
                self.assertEqual(self.names(self.get(UNITS, user)), expected[role])

    def test_it_gives_a_unit_in_full(self):
        response = self.get(f"{UNITS}{self.unit.pk}/", self.operator)
        self.assertEqual(
            response.json(),
            {
                "id": self.unit.pk,
                "code": self.unit.code,
                "name": "Disdukcapil Kabupaten Lampung Selatan",
                "agency": {
                    "id": self.lamsel.pk,
                    "code": "KAB-1801",
                    "name": "Pemerintah Kabupaten Lampung Selatan",
                },
                "province": {"code": "18", "name": "Lampung"},
                "ranking_group": "kabkota",
                "service_type": {"code": "disdukcapil", "name": "Disdukcapil"},
                "scope": "administratif",
                "address": "",
                "is_active": True,
            },
        )

    def test_it_answers_404_for_a_unit_one_may_not_see(self):
        url = f"{UNITS}{self.unit.pk}/"
        expected = {
            "admin": 200,
            "leader": 200,
            "operator": 200,
            "coordinator": 404,
            "evaluator": 404,
            "outsider": 404,
        }
        for role, user in self.personas().items():
            with self.subTest(role=role):
                self.assertEqual(self.get(url, user).status_code, expected[role])

    def test_it_filters_units_by_codes_group_and_name(self):
        f.make_unit(self.kemenpan, "Layanan Pengaduan KemenPANRB")
        lampung = ["Disdukcapil Kabupaten Lampung Selatan", "Disdukcapil Kabupaten Tanggamus",
                   "DPMPTSP Provinsi Lampung"]  # fmt: skip
        cases = [
            ({"province": "18"}, lampung),
            ({"group": "kabkota"}, lampung[:2]),
            ({"group": "kl"}, ["Layanan Pengaduan KemenPANRB"]),
            ({"agency": "KAB-1806"}, ["Disdukcapil Kabupaten Tanggamus"]),
            ({"service_type": "dpmptsp"}, ["DPMPTSP Provinsi Lampung"]),
            # The short-name table of every unit search: "dukcapil" finds "Disdukcapil".
            ({"q": "dukcapil tanggamus"}, ["Disdukcapil Kabupaten Tanggamus"]),
            ({"q": "lampung", "service_type": "disdukcapil"}, lampung[:2]),
            ({"ordering": "-name"}, ["Layanan Pengaduan KemenPANRB", "DPMPTSP Provinsi Lampung",
                                     "Disdukcapil Kabupaten Tanggamus",
                                     "Disdukcapil Kabupaten Lampung Selatan"]),
            ({"ordering": "-agency", "province": "18"},
             ["DPMPTSP Provinsi Lampung", "Disdukcapil Kabupaten Tanggamus",
              "Disdukcapil Kabupaten Lampung Selatan"]),
        ]  # fmt: skip
        for params, names in cases:
            with self.subTest(params=params):
                self.assertEqual(self.names(self.get(UNITS, self.admin, **params)), names)

    def test_it_filters_within_what_one_may_see(self):
        response = self.get(UNITS, self.leader, province="18")
        self.assertEqual(self.names(response), ["Disdukcapil Kabupaten Lampung Selatan"])

    def test_it_refuses_bad_query_parameters_with_a_message_per_parameter(self):
        cases = [
            ({"province": "99"}, "province"),
            ({"province": "9" * 400}, "province"),
            ({"agency": "TIDAK-ADA"}, "agency"),
            ({"service_type": "x' OR 1=1 --"}, "service_type"),
            ({"group": "kementerian"}, "group"),
            ({"ordering": "password"}, "ordering"),
            ({"q": "x" * 101}, "q"),
            ({"page": "abc"}, "page"),
            ({"page": "0"}, "page"),
            ({"page": "1e3"}, "page"),
            ({"page_size": "501"}, "page_size"),
            ({"page_size": str(10**30)}, "page_size"),
        ]
        for params, field in cases:
            with self.subTest(params={k: v[:20] for k, v in params.items()}):
                response = self.get(UNITS, self.admin, **params)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertEqual(list(response.json()), [field])
                self.assertIsInstance(response.json()[field][0], str)

    def test_it_says_what_is_wrong_in_the_callers_language(self):
        self.client.force_login(self.admin)
        response = self.client.get(UNITS, {"province": "99"}, headers={"accept-language": "id"})
        self.assertEqual(
            response.json(),
            {"province": ["Masukkan pilihan yang valid. Pilihan tersebut bukan salah satu dari "
                          "pilihan yang tersedia."]},
        )  # fmt: skip
        response = self.client.get(UNITS, {"province": "99"}, headers={"accept-language": "en"})
        self.assertEqual(
            response.json(),
            {"province": ["Select a valid choice. That choice is not one of the available "
                          "choices."]},
        )  # fmt: skip

    def test_it_refuses_control_characters_as_json(self):
        for value in ("\x00", "a\x00b", "\x1b"):
            for params in ({"q": value}, {"agency": value}, {"page": value}):
                with self.subTest(params=params):
                    response = self.get(UNITS, self.admin, **params)
                    self.assertEqual(response.status_code, 400)
                    self.assertEqual(list(response.json()), ["detail"])

    def test_it_answers_404_for_a_page_past_the_end_and_a_huge_id(self):
        self.assertEqual(self.get(UNITS, self.admin, page=str(10**30)).status_code, 404)
        self.assertEqual(self.get(f"{UNITS}{10**30}/", self.admin).status_code, 404)

    def test_it_authenticates_a_token(self):
        token = Token.objects.create(user=self.operator)
        self.client.logout()
        response = self.client.get(UNITS, headers={"authorization": f"Token {token.key}"})
        self.assertEqual(self.names(response), ["Disdukcapil Kabupaten Lampung Selatan"])
        response = self.client.get(UNITS, headers={"authorization": "Token salah"})
        self.assertEqual(response.status_code, 401)
        # DRF's Indonesian catalogue lacks this one: locale/rest_framework/ has it.
        self.assertEqual(response.json(), {"detail": "Token tidak valid."})


class ApiQueryCountTest(ApiTestCase):
    """Each list reads the same number of queries for 20 rows as for 300."""

    def add_rows(self, n: int, prefix: str) -> None:
        agencies = Agency.objects.bulk_create(
            Agency(code=f"{prefix}-{i:04d}", name=f"Kota {prefix} {i:04d}", kind=AgencyKind.KOTA,
                   province=self.province)
            for i in range(n)
        )  # fmt: skip
        service_type = f.make_service_type()
        ServiceUnit.objects.bulk_create(
            ServiceUnit(code=f"{prefix}-U{i:04d}", name=f"Unit {prefix} {i:04d}", agency=agency,
                        service_type=service_type, scope=ServiceScope.ADMINISTRATIF)
            for i, agency in enumerate(agencies)
        )  # fmt: skip

    def assert_queries(self, url: str, rows: int) -> None:
        # user, roles, the province of the filter, count, page (the session is in the cache)
        with self.assertNumQueries(5):
            response = self.client.get(url, {"page_size": 500, "province": "18"})
        self.assertEqual(response.status_code, 200)
        self.assertGreaterEqual(len(response.json()["results"]), rows)

    def test_it_reads_a_constant_number_of_queries(self):
        self.client.force_login(self.admin)
        self.add_rows(20, "A")
        for url in (AGENCIES, UNITS):
            with self.subTest(url=url, rows=20):
                self.assert_queries(url, 20)
        self.add_rows(280, "B")
        for url in (AGENCIES, UNITS):
            with self.subTest(url=url, rows=300):
                self.assert_queries(url, 300)


@override_settings(OTP_REQUIRED=True)
class ApiTwoFactorTest(ApiTestCase):
    """A session that still owes its second factor gets a 403 in JSON, not a redirect."""

    def test_it_refuses_a_session_waiting_for_its_code(self):
        enrolled(self.operator)
        self.client.force_login(self.operator)
        for url in (UNITS, f"{UNITS}{self.unit.pk}/", "/api/v1/results/", AGENCIES):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 403)
                self.assertEqual(
                    response.json(),
                    {
                        "detail": "Sesi ini belum diverifikasi dengan kode dua langkah. Masukkan "
                        "kode di portal, atau kirim token API (Authorization: Token …)."
                    },
                )
        # The pages still send the person to the code step.
        self.assertRedirects(
            self.client.get("/"), "/akun/dua-langkah/verifikasi/?next=/",
            fetch_redirect_response=False,
        )  # fmt: skip

    def test_it_refuses_a_session_that_must_enrol_first(self):
        self.client.force_login(self.coordinator)
        response = self.client.get(UNITS, headers={"accept-language": "en"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            response.json(),
            {
                "detail": "Your role requires two-step verification. Turn it on in the portal, "
                "or send an API token (Authorization: Token …)."
            },
        )

    def test_a_token_is_taken_instead_of_the_unverified_session(self):
        enrolled(self.operator)
        token = Token.objects.create(user=self.operator)
        self.client.force_login(self.operator)
        response = self.client.get(UNITS, headers={"authorization": f"token {token.key}"})
        self.assertEqual(self.names(response), ["Disdukcapil Kabupaten Lampung Selatan"])
        # Any other scheme falls back to the session, which is refused.
        response = self.client.get(UNITS, headers={"authorization": "Basic b3A6eA=="})
        self.assertEqual(response.status_code, 403)

    def test_a_verified_session_and_people_who_owe_nothing_get_through(self):
        device, _ = enrolled(self.operator)
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get("/api/schema/").status_code, 200)
        response = self.client.post("/akun/dua-langkah/verifikasi/", {"code": next_code(device)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(UNITS).status_code, 200)
        self.client.force_login(self.leader)  # leadership: not required to enrol
        self.assertEqual(self.client.get(UNITS).status_code, 200)
