"""The F-03 poster: one A4 page whose QR code, read back as a phone would, opens the locus's live
survey address; a new link gives a new poster."""

import io
import os

from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from evaluations.models import Phase, SurveyLink
from evaluations.selectors.survey import live_link
from tests import factories as f
from tests.base import PersonaTestCase
from tests.qr_scan import require_tools, scan_qr

A4 = (595, 842)  # points, rounded
# Where the rendered page is kept to look at (`SURVEY_POSTER_PNG=/tmp/x.png pytest …`).
KEEP = os.environ.get("SURVEY_POSTER_PNG")


class SurveyPosterTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.SURVEY)

    def poster(self, user=None):
        self.client.force_login(user or self.operator)
        return self.client.get(reverse("reports:survey_poster", args=[self.assessment.pk]))

    def test_it_is_one_a4_page_whose_qr_code_opens_the_live_link(self):
        require_tools()
        response = self.poster()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertTrue(response["Content-Disposition"].startswith("inline; filename="))
        reader = PdfReader(io.BytesIO(response.content))
        self.assertEqual(len(reader.pages), 1)
        box = reader.pages[0].mediabox
        self.assertEqual((round(box.width), round(box.height)), A4)
        link = live_link(self.assessment)
        url = f"{settings.SITE_URL}/s/{link.token}/"
        self.assertEqual(scan_qr(response.content, keep_png=KEEP), url)
        text = reader.pages[0].extract_text()
        for words in (self.unit.name, "Pemerintah Kabupaten Lampung Selatan", "14 pertanyaan",
                      "tanpa nama", url.split("://", 1)[1]):  # fmt: skip
            self.assertIn(words, " ".join(text.split()))

    def test_a_new_link_gives_a_poster_with_the_new_token(self):
        require_tools()
        first = scan_qr(self.poster().content)
        self.client.post(reverse("evaluations:survey_link_reissue", args=[self.assessment.pk]))
        second = scan_qr(self.poster().content)
        old, new = SurveyLink.objects.order_by("pk")
        self.assertEqual(first, f"{settings.SITE_URL}/s/{old.token}/")
        self.assertEqual(second, f"{settings.SITE_URL}/s/{new.token}/")
        self.assertIsNotNone(old.revoked_at)

    def test_it_is_for_the_people_who_run_the_survey(self):
        for user, status in (
            (self.operator, 200),
            (self.admin, 200),
            (self.evaluator, 403),
            (self.leader, 403),
            (self.coordinator, 404),
            (self.outsider, 404),
        ):
            with self.subTest(user=user.username):
                self.assertEqual(self.poster(user).status_code, status)
        self.client.logout()
        url = reverse("reports:survey_poster", args=[self.assessment.pk])
        self.assertEqual(self.client.get(url).status_code, 302)
        self.assertEqual(SurveyLink.objects.count(), 1)  # made once, by the first poster
