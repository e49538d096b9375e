import datetime as dt
import hashlib
import json
import re
from decimal import Decimal
from fractions import Fraction
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count, F, Q
from django.test import SimpleTestCase, TestCase
from django.utils import timezone

from evaluations.instrument_spec import cycle_spec
from evaluations.models import (
    Assessment,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    Cycle,
    EvaluatorAssignment,
    Evidence,
    EvidenceRevision,
    FinalLevel,
    FollowUpChange,
    FollowUpFile,
    FollowUpItem,
    FollowUpStatus,
    InstrumentVersion,
    Phase,
    PhaseWindow,
    Scheme,
    Score,
    SurveyLink,
    SurveyResponse,
)
from evaluations.selectors.followup import followup_progress
from evaluations.selectors.survey import survey_summary
from evaluations.selectors.windows import window_problem
from notifications.models import Notification
from pekppp.demo.data import DEMO_PASSWORD, PERSON, evaluator_teams, seed_demo
from pekppp.demo.followup import SECOND_OPINION, FollowUpSummary
from pekppp.demo.results import TOLERANCE, locus_inputs
from pekppp.demo.survey import SurveyLocus
from scoring import engine
from scoring.models import CoachingFile, CoachingSession, PriorityUnit, Result
from scoring.services.priority import priority_remove
from scoring.services.results import final_levels_save, results_recompute
from scoring.services.survey import survey_void
from tests.factories import golden_levels
from units.models import Agency, AgencyKind, Role, RoleAssignment, ServiceUnit, User

# The cycles in progress are of the year seeding runs in, with every phase open around today.
TODAY = timezone.localdate()
YEAR = TODAY.year
NASIONAL = f"PEKPPP Nasional {YEAR}"
MANDIRI = f"PEKPPP Mandiri Provinsi Lampung {YEAR}"
OPEN = (TODAY - dt.timedelta(days=14), TODAY + dt.timedelta(days=60))

GRADES = ["A", "A-", "B", "B-", "C", "C-", "D", "E", "F"]
INSTRUMENT_FILE = Path(__file__).resolve().parents[1] / "evaluations/instruments/2022-A.json"

KABKOTA_NAMES = {
    "Pemerintah Kabupaten Lampung Barat",
    "Pemerintah Kabupaten Tanggamus",
    "Pemerintah Kabupaten Lampung Selatan",
    "Pemerintah Kabupaten Lampung Timur",
    "Pemerintah Kabupaten Lampung Tengah",
    "Pemerintah Kabupaten Lampung Utara",
    "Pemerintah Kabupaten Way Kanan",
    "Pemerintah Kabupaten Tulang Bawang",
    "Pemerintah Kabupaten Pesawaran",
    "Pemerintah Kabupaten Pringsewu",
    "Pemerintah Kabupaten Mesuji",
    "Pemerintah Kabupaten Tulang Bawang Barat",
    "Pemerintah Kabupaten Pesisir Barat",
    "Pemerintah Kota Bandar Lampung",
    "Pemerintah Kota Metro",
}


def counts() -> dict[str, int]:
    return {
        "agencies": Agency.objects.count(),
        "units": ServiceUnit.objects.count(),
        "cycles": Cycle.objects.count(),
        "windows": PhaseWindow.objects.count(),
        "assessments": Assessment.objects.count(),
        "assignments": EvaluatorAssignment.objects.count(),
        "leads": EvaluatorAssignment.objects.filter(is_lead=True).count(),
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "instruments": InstrumentVersion.objects.count(),
        "final_levels": FinalLevel.objects.count(),
        "survey_responses": SurveyResponse.objects.count(),
        "survey_links": SurveyLink.objects.count(),
        "evidence": Evidence.objects.count(),
        "evidence_revisions": EvidenceRevision.objects.count(),
        "survey_audit": AuditEntry.objects.filter(action=AuditAction.SURVEY).count(),
        "results": Result.objects.count(),
        "priority_units": PriorityUnit.objects.count(),
        "coaching_sessions": CoachingSession.objects.count(),
        "coaching_files": CoachingFile.objects.count(),
        "coaching_notifications": Notification.objects.filter(kind="coaching").count(),
        "scores": Score.objects.count(),
        "followup_items": FollowUpItem.objects.count(),
        "followup_changes": FollowUpChange.objects.count(),
        "followup_files": FollowUpFile.objects.count(),
    }


def result_rows() -> set[tuple]:
    return set(Result.objects.values_list("id", "assessment_id", "ipp", "grade", "computed_at"))


def window_rows() -> set[tuple]:
    return set(PhaseWindow.objects.values_list("id", "cycle_id", "phase", "starts_on", "ends_on"))


class SeedDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.summary = seed_demo()
        cls.nasional = Cycle.objects.get(name=NASIONAL)
        cls.mandiri = Cycle.objects.get(name=MANDIRI)
        cls.nasional_2023 = Cycle.objects.get(name="PEKPPP Nasional 2023")
        cls.nasional_2022 = Cycle.objects.get(name="PEKPPP Nasional 2022")

    def test_it_creates_the_expected_number_of_rows(self):
        self.assertEqual(
            counts(),
            {
                "agencies": 22,
                "units": 54,
                "cycles": 4,
                "windows": 24,
                "assessments": 147,  # 54 + 3 this year, 54 in 2023, 36 in 2022
                "assignments": 348,
                "leads": 147,
                "users": 15,  # one more operator records the province DPMPTSP's follow-up
                "roles": 15,
                "instruments": 2,
                "final_levels": 2700,  # 30 per locus of 2023 and 2022
                "survey_responses": 1313 + 6 + 10,  # 2023 and 2022; this year at two loci
                "survey_links": 2,
                "evidence": 1,  # the scan of this year's paper sheet
                "evidence_revisions": 1,
                "survey_audit": 1,  # the paper sheet typed in
                "results": 90,
                "priority_units": 4,  # 2022: three proposed by the rule, one added by hand
                "coaching_sessions": 1,
                "coaching_files": 1,
                "coaching_notifications": 2,  # the unit's operator and its agency's leader
                "scores": 6210,  # every evaluator's level of each final locus
                "followup_items": 2073,  # one per level below 5, with its recommendation
                "followup_changes": 24,  # the seven items the two demo operators updated
                "followup_files": 2,  # one per item marked done
            },
        )
        self.assertEqual(
            (self.summary.agencies, self.summary.units, self.summary.assessments),
            (22, 54, 147),
        )
        self.assertEqual((self.summary.assignments, self.summary.users), (348, 15))

    def test_it_gives_identical_rows_when_run_twice(self):
        before = counts()
        ids_before = set(
            EvaluatorAssignment.objects.values_list("assessment_id", "evaluator_id", "is_lead")
        )
        levels_before = set(FinalLevel.objects.values_list("id", "level", "decided_at"))
        answers_before = list(
            SurveyResponse.objects.values_list("id", "answers", "submitted_at", "link_id")
        )
        links_before = set(SurveyLink.objects.values_list("id", "token", "revoked_at"))
        results_before = result_rows()
        windows_before = window_rows()
        second = seed_demo()
        self.assertEqual(counts(), before)
        self.assertEqual(window_rows(), windows_before)
        self.assertEqual(
            set(
                EvaluatorAssignment.objects.values_list("assessment_id", "evaluator_id", "is_lead")
            ),
            ids_before,
        )
        self.assertEqual(
            set(FinalLevel.objects.values_list("id", "level", "decided_at")), levels_before
        )
        self.assertEqual(
            list(SurveyResponse.objects.values_list("id", "answers", "submitted_at", "link_id")),
            answers_before,
        )
        self.assertEqual(
            set(SurveyLink.objects.values_list("id", "token", "revoked_at")), links_before
        )
        self.assertEqual(result_rows(), results_before)
        self.assertEqual(second, self.summary)
        self.assertEqual((self.summary.history.changed, second.history.changed), (90, 0))
        history = Q(cycle__in=[self.nasional_2023, self.nasional_2022])
        self.assertEqual(results_recompute(assessments=history).changes, [])

    def test_it_lists_priority_units_after_the_2022_publication(self):
        rows = PriorityUnit.objects.filter(cycle=self.nasional_2022).values_list(
            "unit__name", "basis", "confirmed_by__username", "removed_at"
        )
        self.assertEqual(
            set(rows),
            {
                ("Disdukcapil Kabupaten Mesuji", "grade", "admin", None),  # D
                ("RSUD Kabupaten Pesisir Barat", "grade", "admin", None),  # F
                ("DPMPTSP Kabupaten Tulang Bawang Barat", "grade", None, None),  # E, proposed
                ("Disdukcapil Kabupaten Lampung Selatan", "manual", "admin", None),
            },
        )
        session = CoachingSession.objects.get()
        self.assertEqual(
            (session.unit.name, session.cycle, session.held_on, session.mode),
            (
                "Disdukcapil Kabupaten Lampung Selatan",
                self.nasional_2022,
                TODAY + dt.timedelta(days=14),
                "hibrida",
            ),
        )
        attachment = session.files.get()
        self.assertEqual(
            (attachment.original_name, attachment.content_type),
            ("undangan-pendampingan.pdf", "application/pdf"),
        )
        self.assertEqual(
            sorted(
                Notification.objects.filter(kind="coaching").values_list(
                    "recipient__username", flat=True
                )
            ),
            ["operator", "pimpinan"],
        )
        self.assertEqual((self.summary.priority.confirmed, self.summary.priority.proposed), (3, 1))

    def test_a_second_run_keeps_the_decisions_taken_in_the_browser(self):
        tbb = ServiceUnit.objects.get(name="DPMPTSP Kabupaten Tulang Bawang Barat")
        admin = User.objects.get(username="admin")
        priority_remove(cycle=self.nasional_2022, unit=tbb, by=admin, reason="Sudah dibina")
        before = counts()
        seed_demo()
        self.assertEqual(counts(), before)
        row = PriorityUnit.objects.get(cycle=self.nasional_2022, unit=tbb)
        self.assertEqual((row.removal_reason, row.confirmed_at), ("Sudah dibina", None))

    def test_it_gives_every_demo_person_a_reserved_example_address(self):
        self.assertEqual(
            dict(User.objects.values_list("username", "email")),
            {username: f"{username}@example.org" for username in PERSON},
        )

    def test_it_restores_a_changed_demo_password_team_and_address(self):
        operator = User.objects.get(username="operator")
        operator.set_password("lain-sekali-123")
        operator.email = "pribadi@example.com"
        operator.save()
        EvaluatorAssignment.objects.filter(evaluator__username="evaluator").delete()
        seed_demo()
        self.assertTrue(User.objects.get(username="operator").check_password(DEMO_PASSWORD))
        self.assertEqual(User.objects.get(username="operator").email, "operator@example.org")
        self.assertEqual(
            EvaluatorAssignment.objects.filter(evaluator__username="evaluator").count(),
            17 + 17 + 9,  # this year, 2023, 2022
        )

    def test_it_creates_all_fifteen_kabupaten_kota_of_lampung(self):
        kabkota = Agency.objects.filter(
            province__code="18", kind__in=[AgencyKind.KABUPATEN, AgencyKind.KOTA]
        )
        self.assertEqual(set(kabkota.values_list("name", flat=True)), KABKOTA_NAMES)
        self.assertEqual(kabkota.count(), 15)
        self.assertEqual(
            Agency.objects.get(code="KAB-1801").name, "Pemerintah Kabupaten Lampung Selatan"
        )
        self.assertEqual(Agency.objects.get(code="KOTA-1872").name, "Pemerintah Kota Metro")
        self.assertEqual(Agency.objects.get(code="PROV-18").name, "Pemerintah Provinsi Lampung")
        # Each head's office: letters are addressed to it, the leadership's dashboard names it.
        heads = dict(Agency.objects.values_list("code", "head_title"))
        self.assertEqual(heads["KAB-1801"], "Bupati Lampung Selatan")
        self.assertEqual(heads["KOTA-1872"], "Wali Kota Metro")
        self.assertEqual(heads["PROV-18"], "Gubernur Lampung")
        self.assertEqual(heads["PLN"], "Direktur Utama PT PLN (Persero)")
        self.assertNotIn("", heads.values())

    def test_it_gives_each_kabupaten_kota_one_dpmptsp_disdukcapil_and_rsud_locus(self):
        for agency in Agency.objects.filter(kind__in=[AgencyKind.KABUPATEN, AgencyKind.KOTA]):
            with self.subTest(agency=agency.name):
                types = self.nasional.assessments.filter(unit__agency=agency).values_list(
                    "unit__service_type__code", flat=True
                )
                self.assertEqual(sorted(types), ["disdukcapil", "dpmptsp", "rsud"])

    def test_it_names_and_scopes_the_kabupaten_kota_units(self):
        names = set(
            self.nasional.assessments.filter(unit__agency__code="KAB-1801").values_list(
                "unit__name", "unit__scope"
            )
        )
        self.assertEqual(
            names,
            {
                ("Disdukcapil Kabupaten Lampung Selatan", "administratif"),
                ("DPMPTSP Kabupaten Lampung Selatan", "administratif"),
                ("RSUD Bob Bazar Kalianda", "jasa"),
            },
        )
        self.assertEqual(
            ServiceUnit.objects.get(code="1872-DISDUKCAPIL").name, "Disdukcapil Kota Metro"
        )

    def test_it_gives_the_province_dpmptsp_samsat_and_rsud_loci(self):
        for cycle in (self.nasional, self.mandiri):
            with self.subTest(cycle=cycle.name):
                loci = cycle.assessments.filter(unit__agency__code="PROV-18")
                self.assertEqual(
                    set(loci.values_list("unit__name", "unit__service_type__code")),
                    {
                        ("DPMPTSP Provinsi Lampung", "dpmptsp"),
                        ("UPTD Samsat Bandar Lampung", "samsat"),
                        ("RSUD Dr. H. Abdul Moeloek", "rsud"),
                    },
                )
        self.assertEqual(self.mandiri.assessments.count(), 3)

    def test_it_adds_the_kl_polri_and_bumn_units_to_the_nasional_cycle(self):
        loci = self.nasional.assessments.exclude(unit__agency__province__isnull=False)
        self.assertEqual(
            set(loci.values_list("unit__name", "unit__agency__kind")),
            {
                ("Kantor Imigrasi Kelas I TPI Bandar Lampung", "kementerian"),
                ("Kantor Pertanahan Kota Bandar Lampung", "kementerian"),
                ("Balai Besar POM di Bandar Lampung", "lembaga"),
                ("Satpas SIM Polresta Bandar Lampung", "polri"),
                ("Pelayanan SKCK Polres Lampung Selatan", "polri"),
                ("ULP PLN Tanjung Karang", "bumn"),
            },
        )
        self.assertEqual(self.nasional.assessments.count(), 54)

    def test_it_sets_up_both_cycles_in_the_current_year_with_every_phase_open_today(self):
        self.assertEqual(
            (
                self.nasional.year,
                self.nasional.scheme,
                self.nasional.owner_agency.code,
                self.nasional.instrument.code,
            ),
            (YEAR, Scheme.NASIONAL, "KEMENPANRB", "2022-A"),
        )
        self.assertEqual(
            (
                self.mandiri.year,
                self.mandiri.scheme,
                self.mandiri.owner_agency.code,
                self.mandiri.instrument.code,
            ),
            (YEAR, Scheme.MANDIRI, "PROV-18", "2022-A"),
        )
        for cycle in (self.nasional, self.mandiri):
            windows = {w.phase: (w.starts_on, w.ends_on) for w in cycle.windows.all()}
            self.assertEqual(windows, dict.fromkeys(Phase.values, OPEN))
            for locus in cycle.assessments.select_related("cycle"):
                for phase in Phase:
                    with self.subTest(locus=str(locus), phase=phase.label):
                        self.assertIsNone(window_problem(locus, phase, TODAY))
        self.assertEqual(
            (self.summary.year, self.summary.open_from, self.summary.open_until), (YEAR, *OPEN)
        )
        self.assertFalse(
            Assessment.objects.filter(cycle__year=YEAR)
            .exclude(status=AssessmentStatus.DRAFT)
            .exists()
        )

    def test_it_realigns_the_open_windows_to_the_day_of_each_run(self):
        in_progress = PhaseWindow.objects.filter(cycle__in=[self.nasional, self.mandiri])
        finished = PhaseWindow.objects.exclude(cycle__in=[self.nasional, self.mandiri])
        # As left by a run earlier this year.
        in_progress.update(starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 1, 2))
        finished_before = set(finished.values_list("id", "phase", "starts_on", "ends_on"))
        seed_demo()
        self.assertEqual(in_progress.count(), 12)
        self.assertEqual(set(in_progress.values_list("starts_on", "ends_on")), {OPEN})
        self.assertEqual(
            set(finished.values_list("id", "phase", "starts_on", "ends_on")), finished_before
        )
        self.assertEqual(PhaseWindow.objects.count(), 24)

    def test_it_gives_each_locus_two_or_three_evaluators_with_one_lead(self):
        teams = Assessment.objects.annotate(
            size=Count("assignments"),
            leads=Count("assignments", filter=Q(assignments__is_lead=True)),
        )
        self.assertEqual(teams.count(), 147)
        for locus in teams:
            with self.subTest(locus=str(locus)):
                self.assertIn(locus.size, (2, 3))
                self.assertEqual(locus.leads, 1)

    def test_it_never_assigns_an_evaluator_to_their_own_agency_in_the_nasional_cycle(self):
        nasional = EvaluatorAssignment.objects.filter(assessment__cycle__scheme=Scheme.NASIONAL)
        self.assertEqual(nasional.count(), 135 + 135 + 72)  # this year, 2023, 2022
        self.assertFalse(nasional.filter(evaluator__agency=F("assessment__unit__agency")).exists())
        self.assertEqual(
            set(nasional.values_list("evaluator__agency__code", flat=True)), {"KEMENPANRB"}
        )

    def test_it_spreads_the_nasional_loci_evenly_over_eight_evaluators(self):
        loads = (
            EvaluatorAssignment.objects.filter(assessment__cycle=self.nasional)
            .values("evaluator")
            .annotate(n=Count("id"))
        )
        self.assertEqual(sorted(row["n"] for row in loads), [16] + [17] * 7)

    def test_it_staffs_the_mandiri_cycle_with_provincial_evaluators(self):
        staff = set(
            EvaluatorAssignment.objects.filter(assessment__cycle=self.mandiri).values_list(
                "evaluator__username", "evaluator__agency__code"
            )
        )
        self.assertEqual(staff, {("hendra.saputra", "PROV-18"), ("yuliana.putri", "PROV-18")})

    def test_it_makes_the_demo_evaluator_lead_of_disdukcapil_lampung_selatan(self):
        assignment = EvaluatorAssignment.objects.get(
            evaluator__username="evaluator",
            assessment__unit__code="1801-DISDUKCAPIL",
            assessment__cycle=self.nasional,
        )
        self.assertTrue(assignment.is_lead)

    def test_it_gives_each_demo_person_one_role_in_the_right_scope(self):
        roles = set(
            RoleAssignment.objects.filter(
                user__username__in=["admin", "koordinator", "evaluator", "operator", "pimpinan"]
            ).values_list("user__username", "role", "agency__code", "unit__code")
        )
        self.assertEqual(
            roles,
            {
                ("admin", Role.MINISTRY_ADMIN, None, None),
                ("koordinator", Role.COORDINATOR, "PROV-18", None),
                ("evaluator", Role.EVALUATOR, None, None),
                ("operator", Role.UNIT_OPERATOR, None, "1801-DISDUKCAPIL"),
                ("pimpinan", Role.LEADERSHIP, "KAB-1801", None),
            },
        )
        admin = User.objects.get(username="admin")
        self.assertEqual(
            (admin.is_staff, admin.is_superuser, admin.agency.code), (True, True, "KEMENPANRB")
        )
        for user in User.objects.all():
            with self.subTest(user=user.username):
                self.assertRegex(user.nip, r"^\d{18}$")
                self.assertIn(",", user.full_name)
        self.assertEqual(User.objects.values("nip").distinct().count(), 15)

    def test_it_lets_each_demo_user_log_in_and_see_their_work(self):
        expected = {
            "admin": ([NASIONAL, MANDIRI], []),
            "koordinator": (
                [MANDIRI, "UPTD Samsat Bandar Lampung"],
                ["Disdukcapil Kabupaten Lampung Selatan"],
            ),
            "evaluator": (
                ["Disdukcapil Kabupaten Lampung Selatan", "Andi Prasetyo"],
                ["DPMPTSP Kabupaten Lampung Selatan"],
            ),
            "operator": (["Disdukcapil Kabupaten Lampung Selatan"], ["Disdukcapil Kota Metro"]),
            "pimpinan": (
                [
                    "Disdukcapil Kabupaten Lampung Selatan",
                    "RSUD Bob Bazar Kalianda",
                    'id="dasbor"',
                    "Bupati Lampung Selatan",
                    "Indikator terlemah",
                ],
                ["Disdukcapil Kota Metro"],
            ),
        }
        for username, (present, absent) in expected.items():
            with self.subTest(username=username):
                self.assertTrue(self.client.login(username=username, password=DEMO_PASSWORD))
                response = self.client.get("/")
                self.assertEqual(response.status_code, 200)
                for text in present:
                    self.assertContains(response, text)
                for text in absent:
                    self.assertNotContains(response, text)
                self.client.logout()

    def test_it_loads_the_2022a_instrument_with_30_scored_indicators(self):
        instrument = InstrumentVersion.objects.get(code="2022-A")
        self.assertEqual(instrument.indicators.filter(supplementary=False).count(), 30)
        self.assertEqual(self.summary.instruments, ("2017", "2022-A"))

    def test_it_sets_up_finished_nasional_cycles_for_2023_and_2022(self):
        for cycle, year in ((self.nasional_2023, 2023), (self.nasional_2022, 2022)):
            with self.subTest(cycle=cycle.name):
                self.assertEqual(
                    (cycle.year, cycle.scheme, cycle.owner_agency.code, cycle.instrument.code),
                    (year, Scheme.NASIONAL, "KEMENPANRB", "2022-A"),
                )
                windows = cycle.windows.all()
                self.assertEqual(sorted(w.phase for w in windows), sorted(Phase.values))
                self.assertTrue(all(w.starts_on.year == w.ends_on.year == year for w in windows))
                self.assertEqual(
                    set(cycle.assessments.values_list("status", flat=True)),
                    {AssessmentStatus.FINAL},
                )
        self.assertEqual(
            set(self.nasional_2023.assessments.values_list("unit_id", flat=True)),
            set(self.nasional.assessments.values_list("unit_id", flat=True)),
        )

    def test_it_makes_the_follow_up_of_the_finished_cycles_with_a_few_updates(self):
        deadline = TODAY + dt.timedelta(days=60)
        for cycle in (self.nasional_2023, self.nasional_2022):
            self.assertEqual(cycle.followup_deadline, deadline)
        below_five = FinalLevel.objects.filter(
            assessment__cycle__in=[self.nasional_2023, self.nasional_2022], level__lt=5
        )
        self.assertEqual(
            set(FollowUpItem.objects.values_list("assessment_id", "indicator_id", "level")),
            set(below_five.values_list("assessment_id", "indicator_id", "level")),
        )
        self.assertEqual(self.summary.followup, FollowUpSummary(items=2073, updated=7))
        item = FollowUpItem.objects.filter(recommendation__startswith="(1) ").first()
        self.assertTrue(item.recommendation.endswith(f"\n\n(2) {SECOND_OPINION}"))
        self.assertLessEqual(item.level, 1)

        operators = FollowUpItem.objects.filter(
            assessment__cycle=self.nasional_2023, unit__code="1801-DISDUKCAPIL"
        ).order_by("indicator__number")
        S = FollowUpStatus
        self.assertEqual(
            [(i.status, i.target_date, i.updated_by.username) for i in operators[:4]],
            [
                (S.IN_PROGRESS, deadline, "operator"),
                (S.IN_PROGRESS, deadline, "operator"),
                (S.DONE, deadline, "operator"),
                (S.IN_PROGRESS, TODAY - dt.timedelta(days=7), "operator"),
            ],
        )
        self.assertEqual(
            FollowUpFile.objects.get(item=operators[2]).original_name, "laporan-publikasi-sp.pdf"
        )
        self.assertEqual({i.status for i in operators[4:]}, {S.NOT_STARTED})
        province = ServiceUnit.objects.filter(code__in=["18-DPMPTSP", "1801-DISDUKCAPIL"])
        progress = followup_progress(province, self.nasional_2023)
        dpmptsp, disdukcapil = (province.get(code=c).pk for c in ("18-DPMPTSP", "1801-DISDUKCAPIL"))
        self.assertEqual(
            (progress[dpmptsp].done, progress[dpmptsp].not_possible, progress[dpmptsp].overdue),
            (1, 1, 0),
        )
        self.assertEqual((progress[disdukcapil].done, progress[disdukcapil].overdue), (1, 1))

    def test_it_gives_2023_results_of_all_nine_grades(self):
        grades = Result.objects.filter(cycle=self.nasional_2023).values_list("grade", flat=True)
        self.assertEqual(set(grades), set(GRADES))
        history = self.summary.history
        self.assertEqual(history.year, 2023)
        self.assertEqual([grade for grade, _ in history.grades], GRADES)
        self.assertEqual(sum(n for _, n in history.grades), 54)
        self.assertEqual(dict(history.grades), {g: list(grades).count(g) for g in GRADES})

    def test_it_gives_every_2023_locus_30_final_levels_by_its_lead_and_a_result(self):
        loci = self.nasional_2023.assessments.annotate(levels=Count("final_levels"))
        self.assertEqual(loci.count(), 54)
        self.assertEqual({locus.levels for locus in loci}, {30})
        leads = dict(
            EvaluatorAssignment.objects.filter(assessment__in=loci, is_lead=True).values_list(
                "assessment_id", "evaluator_id"
            )
        )
        deciders = set(
            FinalLevel.objects.filter(assessment__in=loci).values_list(
                "assessment_id", "decided_by_id"
            )
        )
        self.assertEqual(deciders, set(leads.items()))
        self.assertEqual(Result.objects.filter(assessment__in=loci).count(), 54)
        self.assertEqual(
            FinalLevel.objects.filter(assessment__cycle=self.nasional_2023)
            .values_list("decided_at__year", flat=True)
            .distinct()
            .get(),
            2023,
        )

    def test_it_averages_the_2023_ipp_near_the_national_3_78(self):
        ipps = list(Result.objects.filter(cycle=self.nasional_2023).values_list("ipp", flat=True))
        average = Fraction(sum(ipps)) / len(ipps)
        self.assertTrue(Fraction("3.6") <= average <= Fraction("3.9"), float(average))
        self.assertEqual(self.summary.history.national_ipp, engine.round_half_up(average))

    def test_it_leaves_the_survey_of_a_few_units_uncounted(self):
        results = Result.objects.filter(cycle__in=[self.nasional_2023, self.nasional_2022])
        uncounted = results.filter(survey_index__isnull=True)
        self.assertTrue(uncounted.exists())
        self.assertEqual(
            set(uncounted.values_list("survey_reason", flat=True)), {"too_few_respondents"}
        )
        self.assertTrue(all(0 < n < 10 for n in uncounted.values_list("respondents", flat=True)))
        counted = results.filter(survey_index__isnull=False)
        self.assertGreater(counted.count(), 0.8 * results.count())
        self.assertTrue(all(10 <= n <= 20 for n in counted.values_list("respondents", flat=True)))
        self.assertEqual(set(counted.values_list("survey_reason", flat=True)), {""})
        answers = SurveyResponse.objects.filter(assessment__cycle=self.nasional_2023)
        self.assertEqual({r.channel for r in answers}, {"online", "paper"})
        self.assertTrue(
            all(len(r.answers) == 14 and set(r.answers) <= set(range(6)) for r in answers)
        )
        self.assertEqual({r.submitted_at.year for r in answers}, {2023})

    def test_it_scores_2022_for_two_thirds_of_the_same_units_and_this_year_not_at_all(self):
        units_2022 = set(
            Result.objects.filter(cycle=self.nasional_2022).values_list(
                "assessment__unit_id", flat=True
            )
        )
        units_2023 = set(
            Result.objects.filter(cycle=self.nasional_2023).values_list(
                "assessment__unit_id", flat=True
            )
        )
        self.assertEqual(len(units_2022), 36)
        self.assertLess(units_2022, units_2023)
        # The units new in 2023 are of every service type, not one type that joined late.
        new_types = ServiceUnit.objects.filter(pk__in=units_2023 - units_2022).values_list(
            "service_type__code", flat=True
        )
        self.assertTrue({"disdukcapil", "dpmptsp", "rsud"} <= set(new_types))
        self.assertFalse(Result.objects.filter(cycle__year=YEAR).exists())
        self.assertFalse(FinalLevel.objects.filter(assessment__cycle__year=YEAR).exists())
        self.assertEqual(
            set(
                SurveyResponse.objects.filter(assessment__cycle__year=YEAR).values_list(
                    "assessment__unit__code", flat=True
                )
            ),
            {"1801-DISDUKCAPIL", "1801-RSUD"},
        )

    def test_it_stores_inputs_that_reproduce_each_ipp(self):
        results = Result.objects.select_related("cycle__instrument")
        self.assertEqual(results.count(), 90)
        for result in results:
            with self.subTest(result=str(result)):
                spec = cycle_spec(result.cycle).with_survey_settings(
                    Decimal(result.inputs["survey_weight"]), result.inputs["min_respondents"]
                )
                levels = {int(n): level for n, level in result.inputs["levels"].items()}
                again = engine.score(spec, levels, result.inputs["survey"])
                self.assertEqual((again.ipp, again.grade), (result.ipp, result.grade))
                self.assertEqual(again.evaluator_index_display, result.evaluator_index)


class SeedDemoSurveyTest(TestCase):
    """This year's F-03 answers, collected through the survey services while the survey
    window is open."""

    @classmethod
    def setUpTestData(cls):
        cls.summary = seed_demo()
        cycle = Cycle.objects.get(name=NASIONAL)
        loci = cycle.assessments.select_related("cycle__instrument", "unit")
        cls.operator_locus = loci.get(unit__code="1801-DISDUKCAPIL")
        cls.counted_locus = loci.get(unit__code="1801-RSUD")
        cls.operator = User.objects.get(username="operator")

    def test_the_survey_window_is_open_today(self):
        self.assertIsNone(window_problem(self.operator_locus, Phase.SURVEY))

    def test_the_operators_locus_has_online_answers_and_one_paper_sheet_below_m(self):
        link = SurveyLink.objects.get(assessment=self.operator_locus)
        self.assertEqual((link.created_by, link.revoked_at), (self.operator, None))
        responses = SurveyResponse.objects.filter(assessment=self.operator_locus)
        online = responses.filter(channel="online")
        self.assertEqual(online.count(), 5)
        self.assertEqual(
            set(online.values_list("link", "entered_by", "sheet")), {(link.pk, None, None)}
        )
        paper = responses.get(channel="paper")
        self.assertEqual(
            (paper.link, paper.entered_by, paper.voided_at), (None, self.operator, None)
        )
        sheet = paper.sheet
        content = sheet.file.read()
        self.assertEqual(content[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(
            (sheet.content_type, sheet.size, sheet.sha256, sheet.uploaded_by),
            ("image/png", len(content), hashlib.sha256(content).hexdigest(), self.operator),
        )
        self.assertEqual(sheet.file.name.split("/")[:2], ["evidence", str(self.operator_locus.pk)])
        self.assertIsNone(sheet.evidence.indicator)
        entry = AuditEntry.objects.get(action=AuditAction.SURVEY)
        self.assertEqual((entry.assessment, entry.actor), (self.operator_locus, self.operator))
        self.assertTrue(entry.new.startswith(f"Isian kertas #{paper.pk}: "))
        self.assertTrue(
            all(len(r.answers) == 14 and set(r.answers) <= set(range(6)) for r in responses)
        )
        self.assertTrue(responses.exclude(service_used="").exists())
        figures = survey_summary(self.operator_locus)
        self.assertEqual(
            (figures.respondents, figures.online, figures.paper, figures.minimum, figures.counted),
            (6, 5, 1, 10, False),
        )

    def test_another_locus_has_exactly_m_answers_so_its_survey_counts(self):
        figures = survey_summary(self.counted_locus)
        self.assertEqual(figures.minimum, self.counted_locus.cycle.effective_min_respondents)
        self.assertEqual(
            (figures.respondents, figures.online, figures.paper, figures.counted), (10, 10, 0, True)
        )
        link = SurveyLink.objects.get(assessment=self.counted_locus, revoked_at__isnull=True)
        self.assertEqual(
            set(SurveyResponse.objects.filter(assessment=self.counted_locus).values_list("link")),
            {(link.pk,)},
        )
        # No result before the final levels; once they are saved the survey enters the IPP.
        self.assertFalse(Result.objects.filter(assessment=self.counted_locus).exists())
        result = final_levels_save(
            assessment=self.counted_locus, levels=golden_levels("boundary-45050")
        )
        self.assertEqual((result.respondents, result.survey_reason), (10, ""))
        self.assertEqual(result.survey_index, figures.index)
        self.assertNotEqual(result.ipp, result.evaluator_index)

    def test_it_reports_both_loci_with_their_links(self):
        tokens = dict(
            SurveyLink.objects.filter(revoked_at__isnull=True).values_list(
                "assessment__unit__name", "token"
            )
        )
        self.assertEqual(
            self.summary.survey,
            (
                SurveyLocus(
                    unit="Disdukcapil Kabupaten Lampung Selatan",
                    link=f"/s/{tokens['Disdukcapil Kabupaten Lampung Selatan']}/",
                    respondents=6,
                    online=5,
                    paper=1,
                    minimum=10,
                    counted=False,
                ),
                SurveyLocus(
                    unit="RSUD Bob Bazar Kalianda",
                    link=f"/s/{tokens['RSUD Bob Bazar Kalianda']}/",
                    respondents=10,
                    online=10,
                    paper=0,
                    minimum=10,
                    counted=True,
                ),
            ),
        )

    def test_a_second_run_keeps_what_people_did_with_the_survey(self):
        paper = SurveyResponse.objects.get(channel="paper", assessment__cycle__year=YEAR)
        survey_void(response=paper, reason="Lembar ganda", by=self.operator)
        before = counts()
        seed_demo()
        self.assertEqual(counts(), before)
        self.assertEqual(survey_summary(self.operator_locus).respondents, 5)


class SeedDemoCommandTest(TestCase):
    def test_it_prints_the_demo_logins_in_indonesian(self):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        text = out.getvalue()
        self.assertIn("Data demo siap: 22 instansi, 54 unit, 4 periode, 147 lokus", text)
        self.assertIn(
            f"Periode berjalan {YEAR} (Nasional dan Mandiri): semua tahap dibuka "
            f"{OPEN[0]:%d-%m-%Y} s.d. {OPEN[1]:%d-%m-%Y}.\n",
            text,
        )
        self.assertRegex(
            text,
            r"Hasil 2023: A \d+, A- \d+, B \d+, B- \d+, C \d+, C- \d+, D \d+, E \d+, F \d+; "
            r"IPP nasional rata-rata 3\.[6-9]\d\.\n",
        )
        self.assertIn(
            "Tindak lanjut periode selesai: 2073 butir rekomendasi, 7 sudah diperbarui unit "
            "(/tindak-lanjut/).\n",
            text,
        )
        self.assertIn("Akun demo:", text)
        for username in ("admin", "koordinator", "evaluator", "operator", "pimpinan"):
            self.assertRegex(text, rf"\s{username}\s+demo-pekppp\s")
        for unit, figures in (
            (
                "Disdukcapil Kabupaten Lampung Selatan",
                "6 responden (5 daring, 1 kertas; minimum 10, belum dihitung)",
            ),
            ("RSUD Bob Bazar Kalianda", "10 responden (10 daring, 0 kertas; minimum 10, dihitung)"),
        ):
            self.assertRegex(
                text,
                rf"Survei F-03 {YEAR}, {re.escape(unit)}: {re.escape(figures)}, "
                r"http://127\.0\.0\.1:8000/s/[A-Za-z0-9_-]{16}/\n",
            )
        self.assertIn(
            "UPP prioritas pembinaan PEKPPP Nasional 2022: 3 ditetapkan, 1 usulan, "
            "1 sesi pendampingan.\n",
            text,
        )
        self.assertEqual(len(text.strip().splitlines()), 15)
        self.assertNotIn("2024", text)


class SeedDemoAfterAnEarlierYearTest(TestCase):
    """A database seeded in an earlier year (here 2024, as the old seed did) and again today."""

    EARLIER = dt.date(2024, 5, 1)

    @classmethod
    def setUpTestData(cls):
        seed_demo(today=cls.EARLIER)
        cls.earlier = Cycle.objects.get(name="PEKPPP Nasional 2024")
        cls.earlier_windows = window_rows()
        cls.earlier_teams = set(
            EvaluatorAssignment.objects.filter(assessment__cycle__year=2024).values_list(
                "assessment_id", "evaluator_id", "is_lead"
            )
        )
        seed_demo()

    def test_it_collects_no_survey_outside_todays_window(self):
        # Seeded as of 1 May 2024, the 2024 windows were closed on the real day: the survey
        # services took no answers. Today's cycle has them.
        self.assertFalse(SurveyResponse.objects.filter(assessment__cycle__year=2024).exists())
        self.assertFalse(SurveyLink.objects.filter(assessment__cycle__year=2024).exists())
        self.assertEqual(SurveyResponse.objects.filter(assessment__cycle__year=YEAR).count(), 16)

    def test_it_leaves_the_earlier_cycles_in_progress_as_they_were(self):
        earlier = Cycle.objects.filter(year=2024)
        self.assertEqual(
            set(earlier.values_list("name", flat=True)),
            {"PEKPPP Nasional 2024", "PEKPPP Mandiri Provinsi Lampung 2024"},
        )
        self.assertEqual(Assessment.objects.filter(cycle__in=earlier).count(), 57)
        self.assertLessEqual(self.earlier_windows, window_rows())
        self.assertEqual(
            set(
                EvaluatorAssignment.objects.filter(assessment__cycle__year=2024).values_list(
                    "assessment_id", "evaluator_id", "is_lead"
                )
            ),
            self.earlier_teams,
        )
        locus = self.earlier.assessments.get(unit__code="1801-DISDUKCAPIL")
        self.assertIsNotNone(window_problem(locus, Phase.SELF_ASSESSMENT, TODAY))

    def test_it_adds_the_current_cycles_with_every_phase_open(self):
        self.assertEqual(Cycle.objects.count(), 6)
        for name in (NASIONAL, MANDIRI):
            with self.subTest(cycle=name):
                cycle = Cycle.objects.get(name=name)
                self.assertEqual({(w.starts_on, w.ends_on) for w in cycle.windows.all()}, {OPEN})
                self.assertEqual(cycle.windows.count(), 6)
        lead = EvaluatorAssignment.objects.get(
            evaluator__username="evaluator",
            assessment__unit__code="1801-DISDUKCAPIL",
            assessment__cycle__name=NASIONAL,
        )
        self.assertTrue(lead.is_lead)

    def test_it_lists_the_current_cycle_first_on_the_demo_home_pages(self):
        for username in ("evaluator", "operator"):
            with self.subTest(username=username):
                self.assertTrue(self.client.login(username=username, password=DEMO_PASSWORD))
                page = self.client.get("/").content.decode()
                self.assertIn("PEKPPP Nasional 2024", page)
                self.assertLess(page.index(NASIONAL), page.index("PEKPPP Nasional 2024"))
                self.client.logout()


class EvaluatorTeamsTest(SimpleTestCase):
    def test_it_draws_round_robin_with_the_least_used_lead_first(self):
        self.assertEqual(
            evaluator_teams(4, 4, (3, 2)),
            [(0, 1, 2), (3, 0), (1, 2, 3), (0, 1)],
        )

    def test_it_rotates_the_lead_in_a_two_person_pool(self):
        self.assertEqual(evaluator_teams(3, 2, (2,)), [(0, 1), (1, 0), (0, 1)])

    def test_it_caps_the_team_at_the_pool_size(self):
        self.assertEqual(evaluator_teams(2, 2, (3,)), [(0, 1), (1, 0)])


class LocusInputsTest(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = engine.instrument_from_dict(json.loads(INSTRUMENT_FILE.read_text()))

    def test_it_draws_the_same_inputs_for_the_same_unit_and_year(self):
        first = locus_inputs(self.spec, code="1801-RSUD", year=2023, target=Decimal("3.75"))
        again = locus_inputs(self.spec, code="1801-RSUD", year=2023, target=Decimal("3.75"))
        other = locus_inputs(self.spec, code="1801-RSUD", year=2022, target=Decimal("3.75"))
        self.assertEqual(first, again)
        self.assertNotEqual(first.levels, other.levels)

    def test_it_lands_each_target_within_the_tolerance(self):
        for target in ("0.75", "1.25", "2.25", "3.25", "4.25", "4.75"):
            with self.subTest(target=target):
                inputs = locus_inputs(self.spec, code="X", year=2023, target=Decimal(target))
                ipp = engine.score(self.spec, inputs.levels, inputs.answers).ipp
                self.assertLessEqual(abs(ipp - Decimal(target)), TOLERANCE)
                self.assertEqual(sorted(inputs.levels), list(range(1, 31)))
