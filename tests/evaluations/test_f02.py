"""F-02: the evaluator's scoring page, autosave, blind scoring, submission and running IPP."""

import datetime as dt
import json
import threading
from pathlib import Path
from unittest import skipUnless

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import Client, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.instrument_spec import instrument_plan
from evaluations.models import (
    Answer,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    Clarification,
    EvaluatorAssignment,
    EvidenceRevision,
    InstrumentVersion,
    Level,
    Phase,
    Score,
)
from evaluations.selectors.rubric import instrument_rubric, rubric_cache_clear
from evaluations.services import f02 as f02_services
from evaluations.services.workflow import WorkflowError, phase_extend
from tests import factories as f
from tests.base import PersonaTestCase
from tests.browser.support import BrowserTestCase
from units.models import RoleAssignment

from . import f02_factories as ff
from .f02_factories import F02TestCase

Status = AssessmentStatus
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "scoring_cases.json"


class AutosaveTest(F02TestCase):
    def setUp(self):
        self.client.force_login(self.evaluator)
        f02_services.scores_ensure(self.assignment)

    def test_it_saves_a_score_and_bumps_its_version(self):
        ind = self.indicators[0]
        response = self.post_score(
            ind, version=0, level=3, note="Dokumen SOP ada", recommendation="Sahkan SOP"
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<input type="hidden" name="version" value="1">', html=True)
        self.assertContains(response, "Tersimpan")
        self.assertContains(response, '<section id="f02-running"')  # the panel, out of band
        score = self.score(ind)
        self.assertEqual(
            (score.level, score.note, score.recommendation, score.version),
            (3, "Dokumen SOP ada", "Sahkan SOP", 1),
        )
        self.assertIsNotNone(score.updated_at)

    def test_it_starts_the_evaluation_on_the_first_save(self):
        self.post_score(self.indicators[0], version=0, level=2)
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Status.IN_EVALUATION)
        status_entries = AuditEntry.objects.filter(
            assessment=self.assessment, action=AuditAction.STATUS
        )
        self.assertEqual(
            [(e.old, e.new, e.actor) for e in status_entries],
            [("Diajukan", "Dalam evaluasi", self.evaluator)],
        )
        # The second save leaves the status (and its history) alone.
        self.post_score(self.indicators[1], version=0, level=2)
        self.assertEqual(status_entries.count(), 1)

    def test_it_audits_a_level_change_only(self):
        ind = self.indicators[0]
        self.post_score(ind, version=0, level=3)
        self.post_score(ind, version=1, level=3, note="catatan baru")
        self.post_score(ind, version=2, level=4, note="catatan baru")
        entries = AuditEntry.objects.filter(assessment=self.assessment, action=AuditAction.SCORE)
        self.assertEqual(
            [(e.indicator_id, e.old, e.new, e.actor) for e in entries],
            [(ind.pk, "", "3", self.evaluator), (ind.pk, "3", "4", self.evaluator)],
        )
        self.assertEqual(self.score(ind).version, 3)

    def test_it_writes_nothing_when_nothing_changed(self):
        ind = self.indicators[0]
        self.post_score(ind, version=0, level=3)
        response = self.post_score(ind, version=1, level=3)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("HX-Trigger", response.headers)
        self.assertEqual(self.score(ind).version, 1)

    def test_it_shows_both_values_on_a_conflict_and_keeps_the_first(self):
        ind = self.indicators[0]
        first = self.post_score(ind, version=0, level=4, note="catatan tab pertama")
        second = self.post_score(ind, version=0, level=2, note="catatan tab kedua")
        self.assertEqual(first.status_code, 200)
        self.assertEqual(second.status_code, 409)
        self.assertContains(second, "catatan tab pertama", status_code=409)
        self.assertContains(second, "catatan tab kedua", status_code=409)
        self.assertContains(second, '<b class="f02-mine-level">2</b>', status_code=409, html=True)
        self.assertContains(second, '<b class="f02-saved-level">4</b>', status_code=409, html=True)
        # "Keep mine" resubmits against the version it was shown.
        self.assertContains(second, 'name="keep_version" value="1"', status_code=409)
        score = self.score(ind)
        self.assertEqual((score.level, score.note, score.version), (4, "catatan tab pertama", 1))
        self.assertEqual(
            AuditEntry.objects.filter(action=AuditAction.SCORE, indicator=ind).count(), 1
        )
        kept = self.post_score(ind, version=0, keep_version=1, level=2, note="catatan tab kedua")
        self.assertEqual(kept.status_code, 200)
        self.assertEqual(self.score(ind).level, 2)

    def test_it_saves_within_seven_queries(self):
        ff.set_status(self.assessment, Status.IN_EVALUATION)
        ind = self.indicators[0]
        self.post_score(ind, version=0, level=1)  # warm the session cache
        # user, their roles, the row with its relations, the window, UPDATE, audit INSERT
        # (level changed), the levels for the running panel
        with self.assertNumQueries(7):
            response = self.post_score(ind, version=1, level=3, note="a")
        self.assertEqual(response.status_code, 200)
        # a note alone: no audit entry, no panel
        with self.assertNumQueries(5):
            self.post_score(ind, version=2, level=3, note="ab")
        self.assertEqual(self.score(ind).version, 3)

    def test_it_sends_the_running_panel_with_a_level_change_only(self):
        ind = self.indicators[0]
        ff.give_levels(self.assignment, {i.number: 4 for i in self.indicators[2:]})
        response = self.post_score(ind, version=0, level=3)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertTrue(body.startswith(f'<div id="save-{ind.pk}" class="f02-save"'))
        self.assertIn(
            '<section id="f02-running" class="card f02-running" aria-live="polite"'
            ' hx-swap-oob="true">',
            body,
        )
        self.assertIn("1 dari 30 indikator belum diberi tingkat.", body)
        self.assertIn('<progress max="30" value="29">29/30</progress>', body)
        self.assertNotIn("HX-Trigger", response.headers)  # no second request
        # The last level: the panel shows the engine's result.
        last = self.post_score(self.indicators[1], version=0, level=5)
        self.assertContains(last, 'hx-swap-oob="true"')
        self.assertContains(last, 'class="f02-ipp-value"')
        # A note alone leaves the panel as it is.
        note = self.post_score(ind, version=1, level=3, note="catatan")
        self.assertEqual(note.status_code, 200)
        self.assertContains(note, '<input type="hidden" name="version" value="2">', html=True)
        self.assertNotContains(note, "f02-running")
        self.assertNotContains(note, "hx-swap-oob")

    def test_it_refuses_a_nul_in_the_note_or_recommendation_naming_the_field(self):
        ind = self.indicators[0]
        response = self.post_score(ind, version=0, level=3, note="SOP\x00", recommendation="\x00")
        self.assertContains(
            response, "Catatan memuat karakter kendali (misalnya NUL)", status_code=409
        )
        self.assertContains(response, "Rekomendasi memuat karakter kendali", status_code=409)
        score = self.score(ind)
        self.assertEqual((score.level, score.note, score.version), (None, "", 0))

    def test_it_refuses_scoring_outside_the_evaluation_window(self):
        f.close_window(self.cycle, Phase.EVALUATION)
        response = self.post_score(self.indicators[0], version=0, level=3)
        self.assertContains(response, "sudah ditutup", status_code=409)
        score = self.score(self.indicators[0])
        self.assertEqual((score.level, score.version), (None, 0))
        self.assertFalse(AuditEntry.objects.filter(assessment=self.assessment).exists())
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Status.SUBMITTED)

    def test_it_opens_page_and_autosave_again_when_the_unit_gets_more_time(self):
        """Both read the unit's window, extension included (selectors.window_of)."""
        f.close_window(self.cycle, Phase.EVALUATION)
        page = self.client.get(self.page_url())
        self.assertContains(page, "sudah ditutup")
        self.assertContains(page, '<fieldset class="f02-fields" disabled>')
        phase_extend(
            assessment=self.assessment,
            phase=Phase.EVALUATION,
            ends_on=timezone.localdate() + dt.timedelta(days=3),
            reason="Kunjungan lapangan tertunda banjir.",
            by=self.admin,
        )
        page = self.client.get(self.page_url())
        self.assertNotContains(page, "sudah ditutup")
        self.assertNotContains(page, '<fieldset class="f02-fields" disabled>')
        response = self.post_score(self.indicators[0], version=0, level=3)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.score(self.indicators[0]).level, 3)
        # Someone else's unit keeps the closed window.
        ff.set_status(self.other_assessment, Status.SUBMITTED)
        f.assign(self.other_assessment, self.evaluator)
        other = self.client.get(self.page_url(self.other_assessment))
        self.assertContains(other, "sudah ditutup")

    def test_it_refuses_scoring_while_a_clarification_is_pending(self):
        ff.set_status(self.assessment, Status.CLARIFICATION)
        response = self.post_score(self.indicators[0], version=0, level=3)
        self.assertContains(response, "Klarifikasi", status_code=409)
        self.assertIsNone(self.score(self.indicators[0]).level)

    def test_it_creates_a_missing_row_on_the_first_save(self):
        Score.objects.filter(assignment=self.assignment).delete()
        response = self.post_score(self.indicators[5], version=0, level=5)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.score(self.indicators[5]).level, 5)

    def test_it_redirects_back_to_the_page_without_htmx(self):
        ind = self.indicators[2]
        response = self.post_score(ind, version=0, level=3, htmx=False)
        self.assertRedirects(
            response, self.page_url() + f"#indikator-{ind.number}", fetch_redirect_response=False
        )
        self.assertEqual(self.score(ind).level, 3)

    def test_it_sends_anonymous_people_to_the_login_page(self):
        self.client.logout()
        response = self.post_score(self.indicators[0], version=0, level=3)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/masuk/?next="))

    def test_it_forbids_a_unit_operator(self):
        self.client.force_login(self.operator)
        response = self.post_score(self.indicators[0], version=0, level=3)
        self.assertEqual(response.status_code, 403)
        self.assertIsNone(self.score(self.indicators[0]).level)

    def test_it_forbids_the_admin_who_is_not_an_evaluator_of_it(self):
        self.client.force_login(self.admin)
        self.assertEqual(self.post_score(self.indicators[0], version=0, level=3).status_code, 403)

    def test_it_hides_the_assessment_from_an_unassigned_evaluator(self):
        self.client.force_login(self.stranger)
        self.assertEqual(self.post_score(self.indicators[0], version=0, level=3).status_code, 404)
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        self.assertIsNone(self.score(self.indicators[0]).level)

    def test_it_does_not_let_an_evaluator_write_anothers_row(self):
        # evaluator 2 posting for the indicator writes their own row, never evaluator 1's
        self.client.force_login(self.evaluator2)
        self.post_score(self.indicators[0], version=0, level=1)
        self.assertIsNone(self.score(self.indicators[0]).level)
        self.assertEqual(self.score(self.indicators[0], self.assignment2).level, 1)


class ConcurrentAutosaveTest(TransactionTestCase):
    """Two requests save the same score at the same moment: one wins, the other is told."""

    def setUp(self):
        agency = f.make_agency("Kementerian PANRB", code="KEMENPANRB-C")
        instrument = f.make_instrument("UJI-KONKUREN")
        cycle = f.make_cycle(instrument, owner=agency)
        f.open_window(cycle, Phase.EVALUATION)
        self.assessment = ff.set_status(f.make_assessment(cycle), Status.IN_EVALUATION)
        self.evaluator = f.make_user("evaluator-konkuren", agency=agency)
        f.grant(self.evaluator, f.Role.EVALUATOR)
        self.assignment = f.assign(self.assessment, self.evaluator)
        f02_services.scores_ensure(self.assignment)
        self.indicator = ff.scored_indicators(instrument)[0]

    @skipUnless(
        connection.vendor == "postgresql",
        "SQLite's shared in-memory test database locks the table for both writers instead of "
        "serialising them; CI runs this against PostgreSQL",
    )
    def test_it_saves_exactly_one_of_two_simultaneous_saves(self):
        url = reverse("evaluations:score_autosave", args=[self.assessment.pk, self.indicator.pk])
        clients = [Client(), Client()]
        for c in clients:
            c.force_login(self.evaluator)
        barrier = threading.Barrier(2)
        results: dict[int, object] = {}

        def save(n):
            try:
                barrier.wait(timeout=10)
                results[n] = clients[n].post(
                    url,
                    {"version": 0, "level": n + 2, "note": f"dari permintaan {n}"},
                    headers={"HX-Request": "true"},
                )
            except Exception as exc:  # reported below, never swallowed
                results[n] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        statuses = sorted(getattr(r, "status_code", repr(r)) for r in results.values())
        self.assertEqual(statuses, [200, 409])
        winner = next(n for n, r in results.items() if r.status_code == 200)
        loser = 1 - winner
        score = Score.objects.get(assignment=self.assignment, indicator=self.indicator)
        self.assertEqual(
            (score.level, score.note, score.version), (winner + 2, f"dari permintaan {winner}", 1)
        )
        conflict = results[loser].content.decode()
        self.assertIn(f"dari permintaan {loser}", conflict)  # their own value
        self.assertIn(f"dari permintaan {winner}", conflict)  # and the one that was saved
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.SCORE).count(), 1)

    def test_it_saves_within_seven_queries_outside_a_test_transaction(self):
        instrument_rubric(self.assessment.cycle.instrument)  # read once per process
        client = Client()
        client.force_login(self.evaluator)
        url = reverse("evaluations:score_autosave", args=[self.assessment.pk, self.indicator.pk])
        htmx = {"HX-Request": "true"}
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {"version": 0, "level": 3}, headers=htmx)
        self.assertEqual(response.status_code, 200)
        # Seven queries: user, their roles, the row with its relations, the window, then UPDATE
        # and audit INSERT in one transaction (Django logs its BEGIN and COMMIT beside them),
        # then the levels for the running panel sent with the answer.
        statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
        self.assertEqual(
            statements,
            ["SELECT"] * 4 + ["BEGIN", "UPDATE", "INSERT", "COMMIT", "SELECT"],
        )
        self.assertEqual(AuditEntry.objects.filter(action=AuditAction.SCORE).count(), 1)

    def test_a_level_is_not_saved_without_its_audit_entry(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.evaluator)
        url = reverse("evaluations:score_autosave", args=[self.assessment.pk, self.indicator.pk])
        audit_table = AuditEntry._meta.db_table

        def refuse_audit_insert(execute, sql, params, many, context):
            if sql.startswith(f'INSERT INTO "{audit_table}"'):
                raise DatabaseError("audit table unavailable")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(refuse_audit_insert):
            response = client.post(url, {"version": 0, "level": 3}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 500)
        score = Score.objects.get(assignment=self.assignment, indicator=self.indicator)
        self.assertEqual((score.level, score.version), (None, 0))  # the UPDATE was undone
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.SCORE).exists())
        # A note alone has no audit entry and needs no transaction.
        response = client.post(
            url, {"version": 0, "note": "catatan"}, headers={"HX-Request": "true"}
        )
        self.assertEqual(response.status_code, 200)
        score.refresh_from_db()
        self.assertEqual((score.note, score.version), ("catatan", 1))


class F02PageTest(F02TestCase):
    def setUp(self):
        self.client.force_login(self.evaluator)

    def test_it_shows_claims_evidence_rubric_and_the_form(self):
        ind = self.indicators[0]
        ff.give_answers(self.assessment, self.operator, [ind], level=4)
        pdf = f.add_evidence(self.assessment, ind, self.operator)
        png = f.add_evidence(
            self.assessment,
            ind,
            self.operator,
            content=ff.png_bytes(),
            content_type="image/png",
            extension=".png",
            title="Foto loket",
        )
        response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Penjelasan unit untuk indikator 1")
        self.assertContains(response, "Indikator 1: tingkat 3")  # rubric text
        self.assertContains(response, 'name="level" value="5"', count=len(self.indicators))
        if _has_evidence_url():  # the F-01 area's download view
            self.assertContains(response, f"{pdf.pk}/?inline=1")
        self.assertContains(response, '<iframe loading="lazy"', count=1)
        self.assertContains(response, '<img class="f02-preview" loading="lazy"', count=1)
        self.assertContains(response, "Foto loket")
        self.assertEqual(Score.objects.filter(assignment=self.assignment).count(), 30)
        self.assertIsNotNone(png.pk)

    def test_it_escapes_everything_the_unit_and_the_evaluators_wrote(self):
        """Every text from the database arrives escaped."""
        ind = self.indicators[0]
        evil = '<script>alert("x")</script>'
        ff.set_status(self.assessment, Status.IN_EVALUATION)
        Answer.objects.create(
            assessment=self.assessment,
            indicator=ind,
            claimed_level=3,
            explanation=f"Baris satu {evil}\nbaris dua",
            updated_by=self.operator,
        )
        f.add_evidence(self.assessment, ind, self.operator, title=f'Judul "{evil}"')
        ff.give_levels(self.assignment, {1: 2}, note=evil, recommendation=evil)
        Clarification.objects.create(
            assessment=self.assessment,
            indicator=ind,
            question=f"Tanya {evil}",
            asked_by=self.evaluator,
            answer=f"Jawab {evil}",
            answered_by=self.operator,
            answered_at=timezone.now(),
            status="answered",
        )
        response = self.client.post(
            reverse("evaluations:clarification_request_form", args=[self.assessment.pk]),
            {"indicator": [ind.pk, self.indicators[1].pk], f"question-{ind.pk}": evil},
        )
        self.assertEqual(response.status_code, 200)  # the second question is missing
        body = response.content.decode()
        self.assertNotIn("<script>alert", body)
        escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        self.assertIn(f"<p>Baris satu {escaped}<br>baris dua</p>", body)
        self.assertIn(f"Judul &quot;{escaped}&quot;</a>", body)
        self.assertIn(f'title="Judul &quot;{escaped}&quot;"', body)  # the preview's title
        self.assertIn(f'<textarea name="note" rows="2">{escaped}</textarea>', body)
        self.assertIn(f'<textarea name="recommendation" rows="2">{escaped}</textarea>', body)
        self.assertIn(f'rows="2" aria-label="Pertanyaan klarifikasi">{escaped}</textarea>', body)
        self.assertIn(f'value="{ind.pk}" form="f02-clarify" checked>', body)
        self.assertIn(f"): Tanya {escaped}</p>", body)
        self.assertIn(f"): Jawab {escaped}</p>", body)

    def test_it_escapes_the_rubric_and_checks_only_the_evaluators_level(self):
        ind = self.indicators[0]
        Level.objects.filter(indicator=ind, value=2).update(description='Ada <b>"tebal"</b> & x')
        rubric_cache_clear()
        self.addCleanup(rubric_cache_clear)  # the changed text must not outlive this test
        ff.give_levels(self.assignment, {ind.number: 2})
        body = self.client.get(self.page_url()).content.decode()
        article = body[body.index(f'id="indikator-{ind.number}"') :]
        article = article[: article.index("</article>")]
        self.assertIn(
            '<label class="f02-level"><input type="radio" name="level" value="2" checked>'
            " <b>2</b> <span>Ada &lt;b&gt;&quot;tebal&quot;&lt;/b&gt; &amp; x</span></label>",
            article,
        )
        self.assertEqual(article.count(" checked>"), 1)
        self.assertEqual(body.count(" checked>"), 1)  # nobody else's level is set

    def test_it_shows_the_latest_revision_of_each_active_document_and_what_is_new(self):
        first, second = self.indicators[0], self.indicators[1]
        self.client.get(self.page_url())  # the evaluator looked before the uploads below
        old = f.add_evidence(self.assessment, first, self.operator, title="SK")
        newer = EvidenceRevision(
            evidence=old.evidence,
            number=2,
            original_name="sk-revisi.pdf",
            content_type="application/pdf",
            extension=".pdf",
            size=2048,
            sha256="0" * 64,
            uploaded_by=self.operator,
        )
        newer.file.save("sk-revisi.pdf", ContentFile(f.EVIDENCE_PDF), save=False)
        newer.save()
        removed = f.add_evidence(self.assessment, second, self.operator, title="Dihapus")
        removed.evidence.removed_at = timezone.now()
        removed.evidence.save()
        response = self.client.get(self.page_url())
        self.assertContains(response, "sk-revisi.pdf · rev. 2 · 2,0\xa0KB")
        self.assertNotContains(response, old.original_name)
        self.assertNotContains(response, "Dihapus")
        self.assertContains(response, 'class="f02-evidence"', count=1)
        self.assertContains(
            response, f'<article class="f02-ind f02-changed" id="indikator-{first.number}">'
        )
        self.assertContains(response, f'<article class="f02-ind" id="indikator-{second.number}">')

    def test_it_lists_the_team_lead_first_and_clarifications_oldest_first(self):
        EvaluatorAssignment.objects.filter(pk=self.assignment.pk).update(is_lead=False)
        EvaluatorAssignment.objects.filter(pk=self.assignment2.pk).update(is_lead=True)
        ind = self.indicators[2]
        for question in ("Mana SK?", "Mana foto?"):
            Clarification.objects.create(
                assessment=self.assessment,
                indicator=ind,
                question=question,
                asked_by=self.evaluator2,
            )
        body = self.client.get(self.page_url()).content.decode()
        names = self.evaluator2.display_name + " (ketua), " + self.evaluator.display_name
        self.assertIn(names, body)
        self.assertLess(body.index("Mana SK?"), body.index("Mana foto?"))
        self.assertIn(f"({self.evaluator2.display_name}, ", body)  # who asked

    def test_it_keeps_a_draft_f01_out_of_sight_and_the_form_locked(self):
        ff.set_status(self.assessment, Status.DRAFT)
        ff.give_answers(self.assessment, self.operator, self.indicators[:1])
        response = self.client.get(self.page_url())
        self.assertContains(response, "Unit belum mengajukan F-01")
        self.assertNotContains(response, "Penjelasan unit untuk indikator 1")
        self.assertNotContains(response, "Serahkan F-02")
        self.assertFalse(Score.objects.filter(assignment=self.assignment).exists())

    def test_it_counts_the_indicators_still_to_score(self):
        ff.give_levels(self.assignment, {1: 5, 2: 4, 3: 3})
        response = self.client.get(self.page_url())
        self.assertContains(response, "27 dari 30 indikator belum diberi tingkat.")
        self.assertNotContains(response, 'class="f02-ipp-value"')

    def test_it_forbids_the_unit_operator_and_hides_it_from_outsiders(self):
        for user, status in [
            (self.operator, 403),
            (self.coordinator, 404),
            (self.leader, 403),
            (self.admin, 403),
            (self.outsider, 404),
            (self.stranger, 404),
        ]:
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.page_url()).status_code, status, user)
        self.client.logout()
        self.assertEqual(self.client.get(self.page_url()).status_code, 302)

    def test_it_closes_the_page_and_autosave_to_an_evaluator_whose_role_was_revoked(self):
        f02_services.scores_ensure(self.assignment)
        RoleAssignment.objects.filter(user=self.evaluator2, role=f.Role.EVALUATOR).delete()
        self.client.force_login(self.evaluator2)
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        f02_services.scores_ensure(self.assignment2)
        response = self.client.post(
            reverse("evaluations:score_autosave", args=[self.assessment.pk, self.indicators[0].pk]),
            {"version": 0, "level": 3},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertIsNone(self.score(self.indicators[0], self.assignment2).level)

    def test_it_uses_the_same_number_of_queries_with_or_without_evidence(self):
        ff.give_answers(self.assessment, self.operator, self.indicators)
        ff.set_status(self.assessment, Status.IN_EVALUATION)
        instrument_plan(self.instrument)  # the engine's spec is cached per process
        self.client.get(self.page_url())  # creates the score rows

        def page_queries():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(self.page_url()).status_code, 200)
            return len(queries)

        ff.give_levels(self.assignment, {i.number: 3 for i in self.indicators[:3]})
        few_without = page_queries()
        f.add_evidence(self.assessment, self.indicators[0], self.operator)
        few_with_one = page_queries()
        for ind in self.indicators:
            for _ in range(2):
                f.add_evidence(self.assessment, ind, self.operator)
        few_with_many = page_queries()
        self.fill_all(self.assignment, level=4)
        all_with = page_queries()
        # user, their roles, own assignment with the assessment, answers, scores, evidence,
        # clarifications, team, last cycle's levels with their follow-up, evaluation window
        # with its extension, UPDATE last_viewed_at, the bell's unread count; the rubric is
        # cached. The survey answers: the F-03 figures shown, and with every level in, the same
        # rows feed the engine.
        self.assertEqual(
            [few_without, few_with_one, few_with_many, all_with], [PAGE_QUERIES + 1] * 4
        )
        with self.assertNumQueries(PAGE_QUERIES + 1):
            self.client.get(self.page_url())
        # A process reads the rubric (indicators with aspects, levels) and survey items once.
        rubric_cache_clear()
        with self.assertNumQueries(PAGE_QUERIES + 1 + 3):
            self.client.get(self.page_url())

    def test_it_updates_last_viewed_at_on_each_view(self):
        self.assertIsNone(self.assignment.last_viewed_at)
        for _ in range(2):
            before = timezone.now()
            self.client.get(self.page_url())
            self.assignment.refresh_from_db()
            self.assertTrue(before <= self.assignment.last_viewed_at <= timezone.now())
        self.assignment2.refresh_from_db()
        self.assertIsNone(self.assignment2.last_viewed_at)  # only the viewer's own
        at = timezone.now() - dt.timedelta(days=3, microseconds=7)
        f02_services.assignment_mark_viewed(assignment=self.assignment, at=at)
        self.assignment.refresh_from_db()
        self.assertEqual(self.assignment.last_viewed_at, at)  # to the microsecond, aware

    def test_it_marks_what_the_unit_changed_since_the_last_look(self):
        ind = self.indicators[4]
        self.client.get(self.page_url())
        f.add_evidence(self.assessment, ind, self.operator)
        response = self.client.get(self.page_url())
        self.assertContains(
            response, f'<article class="f02-ind f02-changed" id="indikator-{ind.number}">'
        )
        self.assertContains(response, "1 indikator berubah sejak terakhir")
        self.assertContains(response, 'class="f02-changed-mark"', count=1)
        # seen now: the next visit shows no mark
        self.assertNotContains(self.client.get(self.page_url()), 'class="f02-changed-mark"')


class BlindScoringTest(F02TestCase):
    def test_it_hides_other_evaluators_levels_until_one_submits(self):
        ff.set_status(self.assessment, Status.IN_EVALUATION)
        self.fill_all(self.assignment, level=2, note="Catatan rahasia evaluator A")
        f02_services.evaluator_submit(assignment=self.assignment, by=self.evaluator)
        self.client.force_login(self.evaluator2)
        before = self.client.get(self.page_url())
        self.assertNotContains(before, "Catatan rahasia evaluator A")
        self.assertNotContains(before, "team-level")
        self.assertNotContains(before, "Tingkat tim evaluator")
        # B's own save fragment carries nothing of A's either
        saved = self.post_score(self.indicators[0], version=0, level=4)
        self.assertNotContains(saved, "rahasia")

        self.fill_all(self.assignment2, level=5)
        self.client.post(
            reverse("evaluations:evaluator_submit", args=[self.assessment.pk]), {"confirm": "1"}
        )
        after = self.client.get(self.page_url())
        self.assertContains(after, "Catatan rahasia evaluator A", count=30)
        self.assertContains(after, 'class="team-level"', count=30)

    def test_it_does_not_even_read_the_team_levels_before_submitting(self):
        ff.set_status(self.assessment, Status.IN_EVALUATION)
        self.fill_all(self.assignment, level=2, note="rahasia")
        self.client.force_login(self.evaluator2)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(self.page_url())
        sqls = [q["sql"].replace('"', "") for q in queries]
        score_reads = [sql for sql in sqls if "FROM evaluations_score" in sql]
        self.assertEqual(len(score_reads), 1)  # B's own levels only
        self.assertIn(f"assignment_id = {self.assignment2.pk}", score_reads[0])


class SubmissionTest(F02TestCase):
    def setUp(self):
        self.client.force_login(self.evaluator)
        ff.set_status(self.assessment, Status.IN_EVALUATION)
        self.url = reverse("evaluations:evaluator_submit", args=[self.assessment.pk])

    def test_it_refuses_with_the_exact_list_of_what_is_missing(self):
        levels = {i.number: 5 for i in self.indicators[3:]}
        ff.give_levels(self.assignment, levels)
        ff.give_levels(self.assignment, {2: 3}, recommendation="")
        ff.give_levels(self.assignment, {3: 4}, recommendation="Tambah loket")
        expected = [
            "Indikator 1 (1.x.K): tingkat belum diisi.",
            "Indikator 2 (2.x.K): rekomendasi wajib diisi untuk tingkat di bawah 5.",
        ]
        with self.assertRaises(WorkflowError) as refused:
            f02_services.evaluator_submit(assignment=self.assignment, by=self.evaluator)
        self.assertEqual(list(refused.exception.problems), expected)
        response = self.client.post(self.url)
        self.assertEqual(response.status_code, 200)
        for problem in expected:
            self.assertContains(response, problem, count=1)
        self.assignment.refresh_from_db()
        self.assertIsNone(self.assignment.submitted_at)

    def test_it_asks_for_confirmation_first_and_names_who_is_told(self):
        self.fill_all(self.assignment, level=4)
        asked = self.client.post(self.url)
        self.assertTemplateUsed(asked, "confirm.html")
        self.assertContains(asked, '<h1 id="confirm-title">Serahkan F-02?</h1>', html=True)
        self.assertContains(
            asked,
            "Belum ada yang diberi tahu: moderator diberi tahu setelah evaluator lain "
            f"menyerahkan F-02 ({self.evaluator2.display_name}).",
        )
        self.assignment.refresh_from_db()
        self.assertIsNone(self.assignment.submitted_at)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.STATUS).exists())
        # The last of the team to hand in tells the moderators (the ministry admins here).
        self.fill_all(self.assignment2, level=4)
        f02_services.evaluator_submit(assignment=self.assignment2, by=self.evaluator2)
        last = self.client.get(self.url)
        self.assertContains(last, "<strong>Admin KemenPANRB</strong>", html=True)
        self.assignment.refresh_from_db()
        self.assertIsNone(self.assignment.submitted_at)

    def test_it_submits_and_locks_the_form(self):
        self.fill_all(self.assignment, level=4)
        response = self.client.post(self.url, {"confirm": "1"})
        self.assertRedirects(response, reverse("evaluations:f02_form", args=[self.assessment.pk]))
        self.assignment.refresh_from_db()
        self.assertIsNotNone(self.assignment.submitted_at)
        entry = AuditEntry.objects.get(assessment=self.assessment, action=AuditAction.STATUS)
        self.assertEqual(
            (entry.old, entry.new, entry.actor),
            (
                "F-02 Evaluator Nasional: belum diserahkan",
                "F-02 Evaluator Nasional: diserahkan",
                self.evaluator,
            ),
        )
        page = self.client.get(reverse("evaluations:f02_form", args=[self.assessment.pk]))
        self.assertContains(page, '<fieldset class="f02-fields" disabled>', count=30)
        self.assertNotContains(page, "Serahkan F-02")
        refused = self.post_score(
            self.indicators[0],
            version=self.score(self.indicators[0]).version,
            level=1,
            recommendation="x",
        )
        self.assertContains(refused, "sudah diserahkan", status_code=409)
        self.assertEqual(self.score(self.indicators[0]).level, 4)
        again = self.client.post(self.url, {"confirm": "1"})
        self.assertContains(again, "sudah diserahkan")

    def test_it_refuses_outside_the_window(self):
        self.fill_all(self.assignment, level=5)
        f.close_window(self.cycle, Phase.EVALUATION)
        self.assertContains(self.client.post(self.url), "sudah ditutup")
        self.assignment.refresh_from_db()
        self.assertIsNone(self.assignment.submitted_at)

    def test_it_forbids_others(self):
        for user, status in [(self.operator, 403), (self.stranger, 404), (self.coordinator, 404)]:
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url).status_code, status)


class RunningResultTest(PersonaTestCase):
    """The running panel shows the engine's numbers for a golden case and the shipped 2022-A."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("load_instruments", stdout=open("/dev/null", "w"))
        instrument = InstrumentVersion.objects.get(code="2022-A")
        cls.cycle_2022 = f.make_cycle(instrument, owner=cls.kemenpan)
        f.open_window(cls.cycle_2022, Phase.EVALUATION)
        cls.locus = ff.set_status(
            f.make_assessment(cls.cycle_2022, cls.other_unit), Status.IN_EVALUATION
        )
        cls.golden_assignment = f.assign(cls.locus, cls.evaluator)

    def test_it_shows_the_engines_ipp_and_grade_for_golden_boundary_45050(self):
        case = next(
            c for c in json.loads(GOLDEN.read_text())["cases"] if c["id"] == "boundary-45050"
        )
        levels = {int(n): lv for n, lv in case["levels"].items()}
        # Every level but the first, which the autosave below sets: its answer carries the panel.
        first = min(levels)
        ff.give_levels(self.golden_assignment, levels | {first: (levels[first] + 1) % 6})
        self.client.force_login(self.evaluator)
        url = reverse("evaluations:f02_form", args=[self.locus.pk])
        indicator = self.cycle_2022.instrument.indicators.get(number=first)
        saved = self.client.post(
            reverse("evaluations:score_autosave", args=[self.locus.pk, indicator.pk]),
            {"version": 0, "level": levels[first]},
            headers={"HX-Request": "true"},
        )
        # Numbers in the reader's language: 4,51 in Bahasa Indonesia.
        for response in (saved, self.client.get(url)):
            self.assertContains(response, '<strong class="f02-ipp-value">4,51</strong>', html=True)
            self.assertContains(response, '<strong class="f02-grade">A</strong>', html=True)
            for code, value in case["expected"]["aspects"].items():
                self.assertRegex(
                    response.content.decode(),
                    rf"<td>{code}\. [^<]+</td><td class=\"num\">{value.replace('.', ',')}</td>",
                )
            index = case["expected"]["evaluator_index"]
            self.assertContains(response, f"<strong>{index.replace('.', ',')}</strong>")
        self.client.post("/i18n/setlang/", {"language": "en", "next": url})
        response = self.client.get(url)
        self.assertContains(response, '<strong class="f02-ipp-value">4.51</strong>', html=True)
        self.assertContains(response, f"<strong>{index}</strong>")


PAGE_QUERIES = 12


def _has_evidence_url() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("evaluations:evidence_download", args=[1])
    except NoReverseMatch:
        return False
    return True


class F02BrowserTest(BrowserTestCase):
    """In Chromium: a level autosaves, the running panel refreshes, a conflict shows both values
    and "keep mine" saves over the newer version; the PDF preview opens on demand."""

    def setUp(self):
        super().setUp()
        agency = f.make_agency("Kementerian PANRB", code="KEMENPANRB-B")
        cycle = f.make_cycle(owner=agency)
        f.open_window(cycle, Phase.EVALUATION)
        self.evaluator = f.make_user("evaluator-b", agency=agency, full_name="Siti Rahmawati")
        f.grant(self.evaluator, f.Role.EVALUATOR)
        operator = f.make_user("operator-b")
        self.assessment = ff.set_status(f.make_assessment(cycle), Status.IN_EVALUATION)
        self.assignment = f.assign(self.assessment, self.evaluator, lead=True)
        self.indicators = ff.scored_indicators(cycle.instrument)
        ff.give_answers(self.assessment, operator, self.indicators)
        f.add_evidence(self.assessment, self.indicators[0], operator)
        ff.give_levels(self.assignment, {i.number: 4 for i in self.indicators[1:]})

    def test_it_autosaves_and_resolves_a_conflict(self):
        page = self.page
        self.log_in("evaluator-b", f.PASSWORD)
        page.wait_for_url(self.url("/"))
        page.goto(self.url(reverse("evaluations:f02_form", args=[self.assessment.pk])))
        ind = self.indicators[0]
        form = page.locator(f"#indikator-{ind.number} form.f02-score")
        save = page.locator(f"#save-{ind.pk}")

        form.locator('input[name=level][value="3"]').check()
        page.wait_for_selector(f"#save-{ind.pk}:has-text('Tersimpan')")
        page.wait_for_selector(".f02-ipp-value")  # all 30 set: the panel asked the engine
        self.assertEqual(form.locator("input[name=version]").input_value(), "1")

        # Another tab saves meanwhile; typing here must not overwrite it.
        Score.objects.filter(assignment=self.assignment, indicator=ind).update(
            level=1, note="dari tab lain", version=7
        )
        form.locator("textarea[name=note]").fill("catatan saya")
        page.wait_for_selector(f"#save-{ind.pk}.f02-conflict")
        self.assertIn("dari tab lain", save.inner_text())
        self.assertIn("catatan saya", save.inner_text())
        self.assertEqual(Score.objects.get(assignment=self.assignment, indicator=ind).level, 1)

        save.get_by_role("button", name="Simpan nilai saya").click()
        page.wait_for_selector(f"#save-{ind.pk}:not(.f02-conflict):has-text('Tersimpan')")
        score = Score.objects.get(assignment=self.assignment, indicator=ind)
        self.assertEqual((score.level, score.note, score.version), (3, "catatan saya", 8))

        preview = page.locator(f"#indikator-{ind.number} details.f02-preview")
        self.assertEqual(preview.locator("iframe").count(), 1)
        self.assertFalse(preview.evaluate("d => d.open"))
        preview.locator("summary").click()
        self.assertTrue(preview.locator("iframe").is_visible())
