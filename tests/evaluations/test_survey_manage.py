"""The unit's F-03 page: who sees what, paper sheets typed in and voided, a new public link, the
figures (exact), the stored result following the responses, and the figures on F-02 and on the
cycle page."""

import datetime as dt
import hashlib
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import (
    AuditAction,
    AuditEntry,
    Evidence,
    Phase,
    SurveyChannel,
    SurveyLink,
    SurveyResponse,
)
from evaluations.selectors.rubric import instrument_survey_items
from evaluations.selectors.survey import live_link, public_url, survey_summary
from scoring.models import Result
from scoring.services.results import final_levels_save
from scoring.services.survey import survey_link, survey_paper_enter
from tests import factories as f
from tests.base import PersonaTestCase
from units.models import Role

PDF = f.EVIDENCE_PDF
EXE = b"MZ" + b"\0" * 500
ITEMS = 14


def half_up(value: Fraction) -> Decimal:
    """Two decimals, half-up, of an exact value (§4)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), ROUND_HALF_UP)


def page_url(assessment) -> str:
    return reverse("evaluations:survey_manage", args=[assessment.pk])


def answer_data(answers, **profile) -> dict:
    return {f"b{n}": str(v) for n, v in enumerate(answers, start=1)} | profile


def online(assessment, *respondents) -> list[SurveyResponse]:
    """Public responses written as the public page stores them (channel online, a live link)."""
    link = SurveyLink.objects.filter(assessment=assessment, revoked_at__isnull=True).first()
    link = link or SurveyLink.objects.create(assessment=assessment)
    return [
        SurveyResponse.objects.create(
            assessment=assessment, link=link, answers=list(a), channel=SurveyChannel.ONLINE
        )
        for a in respondents
    ]


class SurveyCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.SURVEY)
        f.open_window(cls.mandiri, Phase.SURVEY)

    def enter(self, answers, *, name="lembar.pdf", data=PDF, assessment=None, **profile):
        """The operator posts one paper sheet through the page."""
        assessment = assessment or self.assessment
        self.client.force_login(self.operator)
        body = answer_data(answers, **profile) | {"sheet": SimpleUploadedFile(name, data)}
        return self.client.post(
            reverse("evaluations:survey_paper_enter", args=[assessment.pk]), body
        )

    def paper(self, answers, by=None) -> SurveyResponse:
        return survey_paper_enter(
            assessment=self.assessment,
            answers=list(answers),
            sheet=SimpleUploadedFile("lembar.pdf", PDF),
            by=by or self.operator,
        )

    def void(self, response, reason="Lembar ganda"):
        self.client.force_login(self.operator)
        url = reverse("evaluations:survey_void", args=[self.assessment.pk, response.pk])
        return self.client.post(url, {"reason": reason})


class PermissionTest(SurveyCase):
    def test_it_gives_the_operator_the_full_page(self):
        self.client.force_login(self.operator)
        response = self.client.get(page_url(self.assessment))
        self.assertEqual(response.status_code, 200)
        link = live_link(self.assessment)
        self.assertContains(response, f'value="{settings.SITE_URL}/s/{link.token}/"')
        self.assertContains(
            response, reverse("evaluations:survey_paper_enter", args=[self.assessment.pk])
        )
        self.assertContains(
            response, reverse("evaluations:survey_link_reissue", args=[self.assessment.pk])
        )
        self.assertContains(response, reverse("reports:survey_poster", args=[self.assessment.pk]))

    def test_it_shows_the_others_who_see_the_locus_a_read_only_page(self):
        url = page_url(self.assessment)
        survey_link(assessment=self.assessment, by=self.operator)
        for user in (self.evaluator, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, live_link(self.assessment).token)
                self.assertNotContains(response, "survei/kertas/")
                self.assertNotContains(response, "tautan-baru")
                self.assertNotContains(response, "poster.pdf")
                self.assertContains(response, "Halaman ini hanya dapat dibaca")

    def test_it_lets_the_cycle_manager_reissue_and_print_but_not_type_in(self):
        for user, locus in (
            (self.admin, self.assessment),
            (self.coordinator, self.mandiri_assessment),
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(page_url(locus))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "tautan-baru")
                self.assertContains(response, "poster.pdf")
                self.assertNotContains(response, "survei/kertas/")

    def test_it_hides_the_locus_from_outsiders_and_sends_anonymous_people_to_log_in(self):
        url = page_url(self.assessment)
        self.assertEqual(self.client.get(url).status_code, 302)
        for user in (self.outsider, self.coordinator):  # the Nasional locus is not theirs
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(SurveyLink.objects.exists())

    def test_it_refuses_writes_to_people_who_only_read(self):
        response = self.paper([3] * ITEMS)
        locus = self.assessment.pk
        for user in (self.admin, self.evaluator, self.leader):
            self.client.force_login(user)
            posts = {
                "survey_paper_enter": (
                    [locus],
                    answer_data([5] * ITEMS) | {"sheet": SimpleUploadedFile("a.pdf", PDF)},
                ),
                "survey_void": ([locus, response.pk], {"reason": "salah"}),
            }
            for name, (args, data) in posts.items():
                with self.subTest(user=user.username, url=name):
                    reply = self.client.post(reverse(f"evaluations:{name}", args=args), data)
                    self.assertEqual(reply.status_code, 403)
        for user in (self.evaluator, self.leader):
            self.client.force_login(user)
            url = reverse("evaluations:survey_link_reissue", args=[locus])
            self.assertEqual(self.client.post(url).status_code, 403)
        self.assertEqual(SurveyResponse.objects.count(), 1)
        self.assertIsNone(SurveyResponse.objects.get().voided_at)
        self.assertFalse(SurveyLink.objects.exists())

    def test_it_keeps_a_response_of_another_locus_out_of_reach(self):
        other = survey_paper_enter(
            assessment=self.mandiri_assessment,
            answers=[3] * ITEMS,
            sheet=SimpleUploadedFile("a.pdf", PDF),
            by=f.grant(f.make_user(), Role.UNIT_OPERATOR, unit=self.prov_unit).user,
        )
        self.client.force_login(self.operator)
        url = reverse("evaluations:survey_void", args=[self.assessment.pk, other.pk])
        self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 404)
        other.refresh_from_db()
        self.assertIsNone(other.voided_at)


class PaperEntryTest(SurveyCase):
    def test_it_stores_exactly_one_response_with_its_sheet_and_an_audit_entry(self):
        answers = [5, 4, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0, 5, 4]
        scan = PDF + b"% lembar 17\n"
        response = self.enter(
            answers, name="lembar-17.pdf", data=scan, gender="P", age_band="30-39"
        )
        self.assertRedirects(response, page_url(self.assessment) + "#kertas")
        stored = SurveyResponse.objects.get()
        self.assertEqual(
            (stored.answers, stored.channel, stored.entered_by, stored.gender, stored.age_band),
            (answers, "paper", self.operator, "P", "30-39"),
        )
        sheet = stored.sheet
        self.assertEqual(sheet.sha256, hashlib.sha256(scan).hexdigest())
        self.assertEqual(sheet.evidence.assessment, self.assessment)
        self.assertIsNone(sheet.evidence.indicator)
        with sheet.file.open("rb") as handle:
            self.assertEqual(handle.read(), scan)
        entry = AuditEntry.objects.get(action=AuditAction.SURVEY)
        self.assertEqual(entry.actor, self.operator)
        self.assertEqual(entry.new, f"Isian kertas #{stored.pk}: 5 4 3 2 1 0 5 4 3 2 1 0 5 4")
        self.assertIn(sheet.sha256, entry.reason)
        # The list shows who typed it in, the answers and the scan.
        page = self.client.get(page_url(self.assessment))
        self.assertContains(page, "<code>5 4 3 2 1 0 5 4 3 2 1 0 5 4</code>", html=True)
        self.assertContains(page, reverse("evaluations:evidence_download", args=[sheet.pk]))
        self.assertContains(page, "Operator Disdukcapil")

    def assert_nothing_stored(self):
        self.assertFalse(SurveyResponse.objects.exists())
        self.assertFalse(Evidence.objects.filter(assessment=self.assessment).exists())

    def test_it_refuses_a_bad_sheet_names_why_and_stores_nothing(self):
        cases = {
            "program.pdf": (EXE, "Berkas ini sebenarnya program Windows (EXE/DLL)"),
            "kosong.pdf": (b"", "Berkas kosong (0 bita) tidak dapat diunggah."),
        }
        for name, (data, message) in cases.items():
            with self.subTest(file=name):
                response = self.enter([4] * ITEMS, name=name, data=data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                self.assertContains(response, "pilih lagi berkasnya")
                self.assert_nothing_stored()

    @override_settings(EVIDENCE_MAX_FILE_MB=1)
    def test_it_refuses_a_sheet_over_the_size_limit(self):
        response = self.enter([4] * ITEMS, name="besar.pdf", data=PDF + b"0" * (1024 * 1024))
        self.assertContains(response, "Berkas terlalu besar (1,0 MB); batas per berkas 1 MB.")
        self.assert_nothing_stored()

    def test_it_names_every_missing_or_wrong_answer_and_keeps_what_was_chosen(self):
        data = answer_data([4] * ITEMS, service_used="Perekaman KTP-el")
        del data["b3"]
        data["b5"] = "6"
        data["b9"] = "x" * 10_000
        self.client.force_login(self.operator)
        response = self.client.post(
            reverse("evaluations:survey_paper_enter", args=[self.assessment.pk]), data
        )
        self.assertEqual(response.status_code, 200)
        for problem in (
            "Butir 3 (“Butir 3”) belum dijawab.",
            "Butir 5: jawaban harus salah satu nilai 0 sampai 5.",
            "Butir 9: jawaban harus salah satu nilai 0 sampai 5.",
            "Lampirkan pindaian lembar survei kertas.",
        ):
            self.assertContains(response, problem)
        self.assertContains(response, '<option value="4" selected>4 · Setuju</option>', html=True)
        self.assertContains(response, 'value="Perekaman KTP-el"')
        self.assert_nothing_stored()

    def test_it_refuses_a_sheet_outside_the_survey_window(self):
        f.close_window(self.cycle, Phase.SURVEY)
        ended = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d-%m-%Y")
        message = f"Tahap Survei pengguna layanan (F-03) sudah ditutup pada {ended}."
        response = self.enter([4] * ITEMS)
        self.assertContains(response, message)
        self.assert_nothing_stored()
        # Outside the window the form gives way to the window's message.
        page = self.client.get(page_url(self.assessment))
        self.assertNotContains(page, 'name="sheet"')
        self.assertContains(page, message)


class VoidTest(SurveyCase):
    def test_it_voids_with_a_reason_stops_counting_and_audits(self):
        keep = self.paper([5] * ITEMS)
        wrong = self.paper([1] * ITEMS)
        self.assertEqual(survey_summary(self.assessment).index, Decimal("3.00"))
        response = self.void(wrong, "Lembar yang sama diketik dua kali")
        self.assertRedirects(response, page_url(self.assessment) + "#kertas")
        wrong.refresh_from_db()
        self.assertEqual(
            (wrong.void_reason, wrong.voided_by),
            ("Lembar yang sama diketik dua kali", self.operator),
        )
        self.assertIsNotNone(wrong.voided_at)
        summary = survey_summary(self.assessment)
        self.assertEqual(
            (summary.respondents, summary.paper, summary.voided, summary.index),
            (1, 1, 1, Decimal("5.00")),
        )
        entry = AuditEntry.objects.filter(action=AuditAction.SURVEY).latest("pk")
        self.assertEqual(
            (entry.actor, entry.old, entry.new, entry.reason),
            (self.operator, f"Isian kertas #{wrong.pk} berlaku", "dibatalkan", wrong.void_reason),
        )
        keep.refresh_from_db()
        self.assertIsNone(keep.voided_at)

    def test_it_refuses_to_void_without_a_reason(self):
        sheet = self.paper([2] * ITEMS)
        for reason in ("", "   "):
            with self.subTest(reason=reason):
                response = self.void(sheet, reason)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Tuliskan alasan pembatalan isian ini.")
                sheet.refresh_from_db()
                self.assertIsNone(sheet.voided_at)

    def test_it_refuses_to_void_a_public_response(self):
        (public,) = online(self.assessment, [3] * ITEMS)
        response = self.void(public, "Tidak percaya")
        self.assertContains(response, "Jawaban daring dari pengguna layanan tidak dapat diubah.")
        public.refresh_from_db()
        self.assertIsNone(public.voided_at)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.SURVEY).exists())


class ReissueTest(SurveyCase):
    def test_it_replaces_the_live_link_and_the_address_shown(self):
        self.client.force_login(self.operator)
        old = survey_link(assessment=self.assessment, by=self.operator)
        response = self.client.post(
            reverse("evaluations:survey_link_reissue", args=[self.assessment.pk])
        )
        self.assertRedirects(response, page_url(self.assessment) + "#tautan")
        new = live_link(self.assessment)
        self.assertNotEqual(new.token, old.token)
        old.refresh_from_db()
        self.assertIsNotNone(old.revoked_at)
        page = self.client.get(page_url(self.assessment))
        self.assertEqual(page.context["page"].url, f"{settings.SITE_URL}/s/{new.token}/")
        self.assertEqual(public_url(new), page.context["page"].url)
        self.assertContains(page, new.token)
        self.assertNotContains(page, old.token)
        self.assertEqual(AuditEntry.objects.get(action=AuditAction.SURVEY).new, f"/s/{new.token}/")


class FiguresTest(SurveyCase):
    # Three valid respondents (one online, two on paper) and one voided sheet.
    A = [5] * 14
    B = [4, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0, 5, 4, 3]
    C = [3] * 13 + [2]

    def test_it_gives_the_exact_item_means_and_index(self):
        online(self.assessment, self.A)
        self.paper(self.B)
        self.paper(self.C)
        voided = self.paper([0] * ITEMS)
        self.void(voided)
        summary = survey_summary(self.assessment)
        # By hand: item means (5 + B_i + C_i) / 3, half-up to two decimals.
        means = ["4.00", "3.67", "3.33", "3.00", "2.67", "4.33", "4.00",
                 "3.67", "3.33", "3.00", "2.67", "4.33", "4.00", "3.33"]  # fmt: skip
        self.assertEqual([str(i.mean) for i in summary.items], means)
        # S = (70 + 37 + 41) / (3 × 14) = 148 / 42 = 3.5238… → 3.52.
        self.assertEqual(summary.index, Decimal("3.52"))
        self.assertEqual(
            (summary.respondents, summary.online, summary.paper, summary.voided),
            (3, 1, 2, 1),
        )
        self.assertEqual(
            (summary.minimum, summary.missing, summary.reason), (10, 7, "too_few_respondents")
        )
        self.assertEqual([i.number for i in summary.items_low_first][:3], [5, 11, 4])
        page = self.client.get(page_url(self.assessment))
        self.assertContains(
            page, "<strong>3</strong> dari minimum 10 responden; kurang 7", html=True
        )
        self.assertContains(page, '<strong class="survey-index">3,52</strong>', html=True)
        self.assertEqual(page.content.decode().count('class="tag tag-low"'), 2)  # items 5 and 11
        self.assertContains(page, 'value="53"')  # item 5's bar: 2.67 of 5

    def test_it_rounds_a_mean_half_up(self):
        # Eight respondents: item 1 sums to 17 → 17/8 = 2.125 → 2.13 (not 2.12).
        online(self.assessment, *([[3] + [4] * 13] * 1 + [[2] + [4] * 13] * 7))
        item = survey_summary(self.assessment).items[0]
        self.assertEqual(item.mean, Decimal("2.13"))

    def test_it_reads_the_page_in_constant_queries(self):
        self.client.force_login(self.operator)
        self.client.get(page_url(self.assessment))  # makes the link
        self.paper(self.B)

        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(page_url(self.assessment)).status_code, 200)
            return len(queries)

        one = count()
        for _ in range(5):
            self.paper(self.C)
        online(self.assessment, *[self.A] * 20)
        self.void(SurveyResponse.objects.filter(channel="paper").first())
        # user, roles, the locus, its live link, the window, the responses, the paper sheets
        # with who entered and voided them, the bell's unread count (the items are read once per
        # process).
        self.assertEqual((one, count()), (8, 8))


class StoredResultTest(SurveyCase):
    """§4: IPP = 0.75·E + 0.25·S (half-up) once 10 valid respondents answered, else IPP = E."""

    E = Fraction(901, 200)  # the golden boundary-45050 levels: E = 4.505 exactly

    def setUp(self):
        final_levels_save(assessment=self.assessment, levels=f.golden_levels("boundary-45050"))

    def stored(self) -> tuple:
        r = Result.objects.get(assessment=self.assessment)
        return (r.respondents, r.survey_index, r.survey_reason, r.ipp, r.grade)

    def test_it_follows_the_responses_as_they_are_typed_in_and_voided(self):
        below_m = (9, None, "too_few_respondents", half_up(self.E), "A")  # IPP = E = 4.51
        sheets = [[4] * 14] * 6 + [[5] * 14] * 2 + [[3] * 13 + [2]]
        for answers in sheets:
            self.paper(answers)
        self.assertEqual(self.stored(), below_m)
        # The tenth, through the page: T = 6·56 + 2·70 + 2·41 = 558 over 10 × 14 answers.
        self.assertEqual(self.enter([3] * 13 + [2]).status_code, 302)
        s = Fraction(558, 140)  # 3.9857…
        ipp = half_up(Fraction(3, 4) * self.E + Fraction(1, 4) * s)  # 4.37517… → 4.38
        self.assertEqual(self.stored(), (10, half_up(s), "", ipp, "A-"))
        self.assertEqual((half_up(s), ipp), (Decimal("3.99"), Decimal("4.38")))
        # Voiding one takes it back below m: IPP = E again, flagged.
        self.void(SurveyResponse.objects.latest("pk"))
        self.assertEqual(self.stored(), below_m)


class F02FiguresTest(SurveyCase):
    def test_the_evaluator_sees_the_figures_read_only(self):
        online(self.assessment, *[[4] * 14] * 3)
        self.paper([2] * 14)
        self.client.force_login(self.evaluator)
        response = self.client.get(reverse("evaluations:f02_form", args=[self.assessment.pk]))
        self.assertEqual(response.context["page"].survey.respondents, 4)
        self.assertContains(
            response, "<strong>4</strong> dari minimum 10 responden; kurang 6", html=True
        )
        self.assertContains(response, '<strong class="survey-index">3,50</strong>', html=True)
        self.assertContains(response, page_url(self.assessment))
        self.assertNotContains(response, "survei/kertas/")


class CycleFiguresTest(SurveyCase):
    def fill(self, cycle, count):
        agency = f.make_agency(province=self.province)
        for i in range(count):
            locus = f.make_assessment(cycle, f.make_unit(agency))
            online(locus, *[[i % 6] * 14] * (i % 12))

    def test_it_shows_each_locus_against_m_in_constant_queries(self):
        online(self.assessment, *[[5] * 14] * 10)
        online(self.other_assessment, [3] * 14, [4] * 14)
        self.client.force_login(self.admin)
        url = reverse("evaluations:cycle_detail", args=[self.cycle.pk])
        response = self.client.get(url)
        figures = {a.pk: a.survey_figures for a in response.context["loci"].object_list}
        mine, other = figures[self.assessment.pk], figures[self.other_assessment.pk]
        self.assertEqual((mine.respondents, mine.enough, mine.index), (10, True, Decimal("5.00")))
        self.assertEqual((other.respondents, other.missing, other.index), (2, 8, Decimal("3.50")))
        self.assertContains(
            response,
            f'<a href="{page_url(self.assessment)}" title="Survei pengguna layanan (F-03)">'
            "10 / 10</a>",
            html=True,
        )
        self.assertContains(response, '<span class="tag tag-differ">kurang 8</span>', html=True)
        small = f.make_cycle(self.instrument, owner=self.kemenpan, name="Kecil")
        big = f.make_cycle(self.instrument, owner=self.kemenpan, name="Besar")
        self.fill(small, 3)
        self.fill(big, 40)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("evaluations:cycle_detail", args=[small.pk]))
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(reverse("evaluations:cycle_detail", args=[big.pk]))
        self.assertEqual(len(response.context["loci"].object_list), 40)


def test_survey_items_are_read_once_per_instrument(db):
    instrument = f.make_instrument("UJI-ITEMS")
    first = instrument_survey_items(instrument)
    with CaptureQueriesContext(connection) as queries:
        again = instrument_survey_items(instrument)
    assert (len(first), again, len(queries)) == (14, first, 0)


class LinksTest(SurveyCase):
    def test_the_locus_page_and_f01_lead_to_the_survey_page(self):
        for user, name in (
            (self.operator, "assessment_detail"),
            (self.evaluator, "assessment_detail"),
            (self.leader, "assessment_detail"),
            (self.operator, "f01_form"),
        ):
            with self.subTest(user=user.username, page=name):
                self.client.force_login(user)
                response = self.client.get(
                    reverse(f"evaluations:{name}", args=[self.assessment.pk])
                )
                self.assertContains(response, f'href="{page_url(self.assessment)}"')
