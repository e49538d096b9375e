"""Evaluator teams: who may be assigned, what is audited and e-mailed, what is refused."""

import re

from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Assessment, AssessmentStatus, AuditAction, AuditEntry, Scheme
from evaluations.services.cycles import assignment_set
from evaluations.services.workflow import WorkflowError
from tests import factories as f
from tests.base import PersonaTestCase

from .cycles_factories import private_cache, save_score

CONFLICT = (
    "Evaluator Lampung Selatan tidak dapat ditugaskan ke Disdukcapil Kabupaten Lampung Selatan "
    "karena berasal dari instansi yang sama (Pemerintah Kabupaten Lampung Selatan); dalam skema "
    "Nasional evaluator tidak boleh menilai unit instansinya sendiri."
)


# Mails are sent by the worker (notifications.deliver): run it in the test.
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class AssignmentTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ani = f.make_evaluator(
            agency=cls.kemenpan, full_name="Ani Evaluator", email="ani@example.id"
        )
        cls.budi = f.make_evaluator(
            agency=cls.kemenpan, full_name="Budi Evaluator", email="budi@example.id"
        )
        cls.local = f.make_evaluator(
            agency=cls.lamsel, full_name="Evaluator Lampung Selatan", email="ls@example.id"
        )
        cls.indicator = cls.instrument.indicators.get(number=1)

    def url(self, assessment=None):
        assessment = assessment or self.other_assessment
        path = reverse("evaluations:assignment_form", args=[assessment.cycle_id])
        return f"{path}?lokus={assessment.pk}"

    def team(self, assessment):
        return sorted(
            (a.evaluator.full_name, a.is_lead)
            for a in assessment.assignments.select_related("evaluator")
        )

    def entries(self, assessment):
        return list(
            AuditEntry.objects.filter(assessment=assessment, action=AuditAction.ASSIGNMENT)
            .order_by("pk")
            .values_list("actor__username", "old", "new")
        )

    def test_it_sets_a_team_audits_it_and_emails_the_new_members(self):
        self.client.force_login(self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.url(), {"evaluators": [self.ani.pk, self.budi.pk], "lead": self.ani.pk}
            )
        self.assertRedirects(response, reverse("evaluations:assignment_form", args=[self.cycle.pk]))
        self.assertEqual(
            self.team(self.other_assessment), [("Ani Evaluator", True), ("Budi Evaluator", False)]
        )
        self.assertEqual(
            self.entries(self.other_assessment),
            [("admin", "", "Ani Evaluator (ketua)"), ("admin", "", "Budi Evaluator")],
        )
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["ani@example.id", "budi@example.id"]
        )
        self.assertIn("Disdukcapil Kabupaten Tanggamus", mail.outbox[0].subject)
        self.assertIn(f"/penilaian/{self.other_assessment.pk}/", mail.outbox[0].body)

    def test_it_refuses_an_evaluator_of_the_units_own_agency_in_a_nasional_cycle(self):
        with self.captureOnCommitCallbacks(execute=True):
            with self.assertRaises(WorkflowError) as raised:
                assignment_set(
                    assessment=self.assessment,
                    evaluators=[self.evaluator, self.local],
                    lead=self.evaluator,
                    by=self.admin,
                )
        self.assertEqual(raised.exception.problems, (CONFLICT,))
        self.assertEqual(self.team(self.assessment), [("Evaluator Nasional", True)])
        self.assertEqual(self.entries(self.assessment), [])
        self.assertEqual(mail.outbox, [])

    def test_it_says_why_in_the_form_and_saves_nothing(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            self.url(self.assessment),
            {"evaluators": [self.evaluator.pk, self.local.pk], "lead": self.evaluator.pk},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["evaluators"], [CONFLICT])
        self.assertContains(response, "karena berasal dari instansi yang sama")
        self.assertEqual(self.team(self.assessment), [("Evaluator Nasional", True)])

    def test_it_shows_conflicting_evaluators_disabled_with_the_reason(self):
        self.client.force_login(self.admin)
        response = self.client.get(self.url(self.assessment))
        html = response.content.decode()

        def checkbox(person):
            (tag,) = re.findall(
                rf'<input type="checkbox" name="evaluators" value="{person.pk}"[^>]*>', html
            )
            return tag

        self.assertIn("disabled", checkbox(self.local))
        self.assertNotIn("disabled", checkbox(self.ani))
        self.assertContains(
            response,
            "Evaluator Lampung Selatan (Pemerintah Kabupaten Lampung Selatan) — tidak dapat "
            "dipilih: berasal dari instansi unit ini (Pemerintah Kabupaten Lampung Selatan)",
        )

    def test_it_allows_an_evaluator_of_the_units_agency_in_a_mandiri_cycle(self):
        cycle = f.make_cycle(self.instrument, scheme=Scheme.MANDIRI, owner=self.lamsel)
        locus = f.make_assessment(cycle, self.unit)
        team = assignment_set(assessment=locus, evaluators=[self.local], lead=None, by=self.admin)
        self.assertEqual([(a.evaluator, a.is_lead) for a in team], [(self.local, True)])

    def test_it_refuses_a_person_without_the_evaluator_role(self):
        with self.assertRaises(WorkflowError) as raised:
            assignment_set(
                assessment=self.other_assessment,
                evaluators=[self.ani, self.operator],
                lead=self.ani,
                by=self.admin,
            )
        self.assertEqual(
            raised.exception.problems, ("Operator Disdukcapil tidak memiliki peran evaluator.",)
        )
        self.assertFalse(self.other_assessment.assignments.exists())
        self.client.force_login(self.admin)
        response = self.client.post(
            self.url(), {"evaluators": [self.operator.pk], "lead": self.operator.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("evaluators", response.context["form"].errors)
        self.assertFalse(self.other_assessment.assignments.exists())

    def test_it_refuses_to_remove_an_evaluator_who_saved_scores(self):
        save_score(self.assessment.assignments.get(evaluator=self.evaluator), self.indicator)
        with self.assertRaises(WorkflowError) as raised:
            assignment_set(
                assessment=self.assessment, evaluators=[self.ani], lead=self.ani, by=self.admin
            )
        self.assertEqual(
            raised.exception.problems,
            (
                "Evaluator Nasional tidak dapat dikeluarkan dari tim Disdukcapil Kabupaten Lampung "
                "Selatan karena sudah menyimpan nilai F-02.",
            ),
        )
        self.assertEqual(self.team(self.assessment), [("Evaluator Nasional", True)])

    def test_it_removes_a_member_without_work_and_audits_lead_changes(self):
        with self.captureOnCommitCallbacks(execute=True):
            assignment_set(
                assessment=self.assessment,
                evaluators=[self.evaluator, self.ani],
                lead=self.ani,
                by=self.admin,
            )
            assignment_set(
                assessment=self.assessment,
                evaluators=[self.ani, self.budi],
                lead=self.ani,
                by=self.admin,
            )
        self.assertEqual(
            self.team(self.assessment), [("Ani Evaluator", True), ("Budi Evaluator", False)]
        )
        self.assertEqual(
            self.entries(self.assessment),
            [
                ("admin", "Evaluator Nasional (ketua)", "Evaluator Nasional"),
                ("admin", "", "Ani Evaluator (ketua)"),
                ("admin", "Evaluator Nasional", ""),
                ("admin", "", "Budi Evaluator"),
            ],
        )
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["ani@example.id", "budi@example.id"]
        )

    def test_it_keeps_teams_between_one_and_five_with_a_lead_among_them(self):
        six = [f.make_evaluator(agency=self.kemenpan) for _ in range(6)]
        cases = [
            ([], None, "Tim evaluator terdiri atas 1 sampai 5 orang."),
            (six, six[0], "Tim evaluator terdiri atas 1 sampai 5 orang."),
            ([self.ani, self.budi], None, "Ketua tim harus salah satu evaluator yang dipilih."),
            ([self.ani, self.budi], six[0], "Ketua tim harus salah satu evaluator yang dipilih."),
        ]
        for evaluators, lead, message in cases:
            with self.subTest(message=message, n=len(evaluators)):
                with self.assertRaises(WorkflowError) as raised:
                    assignment_set(
                        assessment=self.other_assessment,
                        evaluators=evaluators,
                        lead=lead,
                        by=self.admin,
                    )
                self.assertEqual(raised.exception.problems, (message,))
        self.assertFalse(self.other_assessment.assignments.exists())

    def test_it_warns_when_a_team_has_one_evaluator(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            self.url(), {"evaluators": [self.ani.pk], "lead": self.ani.pk}, follow=True
        )
        self.assertContains(response, "Tim hanya satu evaluator; biasanya 2–3 orang.")
        self.assertEqual(self.team(self.other_assessment), [("Ani Evaluator", True)])

    def test_it_refuses_team_changes_once_moderated(self):
        Assessment.objects.filter(pk=self.assessment.pk).update(status=AssessmentStatus.MODERATED)
        with self.assertRaises(WorkflowError):
            assignment_set(
                assessment=self.assessment,
                evaluators=[self.ani, self.budi],
                lead=self.ani,
                by=self.admin,
            )
        self.assertEqual(self.team(self.assessment), [("Evaluator Nasional", True)])

    def test_it_lets_the_coordinator_run_only_their_mandiri_teams(self):
        with self.assertRaises(PermissionDenied):
            assignment_set(
                assessment=self.assessment,
                evaluators=[self.ani],
                lead=self.ani,
                by=self.coordinator,
            )
        self.client.force_login(self.coordinator)
        self.assertEqual(self.client.get(self.url(self.assessment)).status_code, 404)
        coordinator_evaluator = f.make_evaluator(agency=self.pemprov, full_name="Evaluator Biro")
        response = self.client.post(
            self.url(self.mandiri_assessment),
            {"evaluators": [coordinator_evaluator.pk], "lead": coordinator_evaluator.pk},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.team(self.mandiri_assessment), [("Evaluator Biro", True)])

    @private_cache
    def test_it_shows_the_team_form_in_constant_queries_for_3_and_30_evaluators(self):
        self.client.force_login(self.admin)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(self.url())
        self.assertEqual(len(response.context["form"].fields["evaluators"].queryset), 4)
        for i in range(27):
            f.make_evaluator(
                agency=self.tanggamus if i % 3 == 0 else self.kemenpan, full_name=f"Evaluator {i}"
            )
        with self.assertNumQueries(len(ctx.captured_queries)):
            response = self.client.get(self.url())
        self.assertEqual(len(response.context["form"].fields["evaluators"].queryset), 31)

    def test_it_answers_a_bad_or_foreign_locus_id_with_404(self):
        self.client.force_login(self.admin)
        base = reverse("evaluations:assignment_form", args=[self.cycle.pk])
        for query in ("?lokus=abc", f"?lokus={self.mandiri_assessment.pk}", "?lokus=999999"):
            with self.subTest(query=query):
                self.assertEqual(self.client.get(base + query).status_code, 404)
        self.assertEqual(self.client.post(base + "?lokus=x", {}).status_code, 404)
