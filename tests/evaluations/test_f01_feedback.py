"""F-01 feedback where the eye is: a message about an indicator is shown in its card (htmx
swap, or after the no-JavaScript redirect to #ind-N), the sticky summary counts it, and the
top of the page lists what needs the operator's action."""

import re

from django.test import override_settings
from django.urls import reverse

from evaluations.models import AssessmentStatus, Clarification, Evidence, Phase
from tests import factories as f
from tests.browser.support import PHONE, BrowserTestCase

from . import f01_factories as ff
from .test_evidence import EvidenceCase

EXE = b"MZ" + b"\0" * 500
EXE_REFUSED = "laporan.pdf: Berkas ini sebenarnya program Windows (EXE/DLL)"
HX = {"HX-Request": "true"}


def card(html: str, number: int) -> str:
    """The indicator card `#ind-<number>` of a page (cards do not nest)."""
    found = re.search(rf'<article [^>]*id="ind-{number}">.*?</article>', html, re.S)
    return found.group(0) if found else ""


class FeedbackCase(EvidenceCase):
    def setUp(self):
        self.client.force_login(self.operator)

    def upload_url(self, i=2):
        return reverse("evaluations:evidence_upload", args=[self.assessment.pk, self.ind[i].pk])

    def form_url(self):
        return reverse("evaluations:f01_form", args=[self.assessment.pk])

    def files(self):
        return [ff.upload("laporan.pdf", EXE), ff.upload("sk.pdf", ff.PDF_BYTES)]


class WithoutJavaScriptTest(FeedbackCase):
    def test_it_shows_a_refused_upload_in_the_indicator_card_and_counts_it_in_the_summary(self):
        response = self.client.post(self.upload_url(), {"files": self.files()})
        self.assertRedirects(response, self.form_url() + "#ind-3", fetch_redirect_response=False)
        html = self.client.get(self.form_url()).content.decode()
        inside = card(html, 3)
        self.assertIn(EXE_REFUSED, inside)
        self.assertIn('role="alert">' + EXE_REFUSED, inside)
        self.assertIn("sk.pdf diunggah.", inside)
        self.assertEqual(html.count(EXE_REFUSED), 1, "only in the card, not at the top")
        summary = html[html.index('id="f01-summary"') :]
        self.assertIn('<a href="#ind-3">1 berkas ditolak di indikator 3</a>', summary)
        self.assertIn('<a href="#ind-3">1 berkas tersimpan di indikator 3</a>', summary)
        self.assertEqual(Evidence.objects.filter(indicator=self.ind[2]).count(), 1)
        # Shown once: the next visit is quiet.
        self.assertNotIn(EXE_REFUSED, self.client.get(self.form_url()).content.decode())

    def test_it_shows_a_removal_and_a_page_level_message_in_their_places(self):
        evidence = self.upload("sk.pdf", indicator=self.ind[4], title="SK")
        self.client.post(reverse("evaluations:evidence_remove", args=[evidence.pk]))
        self.client.post(reverse("evaluations:evidence_carry_over", args=[self.assessment.pk]))
        html = self.client.get(self.form_url()).content.decode()
        self.assertIn("SK dihapus dari F-01.", card(html, 5))
        top = html[: html.index('id="f01-todo"')]
        self.assertIn("Tidak ada bukti dukung baru untuk dibawa.", top)

    def test_it_shows_a_refused_clarification_answer_in_the_card(self):
        f.open_window(self.cycle, Phase.CLARIFICATION)
        self.assessment.status = AssessmentStatus.CLARIFICATION
        self.assessment.save()
        clarification = Clarification.objects.create(
            assessment=self.assessment,
            indicator=self.ind[6],
            question="Mana SK?",
            asked_by=self.evaluator,
        )
        url = reverse("evaluations:clarification_answer", args=[clarification.pk])
        response = self.client.post(url, {"answer": " "}, follow=True)
        html = response.content.decode()
        self.assertIn("Jawaban klarifikasi wajib diisi.", card(html, 7))
        self.assertIn('<a href="#ind-7">Ada yang ditolak di indikator 7</a>', html)


class HtmxTest(FeedbackCase):
    def test_it_answers_an_upload_with_the_card_holding_the_messages_and_the_summary(self):
        response = self.client.post(self.upload_url(), {"files": self.files()}, headers=HX)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertTrue(html.lstrip().startswith('<article class="card f01-ind" id="ind-3">'))
        self.assertIn(EXE_REFUSED, card(html, 3))
        self.assertIn("data-fresh", card(html, 3))
        self.assertIn('id="f01-summary" aria-label="Ringkasan F-01" hx-swap-oob="true"', html)
        self.assertIn('<a href="#ind-3">1 berkas ditolak di indikator 3</a>', html)
        self.assertIn('<div id="f01-todo" hx-swap-oob="true">', html)
        self.assertIn("Bukti dukung wajib: 1 dari 30 indikator terisi.", html)
        self.assertEqual(Evidence.objects.filter(indicator=self.ind[2]).count(), 1)
        # Nothing is left over for the next page.
        self.assertNotIn(EXE_REFUSED, self.client.get(self.form_url()).content.decode())

    @override_settings(EVIDENCE_MAX_FILE_MB=1)
    def test_it_answers_a_refused_replacement_in_the_card(self):
        evidence = self.upload("sk.pdf", title="SK")
        big = ff.upload("besar.pdf", ff.PDF_BYTES + b"0" * (1024 * 1024))
        response = self.client.post(
            reverse("evaluations:evidence_replace", args=[evidence.pk]), {"file": big}, headers=HX
        )
        self.assertContains(
            response, "besar.pdf: Berkas terlalu besar (1,0 MB); batas per berkas 1 MB."
        )
        self.assertContains(response, '<a href="#ind-1">1 berkas ditolak di indikator 1</a>')
        self.assertEqual(evidence.revisions.count(), 1)

    def test_it_answers_an_empty_upload_with_a_message_in_the_card(self):
        response = self.client.post(self.upload_url(), {}, headers=HX)
        self.assertIn(
            "Pilih minimal satu berkas untuk diunggah.", card(response.content.decode(), 3)
        )

    def test_it_keeps_the_personas_rules(self):
        for name, status in {"outsider": 404, "evaluator": 403}.items():
            with self.subTest(persona=name):
                self.client.force_login(self.personas()[name])
                response = self.client.post(self.upload_url(), {"files": self.files()}, headers=HX)
                self.assertEqual(response.status_code, status)
        self.assertFalse(Evidence.objects.exists())


class NeedsActionTest(FeedbackCase):
    def test_it_lists_indicators_without_level_or_evidence_at_the_top_while_a_draft(self):
        ff.answer_all(self.assessment, 4, numbers=set(range(1, 31)) - {5})
        html = self.client.get(self.form_url()).content.decode()
        todo = html[html.index('id="f01-todo"') : html.index('class="f01-toc"')]
        self.assertIn("Perlu tindakan Anda", todo)
        self.assertIn("Tingkat belum dipilih (1 indikator)", todo)
        self.assertIn(
            '<a href="#ind-5" title="Indikator 5" aria-label="5. Indikator 5">5</a>', todo
        )
        self.assertIn("Bukti dukung wajib belum diunggah (30 indikator)", todo)

    def test_it_lists_open_clarifications_during_clarification(self):
        f.open_window(self.cycle, Phase.CLARIFICATION)
        self.assessment.status = AssessmentStatus.CLARIFICATION
        self.assessment.save()
        Clarification.objects.create(
            assessment=self.assessment, indicator=self.ind[8], question="?", asked_by=self.evaluator
        )
        html = self.client.get(self.form_url()).content.decode()
        todo = html[html.index('id="f01-todo"') : html.index('class="f01-toc"')]
        self.assertIn("Klarifikasi menunggu jawaban", todo)
        self.assertIn('<a href="#ind-9">9. Indikator 9</a>', todo)
        self.assertNotIn("Tingkat belum dipilih", todo)
        self.assertNotIn("Ajukan F-01", html)


class RefusedUploadBrowserTest(BrowserTestCase):
    """A refused file in Chromium: the message is in the indicator's card and on screen, at
    desktop and at phone size, and the sticky summary points at it."""

    def setUp(self):
        super().setUp()
        self.assessment, self.ind = ff.operator_locus("UJI-FB")

    def refuse_an_upload(self, page, number: int) -> None:
        page.goto(self.url(reverse("evaluations:f01_form", args=[self.assessment.pk])))
        row = page.locator(f"#ind-{number}")
        row.locator("form.f01-upload input[name=files]").set_input_files(
            files=[{"name": "laporan.pdf", "mimeType": "application/pdf", "buffer": EXE}]
        )
        row.get_by_role("button", name="Unggah", exact=True).click()
        notes = page.locator(f"#ind-{number} .f01-notes")
        notes.wait_for()
        self.assertIn(EXE_REFUSED, notes.inner_text())
        self.wait_for_js(page, "!document.querySelector('.f01-notes[data-fresh]')")
        # The message is inside the card, on screen and not under the sticky summary.
        place = page.evaluate(
            """(n) => {
              const notes = document.querySelector('#ind-' + n + ' .f01-notes');
              const box = notes.getBoundingClientRect();
              const bar = document.getElementById('f01-summary').getBoundingClientRect();
              return {inCard: !!notes.closest('#ind-' + n), top: box.top, bottom: box.bottom,
                      barTop: bar.top, height: window.innerHeight,
                      overflow: document.scrollingElement.scrollWidth - window.innerWidth};
            }""",
            number,
        )
        self.assertTrue(place["inCard"])
        self.assertGreaterEqual(place["top"], 0)
        self.assertLessEqual(place["bottom"], place["barTop"], place)
        self.assertLessEqual(place["barTop"], place["height"])
        self.assertLessEqual(place["overflow"], 0)
        summary = page.locator("#f01-summary")
        self.assertTrue(summary.is_visible())
        self.assertIn(f"1 berkas ditolak di indikator {number}", summary.inner_text())
        self.assertFalse(Evidence.objects.exists())

    def test_it_shows_the_refusal_at_the_indicator_on_a_desktop(self):
        self.page.set_viewport_size({"width": 1366, "height": 900})
        self.log_in("operator-uji", f.PASSWORD)
        self.page.wait_for_url(self.url("/"))
        self.refuse_an_upload(self.page, 12)

    def test_it_shows_the_refusal_at_the_indicator_on_a_phone(self):
        self.page.set_viewport_size(PHONE)
        self.log_in("operator-uji", f.PASSWORD)
        self.page.wait_for_url(self.url("/"))
        self.refuse_an_upload(self.page, 12)
        # The summary stays in sight while scrolling, short enough to leave the page readable.
        self.page.evaluate("window.scrollTo(0, 0)")
        bar = self.page.locator("#f01-summary").bounding_box()
        self.assertLessEqual(bar["y"] + bar["height"], PHONE["height"] + 1)
        self.assertLess(bar["height"], PHONE["height"] * 0.2, bar)
        self.page.get_by_role("link", name="1 berkas ditolak di indikator 12").click()
        self.page.wait_for_url(re.compile(r"#ind-12$"))
