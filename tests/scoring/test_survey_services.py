"""F-03 services (`scoring.services.survey`) against the real database: links, public
answers, paper sheets, voiding, and the stored result following the survey as §4 says."""

import datetime as dt
import hashlib
import json
import threading
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from unittest import skipUnless

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from evaluations.models import (
    Assessment,
    AuditAction,
    AuditEntry,
    Evidence,
    EvidenceRevision,
    Phase,
    SurveyChannel,
    SurveyLink,
    SurveyResponse,
)
from evaluations.selectors.f01 import f01_assessments, f01_page, f01_snapshot
from evaluations.selectors.f02 import f02_page, own_assignment
from evaluations.services.f01 import answers_ensure
from evaluations.services.workflow import WorkflowError
from scoring import engine
from scoring.models import Result
from scoring.services.results import final_levels_save
from scoring.services.survey import (
    survey_answer,
    survey_link,
    survey_link_reissue,
    survey_paper_enter,
    survey_void,
)
from tests import factories as f
from tests.base import PersonaTestCase
from tests.evaluations import f01_factories as ff
from units.models import AgencyKind, Role

GOLDEN = f.SCORING_CASES
SURVEY_PHASE = Phase.SURVEY.label
NEUTRAL = [3] * 14


def stored_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def problems(caught) -> tuple[str, ...]:
    return caught.exception.problems


class SurveyCase(PersonaTestCase):
    """The persona world with the survey window of the 2024 cycle open today."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.SURVEY)

    def link(self, assessment=None) -> SurveyLink:
        return survey_link(assessment=assessment or self.assessment, by=self.operator)

    def paper(self, answers=NEUTRAL, *, data=ff.PNG_BYTES, name="lembar.png", assessment=None):
        return survey_paper_enter(
            assessment=assessment or self.assessment,
            answers=answers,
            profile={"gender": "P", "service_used": "Akta kelahiran"},
            sheet=ff.upload(name, data),
            by=self.operator,
        )

    def assertNothingStored(self, files_before):
        self.assertFalse(SurveyResponse.objects.exists())
        self.assertFalse(Evidence.objects.exists())
        self.assertFalse(EvidenceRevision.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.SURVEY).exists())
        self.assertEqual(stored_files(), files_before)


class AnswerTest(SurveyCase):
    def test_it_stores_the_answers_and_the_profile(self):
        link = self.link()
        answers = [5, 4, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0, 5, 4]
        response = survey_answer(
            link=link,
            answers=answers,
            profile={
                "gender": "L",
                "age_band": "30-39",
                "education": "sma",
                "occupation": "wirausaha",
                "service_used": "  Perekaman KTP-el  ",
                "name": "never stored",
            },
        )
        stored = SurveyResponse.objects.get()
        self.assertEqual(stored.pk, response.pk)
        self.assertEqual(
            (stored.assessment, stored.link, stored.channel, stored.answers),
            (self.assessment, link, SurveyChannel.ONLINE, answers),
        )
        self.assertEqual(
            (stored.gender, stored.age_band, stored.education, stored.occupation),
            ("L", "30-39", "sma", "wirausaha"),
        )
        self.assertEqual(stored.service_used, "Perekaman KTP-el")
        self.assertEqual((stored.entered_by, stored.sheet, stored.voided_at), (None, None, None))

    def test_it_stores_an_empty_profile_when_none_is_given(self):
        survey_answer(link=self.link(), answers=NEUTRAL)
        stored = SurveyResponse.objects.get()
        self.assertEqual(
            [stored.gender, stored.age_band, stored.education, stored.occupation],
            ["", "", "", ""],
        )
        self.assertEqual(stored.service_used, "")

    def refused(self, link, answers=NEUTRAL, profile=None) -> tuple[str, ...]:
        """The problems `survey_answer` names; nothing may have been stored."""
        with self.assertRaises(WorkflowError) as caught:
            survey_answer(link=link, answers=answers, profile=profile)
        self.assertFalse(SurveyResponse.objects.exists())
        return problems(caught)

    def test_it_refuses_before_the_survey_window_opens_naming_the_opening_date(self):
        link = self.link()
        window = f.open_window(self.cycle, Phase.SURVEY, before=-5, after=30)
        self.assertEqual(
            self.refused(link),
            (f"Tahap {SURVEY_PHASE} baru dibuka pada {window.starts_on:%d-%m-%Y}.",),
        )

    def test_it_refuses_after_the_survey_window_closed_naming_the_closing_date(self):
        link = self.link()
        window = f.close_window(self.cycle, Phase.SURVEY)
        self.assertEqual(window.ends_on, timezone.localdate() - dt.timedelta(days=1))
        self.assertEqual(
            self.refused(link),
            (f"Tahap {SURVEY_PHASE} sudah ditutup pada {window.ends_on:%d-%m-%Y}.",),
        )

    def test_it_refuses_a_revoked_link(self):
        old = self.link()
        survey_link_reissue(assessment=self.assessment, by=self.operator)
        self.assertEqual(self.refused(old), ("Tautan survei ini sudah tidak berlaku.",))

    def test_it_refuses_wrong_values_naming_every_item_and_stores_nothing(self):
        answers = [True, "3", 6, -1, None, 3.0, 3, 3, 3, 3, 3, 3, 3, 5]
        self.assertEqual(
            self.refused(self.link(), answers),
            tuple(
                f"Butir {n}: jawaban harus salah satu nilai 0 sampai 5." for n in (1, 2, 3, 4, 5, 6)
            ),
        )

    def test_it_refuses_a_wrong_number_of_answers(self):
        link = self.link()
        for answers in ([3] * 13, [3] * 15, [], None, "33333333333333", {"1": 3}):
            with self.subTest(answers=answers):
                self.assertEqual(self.refused(link, answers), ("Jawaban harus berisi 14 butir.",))

    def test_it_refuses_unknown_profile_codes_naming_each_question(self):
        # The forms offer only the choices; a caller that bypasses them is refused too,
        # rather than a database error (PostgreSQL) or a stored unknown code (SQLite).
        profile = {"gender": "Laki-laki", "age_band": "99", "education": "sma", "occupation": "x"}
        self.assertEqual(
            self.refused(self.link(), profile=profile),
            (
                "Pilihan untuk “jenis kelamin” tidak dikenal.",
                "Pilihan untuk “usia” tidak dikenal.",
                "Pilihan untuk “pekerjaan” tidak dikenal.",
            ),
        )

    def test_it_refuses_a_nul_in_the_service_used(self):
        found = self.refused(self.link(), profile={"service_used": "KTP\x00-el"})
        self.assertIn("Layanan yang diterima memuat karakter kendali", found[0])


class LinkTest(SurveyCase):
    def test_it_makes_one_live_link_per_locus_and_returns_it_again(self):
        first = self.link()
        again = self.link()
        by_admin = survey_link(assessment=self.assessment, by=self.admin)
        self.assertEqual({first.pk, again.pk, by_admin.pk}, {first.pk})
        self.assertEqual(first.created_by, self.operator)
        self.assertRegex(first.token, r"^[A-Za-z0-9_-]{16}$")
        self.assertEqual(SurveyLink.objects.filter(assessment=self.assessment).count(), 1)

    def test_each_locus_has_its_own_token(self):
        mine = self.link()
        theirs = survey_link(assessment=self.other_assessment, by=self.admin)
        self.assertNotEqual(mine.token, theirs.token)
        self.assertEqual(theirs.assessment, self.other_assessment)

    def test_the_database_refuses_a_second_live_link_of_a_locus(self):
        self.link()
        with self.assertRaises(IntegrityError), transaction.atomic():
            SurveyLink.objects.create(assessment=self.assessment)
        # Revoked links are history: any number of them may sit beside the live one.
        SurveyLink.objects.filter(assessment=self.assessment).update(revoked_at=timezone.now())
        SurveyLink.objects.create(assessment=self.assessment, revoked_at=timezone.now())
        SurveyLink.objects.create(assessment=self.assessment)
        self.assertEqual(
            SurveyLink.objects.filter(assessment=self.assessment, revoked_at__isnull=True).count(),
            1,
        )

    def test_it_refuses_people_who_do_not_run_the_survey(self):
        for name in ("outsider", "evaluator", "leader", "coordinator"):
            with self.subTest(name=name):
                with self.assertRaises(PermissionDenied):
                    survey_link(assessment=self.assessment, by=self.personas()[name])
                with self.assertRaises(PermissionDenied):
                    survey_link_reissue(assessment=self.assessment, by=self.personas()[name])
        self.assertFalse(SurveyLink.objects.exists())

    def test_reissuing_revokes_the_old_link_keeps_its_answers_and_is_audited(self):
        old = self.link()
        survey_answer(link=old, answers=NEUTRAL)
        new = survey_link_reissue(assessment=self.assessment, by=self.operator)
        old.refresh_from_db()
        self.assertIsNotNone(old.revoked_at)
        self.assertNotEqual(new.token, old.token)
        self.assertIsNone(new.revoked_at)
        self.assertEqual(self.link(), new)
        self.assertEqual(SurveyResponse.objects.get().link, old)
        entry = AuditEntry.objects.get(action=AuditAction.SURVEY)
        self.assertEqual(
            (entry.assessment, entry.actor, entry.old, entry.new, entry.reason),
            (
                self.assessment,
                self.operator,
                f"/s/{old.token}/",
                f"/s/{new.token}/",
                "Tautan survei diterbitkan ulang; tautan lama tidak berlaku lagi.",
            ),
        )
        survey_answer(link=new, answers=NEUTRAL)
        self.assertEqual(SurveyResponse.objects.filter(assessment=self.assessment).count(), 2)

    def test_reissuing_without_a_link_just_makes_one(self):
        new = survey_link_reissue(assessment=self.assessment, by=self.admin)
        self.assertEqual(AuditEntry.objects.get(action=AuditAction.SURVEY).old, "")
        self.assertEqual(self.link(), new)


class PaperTest(SurveyCase):
    def test_it_stores_the_sheet_as_an_evidence_revision_with_its_sha256(self):
        response = self.paper([4] * 14)
        response.refresh_from_db()
        revision = response.sheet
        self.assertEqual(
            (response.channel, response.entered_by, response.link, response.answers),
            (SurveyChannel.PAPER, self.operator, None, [4] * 14),
        )
        self.assertEqual((response.gender, response.service_used), ("P", "Akta kelahiran"))
        self.assertEqual(revision.sha256, hashlib.sha256(ff.PNG_BYTES).hexdigest())
        self.assertEqual(
            (revision.number, revision.size, revision.content_type, revision.original_name),
            (1, len(ff.PNG_BYTES), "image/png", "lembar.png"),
        )
        self.assertEqual(revision.uploaded_by, self.operator)
        evidence = revision.evidence
        self.assertEqual(
            (evidence.assessment, evidence.indicator, evidence.title),
            (self.assessment, None, "Lembar survei kertas 1"),
        )
        path = Path(revision.file.path)
        self.assertTrue(path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT)))
        self.assertEqual(path.read_bytes(), ff.PNG_BYTES)
        entry = AuditEntry.objects.get(action=AuditAction.SURVEY)
        self.assertEqual(
            (entry.assessment, entry.actor, entry.old, entry.new, entry.reason),
            (
                self.assessment,
                self.operator,
                "",
                f"Isian kertas #{response.pk}: 4 4 4 4 4 4 4 4 4 4 4 4 4 4",
                f"Pindaian: lembar.png, SHA-256 {revision.sha256}",
            ),
        )
        second = self.paper(data=ff.PDF_BYTES, name="lembar-2.pdf")
        self.assertEqual(second.sheet.evidence.title, "Lembar survei kertas 2")
        self.assertEqual(second.sheet.content_type, "application/pdf")

    def test_it_refuses_a_program_and_an_empty_file_storing_nothing(self):
        before = stored_files()
        for name, data, message in (
            ("lembar.pdf", b"MZ" + b"\0" * 500, "Berkas ini sebenarnya program Windows (EXE/DLL)"),
            ("lembar.png", b"", "Berkas kosong (0 bita) tidak dapat diunggah."),
        ):
            with self.subTest(name=name):
                with self.assertRaises(WorkflowError) as caught:
                    self.paper(data=data, name=name)
                self.assertIn(message, problems(caught)[0])
                self.assertNothingStored(before)

    def test_it_refuses_an_unknown_profile_code_before_storing_the_sheet(self):
        before = stored_files()
        with self.assertRaises(WorkflowError) as caught:
            survey_paper_enter(
                assessment=self.assessment,
                answers=NEUTRAL,
                profile={"education": "universitas"},
                sheet=ff.upload("lembar.png", ff.PNG_BYTES),
                by=self.operator,
            )
        self.assertEqual(problems(caught), ("Pilihan untuk “pendidikan terakhir” tidak dikenal.",))
        self.assertNothingStored(before)

    def test_it_refuses_bad_answers_before_storing_the_sheet(self):
        before = stored_files()
        with self.assertRaises(WorkflowError) as caught:
            self.paper([3] * 13 + [7])
        self.assertEqual(
            problems(caught), ("Butir 14: jawaban harus salah satu nilai 0 sampai 5.",)
        )
        self.assertNothingStored(before)

    def test_it_refuses_outside_the_window_storing_nothing(self):
        before = stored_files()
        window = f.close_window(self.cycle, Phase.SURVEY)
        with self.assertRaises(WorkflowError) as caught:
            self.paper()
        self.assertEqual(
            problems(caught),
            (f"Tahap {SURVEY_PHASE} sudah ditutup pada {window.ends_on:%d-%m-%Y}.",),
        )
        self.assertNothingStored(before)

    def test_it_refuses_everyone_but_the_units_operators(self):
        before = stored_files()
        for name in ("admin", "coordinator", "evaluator", "leader", "outsider"):
            with self.subTest(name=name), self.assertRaises(PermissionDenied):
                survey_paper_enter(
                    assessment=self.assessment,
                    answers=NEUTRAL,
                    sheet=ff.upload("lembar.png", ff.PNG_BYTES),
                    by=self.personas()[name],
                )
        # An operator of another unit is an outsider here.
        other = f.make_user("operator-tanggamus")
        f.grant(other, Role.UNIT_OPERATOR, unit=self.other_unit)
        with self.assertRaises(PermissionDenied):
            survey_paper_enter(
                assessment=self.assessment,
                answers=NEUTRAL,
                sheet=ff.upload("lembar.png", ff.PNG_BYTES),
                by=other,
            )
        self.assertNothingStored(before)


class VoidTest(SurveyCase):
    def test_it_voids_a_paper_entry_with_a_reason_keeping_it_on_record(self):
        response = self.paper()
        survey_void(response=response, reason="  Lembar ganda  ", by=self.operator)
        response.refresh_from_db()
        self.assertIsNotNone(response.voided_at)
        self.assertEqual(
            (response.voided_by, response.void_reason), (self.operator, "Lembar ganda")
        )
        self.assertFalse(SurveyResponse.objects.valid().exists())
        self.assertEqual(SurveyResponse.objects.count(), 1)
        entry = AuditEntry.objects.filter(action=AuditAction.SURVEY).latest("pk")
        self.assertEqual(
            (entry.actor, entry.old, entry.new, entry.reason),
            (self.operator, f"Isian kertas #{response.pk} berlaku", "dibatalkan", "Lembar ganda"),
        )

    def test_it_refuses_to_void_a_public_answer(self):
        response = survey_answer(link=self.link(), answers=NEUTRAL)
        with self.assertRaises(WorkflowError) as caught:
            survey_void(response=response, reason="Tidak masuk akal", by=self.operator)
        self.assertEqual(
            problems(caught), ("Jawaban daring dari pengguna layanan tidak dapat diubah.",)
        )
        self.assertTrue(SurveyResponse.objects.valid().filter(pk=response.pk).exists())
        # The database holds the same rule.
        with self.assertRaises(IntegrityError), transaction.atomic():
            SurveyResponse.objects.filter(pk=response.pk).update(voided_at=timezone.now())

    def test_it_needs_a_reason_without_control_characters(self):
        response = self.paper()
        for reason, message in (
            ("", "Tuliskan alasan pembatalan isian ini."),
            ("   ", "Tuliskan alasan pembatalan isian ini."),
            (None, "Tuliskan alasan pembatalan isian ini."),
            (
                "Ganda\x00",
                "Alasan pembatalan memuat karakter kendali (misalnya NUL) yang tidak diizinkan; "
                "hapus karakter itu lalu simpan lagi.",
            ),
        ):
            with self.subTest(reason=reason):
                with self.assertRaises(WorkflowError) as caught:
                    survey_void(response=response, reason=reason, by=self.operator)
                self.assertEqual(problems(caught), (message,))
        response.refresh_from_db()
        self.assertIsNone(response.voided_at)

    def test_it_refuses_to_void_twice(self):
        response = self.paper()
        survey_void(response=response, reason="Lembar ganda", by=self.operator)
        with self.assertRaises(WorkflowError) as caught:
            survey_void(response=response, reason="Lagi", by=self.operator)
        self.assertEqual(problems(caught), ("Isian ini sudah dibatalkan.",))
        response.refresh_from_db()
        self.assertEqual(response.void_reason, "Lembar ganda")

    def test_it_refuses_outside_the_window_and_non_operators(self):
        response = self.paper()
        for name in ("admin", "evaluator", "outsider"):
            with self.subTest(name=name), self.assertRaises(PermissionDenied):
                survey_void(response=response, reason="Ganda", by=self.personas()[name])
        f.close_window(self.cycle, Phase.SURVEY)
        with self.assertRaises(WorkflowError):
            survey_void(response=response, reason="Ganda", by=self.operator)
        self.assertTrue(SurveyResponse.objects.valid().filter(pk=response.pk).exists())


class SheetOutsideF01Test(SurveyCase):
    """The scanned sheet is an evidence revision without an indicator: never F-01 evidence."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.SELF_ASSESSMENT)
        answers_ensure(cls.assessment)

    def setUp(self):
        self.response = self.paper()
        self.sheet = self.response.sheet.evidence
        self.real = f.add_evidence(
            self.assessment, ff.indicators(self.assessment)[0], self.operator
        ).evidence

    def test_the_f01_page_and_snapshot_list_only_indicator_evidence(self):
        assessment = f01_assessments(self.operator).get(pk=self.assessment.pk)
        page = f01_page(assessment)
        listed = [item.evidence.pk for g in page.groups for r in g.rows for item in r.evidence]
        self.assertEqual(listed, [self.real.pk])
        self.assertEqual(
            [e["evidence_id"] for e in f01_snapshot(self.assessment)["evidence"]], [self.real.pk]
        )

    def test_the_f02_page_lists_only_indicator_evidence(self):
        assignment = own_assignment(user=self.evaluator, assessment_id=self.assessment.pk)
        page = f02_page(assessment=assignment.assessment, assignment=assignment)
        listed = [item.evidence.pk for g in page.groups for r in g.rows for item in r.evidence]
        self.assertEqual(listed, [self.real.pk])

    def test_the_f01_evidence_views_do_not_know_the_sheet(self):
        self.client.force_login(self.operator)
        replace = reverse("evaluations:evidence_replace", args=[self.sheet.pk])
        remove = reverse("evaluations:evidence_remove", args=[self.sheet.pk])
        self.assertEqual(
            self.client.post(replace, {"file": ff.upload("x.png", ff.PNG_BYTES)}).status_code,
            404,
        )
        self.assertEqual(self.client.post(remove).status_code, 404)
        self.sheet.refresh_from_db()
        self.assertIsNone(self.sheet.removed_at)
        self.assertEqual(self.sheet.revisions.count(), 1)
        # The same views still work on real evidence.
        remove_real = reverse("evaluations:evidence_remove", args=[self.real.pk])
        self.assertEqual(self.client.post(remove_real).status_code, 302)


class ShippedLocusCase(PersonaTestCase):
    """A locus of the operator's unit in a 2025 cycle of the shipped 2022-A instrument
    (σ = 0.25, m = 10), its survey window open."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.shipped = f.shipped_instrument()
        cls.survey_cycle = f.make_cycle(cls.shipped, year=2025, owner=cls.kemenpan)
        f.open_window(cls.survey_cycle, Phase.SURVEY)
        cls.locus = f.make_assessment(cls.survey_cycle, cls.unit)


class StoredResultTest(ShippedLocusCase):
    """The stored result follows the survey exactly as PEKPPP.md §4 says, through the services:
    a golden case's levels as final levels, its respondents answering one by one."""

    def levels(self, case_id: str) -> Result:
        return final_levels_save(assessment=self.locus, levels=f.golden_levels(case_id))

    def answer_all(self, respondents) -> SurveyLink:
        link = survey_link(assessment=self.locus, by=self.operator)
        for answers in respondents:
            survey_answer(link=link, answers=answers)
        return link

    def result(self) -> Result:
        return Result.objects.get(assessment=self.locus)

    def assertGolden(self, case_id: str, respondents: int):
        expected = GOLDEN[case_id]["expected"]
        result = self.result()
        self.assertEqual(
            (
                str(result.ipp),
                result.grade,
                None if result.survey_index is None else str(result.survey_index),
                result.respondents,
                str(result.evaluator_index),
                result.aspects,
            ),
            (
                expected["ipp"],
                expected["grade"],
                expected["survey_index"],
                respondents,
                expected["evaluator_index"],
                expected["aspects"],
            ),
        )

    def assertFlagged(self, reason: str, respondents: int, evaluator_index: str):
        result = self.result()
        self.assertEqual(
            (result.survey_index, result.survey_reason, result.respondents),
            (None, reason, respondents),
        )
        # IPP = E, rounded once, and the grade read from it.
        self.assertEqual(str(result.evaluator_index), evaluator_index)
        self.assertEqual(str(result.ipp), evaluator_index)

    def test_twenty_respondents_one_by_one_give_the_golden_result(self):
        case = GOLDEN["random-7-8"]
        self.assertEqual(len(case["survey"]), 20)
        self.levels("random-7-8")
        self.assertFlagged("no_survey", 0, case["expected"]["evaluator_index"])
        self.answer_all(case["survey"])
        self.assertGolden("random-7-8", 20)
        result = self.result()
        self.assertEqual(result.survey_reason, "")
        self.assertEqual(result.inputs["survey"], case["survey"])
        self.assertEqual(
            (result.inputs["survey_weight"], result.inputs["min_respondents"]), ("0.250", 10)
        )

    def test_nine_respondents_are_flagged_and_the_tenth_brings_the_survey_in(self):
        case = GOLDEN["random-7-4"]
        self.assertEqual(len(case["survey"]), 10)
        self.levels("random-7-4")
        link = self.answer_all(case["survey"][:9])
        self.assertFlagged("too_few_respondents", 9, case["expected"]["evaluator_index"])
        self.assertEqual(self.result().grade, "A-")  # 4.31
        survey_answer(link=link, answers=case["survey"][9])
        self.assertGolden("random-7-4", 10)

    def test_answers_before_the_final_levels_count_once_the_levels_are_saved(self):
        case = GOLDEN["random-7-6"]
        self.answer_all(case["survey"])
        self.assertFalse(Result.objects.filter(assessment=self.locus).exists())
        self.levels("random-7-6")
        self.assertGolden("random-7-6", 10)

    def test_voiding_the_paper_sheet_that_reached_m_flips_the_result_back(self):
        case = GOLDEN["random-7-0"]
        self.levels("random-7-0")
        self.answer_all(case["survey"][:9])
        sheet = survey_paper_enter(
            assessment=self.locus,
            answers=case["survey"][9],
            sheet=ff.upload("lembar.pdf", ff.PDF_BYTES),
            by=self.operator,
        )
        self.assertGolden("random-7-0", 10)
        survey_void(response=sheet, reason="Responden mengisi dua kali.", by=self.operator)
        self.assertFlagged("too_few_respondents", 9, case["expected"]["evaluator_index"])
        self.assertEqual(self.result().inputs["survey"], case["survey"][:9])

    def test_the_cycles_own_minimum_is_honoured(self):
        case = GOLDEN["random-7-2"]  # 3 respondents: ignored with m = 10
        self.survey_cycle.min_respondents = 3
        self.survey_cycle.save()
        self.levels("random-7-2")
        link = self.answer_all(case["survey"][:2])
        self.assertFlagged("too_few_respondents", 2, case["expected"]["evaluator_index"])
        survey_answer(link=link, answers=case["survey"][2])
        result = self.result()
        # Exact by hand: S is the mean of all answers, IPP = ¾·E + ¼·S, rounded half-up once.
        levels = f.golden_levels("random-7-2")
        spec = engine.instrument_from_dict(_shipped_document()).with_survey_settings(m=3)
        evaluator = engine.score(spec, levels, None).evaluator_index
        mean = Fraction(sum(map(sum, case["survey"])), 14 * 3)
        self.assertEqual(result.survey_index, engine.round_half_up(mean))
        self.assertEqual(
            result.ipp, engine.round_half_up(Fraction(3, 4) * evaluator + Fraction(1, 4) * mean)
        )
        # E = 3.774, S = 4.0476…: ¾·E + ¼·S = 3.8424…
        self.assertEqual((str(result.survey_index), str(result.ipp)), ("4.05", "3.84"))
        self.assertEqual((result.respondents, result.survey_reason), (3, ""))
        self.assertEqual(result.inputs["min_respondents"], 3)
        self.assertNotEqual(str(result.ipp), case["expected"]["ipp"])

    def test_the_cycles_own_survey_weight_is_honoured(self):
        case = GOLDEN["random-7-4"]
        self.survey_cycle.survey_weight = Decimal("0.5")
        self.survey_cycle.save()
        self.levels("random-7-4")
        self.answer_all(case["survey"])
        result = self.result()
        spec = engine.instrument_from_dict(_shipped_document())
        exact = engine.score(spec, f.golden_levels("random-7-4"), case["survey"])
        self.assertEqual(str(result.survey_index), case["expected"]["survey_index"])
        self.assertEqual(
            result.ipp,
            engine.round_half_up((exact.evaluator_index + exact.survey_mean) / 2),
        )
        # E = 4.3116, S = 163/35 = 4.6571…: (E + S) / 2 = 4.4843… (4.40 with σ = 0.25).
        self.assertEqual(str(result.ipp), "4.48")
        self.assertEqual(result.grade, "A-")
        self.assertEqual(result.inputs["survey_weight"], "0.500")

    def test_a_zero_survey_weight_never_counts(self):
        case = GOLDEN["random-7-4"]
        self.survey_cycle.survey_weight = Decimal("0")
        self.survey_cycle.save()
        self.levels("random-7-4")
        self.answer_all(case["survey"])
        self.assertFlagged("survey_weight_zero", 10, case["expected"]["evaluator_index"])

    def test_the_2017_instrument_never_counts_the_survey(self):
        cycle = f.make_cycle(f.shipped_instrument("2017"), year=2019, owner=self.kemenpan)
        f.open_window(cycle, Phase.SURVEY)
        self.locus = f.make_assessment(cycle, self.unit)
        self.levels("v2017-7-0")
        self.answer_all(GOLDEN["random-7-4"]["survey"] + GOLDEN["random-7-6"]["survey"])
        self.assertFlagged("survey_weight_zero", 20, "2.49")
        self.assertEqual(self.result().grade, GOLDEN["v2017-7-0"]["expected"]["grade"])


def _shipped_document() -> dict:
    root = Path(__file__).resolve().parents[2]
    return json.loads((root / "evaluations/instruments/2022-A.json").read_text())


class AnswerQueriesTest(ShippedLocusCase):
    """The cost of one public answer is fixed: with final levels the recompute adds its reads
    and the upsert, never a query per respondent or per indicator."""

    def link(self) -> SurveyLink:
        # As the public page gets it: with its locus.
        token = survey_link(assessment=self.locus, by=self.operator).token
        return SurveyLink.objects.select_related("assessment").get(token=token)

    def test_without_final_levels(self):
        survey_answer(link=self.link(), answers=NEUTRAL)
        link = self.link()
        # Savepoint, the locus locked, the live link, the window, the item count, the insert;
        # the recompute's five reads (loci, cycles, levels, answers, result) storing nothing
        # in its own savepoint, the stored result read back (none); release.
        with self.assertNumQueries(15):
            survey_answer(link=link, answers=NEUTRAL)
        self.assertFalse(Result.objects.exists())

    def test_with_final_levels(self):
        final_levels_save(assessment=self.locus, levels=f.golden_levels("random-7-4"))
        link = self.link()
        for answers in GOLDEN["random-7-4"]["survey"][:5]:
            survey_answer(link=link, answers=answers)
        link = self.link()
        # The same, and the result's upsert: one query more.
        with self.assertNumQueries(16):
            survey_answer(link=link, answers=NEUTRAL)
        self.assertEqual(Result.objects.get().respondents, 6)


@skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL (CI sets DATABASE_URL)")
class ConcurrentAnswersTest(TransactionTestCase):
    """Two service users submitting to the same locus at the same moment, on real
    connections: the locus row lock makes the second recompute see the first answer."""

    def setUp(self):
        instrument = f.shipped_instrument()
        owner = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN)
        cycle = f.make_cycle(instrument, year=2025, owner=owner)
        f.open_window(cycle, Phase.SURVEY)
        self.locus = f.make_assessment(cycle)
        admin = f.make_user()
        f.grant(admin, Role.MINISTRY_ADMIN)
        case = GOLDEN["random-7-4"]
        final_levels_save(assessment=self.locus, levels=f.golden_levels("random-7-4"))
        self.link = survey_link(assessment=self.locus, by=admin)
        for answers in case["survey"][:8]:
            survey_answer(link=self.link, answers=answers)
        self.last_two = case["survey"][8:]

    def test_both_answers_are_stored_and_the_result_counts_both(self):
        start = threading.Barrier(2)
        errors = []

        def submit(answers):
            try:
                link = SurveyLink.objects.get(pk=self.link.pk)
                start.wait()
                survey_answer(link=link, answers=answers)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(a,)) for a in self.last_two]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        self.assertEqual(errors, [])
        self.assertEqual(SurveyResponse.objects.filter(assessment=self.locus).count(), 10)
        result = Result.objects.get(assessment=self.locus)
        expected = GOLDEN["random-7-4"]["expected"]
        self.assertEqual(
            (result.respondents, str(result.survey_index), str(result.ipp), result.grade),
            (10, expected["survey_index"], expected["ipp"], expected["grade"]),
        )
        self.assertEqual(Assessment.objects.filter(pk=self.locus.pk).count(), 1)
