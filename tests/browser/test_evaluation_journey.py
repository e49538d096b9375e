"""The whole evaluation of one locus in Chromium, on the demo data, as the demo users.

operator fills F-01 (autosave, reload, evidence upload, refused then accepted submission) →
evaluator scores F-02 (running IPP) and returns an indicator for clarification → operator
answers it → evaluator sees what changed, rescores and submits; the two teammates submit
through the services, one disagreeing on one indicator → admin decides it in the pleno and
finalises; the hub shows the result and the history.

To stay fast, 29 of the 30 indicators of each form are filled through the services the pages
use; the browser does the last one. The database is only read while no request is running
(every browser step ends on a finished response), as the in-memory SQLite test database is
shared with the live server thread.
"""

import io
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.instrument_spec import cycle_spec
from evaluations.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    Clarification,
    ClarificationStatus,
    EvaluatorAssignment,
    Evidence,
    FinalLevel,
    Indicator,
    Scheme,
    Score,
    Submission,
    SurveyResponse,
)
from evaluations.selectors import f01 as selectors_f01
from evaluations.selectors import f02 as selectors_f02
from evaluations.services import f02 as f02_services
from evaluations.services.evidence import evidence_upload
from evaluations.services.f01 import answer_autosave, answers_ensure
from pekppp.demo.data import DEMO_PASSWORD
from scoring import engine
from scoring.models import Result
from tests.evaluations.f01_factories import PDF_BYTES
from units.models import User

from .support import BrowserTestCase

UNIT = "Disdukcapil Kabupaten Lampung Selatan"
LAST = 30  # the indicator the browser fills
ASKED = 7  # the indicator returned for clarification
DIFFERENT = 12  # the indicator one teammate scores differently

# The unit's claims: 4 everywhere, 3 on the last indicator (picked in the browser).
CLAIM = 4
BROWSER_CLAIM = 3
# The team lead's levels before clarification; the browser sets LAST, then rescores ASKED.
LEAD_LEVELS = {n: 3 if n % 3 == 0 else 4 for n in range(1, LAST)}
LEAD_LAST = 3
LEAD_ASKED_AFTER = 5
PLENO_LEVEL = 4  # the moderator's decision on DIFFERENT (the lead and one teammate said 3)
PLENO_REASON = "Pleno 2026: SOP pengaduan sudah ditetapkan dan dipublikasikan di laman dinas."


class EvaluationJourneyBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("seed_demo", stdout=io.StringIO())
        self.assessment = Assessment.objects.select_related("cycle__instrument", "unit").get(
            unit__name=UNIT,
            cycle__scheme=Scheme.NASIONAL,
            cycle__year=timezone.localdate().year,
        )
        self.indicators = {
            i.number: i
            for i in Indicator.objects.filter(
                instrument_id=self.assessment.cycle.instrument_id, supplementary=False
            )
        }
        self.assertEqual(len(self.indicators), LAST, "the demo instrument scores 30 indicators")
        self.team = list(
            EvaluatorAssignment.objects.filter(assessment=self.assessment)
            .select_related("evaluator")
            .order_by("-is_lead", "evaluator__username", "pk")  # as the pleno table
        )
        self.assertEqual(self.team[0].evaluator.username, "evaluator", "evaluator leads the team")
        self.assertGreaterEqual(len(self.team), 2, "the demo locus has teammates")
        self.operator = User.objects.get(username="operator")

    # --- browser helpers --------------------------------------------------------------------

    def act_as(self, username: str) -> None:
        """A fresh browser context (no cookies, no localStorage), logged in as `username`."""
        self.context.close()
        self.context = self.browser.new_context(locale="id-ID")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.log_in(username, DEMO_PASSWORD)
        self.page.wait_for_url(self.url("/"))

    def home_row(self, role: str):
        """The row of this locus in one role's section of the home page."""
        return (
            self.page.locator(f"#role-{role} tbody tr")
            .filter(has_text=UNIT)
            .filter(has_text=self.assessment.cycle.name)
        )

    def open_hub(self) -> None:
        self.page.goto(self.url(reverse("evaluations:assessment_detail", args=[self.pk])))
        expect(self.page.locator("h1"), "the hub names the unit").to_have_text(UNIT)

    def hub_status(self):
        return self.page.locator("#status-title .status")

    def autosave_of(self, name: str, indicator: Indicator):
        """Waits for the autosave POST of one indicator's row (use as a context manager)."""
        path = reverse(f"evaluations:{name}", args=[self.pk, indicator.pk])
        return self.page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith(path)
        )

    def settle(self) -> None:
        """Wait until no htmx request is in flight (htmx marks the requesting element).

        Leaving a text box fires `change`, which autosaves once more; settling before a
        navigation or a database read keeps requests from overlapping."""
        self.wait_for_js(self.page, "() => !document.querySelector('.htmx-request')")

    def click_in_f02_aside(self, button: str) -> None:
        """Click a button of the F-02 side panel. The sticky panel is taller than a laptop
        screen (about 1160 px with the IPP table, on a 720 px viewport), so its lower buttons
        come into view only at the end of the page: scroll there, as a person has to."""
        self.settle()
        self.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        self.page.get_by_role("button", name=button).click()

    def confirm(self, button: str) -> None:
        """Answer the confirmation page of an irreversible step (templates/confirm.html)."""
        expect(self.page.locator("#confirm-title"), "the step asks first").to_be_visible()
        self.page.locator(".confirm-actions").get_by_role("button", name=button).click()

    @property
    def pk(self) -> int:
        return self.assessment.pk

    def refresh(self) -> Assessment:
        self.assessment.refresh_from_db()
        return self.assessment

    # --- service helpers (what the pages would do for the other 29 indicators) ------------

    def claim_by_services(self, numbers) -> None:
        answers_ensure(self.assessment)
        for n in numbers:
            indicator = self.indicators[n]
            answer = selectors_f01.answer_for_autosave(
                user=self.operator, assessment_id=self.pk, indicator_id=indicator.pk
            )
            outcome = answer_autosave(
                answer=answer,
                gate=selectors_f01.autosave_gate(answer),
                by=self.operator,
                version=answer.version,
                claimed_level=CLAIM,
                explanation=f"Dokumen indikator {n} tersedia dan dilaksanakan.",
            )
            self.assertTrue(outcome.saved, f"claim of indicator {n} saved")
            evidence_upload(
                assessment=self.assessment,
                indicator=indicator,
                file=SimpleUploadedFile(f"bukti-{n}.pdf", PDF_BYTES, "application/pdf"),
                title="",
                by=self.operator,
            )

    def score_by_services(self, assignment: EvaluatorAssignment, levels: dict[int, int]) -> None:
        user = assignment.evaluator
        f02_services.scores_ensure(
            EvaluatorAssignment.objects.select_related("assessment__cycle").get(pk=assignment.pk)
        )
        for n, level in levels.items():
            score = selectors_f02.score_for_autosave(
                user=user, assessment_id=self.pk, indicator_id=self.indicators[n].pk
            )
            f02_services.score_autosave(
                score=score,
                version=score.version,
                level=level,
                note=f"Diperiksa {user.username}.",
                recommendation="" if level == 5 else "Lengkapi bukti pelaksanaan.",
                by=user,
            )

    def submit_by_services(self, assignment: EvaluatorAssignment) -> None:
        fresh = EvaluatorAssignment.objects.select_related("assessment__cycle", "evaluator").get(
            pk=assignment.pk
        )
        f02_services.evaluator_submit(assignment=fresh, by=fresh.evaluator)

    def expected(self, levels: dict[int, int]) -> engine.Breakdown:
        survey = list(
            SurveyResponse.objects.filter(assessment=self.assessment)
            .order_by("pk")
            .values_list("answers", flat=True)
        )
        return engine.score(cycle_spec(self.assessment.cycle), levels, survey or None)

    # --- the journey ------------------------------------------------------------------------

    def test_it_takes_a_locus_from_f01_to_a_final_result(self):
        self.operator_fills_and_submits_f01()
        lead_levels = self.evaluator_scores_and_asks_for_clarification()
        self.operator_answers_the_clarification()
        lead_levels = self.evaluator_rescores_and_submits(lead_levels)
        self.teammates_submit(lead_levels)
        self.koordinator_cannot_moderate()
        self.admin_moderates_and_finalises(lead_levels)

    def test_it_opens_the_locus_from_the_home_page(self):
        self.act_as("operator")
        self.home_row("unit_operator").get_by_role("link").first.click(timeout=2_000)
        self.page.wait_for_url(re.compile(rf"/penilaian/{self.pk}/(f01/)?$"))

    def operator_fills_and_submits_f01(self) -> None:
        self.claim_by_services(range(1, LAST))
        last = self.indicators[LAST]

        self.act_as("operator")
        page = self.page
        expect(self.home_row("unit_operator"), "home lists the locus as a draft").to_contain_text(
            "Draf"
        )
        self.open_hub()
        page.get_by_role("link", name="Penilaian mandiri (F-01)").click()
        page.wait_for_url(re.compile(r"/f01/$"))
        expect(page.locator("#f01-status"), "F-01 starts as a draft").to_have_text("Draf")
        expect(page.locator("[data-answered]"), "29 claims filled by the services").to_have_text(
            "29"
        )

        # Submitting with the last indicator empty is refused, naming what it lacks.
        page.get_by_role("button", name="Ajukan F-01", exact=True).click()
        missing = page.locator("#f01-missing")
        expect(missing, "the refusal lists what is missing").to_be_visible()
        expect(missing.locator("li"), "only the last indicator is missing").to_have_count(2)
        expect(missing, "its level is missing").to_contain_text(
            f"{LAST}. {last.title}: tingkat belum dipilih"
        )
        expect(missing, "its evidence is missing").to_contain_text(
            f"{LAST}. {last.title}: bukti dukung wajib belum diunggah"
        )
        self.assertEqual(self.refresh().status, AssessmentStatus.DRAFT, "refused: still a draft")

        # The last indicator in the browser: claim, explain, autosave.
        page.goto(self.url(reverse("evaluations:f01_form", args=[self.pk])))
        row = page.locator(f"#ind-{LAST}")
        with self.autosave_of("answer_autosave", last) as saved:
            row.locator(f"input[name=claimed_level][value='{BROWSER_CLAIM}']").check()
        self.assertEqual(saved.value.status, 200, "the claimed level autosaves")
        explanation = (
            "Inovasi layanan jemput bola KTP-el berjalan sejak 2025; lihat SK Kepala Dinas."
        )
        with self.autosave_of("answer_autosave", last) as saved:
            row.locator(f"#expl-{last.pk}").fill(explanation)
        self.assertEqual(saved.value.status, 200, "the explanation autosaves")
        expect(row.locator(f"#save-{last.pk}"), "the row says it is saved").to_contain_text(
            "Tersimpan"
        )
        expect(page.locator("[data-answered]"), "the progress counts the new claim").to_have_text(
            "30"
        )
        self.settle()
        answer = Answer.objects.get(assessment=self.assessment, indicator=last)
        self.assertEqual(
            (answer.claimed_level, answer.explanation),
            (BROWSER_CLAIM, explanation),
            "the autosave reached the database",
        )

        # No lost work: a reload (without this browser's local draft) shows the saved values.
        page.evaluate("window.localStorage.clear()")
        page.reload()
        expect(
            row.locator(f"input[name=claimed_level][value='{BROWSER_CLAIM}']"),
            "the claimed level is kept after a reload",
        ).to_be_checked()
        expect(row.locator(f"#expl-{last.pk}"), "the explanation is kept").to_have_value(
            explanation
        )

        # Evidence: upload a PDF to the last indicator and see it listed.
        row.locator("form.f01-upload input[name=files]").set_input_files(
            files=[
                {"name": "sk-inovasi-2026.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
            ]
        )
        row.get_by_role("button", name="Unggah", exact=True).click()
        expect(row.locator(".f01-ev"), "the uploaded PDF is listed").to_contain_text(
            "sk-inovasi-2026.pdf"
        )
        self.assertEqual(
            Evidence.objects.filter(assessment=self.assessment, indicator=last).count(),
            1,
            "one evidence document on the last indicator",
        )

        page.get_by_role("button", name="Ajukan F-01", exact=True).click()
        self.confirm("Ajukan F-01")
        expect(page.locator("#f01-status"), "F-01 is submitted").to_have_text("Diajukan")
        self.assertEqual(self.refresh().status, AssessmentStatus.SUBMITTED, "status submitted")
        submission = Submission.objects.get(assessment=self.assessment)
        self.assertEqual(
            len({e["indicator_id"] for e in submission.snapshot["evidence"]}),
            LAST,
            "the snapshot freezes evidence of all 30 indicators",
        )

    def evaluator_scores_and_asks_for_clarification(self) -> dict[int, int]:
        lead = self.team[0]
        self.score_by_services(lead, LEAD_LEVELS)
        self.assertEqual(
            self.refresh().status, AssessmentStatus.IN_EVALUATION, "first level starts evaluation"
        )
        last, asked = self.indicators[LAST], self.indicators[ASKED]

        self.act_as("evaluator")
        page = self.page
        self.open_hub()
        page.get_by_role("link", name="Penilaian evaluator (F-02)").click()
        page.wait_for_url(re.compile(r"/f02/$"))
        running = page.locator("#f02-running")
        expect(running, "one level is still missing").to_contain_text("1 dari 30 indikator")

        row = page.locator(f"#indikator-{LAST}")
        expect(row.locator(".f02-claim"), "F-02 shows the unit's claim").to_have_text(
            f"Tingkat {BROWSER_CLAIM}"
        )
        download = row.locator(".f02-evidence a", has_text="sk-inovasi-2026")
        response = page.request.get(self.url(download.get_attribute("href")))
        self.assertEqual(
            (response.status, response.headers["content-type"], response.body()),
            (200, "application/pdf", PDF_BYTES),
            "the evaluator downloads the PDF the unit uploaded",
        )
        with self.autosave_of("score_autosave", last) as saved:
            row.locator(f"input[name=level][value='{LEAD_LAST}']").check()
        self.assertEqual(saved.value.status, 200, "the level autosaves")
        levels = LEAD_LEVELS | {LAST: LEAD_LAST}
        breakdown = self.expected(levels)
        expect(
            running.locator(".f02-ipp-value"), "the running panel shows the engine's IPP"
        ).to_have_text(str(breakdown.ipp).replace(".", ","))  # written as in Bahasa Indonesia
        expect(running.locator(".f02-grade"), "and its grade").to_have_text(breakdown.grade)

        recommendation = "Tetapkan SOP jemput bola dan ukur waktu layanannya."
        with self.autosave_of("score_autosave", last) as saved:
            row.locator("textarea[name=recommendation]").fill(recommendation)
        self.assertEqual(saved.value.status, 200, "the recommendation autosaves")
        expect(row.locator(f"#save-{last.pk}"), "the row says it is saved").to_contain_text(
            "Tersimpan"
        )
        self.settle()
        score = Score.objects.get(assignment=lead, indicator=last)
        self.assertEqual(
            (score.level, score.recommendation), (LEAD_LAST, recommendation), "F-02 row saved"
        )

        # Return one indicator to the unit with a question.
        ask = page.locator(f"#indikator-{ASKED} details.f02-ask")
        ask.locator("summary").click()
        ask.locator("input[name=indicator]").check()
        ask.locator(f"textarea[name='question-{asked.pk}']").fill(
            "Mohon unggah SK penetapan standar pelayanan yang berlaku tahun ini."
        )
        self.click_in_f02_aside("Kirim permintaan klarifikasi")
        expect(
            page.locator(".f02-head .status"), "the assessment is in clarification"
        ).to_have_text("Klarifikasi")
        self.assertEqual(self.refresh().status, AssessmentStatus.CLARIFICATION, "DB status")
        self.assertEqual(
            list(
                Clarification.objects.filter(assessment=self.assessment).values_list(
                    "indicator__number", "status"
                )
            ),
            [(ASKED, ClarificationStatus.OPEN)],
            "one open clarification on the asked indicator",
        )
        return levels

    def operator_answers_the_clarification(self) -> None:
        asked = self.indicators[ASKED]
        self.act_as("operator")
        page = self.page
        self.open_hub()
        page.get_by_role("link", name="Penilaian mandiri (F-01)").click()
        expect(page.locator("#f01-status"), "the unit sees the clarification").to_have_text(
            "Klarifikasi"
        )
        row = page.locator(f"#ind-{ASKED}")
        expect(row, "the asked indicator is marked").to_have_class(re.compile("is-clarification"))
        explanation = "SK standar pelayanan 2026 ditetapkan 2 Januari 2026 (terlampir)."
        with self.autosave_of("answer_autosave", asked) as saved:
            row.locator(f"#expl-{asked.pk}").fill(explanation)
        self.assertEqual(saved.value.status, 200, "the asked indicator is editable again")
        row.locator("textarea[name=answer]").fill("SK sudah kami unggah ulang; lihat penjelasan.")
        self.settle()
        row.get_by_role("button", name="Kirim jawaban klarifikasi").click()
        expect(page.locator("#f01-status"), "evaluation resumes").to_have_text("Dalam evaluasi")
        self.assertEqual(self.refresh().status, AssessmentStatus.IN_EVALUATION, "DB status")
        self.assertEqual(
            Clarification.objects.get(assessment=self.assessment).status,
            ClarificationStatus.ANSWERED,
            "the clarification is answered",
        )

    def evaluator_rescores_and_submits(self, levels: dict[int, int]) -> dict[int, int]:
        asked = self.indicators[ASKED]
        self.act_as("evaluator")
        page = self.page
        self.open_hub()
        page.get_by_role("link", name="Penilaian evaluator (F-02)").click()
        page.wait_for_url(re.compile(r"/f02/$"))
        expect(page.locator(".f02-changed-note"), "one indicator changed").to_contain_text(
            "1 indikator berubah"
        )
        row = page.locator(f"#indikator-{ASKED}")
        expect(row, "the answered indicator is marked as changed").to_have_class(
            re.compile("f02-changed")
        )
        expect(row.locator(".f02-changed-mark"), "with a visible mark").to_be_visible()
        expect(page.locator("article.f02-changed"), "and no other").to_have_count(1)
        expect(row.locator(".f02-clarification"), "the unit's answer is shown").to_contain_text(
            "SK sudah kami unggah ulang"
        )
        expect(row.locator(".f02-unit"), "and its new explanation").to_contain_text(
            "SK standar pelayanan 2026 ditetapkan"
        )

        with self.autosave_of("score_autosave", asked) as saved:
            row.locator(f"input[name=level][value='{LEAD_ASKED_AFTER}']").check()
        self.assertEqual(saved.value.status, 200, "the rescore autosaves")
        levels = levels | {ASKED: LEAD_ASKED_AFTER}
        expect(
            page.locator("#f02-running .f02-ipp-value"), "the running IPP follows the rescore"
        ).to_have_text(str(self.expected(levels).ipp).replace(".", ","))

        self.click_in_f02_aside("Serahkan F-02")
        self.confirm("Serahkan F-02")
        expect(page.locator(".f02-locked"), "F-02 is handed in").to_contain_text(
            "F-02 Anda diserahkan"
        )
        self.assertIsNotNone(
            EvaluatorAssignment.objects.get(pk=self.team[0].pk).submitted_at, "submitted_at set"
        )
        return levels

    def teammates_submit(self, lead_levels: dict[int, int]) -> None:
        for position, assignment in enumerate(self.team[1:]):
            levels = dict(lead_levels)
            if position == len(self.team) - 2:  # the last teammate disagrees on one indicator
                levels[DIFFERENT] = PLENO_LEVEL
            self.score_by_services(assignment, levels)
            self.submit_by_services(assignment)

    def koordinator_cannot_moderate(self) -> None:
        client = Client()
        self.assertTrue(client.login(username="koordinator", password=DEMO_PASSWORD))
        response = client.get(reverse("evaluations:moderation_form", args=[self.pk]))
        self.assertIn(response.status_code, (403, 404), "a coordinator cannot moderate Nasional")

    def admin_moderates_and_finalises(self, lead_levels: dict[int, int]) -> None:
        self.act_as("admin")
        page = self.page
        self.open_hub()
        page.get_by_role("link", name="Moderasi (pleno)").click()
        page.wait_for_url(re.compile(r"/moderasi/$"))
        expect(page.locator("tr.differ"), "exactly one indicator differs").to_have_count(1)
        row = page.locator(f"tr#indikator-{DIFFERENT}")
        expect(row, "it is the disagreed indicator").to_have_class(re.compile("differ"))
        team_levels = [lead_levels[DIFFERENT]] * (len(self.team) - 1) + [PLENO_LEVEL]
        expect(row.locator("td.level"), "the levels side by side").to_have_text(
            [str(v) for v in team_levels]
        )
        for assignment in self.team:
            expect(page.locator("thead"), "each evaluator has a column").to_contain_text(
                assignment.evaluator.display_name
            )
        expect(page.locator("#moderation-progress"), "nothing decided yet").to_contain_text(
            "0 dari 1 diputuskan"
        )
        row.locator(f"select[name=level-{DIFFERENT}]").select_option(str(PLENO_LEVEL))
        row.locator(f"textarea[name=reason-{DIFFERENT}]").fill(PLENO_REASON)
        row.get_by_role("button", name=f"Simpan keputusan indikator {DIFFERENT}").click()
        expect(row.locator(".row-saved"), "saved, said at the row").to_have_text(
            f"Tersimpan: tingkat final {PLENO_LEVEL}."
        )
        expect(page.locator("#moderation-progress"), "the progress follows").to_contain_text(
            "1 dari 1 diputuskan"
        )
        self.assertEqual(self.refresh().status, AssessmentStatus.MODERATED, "moderated")

        page.locator("#moderation-finalize").get_by_role("button", name="Tetapkan final").click()
        self.confirm("Tetapkan final")
        expect(self.hub_status(), "the assessment is final").to_have_text("Final")

        final_levels = lead_levels | {DIFFERENT: PLENO_LEVEL}
        breakdown = self.expected(final_levels)
        result_box = page.locator("#hasil")
        ipp = re.escape(str(breakdown.ipp)).replace(r"\.", "[.,]")  # follows the locale
        expect(result_box.locator(".ipp"), "the hub shows the IPP").to_have_text(
            re.compile(rf"IPP\s+{ipp}$")
        )
        expect(result_box.locator(".grade"), "and the grade").to_contain_text(breakdown.grade)

        decided = (
            page.locator("table.history tbody tr")
            .filter(has=page.locator("td.what", has_text="Tingkat final"))
            .filter(has=page.locator("td.why", has_text=PLENO_REASON))
        )
        expect(decided, "the history lists the pleno decision").to_have_count(1)
        expect(decided.locator("td.indicator")).to_have_text(str(DIFFERENT))
        expect(decided.locator("td.change .new")).to_have_text(str(PLENO_LEVEL))

        # The database agrees with the page and with the engine.
        self.assertEqual(self.refresh().status, AssessmentStatus.FINAL, "DB status final")
        finals = dict(
            FinalLevel.objects.filter(assessment=self.assessment).values_list(
                "indicator__number", "level"
            )
        )
        self.assertEqual(len(finals), LAST, "30 final levels")
        self.assertEqual(finals, final_levels, "final levels: agreed ones and the pleno's")
        result = Result.objects.get(assessment=self.assessment)
        self.assertEqual(
            (result.ipp, result.grade),
            (Decimal(breakdown.ipp), breakdown.grade),
            "the stored result is the engine's for the final levels",
        )
        self.assertTrue(
            AuditEntry.objects.filter(
                assessment=self.assessment,
                action=AuditAction.FINAL,
                indicator=self.indicators[DIFFERENT],
                reason=PLENO_REASON,
            ).exists(),
            "the audit history keeps the decision with its reason",
        )
