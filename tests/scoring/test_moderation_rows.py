"""Moderation one indicator at a time: `moderation_decide_one` (and the service
`indicator_decide`): a refusal concerns that indicator only, with its message at its row; the
progress and the finalise step follow each decision."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import AuditAction, Score
from scoring.services.moderation import FinalLevelConflict, indicator_decide
from tests import factories as f
from tests.evaluations.moderation_factories import ModerationTestCase, evaluated
from units.models import Role

from .test_moderation import DECISIONS, DIFFERENT, GOLDEN, finals, history

HTMX = {"HTTP_HX_REQUEST": "true"}


def row_of(content: str, number: int) -> str:
    found = re.search(rf'<tr id="indikator-{number}" class="[a-z]+">(.*?)</tr>', content, re.S)
    return found.group(1)


class IndicatorDecideTest(ModerationTestCase):
    def setUp(self):
        evaluated(self.locus, GOLDEN, DIFFERENT, evaluators=[self.evaluator, self.second])

    def decide(self, number, level, reason, seen=None, by=None):
        return indicator_decide(
            assessment=self.locus,
            by=by or self.admin,
            number=number,
            level=level,
            reason=reason,
            seen=seen,
        )

    def test_it_decides_one_indicator_and_the_agreed_ones_without_waiting_for_the_rest(self):
        outcome = self.decide(7, 3, "Bukti SOP belum lengkap")
        expected = {n: lv for n, lv in GOLDEN.items() if n not in (11, 23)}
        self.assertEqual(finals(self.locus), expected)
        self.assertEqual(outcome.status, "in_evaluation")
        self.decide(11, 2, "Maklumat belum dipajang")
        self.decide(23, 1, "Tidak ada survei")
        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "moderated")
        self.assertEqual(finals(self.locus), GOLDEN)

    def test_it_refuses_only_the_indicator_without_a_reason(self):
        self.decide(7, 3, "Bukti SOP belum lengkap")
        with self.assertRaises(Exception) as refused:
            self.decide(11, 2, "  ")
        self.assertEqual(
            refused.exception.problems, ("Alasan keputusan wajib diisi untuk indikator 11.",)
        )
        self.assertEqual(finals(self.locus)[7], 3)
        self.assertNotIn(11, finals(self.locus))

    def test_it_refuses_a_decision_on_a_level_that_changed_meanwhile(self):
        self.decide(7, 3, "Bukti SOP belum lengkap")
        with self.assertRaises(FinalLevelConflict) as refused:
            self.decide(7, 5, "Menurut saya", seen=None)
        self.assertEqual(refused.exception.conflicts[0].saved, 3)
        self.assertEqual(finals(self.locus)[7], 3)


class DecideOneViewTest(ModerationTestCase):
    def setUp(self):
        evaluated(self.locus, GOLDEN, DIFFERENT, evaluators=[self.evaluator, self.second])
        Score.objects.filter(assignment__evaluator=self.second, indicator__number=7).update(
            note="SOP ada, tetapi belum ditetapkan pimpinan."
        )
        self.client.force_login(self.admin)
        self.page_url = reverse("evaluations:moderation_form", args=[self.locus.pk])

    def url(self, number):
        return reverse("evaluations:moderation_decide_one", args=[self.locus.pk, number])

    def post(self, number, level, reason, seen="", **headers):
        data = {f"level-{number}": level, f"reason-{number}": reason, f"seen-{number}": seen}
        return self.client.post(self.url(number), data, **headers)

    def test_it_shows_the_evaluator_notes_in_the_page_and_one_form_per_difference(self):
        page = self.client.get(self.page_url)
        content = page.content.decode()
        self.assertIn(
            "<strong>Evaluator Kedua (4):</strong> SOP ada, tetapi belum ditetapkan pimpinan.",
            row_of(content, 7),
        )
        self.assertNotIn("title=", row_of(content, 7))
        for n in DECISIONS:
            self.assertIn(f'action="{self.url(n)}"', row_of(content, n))
        self.assertNotIn("<form", row_of(content, 1))
        self.assertContains(page, "<strong>0 dari 3 diputuskan</strong>", html=True)
        self.assertContains(page, "Dapat dilakukan setelah seluruh 3 perbedaan diputuskan.")

    def test_it_saves_one_row_with_htmx_and_updates_the_progress(self):
        response = self.post(7, "3", "Bukti SOP belum lengkap", **HTMX)
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertTrue(content.lstrip().startswith('<tr id="indikator-7" class="differ">'))
        self.assertIn("Tersimpan: tingkat final 3.", row_of(content, 7))
        self.assertIn('<input type="hidden" name="seen-7" value="3">', content)
        self.assertIn('id="moderation-progress"', content)
        self.assertIn('hx-swap-oob="true"', content)
        self.assertInHTML("<strong>1 dari 3 diputuskan</strong>", content)
        self.assertEqual(finals(self.locus)[7], 3)
        entries = history(self.locus, AuditAction.FINAL)
        self.assertIn(
            (7, "3", "Bukti SOP belum lengkap"),
            [(e.indicator.number, e.new, e.reason) for e in entries],
        )
        self.assertEqual(len(entries), 28)  # 27 agreed ones with the first decision, and 7

    def test_it_refuses_a_missing_reason_at_that_row_only(self):
        self.post(7, "3", "Bukti SOP belum lengkap", **HTMX)
        before = finals(self.locus)
        response = self.post(11, "2", "", **HTMX)
        self.assertEqual(response.status_code, 409)
        content = response.content.decode()
        row = row_of(content, 11)
        self.assertIn("Alasan keputusan wajib diisi untuk indikator 11.", row)
        self.assertIn('<option value="2" selected>2</option>', row)
        self.assertInHTML("<strong>1 dari 3 diputuskan</strong>", content)
        self.assertEqual(finals(self.locus), before)
        # Without htmx: the whole page, the message inside the row, the other rows untouched.
        page = self.post(11, "2", "")
        self.assertEqual(page.status_code, 409)
        content = page.content.decode()
        self.assertIn("Alasan keputusan wajib diisi untuk indikator 11.", row_of(content, 11))
        self.assertNotIn("wajib diisi", row_of(content, 23))
        self.assertEqual(finals(self.locus), before)

    def test_it_redirects_to_the_row_without_htmx_and_says_it_saved_there(self):
        response = self.post(7, "3", "Bukti SOP belum lengkap")
        self.assertRedirects(
            response, f"{self.page_url}?disimpan=7#indikator-7", fetch_redirect_response=False
        )
        content = self.client.get(response.url).content.decode()
        self.assertIn("Tersimpan: tingkat final 3.", row_of(content, 7))
        self.assertNotIn("Tersimpan", row_of(content, 11))
        # A bad ?disimpan= is ignored.
        for bad in ("x", "99", "9" * 40):
            self.assertEqual(self.client.get(self.page_url, {"disimpan": bad}).status_code, 200)

    def test_it_opens_finalising_once_every_difference_is_decided(self):
        for n, (level, reason) in DECISIONS.items():
            response = self.post(n, str(level), reason, **HTMX)
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertInHTML("<strong>3 dari 3 diputuskan</strong>", content)
        self.assertIn('<button type="submit" form="finalize-form">Tetapkan final</button>', content)
        page = self.client.get(self.page_url)
        finalize = reverse("evaluations:assessment_finalize", args=[self.locus.pk])
        self.assertContains(page, f'<form id="finalize-form" method="post" action="{finalize}">')
        self.locus.refresh_from_db()
        self.assertEqual(self.locus.status, "moderated")
        self.assertEqual(finals(self.locus), GOLDEN)

    def test_it_shows_both_values_when_the_level_changed_meanwhile(self):
        self.post(7, "3", "Bukti SOP belum lengkap", **HTMX)
        other = f.make_user("admin-dua", full_name="Admin Kedua")
        f.grant(other, Role.MINISTRY_ADMIN)
        self.client.force_login(other)
        response = self.post(7, "5", "Menurut saya", seen="", **HTMX)
        self.assertEqual(response.status_code, 409)
        row = row_of(response.content.decode(), 7)
        self.assertIn("Nilai Anda: 5. Nilai tersimpan: 3 (oleh Admin KemenPANRB", row)
        self.assertIn('<input type="hidden" name="seen-7" value="3">', row)
        self.assertEqual(finals(self.locus)[7], 3)
        again = self.post(7, "5", "Menurut saya", seen="3", **HTMX)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(finals(self.locus)[7], 5)

    def test_it_refuses_bad_input_with_a_message_at_the_row(self):
        cases = [
            ("abc", "Alasan", "Pilih tingkat final 0–5 untuk indikator 7."),
            ("99", "Alasan", "Pilih tingkat final 0–5 untuk indikator 7."),
            ("9" * 40, "Alasan", "Pilih tingkat final 0–5 untuk indikator 7."),
            ("-1", "Alasan", "Pilih tingkat final 0–5 untuk indikator 7."),
            ("3", "Ala\x00san", "memuat karakter kendali (misalnya NUL)"),
        ]
        for level, reason, message in cases:
            with self.subTest(level=level, reason=reason):
                response = self.post(7, level, reason, **HTMX)
                self.assertEqual(response.status_code, 409)
                self.assertIn(message, row_of(response.content.decode(), 7))
        self.assertEqual(self.post(99, "3", "Alasan").status_code, 404)
        self.assertEqual(self.client.get(self.url(7)).status_code, 405)
        self.assertEqual(finals(self.locus), {})
        # A "seen" that is not a level counts as "no final level seen".
        self.assertEqual(self.post(7, "3", "Alasan", seen="\x00", **HTMX).status_code, 200)
        self.assertEqual(finals(self.locus)[7], 3)

    def test_it_decides_in_a_fixed_number_of_queries(self):
        self.post(7, "3", "Bukti SOP belum lengkap", **HTMX)
        with CaptureQueriesContext(connection) as queries:
            self.post(11, "2", "Maklumat belum dipajang", **HTMX)
        counted = [q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]]
        # user, roles, assessment; locked: status, the table (5), window, the final level
        # saved with the result recomputed, the audit entry (with their savepoints); then the
        # table and window again for the answer. Whatever the number of indicators decided.
        self.assertEqual(len(counted), 35)
