"""/api/v1/cycles/: cycles with their windows, a cycle's loci and a locus's team, as the pages."""

import datetime as dt

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from evaluations.models import (
    Assessment,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    Cycle,
    EvaluatorAssignment,
    PhaseExtension,
    PhaseWindow,
    Scheme,
)
from tests import factories as f
from tests.base import PersonaTestCase
from units.models import ServiceUnit

from .cycles_factories import save_score

CYCLES = "/api/v1/cycles/"
CONFLICT = (
    "Evaluator Lampung Selatan tidak dapat ditugaskan ke Disdukcapil Kabupaten Tanggamus "
    "karena berasal dari instansi yang sama (Pemerintah Kabupaten Tanggamus); dalam skema "
    "Nasional evaluator tidak boleh menilai unit instansinya sendiri."
)


def loci_url(cycle) -> str:
    return f"{CYCLES}{cycle.pk}/loci/"


def locus_url(locus) -> str:
    return f"{CYCLES}{locus.cycle_id}/loci/{locus.pk}/"


def team_url(locus) -> str:
    return f"{locus_url(locus)}team/"


class CycleApiTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ani = f.make_evaluator(agency=cls.kemenpan, full_name="Ani Evaluator")
        cls.budi = f.make_evaluator(agency=cls.kemenpan, full_name="Budi Evaluator")
        cls.local = f.make_evaluator(agency=cls.tanggamus, full_name="Evaluator Lampung Selatan")
        # A Khusus cycle of the province: its coordinator sees it but does not run it.
        cls.khusus = f.make_cycle(
            cls.instrument, year=2024, scheme=Scheme.KHUSUS, owner=cls.pemprov, name="Khusus"
        )
        cls.khusus_locus = f.make_assessment(cls.khusus, cls.prov_unit)

    def get(self, url, user=None, **params):
        if user is not None:
            self.client.force_login(user)
        return self.client.get(url, params)

    def send(self, method, url, user, data=None, **headers):
        self.client.force_login(user)
        return getattr(self.client, method)(
            url, data, content_type="application/json", headers=headers
        )


class CycleListTest(CycleApiTestCase):
    def test_it_lists_the_cycles_a_coordinator_oversees_with_windows_and_extensions(self):
        start = dt.date(2024, 3, 1)
        PhaseExtension.objects.create(
            assessment=self.mandiri_assessment,
            phase="self_assessment",
            ends_on=start + dt.timedelta(days=40),
            reason="Banjir",
            granted_by=self.admin,
        )
        # Ends before the cycle's own end: no longer more time, not listed.
        PhaseExtension.objects.create(
            assessment=self.mandiri_assessment,
            phase="survey",
            ends_on=start + dt.timedelta(days=31),
            reason="Lama",
            granted_by=self.admin,
        )
        response = self.get(CYCLES, self.coordinator)
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["count"], 2)
        self.assertEqual([c["name"] for c in data["results"]], ["Khusus", self.mandiri.name])
        mandiri = data["results"][1]
        windows = mandiri.pop("windows")
        self.assertEqual(
            mandiri,
            {
                "id": self.mandiri.pk,
                "name": "PEKPPP Mandiri Lampung 2024",
                "year": 2024,
                "scheme": "mandiri",
                "scheme_label": "Mandiri",
                "instrument": "UJI-2022",
                "owner_agency": {"id": self.pemprov.pk, "name": "Pemerintah Provinsi Lampung"},
                "survey_weight": "0.250",
                "min_respondents": 10,
                "followup_deadline": None,
                "loci": 1,
                "final_loci": 0,
                "assigned_loci": 0,
                "can_manage": True,
            },
        )
        self.assertEqual(
            [w["phase"] for w in windows],
            [
                "self_assessment",
                "survey",
                "evaluation",
                "clarification",
                "moderation",
                "publication",
            ],
        )
        self.assertEqual(
            windows[0],
            {
                "phase": "self_assessment",
                "label": "Penilaian mandiri (F-01)",
                "starts_on": "2024-03-01",
                "ends_on": "2024-03-30",
                "extensions": [
                    {
                        "locus": self.mandiri_assessment.pk,
                        "unit": self.prov_unit.pk,
                        "unit_name": "DPMPTSP Provinsi Lampung",
                        "ends_on": "2024-04-10",
                    }
                ],
            },
        )
        self.assertEqual(windows[1]["extensions"], [])
        self.assertFalse(data["results"][0]["can_manage"])  # a Khusus cycle is the ministry's

    def test_it_lists_every_cycle_for_an_admin_newest_first(self):
        f.make_cycle(self.instrument, year=2023, owner=self.kemenpan, name="Lama")
        response = self.get(CYCLES, self.admin)
        self.assertEqual(
            [(c["year"], c["name"]) for c in response.json()["results"]],
            [
                (2024, "Khusus"),
                (2024, "PEKPPP Mandiri Lampung 2024"),
                (2024, "PEKPPP Nasional 2024"),
                (2023, "Lama"),
            ],
        )
        self.assertEqual(
            [c["name"] for c in self.get(CYCLES, year=2023, scheme="nasional").json()["results"]],
            ["Lama"],
        )

    def test_it_refuses_the_list_to_roles_without_cycles(self):
        for user in (self.evaluator, self.operator, self.leader, self.outsider):
            with self.subTest(user=user.username):
                response = self.get(CYCLES, user)
                self.assertEqual(response.status_code, 403)
                self.assertEqual(
                    response.json(),
                    {"detail": "Daftar periode hanya untuk admin KemenPANRB dan koordinator."},
                )

    def test_it_asks_anonymous_callers_for_a_token(self):
        response = self.client.get(CYCLES)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], "Token")

    def test_it_answers_a_token(self):
        token = Token.objects.create(user=self.coordinator)
        response = self.client.get(CYCLES, headers={"Authorization": f"Token {token.key}"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["count"], 2)

    def test_it_refuses_bad_filters_per_parameter(self):
        self.client.force_login(self.admin)
        cases = [
            ({"year": "abc"}, "year"),
            ({"year": "2024.5"}, "year"),
            ({"year": "9" * 30}, "year"),
            ({"scheme": "semua"}, "scheme"),
            ({"page_size": "0"}, "page_size"),
            ({"ordering": "name"}, None),
        ]
        for params, field in cases:
            with self.subTest(params=params):
                response = self.client.get(CYCLES, params)
                if field is None:
                    self.assertEqual(response.status_code, 200)
                    continue
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), [field])

    def test_it_reads_a_page_of_cycles_in_constant_queries(self):
        owner = f.make_agency("Instansi X", code="X")
        for total in (20, 300):
            Cycle.objects.filter(owner_agency=owner).delete()
            cycles = Cycle.objects.bulk_create(
                Cycle(year=2020, scheme="nasional", name=f"C{i}", instrument=self.instrument,
                      owner_agency=owner)
                for i in range(total)
            )  # fmt: skip
            PhaseWindow.objects.bulk_create(
                PhaseWindow(cycle=c, phase=p, starts_on=dt.date(2020, 1, 1),
                            ends_on=dt.date(2020, 2, 1))
                for c in cycles
                for p in ("self_assessment", "evaluation")
            )  # fmt: skip
            self.client.force_login(self.admin)
            # user, roles, count, cycles, windows, extensions
            with self.subTest(total=total), self.assertNumQueries(6):
                response = self.client.get(CYCLES, {"page_size": 500})
            self.assertEqual(len(response.json()["results"]), total + 3)


class CycleDetailTest(CycleApiTestCase):
    def test_it_shows_a_cycle_with_its_loci_per_status(self):
        f.assign(self.other_assessment, self.ani, lead=True)
        Assessment.objects.filter(pk=self.assessment.pk).update(status=AssessmentStatus.SUBMITTED)
        response = self.get(f"{CYCLES}{self.cycle.pk}/", self.admin)
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(
            (data["name"], data["loci"], data["assigned_loci"]), (self.cycle.name, 2, 2)
        )
        self.assertEqual(data["summary"]["total"], 2)
        self.assertEqual(data["summary"]["unassigned"], 0)
        self.assertEqual(
            [(s["status"], s["count"]) for s in data["summary"]["by_status"]],
            [
                ("draft", 1),
                ("submitted", 1),
                ("in_evaluation", 0),
                ("clarification", 0),
                ("moderated", 0),
                ("final", 0),
            ],
        )

    def test_it_hides_a_cycle_from_who_cannot_see_it(self):
        for user in (self.coordinator, self.evaluator, self.operator, self.leader, self.outsider):
            with self.subTest(user=user.username):
                self.assertEqual(self.get(f"{CYCLES}{self.cycle.pk}/", user).status_code, 404)
        self.assertEqual(self.get(f"{CYCLES}{self.mandiri.pk}/", self.coordinator).status_code, 200)
        self.assertEqual(self.get(f"{CYCLES}{10**20}/", self.admin).status_code, 404)


class LociTest(CycleApiTestCase):
    def test_it_lists_a_cycles_loci_with_their_teams(self):
        response = self.get(loci_url(self.cycle), self.admin)
        self.assertEqual(response.status_code, 200)
        first, second = response.json()["results"]
        self.assertEqual(
            first,
            {
                "id": self.assessment.pk,
                "unit": {
                    "id": self.unit.pk,
                    "code": self.unit.code,
                    "name": "Disdukcapil Kabupaten Lampung Selatan",
                    "agency": {
                        "id": self.lamsel.pk,
                        "name": "Pemerintah Kabupaten Lampung Selatan",
                    },
                    "service_type": self.unit.service_type.code,
                },
                "status": "draft",
                "status_label": "Draf",
                "team": [
                    {
                        "evaluator": self.evaluator.pk,
                        "name": "Evaluator Nasional",
                        "agency": "Kementerian PANRB",
                        "is_lead": True,
                        "submitted_at": None,
                    }
                ],
            },
        )
        self.assertEqual((second["id"], second["team"]), (self.other_assessment.pk, []))
        only = self.get(loci_url(self.cycle), unassigned="true", q="tanggamus").json()
        self.assertEqual([r["id"] for r in only["results"]], [self.other_assessment.pk])

    def test_it_refuses_bad_loci_filters_per_parameter(self):
        self.client.force_login(self.admin)
        for params, field in (
            ({"status": "semua"}, "status"),
            ({"q": "x" * 101}, "q"),
            ({"unassigned": "mungkin"}, "unassigned"),
        ):
            with self.subTest(params=params):
                response = self.client.get(loci_url(self.cycle), params)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), [field])

    def test_it_adds_a_locus_for_the_cycles_manager(self):
        response = self.send("post", loci_url(self.cycle), self.admin, {"unit": self.prov_unit.pk})
        self.assertEqual(response.status_code, 201, response.content)
        locus = Assessment.objects.get(cycle=self.cycle, unit=self.prov_unit)
        self.assertEqual(response.json()["id"], locus.pk)
        self.assertEqual(response.json()["status"], "draft")
        self.assertEqual(response.json()["team"], [])

    def test_it_refuses_a_unit_that_cannot_be_added_on_the_unit_field(self):
        foreign = self.send(
            "post", loci_url(self.mandiri), self.coordinator, {"unit": self.unit.pk}
        )
        self.assertEqual(foreign.status_code, 400)
        self.assertEqual(
            foreign.json(),
            {
                "unit": [
                    "Periode Mandiri hanya untuk unit milik Pemerintah Provinsi Lampung; unit "
                    "berikut bukan milik instansi tersebut: Disdukcapil Kabupaten Lampung Selatan."
                ]
            },
        )
        ServiceUnit.objects.filter(pk=self.other_unit.pk).update(is_active=False)
        cases = [
            ({"unit": self.unit.pk}, "Disdukcapil Kabupaten Lampung Selatan sudah menjadi lokus "
                                     "periode ini."),
            ({"unit": 999999}, "Tidak ada unit dengan id 999999."),
            ({}, "Bidang ini harus diisi."),
        ]  # fmt: skip
        for body, message in cases:
            with self.subTest(body=body):
                response = self.send("post", loci_url(self.cycle), self.admin, body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json(), {"unit": [message]})
        for value in ("abc", 10**30, True, [1], {"a": 1}):
            with self.subTest(value=value):
                response = self.send("post", loci_url(self.cycle), self.admin, {"unit": value})
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), ["unit"])
        self.assertEqual(self.mandiri.assessments.count(), 1)
        self.assertEqual(self.cycle.assessments.count(), 2)

    def test_it_answers_in_the_requests_language(self):
        response = self.send(
            "post", loci_url(self.cycle), self.admin, {"unit": 999999}, **{"Accept-Language": "en"}
        )
        self.assertEqual(response.json(), {"unit": ["There is no unit with id 999999."]})

    def test_it_lets_only_the_cycles_manager_change_its_loci(self):
        body = {"unit": self.unit.pk}
        # Sees the Khusus cycle of its province, does not run it.
        self.assertEqual(
            self.send("post", loci_url(self.khusus), self.coordinator, body).status_code, 403
        )
        self.assertEqual(
            self.send("delete", locus_url(self.khusus_locus), self.coordinator).status_code, 403
        )
        for user in (self.coordinator, self.evaluator, self.operator, self.leader, self.outsider):
            with self.subTest(user=user.username):
                response = self.send("post", loci_url(self.cycle), user, body)
                self.assertEqual(response.status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(loci_url(self.cycle), body).status_code, 401)
        self.assertTrue(Assessment.objects.filter(pk=self.khusus_locus.pk).exists())

    def test_it_removes_a_draft_locus_without_work(self):
        response = self.send("delete", locus_url(self.other_assessment), self.admin)
        self.assertEqual(response.status_code, 204)
        self.assertFalse(Assessment.objects.filter(pk=self.other_assessment.pk).exists())

    def test_it_keeps_a_locus_that_holds_work(self):
        Assessment.objects.filter(pk=self.other_assessment.pk).update(
            status=AssessmentStatus.SUBMITTED
        )
        response = self.send("delete", locus_url(self.other_assessment), self.admin)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "detail": [
                    "Disdukcapil Kabupaten Tanggamus tidak dapat dihapus dari lokus karena "
                    "statusnya “Diajukan”."
                ]
            },
        )
        self.assertTrue(Assessment.objects.filter(pk=self.other_assessment.pk).exists())

    def test_it_does_not_find_a_locus_through_another_cycle(self):
        url = f"{CYCLES}{self.cycle.pk}/loci/{self.mandiri_assessment.pk}/"
        self.assertEqual(self.send("delete", url, self.admin).status_code, 404)
        self.assertEqual(self.get(url, self.admin).status_code, 404)
        self.assertTrue(Assessment.objects.filter(pk=self.mandiri_assessment.pk).exists())

    def test_it_reads_a_page_of_loci_in_constant_queries(self):
        cycle = f.make_cycle(self.instrument, year=2024, owner=self.kemenpan, name="Besar")
        service_type = f.make_service_type("rsud", "RSUD")
        for total in (20, 300):
            Assessment.objects.filter(cycle=cycle).delete()
            units = ServiceUnit.objects.bulk_create(
                ServiceUnit(code=f"U{total}-{i}", name=f"Unit {i:03}", agency=self.tanggamus,
                            service_type=service_type, scope="administratif")
                for i in range(total)
            )  # fmt: skip
            loci = Assessment.objects.bulk_create(Assessment(cycle=cycle, unit=u) for u in units)
            EvaluatorAssignment.objects.bulk_create(
                EvaluatorAssignment(assessment=a, evaluator=e, is_lead=e == self.ani)
                for a in loci
                for e in (self.ani, self.budi)
            )
            self.client.force_login(self.admin)
            # user, roles, cycle, count, loci, teams
            with self.subTest(total=total), self.assertNumQueries(6):
                response = self.client.get(loci_url(cycle), {"page_size": 500})
            results = response.json()["results"]
            self.assertEqual(len(results), total)
            self.assertEqual(
                [m["name"] for m in results[-1]["team"]], ["Ani Evaluator", "Budi Evaluator"]
            )


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class TeamTest(CycleApiTestCase):
    def test_it_sets_a_team_through_the_pages_service(self):
        body = {"evaluators": [self.budi.pk, self.ani.pk, self.ani.pk], "lead": self.ani.pk}
        response = self.send("put", team_url(self.other_assessment), self.admin, body)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            [(m["name"], m["is_lead"]) for m in response.json()],
            [("Ani Evaluator", True), ("Budi Evaluator", False)],
        )
        self.assertEqual(
            sorted(
                self.other_assessment.assignments.values_list("evaluator__full_name", "is_lead")
            ),
            [("Ani Evaluator", True), ("Budi Evaluator", False)],
        )
        self.assertEqual(
            AuditEntry.objects.filter(
                assessment=self.other_assessment, action=AuditAction.ASSIGNMENT
            ).count(),
            2,
        )
        self.assertEqual(self.get(team_url(self.other_assessment)).json(), response.json())

    def test_it_makes_the_only_evaluator_the_lead(self):
        response = self.send(
            "put", team_url(self.other_assessment), self.admin, {"evaluators": [self.budi.pk]}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [(m["name"], m["is_lead"]) for m in response.json()], [("Budi Evaluator", True)]
        )

    def test_it_refuses_a_bad_team_per_field_and_changes_nothing(self):
        six = [f.make_evaluator(agency=self.kemenpan).pk for _ in range(6)]
        cases = [
            ({"evaluators": [self.ani.pk, self.budi.pk]},
             {"lead": ["Ketua tim harus salah satu evaluator yang dipilih."]}),
            ({"evaluators": [self.ani.pk], "lead": self.budi.pk},
             {"lead": ["Ketua tim harus salah satu evaluator yang dipilih."]}),
            ({"evaluators": six, "lead": six[0]},
             {"evaluators": ["Tim evaluator terdiri atas 1 sampai 5 orang."]}),
            ({"evaluators": []},
             {"evaluators": ["Tim evaluator terdiri atas 1 sampai 5 orang."]}),
            ({"evaluators": [self.operator.pk]},
             {"evaluators": [f"Tidak ada evaluator aktif dengan id {self.operator.pk}."]}),
            ({"evaluators": [self.local.pk]}, {"evaluators": [CONFLICT]}),
        ]  # fmt: skip
        for body, errors in cases:
            with self.subTest(body=body):
                response = self.send("put", team_url(self.other_assessment), self.admin, body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json(), errors)
        for body in ({}, {"evaluators": "1"}, {"evaluators": [10**30]}, {"evaluators": [None]}):
            with self.subTest(body=body):
                response = self.send("put", team_url(self.other_assessment), self.admin, body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), ["evaluators"])
        self.assertFalse(self.other_assessment.assignments.exists())

    def test_it_keeps_members_who_saved_work_and_moderated_teams(self):
        save_score(self.assessment.assignments.get(), self.instrument.indicators.get(number=1))
        response = self.send(
            "put", team_url(self.assessment), self.admin, {"evaluators": [self.ani.pk]}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "evaluators": [
                    "Evaluator Nasional tidak dapat dikeluarkan dari tim Disdukcapil Kabupaten "
                    "Lampung Selatan karena sudah menyimpan nilai F-02."
                ]
            },
        )
        Assessment.objects.filter(pk=self.other_assessment.pk).update(
            status=AssessmentStatus.MODERATED
        )
        response = self.send(
            "put", team_url(self.other_assessment), self.admin, {"evaluators": [self.ani.pk]}
        )
        self.assertEqual(
            response.json(),
            {
                "evaluators": [
                    "Tindakan ini tidak dapat dilakukan karena status penilaian adalah "
                    "“Dimoderasi”."
                ]
            },
        )
        self.assertEqual(
            list(EvaluatorAssignment.objects.values_list("evaluator__username", flat=True)),
            ["evaluator"],
        )

    def test_it_lets_only_the_cycles_manager_set_a_team(self):
        body = {"evaluators": [self.ani.pk]}
        response = self.send("put", team_url(self.khusus_locus), self.coordinator, body)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json(), {"detail": "Anda tidak menjalankan periode ini."})
        self.assertEqual(self.get(team_url(self.khusus_locus)).status_code, 200)
        for user in (self.coordinator, self.evaluator, self.operator, self.leader, self.outsider):
            with self.subTest(user=user.username):
                response = self.send("put", team_url(self.other_assessment), user, body)
                self.assertEqual(response.status_code, 404)
        # The Mandiri cycle's coordinator runs it.
        response = self.send(
            "put",
            team_url(self.mandiri_assessment),
            self.coordinator,
            {"evaluators": [self.local.pk]},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(EvaluatorAssignment.objects.filter(assessment=self.khusus_locus).exists())

    def test_it_answers_options_on_every_endpoint(self):
        urls = [
            CYCLES,
            f"{CYCLES}{self.cycle.pk}/",
            loci_url(self.cycle),
            locus_url(self.other_assessment),
            team_url(self.other_assessment),
            "/api/v1/instruments/",
            f"/api/v1/instruments/{self.instrument.pk}/",
            "/api/v1/followup/",
        ]
        self.client.force_login(self.admin)
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.options(url).status_code, 200)

    def test_it_writes_one_team_at_a_time(self):
        with CaptureQueriesContext(connection) as queries:
            self.send(
                "put", team_url(self.other_assessment), self.admin, {"evaluators": [self.ani.pk]}
            )
        if connection.vendor == "postgresql":
            self.assertTrue(any("FOR UPDATE" in q["sql"] for q in queries.captured_queries))
