"""Clarification from the evaluator's side: return indicators with a question, see the answers."""

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from evaluations.models import AuditAction, AuditEntry, Clarification, ClarificationStatus, Phase
from evaluations.services.clarifications import clarification_answer
from tests import factories as f

from . import f02_factories as ff
from .f02_factories import F02TestCase, Status


# Mails are sent by the worker (notifications.deliver): run it in the test.
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class ClarificationRequestTest(F02TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.operator.email = "operator@disdukcapil.lampungselatankab.go.id"
        cls.operator.save(update_fields=["email"])

    def setUp(self):
        ff.set_status(self.assessment, Status.IN_EVALUATION)
        self.client.force_login(self.evaluator)
        self.url = reverse("evaluations:clarification_request_form", args=[self.assessment.pk])
        self.first, self.second = self.indicators[0], self.indicators[6]

    def ask(self, **questions):
        data = {"indicator": [self.first.pk, self.second.pk]}
        data |= {f"question-{self.first.pk}": questions.get("first", "Mana SK penetapan SP?")}
        data |= {f"question-{self.second.pk}": questions.get("second", "Unggah foto maklumat.")}
        return self.client.post(self.url, data)

    def test_it_returns_indicators_to_the_unit_with_audit_and_email(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.ask()
        self.assertRedirects(
            response,
            reverse("evaluations:f02_form", args=[self.assessment.pk]),
            fetch_redirect_response=False,
        )
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Status.CLARIFICATION)
        self.assertEqual(
            list(
                Clarification.objects.order_by("indicator__number").values_list(
                    "indicator_id", "question", "asked_by_id", "status"
                )
            ),
            [
                (
                    self.first.pk,
                    "Mana SK penetapan SP?",
                    self.evaluator.pk,
                    ClarificationStatus.OPEN,
                ),
                (
                    self.second.pk,
                    "Unggah foto maklumat.",
                    self.evaluator.pk,
                    ClarificationStatus.OPEN,
                ),
            ],
        )
        entries = AuditEntry.objects.filter(assessment=self.assessment)
        self.assertEqual(
            sorted((e.action, e.indicator_id, e.new) for e in entries),
            sorted(
                [
                    (AuditAction.CLARIFICATION, self.first.pk, "Diminta"),
                    (AuditAction.CLARIFICATION, self.second.pk, "Diminta"),
                    (AuditAction.STATUS, None, "Klarifikasi"),
                ]
            ),
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["operator@disdukcapil.lampungselatankab.go.id"])
        self.assertIn("Mana SK penetapan SP?", mail.outbox[0].body)

    def test_it_keeps_the_form_when_a_question_is_missing(self):
        response = self.ask(second="")
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, f"Pertanyaan klarifikasi wajib diisi untuk indikator {self.second.number}."
        )
        self.assertContains(response, "Mana SK penetapan SP?")  # what was typed is still there
        self.assertContains(response, f'value="{self.first.pk}" form="f02-clarify" checked')
        self.assertFalse(Clarification.objects.exists())
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Status.IN_EVALUATION)

    def test_it_refuses_a_nul_in_a_question_and_keeps_the_form(self):
        response = self.ask(second="Unggah\x00 foto")
        self.assertContains(
            response,
            f"Pertanyaan klarifikasi indikator {self.second.number} memuat karakter kendali",
        )
        self.assertContains(response, "Mana SK penetapan SP?")
        self.assertFalse(Clarification.objects.exists())

    def test_it_refuses_when_nothing_is_ticked(self):
        response = self.client.post(self.url, {})
        self.assertContains(response, "Pilih minimal satu indikator untuk diklarifikasi.")
        self.assertFalse(Clarification.objects.exists())

    def test_it_refuses_outside_the_evaluation_window(self):
        f.close_window(self.cycle, Phase.EVALUATION)
        response = self.ask()
        self.assertContains(response, "sudah ditutup")
        self.assertFalse(Clarification.objects.exists())

    def test_it_refuses_an_evaluator_who_has_submitted(self):
        self.fill_all(self.assignment, level=5)
        self.client.post(
            reverse("evaluations:evaluator_submit", args=[self.assessment.pk]), {"confirm": "1"}
        )
        response = self.ask()
        self.assertContains(response, "klarifikasi tidak dapat diminta")
        self.assertFalse(Clarification.objects.exists())

    def test_it_forbids_the_operator_and_hides_it_from_outsiders(self):
        for user, status in [(self.operator, 403), (self.stranger, 404), (self.outsider, 404)]:
            self.client.force_login(user)
            self.assertEqual(self.ask().status_code, status)
        self.assertFalse(Clarification.objects.exists())

    def test_it_shows_the_answer_and_marks_the_indicator_changed(self):
        self.client.get(reverse("evaluations:f02_form", args=[self.assessment.pk]))
        self.ask()
        page = self.client.get(reverse("evaluations:f02_form", args=[self.assessment.pk]))
        self.assertContains(page, "Menunggu jawaban klarifikasi dari unit")
        self.assertContains(page, "Mana SK penetapan SP?")
        self.assertNotContains(page, 'class="f02-changed-mark"')

        clarifications = Clarification.objects.order_by("indicator__number")
        clarification_answer(
            clarification=clarifications[0],
            by=self.operator,
            answer="SK Bupati No. 12/2024 sudah diunggah.",
        )
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Status.CLARIFICATION)  # one still open
        clarification_answer(
            clarification=clarifications[1], by=self.operator, answer="Foto terlampir."
        )
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Status.IN_EVALUATION)

        page = self.client.get(reverse("evaluations:f02_form", args=[self.assessment.pk]))
        self.assertContains(page, "SK Bupati No. 12/2024 sudah diunggah.")
        self.assertContains(
            page, f'<article class="f02-ind f02-changed" id="indikator-{self.first.number}">'
        )
        self.assertContains(
            page, f'<article class="f02-ind f02-changed" id="indikator-{self.second.number}">'
        )
        self.assertContains(page, 'class="f02-changed-mark"', count=2)
        self.assertContains(page, "2 indikator berubah sejak terakhir")
        # rescoring is open again
        self.assertNotContains(page, '<fieldset class="f02-fields" disabled>')
