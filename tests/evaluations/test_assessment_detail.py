"""The assessment hub: status, windows, role links, the result and the read-only history."""

import datetime as dt
from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from evaluations.models import AuditAction, AuditEntry, Phase
from evaluations.services.audit import audit_record
from evaluations.services.workflow import phase_extend
from scoring.services.moderation import moderation_decide
from tests import factories as f

from .moderation_factories import ModerationTestCase, changed, evaluated

GOLDEN = f.golden_levels()


class _HistoryRows(HTMLParser):
    """The history table's rows as (entry id, [cell texts]) with whitespace collapsed."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-entry" in attrs:
            self.row = (int(attrs["data-entry"]), [])
        elif tag == "td" and self.row is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row[1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def history_rows(response):
    parser = _HistoryRows()
    parser.feed(response.content.decode())
    return parser.rows


def without_session(queries):
    return [sql for sql in queries if "django_session" not in sql]


def expected_rows(entries):
    return [
        (
            e.pk,
            [
                dateformat.format(timezone.localtime(e.at), "d-m-Y H:i"),
                e.actor.display_name if e.actor else "Sistem",
                e.get_action_display(),
                str(e.indicator.number) if e.indicator else "",
                f"{e.old or '—'} → {e.new or '—'}",
                " ".join(e.reason.split()),
            ],
        )
        for e in entries
    ]


class AssessmentDetailTest(ModerationTestCase):
    def url(self, assessment, page=None):
        url = reverse("evaluations:assessment_detail", args=[assessment.pk])
        return f"{url}?halaman={page}" if page else url

    def get(self, user, assessment, page=None):
        self.client.force_login(user)
        return self.client.get(self.url(assessment, page))

    def moderate(self):
        evaluated(
            self.locus,
            GOLDEN,
            changed(GOLDEN, {7: 4}),
            evaluators=[self.evaluator, self.second],
        )
        moderation_decide(assessment=self.locus, by=self.admin, decisions={7: (3, "Sesuai bukti")})

    def add_entries(self, count):
        for i in range(count):
            audit_record(
                assessment=self.locus,
                actor=self.operator,
                action=AuditAction.CLAIM,
                indicator=None,
                old=i,
                new=i + 1,
                reason=f"Perubahan {i}",
            )

    def test_it_answers_each_role_with_its_status_code(self):
        response = self.client.get(self.url(self.locus))
        self.assertRedirects(
            response, f"/masuk/?next={self.url(self.locus)}", fetch_redirect_response=False
        )
        evaluated(self.locus, GOLDEN, evaluators=[self.evaluator], submitted=False)
        cases = [
            (self.outsider, self.locus, 404),
            (self.coordinator, self.locus, 404),
            (self.coordinator, self.prov_locus, 200),
            (self.coordinator, self.mandiri_locus, 200),
            (self.evaluator, self.locus, 200),
            (self.evaluator, self.prov_locus, 404),
            (self.operator, self.locus, 200),
            (self.operator, self.prov_locus, 404),
            (self.leader, self.locus, 200),
            (self.admin, self.locus, 200),
        ]
        for user, assessment, expected in cases:
            with self.subTest(user=user.username, locus=assessment.pk):
                self.assertEqual(self.get(user, assessment).status_code, expected)
        self.assertEqual(
            self.client.get(reverse("evaluations:assessment_detail", args=[999999])).status_code,
            404,
        )

    def test_it_shows_the_history_exactly_as_stored(self):
        self.moderate()
        audit_record(
            assessment=self.locus,
            actor=None,
            action=AuditAction.EXTENSION,
            old="Evaluasi (F-02): 01-01-2025",
            new="Evaluasi (F-02): 15-01-2025",
            reason="Banjir di lokasi.\nKunjungan ditunda.",
        )
        response = self.get(self.admin, self.locus)
        self.assertEqual(response.status_code, 200)
        stored = AuditEntry.objects.filter(assessment=self.locus).select_related(
            "actor", "indicator"
        )
        newest_first = list(stored.order_by("-at", "-pk"))
        self.assertEqual(len(newest_first), 32)  # 30 final levels, "moderated", the extension
        self.assertEqual(history_rows(response), expected_rows(newest_first))
        rows = dict(history_rows(response))
        decided = stored.get(action=AuditAction.FINAL, indicator__number=7)
        self.assertEqual(
            rows[decided.pk][1:],
            ["Admin KemenPANRB", "Tingkat final", "7", "— → 3", "Sesuai bukti"],
        )
        self.assertNotIn(b'name="reason', response.content)  # read-only: no form on the history

    def test_it_pages_the_history_at_100_entries_newest_first(self):
        self.add_entries(205)
        newest_first = list(
            AuditEntry.objects.filter(assessment=self.locus)
            .select_related("actor", "indicator")
            .order_by("-at", "-pk")
        )
        pages = [history_rows(self.get(self.admin, self.locus, page)) for page in (1, 2, 3)]
        self.assertEqual([len(p) for p in pages], [100, 100, 5])
        self.assertEqual(pages[0] + pages[1] + pages[2], expected_rows(newest_first))
        self.assertEqual(pages[0][0][1][5], "Perubahan 204")
        self.assertContains(self.get(self.admin, self.locus, 2), "Halaman 2 dari 3")
        self.assertEqual(history_rows(self.get(self.admin, self.locus, "xyz")), pages[0])

    def test_it_shows_the_history_in_constant_queries(self):
        evaluated(self.locus, GOLDEN, GOLDEN, evaluators=[self.evaluator, self.second])
        viewers = (self.admin, self.evaluator, self.operator)
        self.add_entries(5)
        small = {}
        for user in viewers:
            self.client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(self.url(self.locus))
            self.assertEqual(len(history_rows(response)), 5)
            small[user.username] = [q["sql"] for q in queries.captured_queries]
        # user, roles, assessment (with its result), team, windows, extensions, history count,
        # history page, the bell's unread count; an evaluator's own assignment is one more.
        # The session normally comes
        # from the cache; should it be read from the database, it is one more for both sizes.
        self.assertEqual(
            {name: len(without_session(sql)) for name, sql in small.items()},
            {"admin": 9, "evaluator": 10, "operator": 9},
        )
        self.add_entries(195)
        for user in viewers:
            self.client.force_login(user)
            with (
                self.subTest(viewer=user.username),
                self.assertNumQueries(len(small[user.username])),
            ):
                response = self.client.get(self.url(self.locus))
            self.assertEqual(len(history_rows(response)), 100)

    def test_it_shows_each_role_its_own_links(self):
        evaluated(self.locus, GOLDEN, evaluators=[self.evaluator], submitted=False)
        pk = self.locus.pk
        links = {
            "f01": f'href="/penilaian/{pk}/f01/"',
            "f02": f'href="/penilaian/{pk}/f02/"',
            "visit": f'href="/penilaian/{pk}/kunjungan/"',
            "moderation": f'href="/penilaian/{pk}/moderasi/"',
        }
        expected = {
            "operator": {"f01"},
            "evaluator": {"f02", "visit"},
            "admin": {"moderation"},
            "leader": set(),
        }
        for name, shown in expected.items():
            with self.subTest(persona=name):
                content = self.get(self.personas()[name], self.locus).content.decode()
                self.assertEqual({key for key, link in links.items() if link in content}, shown)

    def test_it_shows_the_result_and_the_finalize_button_once_moderated(self):
        response = self.get(self.admin, self.locus)
        self.assertNotContains(response, 'id="hasil"')
        self.assertNotContains(response, "Tetapkan final")
        self.moderate()
        response = self.get(self.admin, self.locus)
        self.assertContains(response, "IPP 4,51")  # Indonesian decimal comma
        self.assertContains(
            response,
            '<abbr title="Kebijakan Pelayanan">Aspek I</abbr>: 4,79 · '
            '<abbr title="Profesionalisme SDM">Aspek II</abbr>: 4,20',
        )
        self.assertContains(response, "A — Pelayanan Prima")
        self.assertContains(response, "sementara, belum final")
        self.assertContains(response, f'action="/penilaian/{self.locus.pk}/final/"')
        self.assertContains(
            response, '<li class="step step-current" aria-current="step">Dimoderasi</li>', html=True
        )
        self.assertContains(response, '<li class="step step-done">Dalam evaluasi</li>', html=True)
        self.assertContains(response, '<li class="step step-loop">Klarifikasi</li>', html=True)
        self.assertNotContains(self.get(self.evaluator, self.locus), "Tetapkan final")
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("evaluations:assessment_finalize", args=[self.locus.pk]),
            {"confirm": "1"},
            follow=True,
        )
        self.assertContains(response, "Penilaian telah ditetapkan final.")
        self.assertNotContains(response, "sementara, belum final")
        self.assertContains(
            response, '<li class="step step-current" aria-current="step">Final</li>', html=True
        )

    def test_it_shows_the_windows_with_this_units_extensions(self):
        ends = timezone.localdate() + dt.timedelta(days=45)
        phase_extend(
            assessment=self.locus,
            phase=Phase.EVALUATION,
            ends_on=ends,
            reason="Banjir di lokasi",
            by=self.admin,
        )
        response = self.get(self.operator, self.locus)
        self.assertContains(
            response, f"s.d. {ends:%d-%m-%Y} (oleh Admin KemenPANRB): Banjir di lokasi"
        )
        self.assertContains(response, "Penilaian mandiri (F-01)")
        other = self.get(self.coordinator, self.prov_locus)
        self.assertNotContains(other, "Banjir di lokasi")

    def test_it_hides_evaluators_levels_from_the_unit_and_unsubmitted_teammates(self):
        evaluated(
            self.locus,
            GOLDEN,
            GOLDEN,
            evaluators=[self.evaluator, self.second],
            submitted=[False, True],
        )
        own = audit_record(
            assessment=self.locus, actor=self.evaluator, action=AuditAction.SCORE, old="", new="4"
        )
        theirs = audit_record(
            assessment=self.locus, actor=self.second, action=AuditAction.SCORE, old="", new="2"
        )
        claim = audit_record(
            assessment=self.locus, actor=self.operator, action=AuditAction.CLAIM, old="", new="5"
        )

        def shown(user):
            return {pk for pk, _ in history_rows(self.get(user, self.locus))}

        self.assertEqual(shown(self.admin), {own.pk, theirs.pk, claim.pk})
        self.assertEqual(shown(self.evaluator), {own.pk, claim.pk})
        self.assertEqual(shown(self.second), {own.pk, theirs.pk, claim.pk})
        self.assertEqual(shown(self.operator), {claim.pk})
        self.assertEqual(shown(self.leader), {claim.pk})
