"""The public F-03 survey at /s/<token>/: consent, answers, thanks; one answer per browser;
the window, the link, the rate limits and bad input, each a clear page with nothing stored."""

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.signing import get_cookie_signer
from django.test import Client, override_settings
from django.urls import reverse

from evaluations.models import Phase, PhaseExtension, PhaseWindow, SurveyResponse
from evaluations.selectors.rubric import rubric_cache_clear
from pekppp.lib.page_weight import gzip_size, nginx_gzip_level, page_assets
from scoring.services.survey import survey_link, survey_link_reissue
from scoring.views.survey_public import COOKIE_SALT
from tests import factories as f
from tests.base import PersonaTestCase

ITEMS = 14
PROFILE = {
    "gender": "P",
    "age_band": "30-39",
    "education": "sma",
    "occupation": "wirausaha",
    "service_used": "Perekaman KTP-el",
}


def answers(values=None, **changes) -> dict[str, str]:
    """The POST of a whole survey: items b1..b14 (default 5 4 3 2 1 0 5 4 …), consent, the
    profile; `changes` replace fields, a value None leaves the field out."""
    values = values or [(5 - i) % 6 for i in range(ITEMS)]
    data = {f"b{n}": str(v) for n, v in enumerate(values, start=1)}
    data |= {"setuju": "1", **PROFILE}
    data |= changes
    return {k: v for k, v in data.items() if v is not None}


class SurveyPageTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.SURVEY)
        cls.link = survey_link(assessment=cls.assessment, by=cls.operator)

    def setUp(self):
        super().setUp()
        cache.clear()  # the rate-limit counters

    def url(self, token: str | None = None, **query) -> str:
        url = reverse("public:survey", args=[token or self.link.token])
        return f"{url}?setuju=1" if query.get("agreed") else url

    def thanks_url(self, token: str | None = None) -> str:
        return reverse("public:survey_thanks", args=[token or self.link.token])

    def stored(self) -> list:
        return list(SurveyResponse.objects.order_by("pk"))


class JourneyTest(SurveyPageTestCase):
    def test_it_is_reached_at_the_short_address_of_the_poster(self):
        self.assertEqual(self.url(), f"/s/{self.link.token}/")
        self.assertEqual(len(self.link.token), 16)

    def test_it_asks_for_consent_first_under_the_unit_and_agency(self):
        with self.assertNumQueries(2):  # the link with its locus, unit, cycle; the window
            response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        for text in (
            "Disdukcapil Kabupaten Lampung Selatan",
            "Pemerintah Kabupaten Lampung Selatan",
            "Pemberitahuan pelindungan data pribadi",
            "Undang-Undang Nomor 27 Tahun 2022",
            "Nama, nomor HP, NIK, dan alamat tidak pernah ditanyakan.",
            "Kementerian PANRB, penyelenggara evaluasi ini.",
            "PEKPPP Nasional 2024",
        ):
            self.assertContains(response, text)
        self.assertContains(
            response,
            '<button type="submit" name="setuju" value="1" class="sv-go">'
            "Saya setuju, mulai survei</button>",
            html=True,
        )
        # No item yet, and nothing of the portal's heavy frame.
        self.assertNotContains(response, 'name="b1"')
        self.assertNotContains(response, "<script")
        self.assertNotContains(response, "portal.css")

    def test_it_shows_every_item_with_the_level_meanings_once_agreed(self):
        rubric_cache_clear()
        with self.assertNumQueries(3):  # link, window, items (once per process)
            response = self.client.get(self.url(agreed=True))
        self.assertEqual(response.status_code, 200)
        with self.assertNumQueries(2):
            self.client.get(self.url(agreed=True))
        html = response.content.decode()
        self.assertEqual(len(re.findall(r'<fieldset class="sv-item" id="q-b\d+">', html)), ITEMS)
        self.assertEqual(html.count('type="radio" name="b1"'), 6)
        self.assertContains(response, "Butir 14 dari 14")
        for meaning in ("Sangat setuju", "Cukup setuju", "Sangat tidak setuju / tidak tersedia"):
            self.assertContains(response, meaning, count=ITEMS)
        self.assertContains(response, '<input type="hidden" name="setuju" value="1">', html=True)
        for name in ("gender", "age_band", "education", "occupation", "service_used"):
            self.assertContains(response, f'name="{name}"')
        self.assertNotContains(response, 'class="sv-alert"')

    def test_it_stores_exactly_the_answers_given_and_thanks(self):
        values = [5, 4, 3, 2, 1, 0, 5, 5, 4, 4, 3, 3, 2, 0]
        # The page: link, window, items (3). `survey_answer` in its savepoint (2): locus lock,
        # live link, window, item count, insert (5), and the stored result's refresh (8).
        rubric_cache_clear()
        with self.assertNumQueries(18):
            response = self.client.post(self.url(), answers(values))
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], self.thanks_url())
        (stored,) = self.stored()
        self.assertEqual(stored.answers, values)
        self.assertEqual(stored.assessment, self.assessment)
        self.assertEqual(stored.link, self.link)
        self.assertEqual(stored.channel, "online")
        self.assertEqual(
            {k: getattr(stored, k) for k in PROFILE},
            PROFILE,
        )
        cookie = response.cookies[f"f03_{self.assessment.pk}"]
        self.assertEqual(cookie["path"], "/s/")
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Lax")
        self.assertGreaterEqual(int(cookie["max-age"]), 365 * 24 * 3600)
        thanks = self.client.get(self.thanks_url())
        self.assertContains(thanks, "Terima kasih!")
        self.assertContains(
            thanks, "Jawaban Anda untuk Disdukcapil Kabupaten Lampung Selatan sudah diterima."
        )

    def test_it_leaves_the_profile_questions_optional(self):
        data = answers([3] * ITEMS, **dict.fromkeys(PROFILE, None))
        self.assertEqual(self.client.post(self.url(), data).status_code, 303)
        (stored,) = self.stored()
        self.assertEqual({k: getattr(stored, k) for k in PROFILE}, dict.fromkeys(PROFILE, ""))
        self.assertEqual(stored.answers, [3] * ITEMS)

    def test_it_sends_the_thanks_page_back_to_the_survey_without_an_answer(self):
        response = self.client.get(self.thanks_url())
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)


class OneAnswerPerBrowserTest(SurveyPageTestCase):
    def test_it_refuses_a_second_answer_from_the_same_browser(self):
        self.client.post(self.url(), answers())
        for url in (self.url(), self.url(agreed=True)):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "Jawaban sudah diterima")
            self.assertContains(response, "Setiap perangkat hanya dapat mengisi survei satu kali.")
            self.assertNotContains(response, 'name="b1"')
        response = self.client.post(self.url(), answers([0] * ITEMS))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Jawaban sudah diterima", status_code=409)
        self.assertEqual(len(self.stored()), 1)
        # Another browser (no cookie) may answer.
        self.assertEqual(Client().post(self.url(), answers()).status_code, 303)
        self.assertEqual(len(self.stored()), 2)

    def test_it_still_refuses_it_through_a_reissued_link(self):
        self.client.post(self.url(), answers())
        new = survey_link_reissue(assessment=self.assessment, by=self.operator)
        response = self.client.post(self.url(new.token), answers())
        self.assertEqual(response.status_code, 409)
        self.assertEqual(len(self.stored()), 1)

    def test_it_treats_a_tampered_cookie_as_absent(self):
        name = f"f03_{self.assessment.pk}"
        forged = get_cookie_signer(salt=COOKIE_SALT + "x").sign(str(self.assessment.pk))
        other_locus = get_cookie_signer(salt=name + COOKIE_SALT).sign(str(self.other_assessment.pk))
        for value in ("1", str(self.assessment.pk), forged, other_locus, "\x7f", "x" * 4000):
            with self.subTest(value=value[:20]):
                self.client.cookies[name] = value
                response = self.client.get(self.url())
                self.assertContains(response, "Saya setuju, mulai survei")
        self.client.cookies[name] = forged
        self.assertEqual(self.client.post(self.url(), answers()).status_code, 303)
        self.assertEqual(len(self.stored()), 1)


class WindowTest(SurveyPageTestCase):
    def test_it_says_when_the_survey_opens_and_stores_nothing_before(self):
        window = f.open_window(self.cycle, Phase.SURVEY, before=-5, after=20)
        response = self.client.get(self.url())
        self.assertContains(response, "Survei belum dibuka")
        date = f"{window.starts_on.day} "
        self.assertContains(response, f"dibuka pada {date}")
        self.assertNotContains(response, "Saya setuju")
        self.assertNotContains(self.client.get(self.url(agreed=True)), 'name="b1"')
        response = self.client.post(self.url(), answers())
        self.assertContains(response, "Survei belum dibuka", status_code=409)
        self.assertEqual(self.stored(), [])

    def test_it_says_when_it_closed_and_stores_nothing_after(self):
        f.close_window(self.cycle, Phase.SURVEY)
        yesterday = dt.date.today() - dt.timedelta(days=1)
        response = self.client.get(self.url(agreed=True))
        self.assertContains(response, "Survei sudah ditutup")
        self.assertContains(response, f"hari terakhirnya {yesterday.day} ")
        response = self.client.post(self.url(), answers())
        self.assertContains(response, "Survei sudah ditutup", status_code=409)
        self.assertEqual(self.stored(), [])

    def test_it_counts_the_units_extension(self):
        f.close_window(self.cycle, Phase.SURVEY)
        PhaseExtension.objects.create(
            assessment=self.assessment,
            phase=Phase.SURVEY,
            ends_on=dt.date.today() + dt.timedelta(days=3),
            reason="Poster terlambat dipasang",
            granted_by=self.admin,
        )
        self.assertEqual(self.client.post(self.url(), answers()).status_code, 303)
        self.assertEqual(len(self.stored()), 1)

    def test_it_says_so_when_no_survey_window_was_set(self):
        PhaseWindow.objects.filter(cycle=self.cycle, phase=Phase.SURVEY).delete()
        self.assertContains(self.client.get(self.url()), "Survei belum dijadwalkan")
        self.assertEqual(self.client.post(self.url(), answers()).status_code, 409)
        self.assertEqual(self.stored(), [])


class LinkTest(SurveyPageTestCase):
    def test_it_answers_an_unknown_link_with_a_clear_404_page(self):
        for token in ("tidak-ada", "x" * 33, "ñandú", self.link.token.lower() + "a"):
            with self.subTest(token=token):
                for method in ("get", "post"):
                    response = getattr(self.client, method)(self.url(token), answers())
                    self.assertContains(response, "Tautan survei tidak berlaku", status_code=404)
                    self.assertContains(response, "poster baru", status_code=404)
                    self.assertNotContains(response, "Lampung", status_code=404)
        self.assertEqual(self.stored(), [])
        self.assertEqual(self.client.get(self.thanks_url("tidak-ada")).status_code, 404)

    def test_it_stops_the_old_link_once_a_new_one_is_issued(self):
        old = self.link.token
        new = survey_link_reissue(assessment=self.assessment, by=self.operator)
        for method in ("get", "post"):
            response = getattr(self.client, method)(self.url(old), answers())
            self.assertContains(response, "Tautan survei tidak berlaku", status_code=404)
        self.assertEqual(self.stored(), [])
        self.assertContains(self.client.get(self.url(new.token)), "Saya setuju, mulai survei")
        self.assertEqual(self.client.post(self.url(new.token), answers()).status_code, 303)
        (stored,) = self.stored()
        self.assertEqual(stored.link, new)


class RateLimitTest(SurveyPageTestCase):
    def post_from(self, address: str, **extra):
        return Client(REMOTE_ADDR=address, **extra).post(self.url(), answers())

    @override_settings(SURVEY_RATE_PER_ADDRESS=2, SURVEY_RATE_PER_TOKEN=100)
    def test_it_limits_answers_per_client_address(self):
        for _ in range(5):  # reading the pages is not counted
            Client(REMOTE_ADDR="10.0.0.1").get(self.url(agreed=True))
        self.assertEqual(self.post_from("10.0.0.1").status_code, 303)
        self.assertEqual(self.post_from("10.0.0.1").status_code, 303)
        response = self.post_from("10.0.0.1")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Coba lagi nanti", status_code=429)
        self.assertContains(response, "Jawaban Anda belum disimpan.", status_code=429)
        self.assertTrue(0 < int(response["Retry-After"]) <= 3601)
        self.assertEqual(len(self.stored()), 2)
        self.assertEqual(self.post_from("10.0.0.2").status_code, 303)
        self.assertEqual(len(self.stored()), 3)

    @override_settings(SURVEY_RATE_PER_ADDRESS=1, SURVEY_RATE_PER_TOKEN=100, TRUSTED_PROXY_COUNT=1)
    def test_it_reads_the_address_behind_the_trusted_proxy(self):
        proxy = "172.18.0.5"
        first = self.post_from(proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
        second = self.post_from(proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
        self.assertEqual((first.status_code, second.status_code), (303, 303))
        # A forged entry left of the proxy's own does not make a new address.
        again = self.post_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
        self.assertEqual(again.status_code, 429)
        self.assertEqual(len(self.stored()), 2)

    @override_settings(SURVEY_RATE_PER_ADDRESS=100, SURVEY_RATE_PER_TOKEN=2)
    def test_it_limits_answers_per_link(self):
        self.assertEqual(self.post_from("10.0.0.1").status_code, 303)
        self.assertEqual(self.post_from("10.0.0.2").status_code, 303)
        response = self.post_from("10.0.0.3")
        self.assertContains(response, "Coba lagi nanti", status_code=429)
        self.assertEqual(len(self.stored()), 2)

    def test_its_defaults_suit_a_counter_on_shared_wi_fi(self):
        limits = (settings.SURVEY_RATE_PER_ADDRESS, settings.SURVEY_RATE_PER_TOKEN)
        self.assertEqual(limits, (60, 600))


class BadAnswersTest(SurveyPageTestCase):
    def assert_refused(self, data, *texts: str, status: int = 400):
        response = self.client.post(self.url(), data)
        self.assertEqual(response.status_code, status)
        for text in texts:
            self.assertContains(response, text, status_code=status)
        self.assertEqual(self.stored(), [])
        self.assertNotIn(f"f03_{self.assessment.pk}", response.cookies)
        return response

    def test_it_names_each_missing_answer_and_keeps_the_others(self):
        data = answers([4] * ITEMS, b11=None, b12=None, b13=None, b14=None)
        response = self.assert_refused(data, "Jawaban Anda belum disimpan")
        summary = re.search(r'<div class="sv-alert".*?</div>', response.content.decode(), re.S)
        named = re.findall(r'<a href="#q-(b\d+)">([^<]*)</a>', summary.group(0))
        self.assertEqual(
            named, [(f"b{n}", f"Butir {n} (“Butir {n}”) belum dijawab.") for n in range(11, 15)]
        )
        # Each error at its item too, and what was chosen stays chosen.
        self.assertContains(
            response, '<fieldset class="sv-item sv-bad" id="q-b11">', status_code=400
        )
        html = response.content.decode()
        for n in range(1, 11):
            self.assertRegex(html, rf'<input type="radio" name="b{n}" value="4"[^>]* checked')
        self.assertRegex(html, r'name="gender" value="P"[^>]* checked')
        self.assertIn('value="Perekaman KTP-el"', html)

    def test_it_refuses_an_answer_out_of_range(self):
        for value in ("6", "-1", "5.0", "lima", "", "5\x00"):
            with self.subTest(value=value):
                self.assert_refused(
                    answers(b3=value),
                    "Butir 3: jawaban harus salah satu nilai 0 sampai 5."
                    if value
                    else "Butir 3 (“Butir 3”) belum dijawab.",
                )

    def test_it_refuses_answers_without_the_consent_value(self):
        for value in (None, "", "0", "ya", "1\x00", "1" * 10_000):
            with self.subTest(value=(value or "")[:10]):
                response = self.assert_refused(
                    answers(setuju=value),
                    "survei hanya dapat diisi setelah Anda menyatakan setuju",
                )
                self.assertContains(response, "Saya setuju, mulai survei", status_code=400)

    def test_it_refuses_tampered_choices_of_the_profile(self):
        self.assert_refused(answers(gender="X"), "Jenis kelamin: Pilih salah satu pilihan")
        self.assert_refused(answers(occupation="asn' OR 1=1"), "Pekerjaan: Pilih salah satu")

    def test_it_refuses_a_nul_byte_in_the_service_used(self):
        self.assert_refused(
            answers(service_used="KTP\x00el"),
            "Layanan yang Anda terima: Karakter null tidak diizinkan.",
        )

    def test_it_refuses_other_control_characters_in_the_service_used(self):
        self.assert_refused(
            answers(service_used="KTP\x1b[31m"),
            "memuat karakter kendali (misalnya NUL) yang tidak diizinkan",
        )

    def test_it_refuses_huge_values_without_repeating_them(self):
        huge = "L" * 1_000_000
        response = self.assert_refused(answers(gender=huge), "Pilih salah satu pilihan")
        self.assertLess(len(response.content), 100_000)
        response = self.assert_refused(
            answers(b1="5" * 1_000_000), "Butir 1: jawaban harus salah satu nilai 0 sampai 5."
        )
        self.assertLess(len(response.content), 100_000)
        self.assert_refused(answers(service_used="x" * 500_000), "paling banyak 120 karakter")

    def test_it_refuses_a_body_over_the_upload_limit_without_failing(self):
        response = self.client.post(self.url(), answers(service_used="x" * 3_000_000))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.stored(), [])


class LanguageAndCachingTest(SurveyPageTestCase):
    def test_it_switches_to_english_with_a_plain_form_post(self):
        form = self.client.get(self.url(agreed=True)).content.decode()
        self.assertIn(f'<input type="hidden" name="next" value="{self.url()}?setuju=1">', form)
        response = self.client.post(
            reverse("set_language"), {"language": "en", "next": f"{self.url()}?setuju=1"}
        )
        self.assertRedirects(response, f"{self.url()}?setuju=1", fetch_redirect_response=False)
        response = self.client.get(self.url(agreed=True))
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Strongly agree", count=ITEMS)
        self.assertContains(response, "Send my answers")
        self.assertContains(response, "The survey statements are written in Bahasa Indonesia")
        consent = self.client.get(self.url())
        self.assertContains(consent, "Personal data protection notice")
        self.assertContains(consent, "I agree, start the survey")
        response = self.client.post(self.url(), answers(b2=None))
        self.assertContains(response, "Your answers have not been saved", status_code=400)

    def test_it_is_never_kept_by_a_cache_nor_served_in_another_language(self):
        for url in (self.url(), self.url(agreed=True), self.url("tidak-ada")):
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertIn("no-store", response["Cache-Control"])
                self.assertIn("private", response["Cache-Control"])
                vary = {v.strip().lower() for v in response["Vary"].split(",")}
                self.assertLessEqual({"accept-language", "cookie"}, vary)
        english = self.client.get(self.url(), HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(english, "I agree, start the survey")


def read_static(url: str) -> bytes:
    path = finders.find(url.removeprefix(settings.STATIC_URL))
    if path is None:
        raise AssertionError(f"{url} is not a static file")
    return Path(path).read_bytes()


class PageWeightTest(SurveyPageTestCase):
    """The survey is opened on cheap phones on slow lines: its HTML at most 30 kB as nginx sends
    it (gzip at deploy/nginx.conf's level), at most 100 kB of assets in all. The figures are
    printed by bench/survey_weight.py."""

    HTML_LIMIT = 30_000
    ASSETS_LIMIT = 100_000

    def pages(self):
        yield "consent", self.client.get(self.url())
        yield "form", self.client.get(self.url(agreed=True))
        yield "form, every item missing", self.client.post(self.url(), {"setuju": "1"})
        yield "invalid link", self.client.get(self.url("tidak-ada"))
        self.client.post(self.url(), answers())
        yield "thanks", self.client.get(self.thanks_url())

    def test_it_keeps_every_page_light(self):
        level = nginx_gzip_level((settings.BASE_DIR / "deploy" / "nginx.conf").read_text())
        for name, response in self.pages():
            with self.subTest(page=name):
                self.assertIn(response.status_code, (200, 400, 404))
                html = response.content
                self.assertLessEqual(gzip_size(html, level), self.HTML_LIMIT)
                assets = page_assets(html.decode(), read_static, level)
                self.assertEqual(
                    [a.url for a in assets], ["/static/favicon.svg", "/static/css/survey.css"]
                )
                self.assertLessEqual(sum(a.raw for a in assets), self.ASSETS_LIMIT)
                self.assertNotIn(b"<script", html)
                self.assertNotIn(b"style=", html)
