"""The F-02 page's SQL reads (selectors_f02_rows) against the same data read through the models."""

import datetime as dt

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from evaluations import selectors_f02_rows as rows
from evaluations.models import (
    Answer,
    Clarification,
    ClarificationStatus,
    EvaluatorAssignment,
    EvidenceRevision,
    Phase,
    PhaseExtension,
    PhaseWindow,
    Score,
)
from evaluations.services.workflow import (
    phase_extend,
    today,
    window_annotated,
    window_of,
)
from units.permissions import forget_roles, roles_of

from . import f02_factories as ff
from .f02_factories import F02TestCase


class F02RowsTest(F02TestCase):
    def setUp(self):
        self.since = timezone.now() - dt.timedelta(minutes=5)

    def test_it_reads_the_own_assignment_with_its_relations_as_the_orm_does(self):
        EvaluatorAssignment.objects.filter(pk=self.assignment.pk).update(
            last_viewed_at=timezone.now()
        )
        expected = EvaluatorAssignment.objects.select_related(
            "assessment__cycle__instrument", "assessment__unit__agency"
        ).get(pk=self.assignment.pk)
        with self.assertNumQueries(1):
            got = rows.own_assignment(user=self.evaluator, assessment_id=self.assessment.pk)
            pairs = [
                (got, expected),
                (got.assessment, expected.assessment),
                (got.assessment.cycle, expected.assessment.cycle),
                (got.assessment.cycle.instrument, expected.assessment.cycle.instrument),
                (got.assessment.unit, expected.assessment.unit),
                (got.assessment.unit.agency, expected.assessment.unit.agency),
            ]
        for mine, theirs in pairs:
            with self.subTest(model=type(theirs).__name__):
                self.assert_same_instance(mine, theirs)
                self.assertEqual(mine._state.db, "default")
        self.assertTrue(timezone.is_aware(got.last_viewed_at))
        self.assertIsNone(rows.own_assignment(user=self.stranger, assessment_id=self.assessment.pk))
        self.assertIsNone(
            rows.own_assignment(user=self.evaluator, assessment_id=self.other_assessment.pk)
        )

    def extend_evaluation(self, days: int):
        phase_extend(
            assessment=self.assessment,
            phase=Phase.EVALUATION,
            ends_on=today() + dt.timedelta(days=days),
            reason="Banjir.",
            by=self.admin,
        )

    def assert_same_instance(self, mine, theirs):
        values = {f.attname: getattr(theirs, f.attname) for f in theirs._meta.fields}
        self.assertEqual({k: getattr(mine, k) for k in values}, values)
        for name, value in values.items():  # bool, Decimal, aware datetime alike
            self.assertIs(type(getattr(mine, name)), type(value), name)
        self.assertFalse(mine._state.adding)

    def test_it_reads_the_autosave_row_with_its_checks_as_the_orm_does(self):
        ind = self.indicators[2]
        ff.give_levels(self.assignment, {ind.number: 3}, note="Catatan")

        def orm():
            return Score.objects.select_related("assignment__assessment", "indicator").get(
                assignment=self.assignment, indicator=ind
            )

        def window_in_models():
            cycle_window = PhaseWindow.objects.get(cycle=self.cycle, phase=Phase.EVALUATION)
            extended = PhaseExtension.objects.filter(
                assessment=self.assessment, phase=Phase.EVALUATION
            ).aggregate(latest=Max("ends_on"))["latest"]
            return cycle_window.starts_on, cycle_window.ends_on, extended

        def mine():
            return rows.score_for_autosave(
                user=self.evaluator, assessment_id=self.assessment.pk, indicator_id=ind.pk
            )

        ff.close_window(self.cycle, Phase.EVALUATION)
        roles_of(self.evaluator)  # a request reads them with the user (units/auth.py)
        for days in (None, 3, 9):  # no extension, then the latest of two
            if days:
                self.extend_evaluation(days)
            expected = orm()
            with self.subTest(extension=days), self.assertNumQueries(1):
                got = mine()
                pairs = [
                    (got, expected),
                    (got.assignment, expected.assignment),
                    (got.assignment.assessment, expected.assignment.assessment),
                    (got.indicator, expected.indicator),
                ]
            for theirs_mine in pairs:
                self.assert_same_instance(*theirs_mine)
            window = (got.window_starts, got.window_ends, got.window_extended_to)
            self.assertEqual(window, window_in_models())
            self.assertEqual(window_annotated(got), window_of(self.assessment, Phase.EVALUATION))
        self.assertEqual(got.window_extended_to, today() + dt.timedelta(days=9))
        self.assertIsNone(
            rows.score_for_autosave(
                user=self.stranger, assessment_id=self.assessment.pk, indicator_id=ind.pk
            )
        )
        self.assertIsNone(
            rows.score_for_autosave(
                user=self.evaluator, assessment_id=self.other_assessment.pk, indicator_id=ind.pk
            )
        )
        self.evaluator.roles.all().delete()
        forget_roles(self.evaluator)
        self.assertIsNone(mine())  # no longer an evaluator

    def test_it_reads_the_claims_as_the_models_hold_them(self):
        ff.give_answers(self.assessment, self.operator, self.indicators[:3], level=4)
        Answer.objects.filter(indicator=self.indicators[1]).update(
            claimed_level=None, explanation="Belum <b>diisi</b>"
        )
        expected = {
            a.indicator_id: rows.Claim(a.claimed_level, a.explanation, a.updated_at)
            for a in Answer.objects.filter(assessment=self.assessment)
        }
        claims, _ = rows.claims_and_scores(self.assessment.pk, self.assignment.pk)
        self.assertEqual(claims, expected)
        self.assertEqual(len(expected), 3)
        self.assertTrue(timezone.is_aware(expected[self.indicators[0].pk].updated_at))
        other, _ = rows.claims_and_scores(self.other_assessment.pk, self.assignment.pk)
        self.assertEqual(other, {})

    def test_it_reads_an_evaluators_scores_only(self):
        ff.give_answers(self.assessment, self.operator, self.indicators[:3], level=4)
        ff.give_levels(self.assignment, {1: 3, 2: 5}, note="Catatan A")
        Score.objects.filter(assignment=self.assignment, level=5).update(
            recommendation="Pertahankan"
        )
        ff.give_levels(self.assignment2, {1: 1}, note="Catatan B")
        expected = {
            s.indicator_id: rows.ScoreState(
                s.indicator_id, s.level, s.note, s.recommendation, s.version, s.updated_at
            )
            for s in Score.objects.filter(assignment=self.assignment)
        }
        with self.assertNumQueries(1):
            claims, got = rows.claims_and_scores(self.assessment.pk, self.assignment.pk)
        self.assertEqual(got, expected)
        self.assertEqual(rows.scores(self.assignment.pk), expected)
        self.assertEqual(sorted(s.level for s in got.values()), [3, 5])
        self.assertEqual({s.note for s in got.values()}, {"Catatan A"})
        self.assertEqual({s.recommendation for s in got.values()}, {"Perbaiki.", "Pertahankan"})
        self.assertEqual(len(claims), 3)  # the answers, not mixed with the scores
        self.assertTrue(all(timezone.is_aware(s.updated_at) for s in got.values()))

    def test_it_reads_the_latest_revision_of_each_active_document(self):
        first, second = self.indicators[0], self.indicators[1]
        old = ff.add_evidence(self.assessment, first, self.operator, title="SK")
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
        newer.file.save("sk-revisi.pdf", ContentFile(ff.PDF_BYTES), save=False)
        newer.save()
        photo = ff.add_evidence(
            self.assessment,
            first,
            self.operator,
            content=ff.png_bytes(),
            content_type="image/png",
            extension=".png",
            title="Foto",
        )
        removed = ff.add_evidence(self.assessment, second, self.operator, title="Dihapus")
        removed.evidence.removed_at = timezone.now()
        removed.evidence.save()
        type(old).objects.filter(pk=photo.pk).update(uploaded_at=self.since - dt.timedelta(1))

        got = rows.latest_evidence(self.assessment.pk, self.since)
        self.assertEqual(list(got), [first.pk])
        self.assertEqual(
            [(i.revision_id, i.title, i.original_name, i.number, i.size) for i in got[first.pk]],
            [
                (newer.pk, "SK", "sk-revisi.pdf", 2, 2048),
                (photo.pk, "Foto", photo.original_name, 1, photo.size),
            ],
        )
        self.assertEqual([(i.is_pdf, i.is_image) for i in got[first.pk]], [(1, 0), (0, 1)])
        self.assertEqual([i.changed for i in got[first.pk]], [True, False])
        self.assertFalse(
            any(i.changed for i in rows.latest_evidence(self.assessment.pk, None)[first.pk])
        )

    def test_it_reads_clarifications_oldest_first_with_the_askers_name(self):
        ind = self.indicators[2]
        asked = Clarification.objects.create(
            assessment=self.assessment, indicator=ind, question="Mana SK?", asked_by=self.evaluator
        )
        answered = Clarification.objects.create(
            assessment=self.assessment,
            indicator=ind,
            question="Mana foto?",
            asked_by=self.evaluator2,
            answer="Terlampir.",
            answered_by=self.operator,
            answered_at=timezone.now(),
            status=ClarificationStatus.ANSWERED,
        )
        got = rows.clarifications(self.assessment.pk, self.since)
        self.assertEqual(list(got), [ind.pk])
        self.assertEqual(
            [
                (
                    c.question,
                    c.answer,
                    c.asked_at,
                    c.answered_at,
                    c.status_label,
                    c.asked_by,
                    c.is_new,
                )
                for c in got[ind.pk]
            ],
            [
                (
                    "Mana SK?",
                    "",
                    asked.asked_at,
                    None,
                    asked.get_status_display(),
                    self.evaluator.display_name,
                    False,
                ),
                (
                    "Mana foto?",
                    "Terlampir.",
                    answered.asked_at,
                    answered.answered_at,
                    answered.get_status_display(),
                    "Evaluator Kedua",
                    True,
                ),
            ],
        )

    def test_it_reads_the_team_lead_first_and_the_window_with_this_units_extension(self):
        EvaluatorAssignment.objects.filter(pk=self.assignment.pk).update(is_lead=False)
        EvaluatorAssignment.objects.filter(pk=self.assignment2.pk).update(
            is_lead=True, submitted_at=timezone.now()
        )
        team, window = rows.team_and_window(self.assessment.pk, Phase.EVALUATION)
        expected = [
            (a.pk, a.evaluator.display_name, a.is_lead, a.submitted_at)
            for a in EvaluatorAssignment.objects.filter(assessment=self.assessment)
            .select_related("evaluator")
            .order_by("-is_lead", "evaluator__username")
        ]
        self.assertEqual(
            [(m.assignment_id, m.name, m.is_lead, m.submitted_at) for m in team], expected
        )
        self.assertEqual(team[0].assignment_id, self.assignment2.pk)
        self.assertEqual(window, window_of(self.assessment, Phase.EVALUATION))

        ff.close_window(self.cycle, Phase.EVALUATION)
        for days in (3, 9):  # the latest extension counts
            self.extend_evaluation(days)
        _, window = rows.team_and_window(self.assessment.pk, Phase.EVALUATION)
        self.assertEqual(window, window_of(self.assessment, Phase.EVALUATION))
        self.assertEqual(window[1], today() + dt.timedelta(days=9))
        _, other = rows.team_and_window(self.other_assessment.pk, Phase.EVALUATION)
        self.assertIsNone(other)  # nobody assigned: no rows, no window
