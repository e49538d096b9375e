"""Moderation (pleno): final levels, the stored result, the audit history and finalising."""

import datetime as dt
import re
import threading
from decimal import Decimal
from unittest import skipUnless

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.instrument_spec import instrument_plan
from evaluations.models import Assessment, AuditAction, AuditEntry, FinalLevel, Phase, Score
from evaluations.services.workflow import WorkflowError
from scoring import engine
from scoring.models import Result
from scoring.services.moderation import (
    AGREED_REASON,
    FinalLevelConflict,
    assessment_finalize,
    moderation_decide,
)
from tests import factories as f
from tests.evaluations.moderation_factories import (
    ModerationTestCase,
    changed,
    claims,
    evaluated,
    open_windows,
)
from units.models import Role

GOLDEN = f.golden_levels("boundary-45050")  # IPP 4.51, grade A with the 2022-A instrument
# Evaluator two differs on three indicators; the pleno settles them at the golden levels.
DIFFERENT = changed(GOLDEN, {7: 4, 11: 3, 23: 2})
DECISIONS = {
    7: (3, "Bukti SOP belum lengkap"),
    11: (2, "Maklumat belum dipajang"),
    23: (1, "Tidak ada survei"),
}


def finals(assessment):
    return dict(
        FinalLevel.objects.filter(assessment=assessment).values_list("indicator__number", "level")
    )


def history(assessment, action=None):
    entries = AuditEntry.objects.filter(assessment=assessment).order_by("at", "pk")
    if action:
        entries = entries.filter(action=action)
    return list(entries.select_related("indicator", "actor"))


class ModerationDecideTest(ModerationTestCase):
    def team(self, *levels, submitted=True):
        evaluators = [self.evaluator, self.second, self.third][: len(levels)]
        return evaluated(self.locus, *levels, evaluators=evaluators, submitted=submitted)

    def test_it_refuses_while_an_evaluator_has_not_submitted(self):
        self.team(GOLDEN, GOLDEN, GOLDEN, submitted=[True, False, False])
        with self.assertRaises(WorkflowError) as refused:
            moderation_decide(assessment=self.locus, by=self.admin, decisions={})
        self.assertEqual(
            refused.exception.problems,
            ("F-02 belum diserahkan oleh: Evaluator Kedua, Evaluator Ketiga.",),
        )
        self.assertEqual(finals(self.locus), {})
        self.assertEqual(history(self.locus), [])

    def test_it_makes_agreed_levels_final_without_a_decision(self):
        self.team(GOLDEN, GOLDEN)
        outcome = moderation_decide(assessment=self.locus, by=self.admin, decisions={})

        self.assertEqual(finals(self.locus), GOLDEN)
        self.assertEqual(len(GOLDEN), 30)
        self.assertEqual(
            set(
                FinalLevel.objects.filter(assessment=self.locus).values_list("reason", "decided_by")
            ),
            {(AGREED_REASON, self.admin.pk)},
        )
        result = Result.objects.get(assessment=self.locus)
        self.assertEqual((result.ipp, result.grade), (Decimal("4.51"), "A"))
        self.assertEqual(outcome.result, result)
        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "moderated")
        entries = history(self.locus)
        self.assertEqual(len(entries), 31)
        self.assertEqual(
            [(e.action, e.actor, e.indicator.number, e.old, e.new, e.reason) for e in entries[:30]],
            [
                (AuditAction.FINAL, self.admin, n, "", str(lv), AGREED_REASON)
                for n, lv in sorted(GOLDEN.items())
            ],
        )
        status = entries[30]
        self.assertEqual(
            (status.action, status.actor, status.indicator, status.old, status.new),
            (AuditAction.STATUS, self.admin, None, "Dalam evaluasi", "Dimoderasi"),
        )

    def test_it_lists_the_disagreements_still_undecided(self):
        self.team(GOLDEN, DIFFERENT)
        with self.assertRaises(WorkflowError) as refused:
            moderation_decide(assessment=self.locus, by=self.admin, decisions={7: DECISIONS[7]})
        self.assertEqual(
            refused.exception.problems,
            ("Para evaluator berbeda dan tingkat final belum diputuskan: indikator 11, 23.",),
        )
        self.assertEqual((finals(self.locus), history(self.locus)), ({}, []))

    def test_it_needs_a_level_and_a_reason_for_each_disagreement(self):
        self.team(GOLDEN, DIFFERENT)
        with self.assertRaises(WorkflowError) as refused:
            moderation_decide(
                assessment=self.locus,
                by=self.admin,
                decisions={
                    7: (3, "Sesuai bukti"),
                    11: (None, "Tanpa tingkat"),
                    23: (1, "  "),
                    5: (9, ""),
                },
            )
        self.assertEqual(
            refused.exception.problems,
            (
                "Pilih tingkat final 0–5 untuk indikator 5, 11.",
                "Alasan keputusan wajib diisi untuk indikator 5, 23.",
            ),
        )
        self.locus.refresh_from_db()
        self.assertEqual(
            (finals(self.locus), history(self.locus), self.locus.status), ({}, [], "in_evaluation")
        )

    def test_it_records_the_decisions_and_stores_the_engines_result(self):
        self.team(GOLDEN, DIFFERENT)
        moderation_decide(assessment=self.locus, by=self.admin, decisions=DECISIONS)

        self.assertEqual(finals(self.locus), GOLDEN)
        reasons = dict(
            FinalLevel.objects.filter(assessment=self.locus).values_list(
                "indicator__number", "reason"
            )
        )
        self.assertEqual(
            {n: reasons[n] for n in DECISIONS}, {n: r for n, (_, r) in DECISIONS.items()}
        )
        self.assertEqual({reasons[n] for n in GOLDEN if n not in DECISIONS}, {AGREED_REASON})
        expected = engine.score(instrument_plan(self.golden_instrument).spec, GOLDEN, None)
        result = Result.objects.get(assessment=self.locus)
        self.assertEqual((result.ipp, result.grade), (expected.ipp, expected.grade))
        self.assertEqual((result.ipp, result.grade), (Decimal("4.51"), "A"))
        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "moderated")
        decided = [
            (e.actor, e.indicator.number, e.old, e.new, e.reason)
            for e in history(self.locus, AuditAction.FINAL)
            if e.indicator.number in DECISIONS
        ]
        self.assertEqual(
            decided,
            [(self.admin, n, "", str(lv), r) for n, (lv, r) in sorted(DECISIONS.items())],
        )
        self.assertEqual(len(history(self.locus, AuditAction.FINAL)), 30)
        self.assertEqual(len(history(self.locus, AuditAction.STATUS)), 1)

    def test_it_records_a_re_decision_from_old_to_new(self):
        self.team(GOLDEN, DIFFERENT)
        moderation_decide(assessment=self.locus, by=self.admin, decisions=DECISIONS)
        outcome = moderation_decide(
            assessment=self.locus, by=self.admin, decisions={7: (4, "Bukti baru diterima pleno")}
        )

        self.assertEqual(outcome.changed, {7: (3, 4)})
        self.assertEqual(finals(self.locus), changed(GOLDEN, {7: 4}))
        last = history(self.locus)[-1]
        self.assertEqual(
            (last.action, last.actor, last.indicator.number, last.old, last.new, last.reason),
            (AuditAction.FINAL, self.admin, 7, "3", "4", "Bukti baru diterima pleno"),
        )
        expected = engine.score(
            instrument_plan(self.golden_instrument).spec, changed(GOLDEN, {7: 4}), None
        )
        self.assertEqual(Result.objects.get(assessment=self.locus).ipp, expected.ipp)
        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "moderated")
        self.assertEqual(len(history(self.locus, AuditAction.STATUS)), 1)

    def test_it_refuses_when_the_moderation_window_is_closed(self):
        self.team(GOLDEN, GOLDEN)
        f.close_window(self.nasional, Phase.MODERATION)
        yesterday = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d-%m-%Y")
        message = f"Tahap Moderasi (pleno) sudah ditutup pada {yesterday}."
        with self.assertRaises(WorkflowError) as refused:
            moderation_decide(assessment=self.locus, by=self.admin, decisions={})
        self.assertEqual(refused.exception.problems, (message,))

        self.client.force_login(self.admin)
        response = self.client.post(reverse("evaluations:moderation_form", args=[self.locus.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertEqual(finals(self.locus), {})

    def test_it_refuses_people_who_may_not_moderate(self):
        self.team(GOLDEN, GOLDEN)
        for user in (self.coordinator, self.evaluator, self.operator):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                moderation_decide(assessment=self.locus, by=user, decisions={})
        self.assertEqual(finals(self.locus), {})

    def test_it_finalizes_a_moderated_assessment(self):
        self.team(GOLDEN, GOLDEN)
        moderation_decide(assessment=self.locus, by=self.admin, decisions={})
        assessment_finalize(assessment=self.locus, by=self.admin)

        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "final")
        last = history(self.locus)[-1]
        self.assertEqual(
            (last.action, last.actor, last.old, last.new),
            (AuditAction.STATUS, self.admin, "Dimoderasi", "Final"),
        )
        with self.assertRaises(WorkflowError):
            moderation_decide(assessment=self.locus, by=self.admin, decisions={7: (1, "Terlambat")})

    def test_it_asks_before_finalizing_naming_the_result_and_who_is_told(self):
        self.team(GOLDEN, GOLDEN)
        moderation_decide(assessment=self.locus, by=self.admin, decisions={})
        url = reverse("evaluations:assessment_finalize", args=[self.locus.pk])
        self.client.force_login(self.admin)
        result = Result.objects.get(assessment=self.locus)
        for asked in (
            self.client.get(url),
            self.client.post(url),
            self.client.post(url, {"confirm": "0"}),
        ):
            self.assertTemplateUsed(asked, "confirm.html")
            self.assertContains(asked, '<h1 id="confirm-title">Tetapkan final?</h1>', html=True)
            ipp = f"{result.ipp:.2f}".replace(".", ",")
            self.assertContains(asked, f"Hasil penilaian: IPP {ipp}, predikat {result.grade}")
            self.assertContains(
                asked,
                f"<li><strong>Operator UPP</strong> (1 orang): {self.operator.display_name}</li>",
                html=True,
            )
            self.assertContains(
                asked,
                f"<li><strong>Pimpinan</strong> (1 orang): {self.leader.display_name}</li>",
                html=True,
            )
        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "moderated")
        response = self.client.post(url, {"confirm": "1"})
        self.assertRedirects(
            response,
            reverse("evaluations:assessment_detail", args=[self.locus.pk]),
            fetch_redirect_response=False,
        )
        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "final")

    def test_it_refuses_to_finalize_before_moderation(self):
        self.team(GOLDEN, DIFFERENT)
        with self.assertRaises(WorkflowError) as refused:
            assessment_finalize(assessment=self.locus, by=self.admin)
        refusal = (
            "Tindakan ini tidak dapat dilakukan karena status penilaian adalah “Dalam evaluasi”."
        )
        self.assertEqual(refused.exception.problems, (refusal,))
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("evaluations:assessment_finalize", args=[self.locus.pk]), follow=True
        )
        self.assertRedirects(
            response, reverse("evaluations:assessment_detail", args=[self.locus.pk])
        )
        self.assertContains(response, "status penilaian adalah “Dalam evaluasi”")
        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "in_evaluation")

    def test_it_never_updates_or_deletes_the_audit_history(self):
        self.team(GOLDEN, DIFFERENT)
        with CaptureQueriesContext(connection) as queries:
            moderation_decide(assessment=self.locus, by=self.admin, decisions=DECISIONS)
            moderation_decide(assessment=self.locus, by=self.admin, decisions={7: (4, "Ubah")})
            assessment_finalize(assessment=self.locus, by=self.admin)
        writes = [
            q["sql"] for q in queries.captured_queries if "evaluations_auditentry" in q["sql"]
        ]
        self.assertEqual(len(writes), 33)  # 30 + 1 final levels, moderated, final
        self.assertTrue(all(sql.lstrip().upper().startswith("INSERT") for sql in writes), writes)


class ModerationFormTest(ModerationTestCase):
    def url(self, assessment):
        return reverse("evaluations:moderation_form", args=[assessment.pk])

    def test_it_answers_each_role_with_its_status_code(self):
        evaluated(self.locus, GOLDEN, DIFFERENT, evaluators=[self.evaluator, self.second])
        evaluated(self.prov_locus, GOLDEN, evaluators=[self.third])
        response = self.client.get(self.url(self.locus))
        self.assertRedirects(
            response, f"/masuk/?next={self.url(self.locus)}", fetch_redirect_response=False
        )
        cases = [
            (self.outsider, self.locus, 404),
            (self.coordinator, self.locus, 404),  # Nasional cycle, not their agency's unit
            (self.coordinator, self.prov_locus, 403),  # sees their agency's unit, Nasional cycle
            (self.evaluator, self.locus, 403),
            (self.operator, self.locus, 403),
            (self.leader, self.locus, 403),
            (self.admin, self.locus, 200),
        ]
        for user, assessment, expected in cases:
            self.client.force_login(user)
            for method in ("get", "post"):
                with self.subTest(user=user.username, locus=assessment.pk, method=method):
                    response = getattr(self.client, method)(self.url(assessment))
                    self.assertEqual(response.status_code, expected)
            finalize = reverse("evaluations:assessment_finalize", args=[assessment.pk])
            with self.subTest(user=user.username, locus=assessment.pk, finalize=True):
                expected_finalize = 302 if expected == 200 else expected
                self.assertEqual(self.client.post(finalize).status_code, expected_finalize)
        self.assertEqual(finals(self.locus), {})

    def test_it_lets_the_owner_coordinator_moderate_a_mandiri_cycle(self):
        local = [f.make_evaluator(agency=self.pemprov) for _ in range(2)]
        evaluated(self.mandiri_locus, GOLDEN, DIFFERENT, evaluators=local)
        self.client.force_login(self.coordinator)
        post = {f"level-{n}": str(lv) for n, (lv, _) in DECISIONS.items()}
        post |= {f"reason-{n}": r for n, (_, r) in DECISIONS.items()}
        post |= {f"seen-{n}": "" for n in DECISIONS}
        response = self.client.post(self.url(self.mandiri_locus), post)
        self.assertRedirects(
            response,
            reverse("evaluations:assessment_detail", args=[self.mandiri_locus.pk]),
            fetch_redirect_response=False,
        )
        self.mandiri_locus.refresh_from_db()
        self.assertEqual(self.mandiri_locus.status, "moderated")
        self.assertEqual(finals(self.mandiri_locus), GOLDEN)
        self.assertEqual(Result.objects.get(assessment=self.mandiri_locus).grade, "A")
        self.assertEqual({e.actor for e in history(self.mandiri_locus)}, {self.coordinator})

    def test_it_shows_the_refusal_with_the_indicators_to_decide(self):
        evaluated(self.locus, GOLDEN, DIFFERENT, evaluators=[self.evaluator, self.second])
        self.client.force_login(self.admin)
        response = self.client.post(
            self.url(self.locus), {"level-7": "3", "reason-7": "", "seen-7": ""}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "Para evaluator berbeda dan tingkat final belum diputuskan: indikator 11, 23."
        )
        self.assertContains(response, "Alasan keputusan wajib diisi untuk indikator 7.")
        self.assertContains(response, '<option value="3" selected>3</option>', html=True)
        self.assertEqual(finals(self.locus), {})

    def test_it_refuses_a_nul_in_a_reason_with_the_form_kept(self):
        evaluated(self.locus, GOLDEN, DIFFERENT, evaluators=[self.evaluator, self.second])
        self.client.force_login(self.admin)
        post = {f"level-{n}": str(lv) for n, (lv, _) in DECISIONS.items()}
        post |= {f"reason-{n}": r for n, (_, r) in DECISIONS.items()}
        post |= {f"seen-{n}": "" for n in DECISIONS} | {"reason-11": "Maklumat\x00"}
        response = self.client.post(self.url(self.locus), post)
        self.assertContains(
            response,
            "Alasan keputusan untuk indikator 11 memuat karakter kendali (misalnya NUL) yang "
            "tidak diizinkan.",
        )
        self.assertEqual(finals(self.locus), {})

    def test_it_shows_the_levels_side_by_side_with_the_lead_first(self):
        evaluated(self.locus, DIFFERENT, GOLDEN, evaluators=[self.second, self.evaluator])
        self.locus.assignments.filter(evaluator=self.second).update(is_lead=False)
        self.locus.assignments.filter(evaluator=self.evaluator).update(is_lead=True)
        claims(self.locus, {7: 5})
        self.client.force_login(self.admin)
        response = self.client.get(self.url(self.locus))
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        heads = re.findall(r'<th scope="col" class="num evaluator">([^<]+)', content)
        self.assertEqual(heads, ["Evaluator Nasional", "Evaluator Kedua"])
        row = re.search(r'<tr id="indikator-7" class="differ">(.*?)</tr>', content, re.S).group(1)
        cells = [
            re.sub(r"<[^>]+>|\s+", " ", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        # number, title, lead's level, second's level, unit's claim, agreement, final
        self.assertEqual(cells[2:7], ["3", "4", "5", "Berbeda", "—"])
        self.assertContains(response, '<tr id="indikator-1" class="agree">')
        self.assertContains(response, 'name="level-7"')
        self.assertNotContains(response, 'name="level-1"')

    def test_it_reads_the_side_by_side_table_in_constant_queries(self):
        def prepare(assessment, team):
            evaluated(assessment, DIFFERENT, *[GOLDEN] * (len(team) - 1), evaluators=team)
            claims(assessment, GOLDEN)
            self.client.force_login(self.admin)

        prepare(self.locus, [self.evaluator, self.second])
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.url(self.locus))
        self.assertContains(response, 'class="num evaluator"', count=2)
        two = [q["sql"] for q in queries.captured_queries]
        # user, roles, assessment, team, indicators, scores, claims, finals, window with its
        # latest extension, the bell's unread count (the session comes from the cache; from
        # the database, one more)
        self.assertEqual(len([sql for sql in two if "django_session" not in sql]), 10)

        prepare(self.mandiri_locus, [f.make_evaluator() for _ in range(3)])
        with self.assertNumQueries(len(two)):
            response = self.client.get(self.url(self.mandiri_locus))
        self.assertContains(response, 'class="num evaluator"', count=3)

    def test_it_tells_the_second_moderator_the_level_changed_under_them(self):
        evaluated(self.locus, GOLDEN, DIFFERENT, evaluators=[self.evaluator, self.second])
        moderation_decide(assessment=self.locus, by=self.admin, decisions=DECISIONS)
        # A second admin opened the form before the first one saved: they saw no final level.
        other = f.make_user("admin-dua", full_name="Admin Kedua")
        f.grant(other, Role.MINISTRY_ADMIN)
        self.client.force_login(other)
        response = self.client.post(
            self.url(self.locus), {"level-7": "5", "reason-7": "Menurut saya", "seen-7": ""}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Tingkat final indikator 7 diubah orang lain")
        self.assertContains(response, "Nilai Anda: 5. Nilai tersimpan: 3 (oleh Admin KemenPANRB")
        self.assertEqual(finals(self.locus)[7], 3)
        # Keeping their value: the re-rendered form now carries the saved level as seen.
        self.assertContains(response, '<input type="hidden" name="seen-7" value="3">', html=True)
        response = self.client.post(
            self.url(self.locus), {"level-7": "5", "reason-7": "Menurut saya", "seen-7": "3"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(finals(self.locus)[7], 5)
        last = history(self.locus)[-1]
        self.assertEqual(
            (last.actor, last.old, last.new, last.reason), (other, "3", "5", "Menurut saya")
        )

    def test_it_shows_no_inputs_until_every_evaluator_submitted(self):
        evaluated(
            self.locus,
            GOLDEN,
            DIFFERENT,
            evaluators=[self.evaluator, self.second],
            submitted=[True, False],
        )
        Score.objects.filter(assignment__evaluator=self.second).update(level=None)
        self.client.force_login(self.admin)
        response = self.client.get(self.url(self.locus))
        self.assertContains(response, "F-02 belum diserahkan oleh: Evaluator Kedua.")
        self.assertNotContains(response, 'name="level-')
        self.assertNotContains(response, "Simpan tingkat final")


@skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL (CI sets DATABASE_URL)")
class ConcurrentModerationTest(TransactionTestCase):
    """Two moderators saving the same indicator at the same moment, on real connections."""

    def setUp(self):
        from units.models import AgencyKind

        instrument = f.shipped_instrument()
        owner = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN)
        cycle = f.make_cycle(instrument, year=2025, owner=owner)
        open_windows(cycle)
        self.locus = f.make_assessment(cycle)
        evaluated(self.locus, GOLDEN, DIFFERENT)
        self.admins = []
        for name in ("Admin Satu", "Admin Dua"):
            admin = f.make_user(full_name=name)
            f.grant(admin, Role.MINISTRY_ADMIN)
            self.admins.append(admin)

    def test_it_lets_one_win_and_tells_the_other_without_overwriting(self):
        start = threading.Barrier(2)
        outcomes = {}

        def decide(admin, level):
            try:
                start.wait()
                decisions = {**DECISIONS, 7: (level, f"Keputusan {admin.full_name}")}
                moderation_decide(
                    assessment=Assessment.objects.get(pk=self.locus.pk),
                    by=admin,
                    decisions=decisions,
                    seen={n: None for n in decisions},
                )
                outcomes[admin.full_name] = "saved"
            except FinalLevelConflict as exc:
                outcomes[admin.full_name] = exc.conflicts
            finally:
                connection.close()

        threads = [
            threading.Thread(target=decide, args=(admin, level))
            for admin, level in zip(self.admins, (3, 5), strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        self.assertEqual(list(outcomes.values()).count("saved"), 1, outcomes)
        winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
        loser = next(name for name in outcomes if name != winner)
        saved = finals(self.locus)[7]
        (conflict,) = outcomes[loser]
        self.assertEqual((conflict.number, conflict.saved, conflict.saved_by), (7, saved, winner))
        self.assertEqual(conflict.mine, {"Admin Satu": 3, "Admin Dua": 5}[loser])
        entries = history(self.locus, AuditAction.FINAL)
        self.assertEqual(len(entries), 30)
        self.assertEqual({e.actor.full_name for e in entries}, {winner})
        self.assertEqual(len(history(self.locus, AuditAction.STATUS)), 1)
