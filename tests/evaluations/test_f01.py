"""F-01: the operator's page, autosave with optimistic concurrency, submission."""

import threading
from unittest import skipUnless

from django.core import mail
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from evaluations.models import (
    Answer,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    Clarification,
    Evidence,
    Phase,
    Submission,
)
from evaluations.services.evidence import evidence_upload
from evaluations.services.f01 import SubmissionIncomplete, answers_ensure, assessment_submit
from evaluations.services.workflow import WorkflowError
from tests import factories as f
from tests.base import PersonaTestCase
from tests.browser.support import BrowserTestCase
from units.models import Role

from . import f01_factories as ff

HTMX = {"HTTP_HX_REQUEST": "true"}


class F01Case(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.SELF_ASSESSMENT)
        answers_ensure(cls.assessment)
        cls.ind = ff.indicators(cls.assessment)
        cls.evaluator.email = "evaluator@example.go.id"
        cls.evaluator.save()

    def autosave_url(self, indicator, assessment=None):
        return reverse(
            "evaluations:answer_autosave", args=[(assessment or self.assessment).pk, indicator.pk]
        )

    def post_answer(self, indicator, *, version, level="", explanation="", client=None, **extra):
        client = client or self.client
        return client.post(
            self.autosave_url(indicator),
            {"version": version, "claimed_level": level, "explanation": explanation},
            **{**HTMX, **extra},
        )

    def answer(self, indicator):
        return Answer.objects.get(assessment=self.assessment, indicator=indicator)


class F01PageTest(F01Case):
    def url(self, assessment=None):
        return reverse("evaluations:f01_form", args=[(assessment or self.assessment).pk])

    def test_it_walks_anonymous_outsider_wrong_role_and_operator(self):
        response = self.client.get(self.url())
        self.assertRedirects(response, f"/masuk/?next={self.url()}", fetch_redirect_response=False)
        expected = {"outsider": 404, "evaluator": 403, "leader": 403, "admin": 403, "operator": 200}
        for name, status in expected.items():
            with self.subTest(persona=name):
                self.client.force_login(self.personas()[name])
                self.assertEqual(self.client.get(self.url()).status_code, status)
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get(self.url(self.other_assessment)).status_code, 404)

    def test_it_shows_indicators_by_aspect_with_rubric_guidance_and_progress(self):
        ff.answer_all(self.assessment, 4, numbers={1, 2, 3})
        self.client.force_login(self.operator)
        response = self.client.get(self.url())
        self.assertContains(response, 'id="aspek-I"')
        self.assertContains(response, "Aspek VI. Inovasi")
        self.assertContains(response, 'id="ind-30"')
        self.assertContains(response, "Indikator 7: tingkat 5")  # the rubric beside the question
        self.assertContains(response, "Dokumen pendukung")  # evidence guidance
        self.assertContains(
            response, '<progress id="f01-progress" max="30" value="3">10%</progress>', html=True
        )
        self.assertContains(response, "<span data-answered>3</span> dari 30", html=False)
        self.assertContains(response, "Bukti dukung wajib", count=30 + 2)  # badges, to-do, summary
        self.assertContains(response, 'name="claimed_level" value="4" checked', count=3)
        self.assertContains(response, "Draf")

    def test_it_creates_the_answer_rows_on_first_visit(self):
        Answer.objects.filter(assessment=self.assessment).delete()
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get(self.url()).status_code, 200)
        self.assertEqual(Answer.objects.filter(assessment=self.assessment).count(), 31)

    def test_it_uses_the_same_number_of_queries_with_3_and_30_answered_indicators(self):
        self.client.force_login(self.operator)

        def fill(numbers):
            ff.answer_all(self.assessment, 2, numbers=numbers)
            for ind in self.ind:
                if ind.number in numbers:
                    ev = evidence_upload(
                        assessment=self.assessment,
                        indicator=ind,
                        file=ff.upload("sk.pdf", ff.PDF_BYTES),
                        title="SK",
                        by=self.operator,
                    )
                    from evaluations.services.evidence import evidence_replace

                    evidence_replace(
                        evidence=ev, file=ff.upload("sk2.pdf", ff.PDF_BYTES), by=self.operator
                    )
            Clarification.objects.create(
                assessment=self.assessment,
                indicator=self.ind[0],
                question="?",
                asked_by=self.evaluator,
            )

        fill({1, 2, 3})
        # user, roles, assessment (+windows), aspects, indicators, levels, answers, evidence,
        # revisions (+uploaders), clarifications, last cycle's levels with their follow-up,
        # last submission, carry-over check, the bell
        with self.assertNumQueries(14):
            small = self.client.get(self.url())
        fill(set(range(4, 31)))
        with self.assertNumQueries(14):
            large = self.client.get(self.url())
        self.assertEqual(small.content.count(b'class="f01-ev"'), 3)
        self.assertEqual(large.content.count(b'class="f01-ev"'), 30)
        self.assertContains(
            large, '<progress id="f01-progress" max="30" value="30">100%</progress>', html=True
        )

    def test_it_is_read_only_after_submission_with_the_status_and_snapshot_time(self):
        ff.answer_all(self.assessment)
        for ind in self.ind:
            if ind.evidence_required:
                evidence_upload(
                    assessment=self.assessment,
                    indicator=ind,
                    file=ff.upload("a.pdf", ff.PDF_BYTES),
                    title="",
                    by=self.operator,
                )
        submission = assessment_submit(assessment=self.assessment, by=self.operator)
        self.client.force_login(self.operator)
        response = self.client.get(self.url())
        self.assertContains(
            response,
            '<span class="status status-submitted" id="f01-status">Diajukan</span>',
            html=True,
        )
        local = submission.submitted_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Jakarta"))
        self.assertContains(response, f"diajukan {local:%d-%m-%Y %H:%M} oleh Operator Disdukcapil")
        self.assertContains(response, "F-01 hanya dapat dibaca.")
        self.assertContains(response, "<fieldset disabled>", count=31)
        self.assertNotContains(response, "Ajukan F-01")
        self.assertNotContains(response, 'name="files"')


class AutosaveTest(F01Case):
    def setUp(self):
        self.client.force_login(self.operator)

    def test_it_saves_bumps_the_version_and_audits_a_level_change(self):
        ind = self.ind[0]
        response = self.post_answer(ind, version=0, level="3", explanation="SP ditetapkan")
        self.assertEqual(response.status_code, 200)
        answer = self.answer(ind)
        self.assertEqual(
            (answer.claimed_level, answer.explanation, answer.version), (3, "SP ditetapkan", 1)
        )
        self.assertEqual(answer.updated_by, self.operator)
        self.assertContains(response, f'id="version-{ind.pk}" value="1" hx-swap-oob="true"')
        self.assertContains(response, "Tersimpan")
        entries = list(
            AuditEntry.objects.filter(assessment=self.assessment, action=AuditAction.CLAIM)
        )
        self.assertEqual(
            [(e.indicator_id, e.old, e.new, e.actor_id) for e in entries],
            [(ind.pk, "", "3", self.operator.pk)],
        )

    def test_it_does_not_audit_a_change_of_the_explanation_only(self):
        ind = self.ind[0]
        self.post_answer(ind, version=0, level="3", explanation="a")
        response = self.post_answer(ind, version=1, level="3", explanation="a, b")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.answer(ind).version, 2)
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.CLAIM).count(), 1)
        self.post_answer(ind, version=2, level="5", explanation="a, b")
        self.assertEqual(
            list(AuditEntry.objects.filter(action=AuditAction.CLAIM).values_list("old", "new")),
            [("", "3"), ("3", "5")],
        )

    def test_it_saves_within_four_queries(self):
        ind = self.ind[0]
        self.client.get(reverse("evaluations:f01_form", args=[self.assessment.pk]))
        # user, the answer row with its checks, UPDATE, audit INSERT
        with self.assertNumQueries(4):
            self.assertEqual(self.post_answer(ind, version=0, level="2").status_code, 200)
        with self.assertNumQueries(3):  # no level change: no audit entry
            self.assertEqual(
                self.post_answer(ind, version=1, level="2", explanation="x").status_code, 200
            )

    def test_it_tells_the_second_of_two_saves_with_the_same_version_about_the_conflict(self):
        ind = self.ind[1]
        other = f.make_user("operator2", full_name="Operator Kedua", agency=self.lamsel)
        f.grant(other, Role.UNIT_OPERATOR, unit=self.unit)
        first = self.client_class()
        first.force_login(other)
        self.assertEqual(
            self.post_answer(
                ind, version=0, level="4", explanation="versi pertama", client=first
            ).status_code,
            200,
        )
        response = self.post_answer(ind, version=0, level="1", explanation="versi kedua")
        self.assertEqual(response.status_code, 409)
        self.assertContains(
            response, "Jawaban ini sudah diubah oleh Operator Kedua", status_code=409
        )
        self.assertContains(response, "versi pertama", status_code=409)
        self.assertContains(response, "versi kedua", status_code=409)
        self.assertContains(response, "Tingkat: <b>4</b>", status_code=409)
        self.assertContains(response, "Tingkat: <b>1</b>", status_code=409)
        self.assertContains(response, """hx-vals='{"version": "1"}'""", status_code=409)
        answer = self.answer(ind)
        self.assertEqual(
            (answer.claimed_level, answer.explanation, answer.version), (4, "versi pertama", 1)
        )
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.CLAIM).count(), 1)
        # "Keep mine" resubmits with the version seen in the conflict.
        self.assertEqual(
            self.post_answer(ind, version=1, level="1", explanation="versi kedua").status_code, 200
        )
        self.assertEqual(self.answer(ind).claimed_level, 1)

    def test_it_refuses_when_the_self_assessment_window_is_closed(self):
        f.close_window(self.cycle, Phase.SELF_ASSESSMENT)
        response = self.post_answer(self.ind[0], version=0, level="3")
        self.assertEqual(response.status_code, 409)
        self.assertContains(
            response, "Tahap Penilaian mandiri (F-01) sudah ditutup pada", status_code=409
        )
        self.assertIsNone(self.answer(self.ind[0]).claimed_level)
        self.assertEqual(self.answer(self.ind[0]).version, 0)
        self.assertFalse(AuditEntry.objects.exists())

    def test_it_follows_a_window_extended_for_this_unit(self):
        window = f.close_window(self.cycle, Phase.SELF_ASSESSMENT)
        from evaluations.models import PhaseExtension

        PhaseExtension.objects.create(
            assessment=self.assessment,
            phase=Phase.SELF_ASSESSMENT,
            ends_on=window.ends_on + __import__("datetime").timedelta(days=10),
            reason="banjir",
            granted_by=self.admin,
        )
        self.assertEqual(self.post_answer(self.ind[0], version=0, level="3").status_code, 200)

    def test_it_refuses_after_submission(self):
        self.assessment.status = AssessmentStatus.SUBMITTED
        self.assessment.save()
        response = self.post_answer(self.ind[0], version=0, level="3")
        self.assertContains(response, "status penilaian adalah “Diajukan”", status_code=409)
        self.assertEqual(self.answer(self.ind[0]).version, 0)

    def test_it_lets_only_clarified_indicators_change_during_clarification(self):
        f.close_window(self.cycle, Phase.SELF_ASSESSMENT)
        f.open_window(self.cycle, Phase.CLARIFICATION)
        self.assessment.status = AssessmentStatus.CLARIFICATION
        self.assessment.save()
        Clarification.objects.create(
            assessment=self.assessment,
            indicator=self.ind[4],
            question="Mana SK?",
            asked_by=self.evaluator,
        )
        self.assertEqual(self.post_answer(self.ind[4], version=0, level="2").status_code, 200)
        response = self.post_answer(self.ind[5], version=0, level="2")
        self.assertContains(response, "Indikator ini tidak sedang diklarifikasi", status_code=409)
        f.close_window(self.cycle, Phase.CLARIFICATION)
        response = self.post_answer(self.ind[4], version=1, level="3")
        self.assertContains(response, "Tahap Klarifikasi sudah ditutup", status_code=409)

    def test_it_answers_403_to_an_evaluator_404_to_an_outsider_and_redirects_anonymous(self):
        ind = self.ind[0]
        self.client.force_login(self.evaluator)
        self.assertEqual(self.post_answer(ind, version=0, level="3").status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.post_answer(ind, version=0, level="3").status_code, 404)
        self.client.logout()
        response = self.post_answer(ind, version=0, level="3")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/masuk/?next="))
        self.client.force_login(self.operator)
        other = reverse("evaluations:answer_autosave", args=[self.other_assessment.pk, ind.pk])
        self.assertEqual(
            self.client.post(other, {"version": 0, "claimed_level": "1"}, **HTMX).status_code, 404
        )
        self.assertEqual(self.answer(ind).version, 0)

    def test_it_refuses_a_level_outside_0_to_5_and_an_indicator_of_another_instrument(self):
        self.assertEqual(self.post_answer(self.ind[0], version=0, level="6").status_code, 400)
        self.assertEqual(self.post_answer(self.ind[0], version="x", level="1").status_code, 400)
        foreign = ff.indicators(f.make_assessment(f.make_cycle(), f.make_unit()))[0]
        url = reverse("evaluations:answer_autosave", args=[self.assessment.pk, foreign.pk])
        self.assertEqual(self.client.post(url, {"version": 0}, **HTMX).status_code, 404)

    def test_it_refuses_a_nul_in_the_explanation_as_text_not_as_a_level(self):
        # PostgreSQL refuses NUL in a string; the old catch-all answered "Tingkat harus 0 sampai
        # 5." (psycopg2 raises ValueError), on SQLite the NUL was stored.
        ind = self.ind[0]
        response = self.post_answer(ind, version=0, level="3", explanation="SK\x00 terlampir")
        self.assertContains(
            response,
            "Penjelasan memuat karakter kendali (misalnya NUL) yang tidak diizinkan",
            status_code=409,
        )
        self.assertNotContains(response, "Tingkat harus", status_code=409)
        self.assertEqual((self.answer(ind).claimed_level, self.answer(ind).version), (None, 0))
        response = self.client.post(
            self.autosave_url(ind), {"version": 0, "claimed_level": "3", "explanation": "\x1b"}
        )
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Penjelasan memuat karakter kendali")
        self.assertEqual(self.answer(ind).version, 0)
        # Line breaks and tabs are text.
        response = self.post_answer(ind, version=0, level="3", explanation="a\r\n\tb")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.answer(ind).explanation, "a\n\tb")

    def test_it_creates_a_missing_row_and_saves(self):
        Answer.objects.filter(assessment=self.assessment).delete()
        self.assertEqual(self.post_answer(self.ind[0], version=0, level="1").status_code, 200)
        self.assertEqual(self.answer(self.ind[0]).claimed_level, 1)

    def test_it_redirects_a_plain_form_post_back_to_the_indicator(self):
        response = self.client.post(
            self.autosave_url(self.ind[2]), {"version": 0, "claimed_level": "2"}
        )
        self.assertRedirects(
            response,
            reverse("evaluations:f01_form", args=[self.assessment.pk]) + "#ind-3",
            fetch_redirect_response=False,
        )
        self.assertEqual(self.answer(self.ind[2]).claimed_level, 2)


class AutosaveConcurrencyTest(TransactionTestCase):
    """Two people save the same answer at the same moment: one wins, the other is told."""

    def setUp(self):
        self.unit = f.make_unit()
        self.assessment = f.make_assessment(f.make_cycle(f.make_instrument("UJI-KONK")), self.unit)
        f.open_window(self.assessment.cycle, Phase.SELF_ASSESSMENT)
        answers_ensure(self.assessment)
        self.indicator = ff.indicators(self.assessment)[0]
        self.people = []
        for name in ("satu", "dua"):
            user = f.make_user(f"op-{name}", full_name=f"Operator {name}")
            f.grant(user, Role.UNIT_OPERATOR, unit=self.unit)
            self.people.append(user)

    @skipUnless(
        connection.vendor == "postgresql",
        "SQLite's in-memory test database (shared cache) fails a statement at once when another "
        "connection holds a table lock, so it cannot model two simultaneous writers; run with "
        "DATABASE_URL=postgres://… (the deterministic test below covers the race everywhere).",
    )
    def test_it_saves_exactly_one_of_two_simultaneous_saves(self):
        url = reverse("evaluations:answer_autosave", args=[self.assessment.pk, self.indicator.pk])
        barrier = threading.Barrier(2)
        results = {}
        clients = []
        for user in self.people:  # logged in up front: the threads only race on the save
            client = self.client_class()
            client.force_login(user)
            clients.append(client)

        def save(i, client):
            data = {"version": 0, "claimed_level": str(i + 1), "explanation": f"oleh {i}"}
            try:
                barrier.wait(timeout=10)
                response = client.post(url, data, **HTMX)
                results[i] = (response.status_code, response.content.decode())
            except BaseException as exc:  # reported by the assertion below
                results[i] = (repr(exc), "")
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(i, c)) for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        statuses = sorted((code for code, _ in results.values()), key=str)
        self.assertEqual(statuses, [200, 409])
        winner = next(i for i, (code, _) in results.items() if code == 200)
        loser = 1 - winner
        answer = Answer.objects.get(assessment=self.assessment, indicator=self.indicator)
        self.assertEqual(
            (answer.claimed_level, answer.explanation, answer.version),
            (winner + 1, f"oleh {winner}", 1),
        )
        self.assertIn(f"oleh {winner}", results[loser][1])  # the saved value, shown to the loser
        self.assertIn(f"oleh {loser}", results[loser][1])  # and their own
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.CLAIM).count(), 1)

    def test_it_lets_the_update_decide_when_both_read_the_same_version(self):
        # The race made deterministic: both requests have read version 0 before either writes.
        from evaluations.selectors.f01 import answer_for_autosave, autosave_gate
        from evaluations.services.f01 import answer_autosave

        a, b = self.people
        rows = [
            answer_for_autosave(
                user=u, assessment_id=self.assessment.pk, indicator_id=self.indicator.pk
            )
            for u in (a, b)
        ]
        first = answer_autosave(
            answer=rows[0],
            gate=autosave_gate(rows[0]),
            by=a,
            version=0,
            claimed_level=2,
            explanation="A",
        )
        second = answer_autosave(
            answer=rows[1],
            gate=autosave_gate(rows[1]),
            by=b,
            version=0,
            claimed_level=5,
            explanation="B",
        )
        self.assertTrue(first.saved)
        self.assertFalse(second.saved)
        self.assertEqual(
            (second.answer.claimed_level, second.answer.explanation, second.answer.updated_by),
            (2, "A", a),
        )
        answer = Answer.objects.get(assessment=self.assessment, indicator=self.indicator)
        self.assertEqual((answer.claimed_level, answer.version), (2, 1))
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.CLAIM).count(), 1)


# Mails are sent by the worker (notifications.deliver): run it in the test.
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class SubmissionTest(F01Case):
    def setUp(self):
        self.client.force_login(self.operator)

    def submit_url(self):
        return reverse("evaluations:assessment_submit", args=[self.assessment.pk])

    def give_evidence(self, numbers):
        made = []
        for ind in self.ind:
            if ind.number in numbers:
                made.append(
                    evidence_upload(
                        assessment=self.assessment,
                        indicator=ind,
                        file=ff.upload(f"bukti-{ind.number}.pdf", ff.PDF_BYTES),
                        title="",
                        by=self.operator,
                    )
                )
        return made

    def test_it_refuses_with_the_exact_list_of_what_is_missing(self):
        ff.answer_all(self.assessment, numbers=set(range(1, 31)) - {4, 17})
        self.give_evidence(set(range(1, 31)) - {2, 17})
        with self.assertRaises(SubmissionIncomplete) as caught:
            assessment_submit(assessment=self.assessment, by=self.operator)
        self.assertEqual(
            [str(m) for m in caught.exception.missing],
            [
                "2. Indikator 2: bukti dukung wajib belum diunggah",
                "4. Indikator 4: tingkat belum dipilih",
                "17. Indikator 17: tingkat belum dipilih",
                "17. Indikator 17: bukti dukung wajib belum diunggah",
            ],
        )
        response = self.client.post(self.submit_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "F-01 belum dapat diajukan. Lengkapi dulu:")
        self.assertContains(
            response, '<a href="#ind-4">4. Indikator 4</a>: tingkat belum dipilih', html=True
        )
        self.assertContains(
            response,
            '<a href="#ind-2">2. Indikator 2</a>: bukti dukung wajib belum diunggah',
            html=True,
        )
        self.assertEqual(response.content.count(b'<li><a href="#ind-'), 4)
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, AssessmentStatus.DRAFT)
        self.assertFalse(Submission.objects.exists())

    def test_it_does_not_count_removed_evidence(self):
        from evaluations.services.evidence import evidence_remove

        ff.answer_all(self.assessment)
        made = self.give_evidence(set(range(1, 31)))
        evidence_remove(evidence=made[0], by=self.operator)
        with self.assertRaises(SubmissionIncomplete) as caught:
            assessment_submit(assessment=self.assessment, by=self.operator)
        self.assertEqual(
            [str(m) for m in caught.exception.missing],
            ["1. Indikator 1: bukti dukung wajib belum diunggah"],
        )

    def test_it_freezes_a_snapshot_sets_the_status_and_tells_the_evaluators(self):
        ff.answer_all(self.assessment, 4)
        made = self.give_evidence(set(range(1, 31)))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.submit_url(), {"confirm": "1"})
        self.assertRedirects(
            response,
            reverse("evaluations:f01_form", args=[self.assessment.pk]),
            fetch_redirect_response=False,
        )
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, AssessmentStatus.SUBMITTED)
        submission = Submission.objects.get(assessment=self.assessment)
        self.assertEqual(submission.submitted_by, self.operator)
        snap = submission.snapshot
        self.assertEqual(len(snap["answers"]), 31)
        self.assertEqual(snap["answers"][0]["claimed_level"], 4)
        self.assertEqual(len(snap["evidence"]), 30)
        first = made[0].revisions.get()
        self.assertEqual(
            {
                k: snap["evidence"][0][k]
                for k in (
                    "evidence_id",
                    "revision_id",
                    "revision_number",
                    "sha256",
                    "original_name",
                    "size",
                    "indicator_number",
                )
            },
            {
                "evidence_id": made[0].pk,
                "revision_id": first.pk,
                "revision_number": 1,
                "sha256": __import__("hashlib").sha256(ff.PDF_BYTES).hexdigest(),
                "original_name": "bukti-1.pdf",
                "size": len(ff.PDF_BYTES),
                "indicator_number": 1,
            },
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["evaluator@example.go.id"])
        self.assertIn("F-01 diajukan", mail.outbox[0].subject)
        self.assertTrue(
            AuditEntry.objects.filter(
                assessment=self.assessment, action=AuditAction.STATUS, new="Diajukan"
            ).exists()
        )
        # Later changes do not touch the frozen snapshot.
        Answer.objects.filter(assessment=self.assessment).update(claimed_level=0)
        submission.refresh_from_db()
        self.assertEqual(submission.snapshot["answers"][0]["claimed_level"], 4)

    def test_it_asks_for_confirmation_first_saying_what_is_frozen_and_who_is_told(self):
        ff.answer_all(self.assessment, 4)
        self.give_evidence(set(range(1, 31)))
        for response in (self.client.get(self.submit_url()), self.client.post(self.submit_url())):
            self.assertEqual(response.status_code, 200)
            self.assertTemplateUsed(response, "confirm.html")
            self.assertContains(response, '<h1 id="confirm-title">Ajukan F-01?</h1>', html=True)
            self.assertContains(response, "Tingkat yang diklaim dan penjelasan setiap indikator.")
            self.assertContains(
                response,
                "<li><strong>Evaluator</strong> (1 orang): Evaluator Nasional</li>",
                html=True,
            )
            self.assertContains(
                response, '<input type="hidden" name="confirm" value="1">', html=True
            )
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, AssessmentStatus.DRAFT)
        self.assertFalse(Submission.objects.exists())
        self.assertEqual(len(mail.outbox), 0)
        # Anything but "1" is not a confirmation.
        self.client.post(self.submit_url(), {"confirm": "yes"})
        self.assertFalse(Submission.objects.exists())

    def test_it_refuses_outside_the_window_and_twice(self):
        ff.answer_all(self.assessment)
        self.give_evidence(set(range(1, 31)))
        f.close_window(self.cycle, Phase.SELF_ASSESSMENT)
        with self.assertRaisesMessage(WorkflowError, "sudah ditutup"):
            assessment_submit(assessment=self.assessment, by=self.operator)
        response = self.client.post(self.submit_url(), follow=True)
        self.assertContains(response, "Tahap Penilaian mandiri (F-01) sudah ditutup pada")
        f.open_window(self.cycle, Phase.SELF_ASSESSMENT)
        assessment_submit(assessment=self.assessment, by=self.operator)
        with self.assertRaisesMessage(WorkflowError, "status penilaian adalah “Diajukan”"):
            assessment_submit(assessment=self.assessment, by=self.operator)
        self.assertEqual(Submission.objects.count(), 1)

    def test_it_lets_only_the_unit_operator_submit(self):
        self.client.force_login(self.evaluator)
        self.assertEqual(self.client.post(self.submit_url()).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.submit_url()).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(self.submit_url()).status_code, 302)
        self.assertFalse(Submission.objects.exists())


class ClarificationAnswerTest(F01Case):
    def setUp(self):
        f.open_window(self.cycle, Phase.CLARIFICATION)
        self.assessment.status = AssessmentStatus.CLARIFICATION
        self.assessment.save()
        self.clar = Clarification.objects.create(
            assessment=self.assessment,
            indicator=self.ind[2],
            question="Mana SK?",
            asked_by=self.evaluator,
        )
        self.url = reverse("evaluations:clarification_answer", args=[self.clar.pk])

    def test_it_shows_the_question_with_an_answer_form_and_evidence_upload(self):
        self.client.force_login(self.operator)
        response = self.client.get(reverse("evaluations:f01_form", args=[self.assessment.pk]))
        self.assertContains(response, "Mana SK?")
        self.assertContains(response, self.url)
        self.assertContains(
            response,
            reverse("evaluations:evidence_upload", args=[self.assessment.pk, self.ind[2].pk]),
        )
        self.assertNotContains(
            response,
            reverse("evaluations:evidence_upload", args=[self.assessment.pk, self.ind[3].pk]),
        )
        self.assertContains(response, "<fieldset disabled>", count=30)

    def test_it_records_the_answer_and_resumes_evaluation(self):
        self.client.force_login(self.operator)
        response = self.client.post(self.url, {"answer": "SK terlampir"})
        self.assertRedirects(
            response,
            reverse("evaluations:f01_form", args=[self.assessment.pk]) + "#ind-3",
            fetch_redirect_response=False,
        )
        self.clar.refresh_from_db()
        self.assertEqual(
            (self.clar.status, self.clar.answer, self.clar.answered_by),
            ("answered", "SK terlampir", self.operator),
        )
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, AssessmentStatus.IN_EVALUATION)

    def test_it_walks_the_personas(self):
        self.client.force_login(self.evaluator)
        self.assertEqual(self.client.post(self.url, {"answer": "x"}).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url, {"answer": "x"}).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(self.url, {"answer": "x"}).status_code, 302)
        self.clar.refresh_from_db()
        self.assertEqual(self.clar.status, "open")

    def test_it_refuses_a_nul_in_the_answer_with_a_message(self):
        self.client.force_login(self.operator)
        response = self.client.post(self.url, {"answer": "SK\x00"}, follow=True)
        self.assertContains(response, "Jawaban klarifikasi memuat karakter kendali (misalnya NUL)")
        self.clar.refresh_from_db()
        self.assertEqual((self.clar.status, self.clar.answer), ("open", ""))

    def test_it_refuses_an_empty_answer_with_a_message(self):
        self.client.force_login(self.operator)
        response = self.client.post(self.url, {"answer": "  "}, follow=True)
        self.assertContains(response, "Jawaban klarifikasi wajib diisi.")
        self.clar.refresh_from_db()
        self.assertEqual(self.clar.status, "open")


__all__ = ["Evidence"]


class F01BrowserTest(BrowserTestCase):
    """The autosave in real Chromium: saving as one works, surviving a dropped connection and a
    closed tab, and choosing between values on a conflict."""

    def setUp(self):
        super().setUp()
        self.assessment, self.ind = ff.operator_locus("UJI-BR")
        self.log_in("operator-uji", f.PASSWORD)
        self.page.wait_for_url(self.url("/"))
        self.form_url = self.url(reverse("evaluations:f01_form", args=[self.assessment.pk]))

    def answer(self, i):
        return Answer.objects.get(assessment=self.assessment, indicator=self.ind[i])

    def explanation(self, i, page=None):
        return (page or self.page).locator(f"#expl-{self.ind[i].pk}")

    def state(self, i, page=None):
        return (page or self.page).locator(f"#save-{self.ind[i].pk}")

    def test_it_saves_as_the_operator_works_and_survives_a_dropped_connection(self):
        page = self.page
        page.goto(self.form_url)
        page.locator("#ind-1").get_by_label("3", exact=True).check()
        self.explanation(0).fill("SP sudah ditetapkan")
        self.wait_for_js(
            page,
            f"document.querySelector('#save-{self.ind[0].pk}').textContent.includes('Tersimpan')"
            f" && document.querySelector('#version-{self.ind[0].pk}').value === '2'",
        )
        self.assertEqual(
            (self.answer(0).claimed_level, self.answer(0).explanation), (3, "SP sudah ditetapkan")
        )
        self.assertEqual(page.locator("[data-answered]").inner_text(), "1")

        # The connection drops while typing, then the tab is closed.
        self.context.set_offline(True)
        self.explanation(1).fill("ditulis saat koneksi putus")
        self.state(1).filter(has_text="Belum tersimpan").wait_for()
        page.close()
        self.assertEqual(self.answer(1).explanation, "")
        self.context.set_offline(False)
        again = self.context.new_page()
        again.goto(self.form_url)
        # The draft is restored just after the page loads (once htmx is ready): wait for it.
        self.wait_for_js(
            again,
            f"document.querySelector('#expl-{self.ind[1].pk}').value"
            " === 'ditulis saat koneksi putus'",
        )
        # "Tersimpan" alone may still be the page's own state from before the restored draft
        # was sent: wait for the answer's version to move past the one the page came with.
        self.wait_for_js(
            again,
            f"document.querySelector('#save-{self.ind[1].pk}').textContent.includes('Tersimpan')"
            f" && document.querySelector('#version-{self.ind[1].pk}').value === '1'",
        )
        self.assertEqual(self.answer(1).explanation, "ditulis saat koneksi putus")

    def test_it_shows_both_values_on_a_conflict_and_lets_the_person_choose(self):
        page = self.page
        page.goto(self.form_url)
        Answer.objects.filter(pk=self.answer(2).pk).update(
            claimed_level=4, explanation="dari rekan", version=5
        )
        self.explanation(2).fill("punya saya")
        box = page.locator(f"#save-{self.ind[2].pk}.conflict")
        box.wait_for()
        self.assertIn("dari rekan", box.inner_text())
        self.assertIn("punya saya", box.inner_text())
        box.get_by_role("button", name="Simpan nilai saya").click()
        page.locator(f"#save-{self.ind[2].pk}.ok").wait_for()
        self.assertEqual((self.answer(2).explanation, self.answer(2).version), ("punya saya", 6))

        Answer.objects.filter(pk=self.answer(3).pk).update(
            claimed_level=1, explanation="versi tersimpan", version=2
        )
        page.locator("#ind-4").get_by_label("5", exact=True).check()
        box = page.locator(f"#save-{self.ind[3].pk}.conflict")
        box.wait_for()
        box.get_by_role("button", name="Pakai nilai tersimpan").click()
        self.assertEqual(self.explanation(3).input_value(), "versi tersimpan")
        checked = page.locator("#ind-4 input[name=claimed_level]:checked")
        self.assertEqual(checked.get_attribute("value"), "1")
        self.explanation(3).fill("versi tersimpan, dilengkapi")
        self.wait_for_js(page, f"document.querySelector('#version-{self.ind[3].pk}').value === '3'")
        self.assertEqual(
            (self.answer(3).claimed_level, self.answer(3).explanation),
            (1, "versi tersimpan, dilengkapi"),
        )
