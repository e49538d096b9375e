"""API errors in the request's language: Bahasa Indonesia by default, English on request, also
for the Django REST framework and django-filter messages the libraries leave in English
(locale/rest_framework/, locale/django_filters/)."""

from unittest.mock import patch

from django.core.cache import cache
from django.test import SimpleTestCase
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from tests.base import PersonaTestCase

PUBLISHED = "/api/v1/published/"
UNITS = "/api/v1/units/"


class CatalogueTest(SimpleTestCase):
    def test_it_translates_the_libraries_messages_into_bahasa_indonesia(self):
        messages = {
            "Invalid token.": "Token tidak valid.",
            "A valid number is required.": "Nilai bidang ini harus berupa angka yang valid.",
            "Multiple values may be separated by commas.": (
                "Beberapa nilai dapat dipisahkan dengan koma."
            ),
            "Range query expects two values.": "Pencarian rentang memerlukan dua nilai.",
            # Django's admin says the same, and keeps saying it.
            "Yes": "Ya",
            "Past 7 days": "Tujuh hari terakhir",
            # DRF's own translation still answers where it has one.
            "Request was throttled.": "Permintaan ini telah dibatasi.",
        }
        for msgid, expected in messages.items():
            with self.subTest(msgid=msgid):
                with translation.override("id"):
                    self.assertEqual(translation.gettext(msgid), expected)
                with translation.override("en"):
                    self.assertEqual(translation.gettext(msgid), msgid)


class ErrorLanguageTest(PersonaTestCase):
    def test_a_bad_token_is_refused_in_the_requests_language(self):
        answers = {
            None: "Token tidak valid.",
            "id": "Token tidak valid.",
            "en": "Invalid token.",
        }
        for language, detail in answers.items():
            with self.subTest(language=language):
                headers = {"authorization": "Token salah"}
                if language:
                    headers["accept-language"] = language
                response = self.client.get(UNITS, headers=headers)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response["WWW-Authenticate"], "Token")
                self.assertEqual(response.json(), {"detail": detail})

    def test_an_empty_token_header_is_refused_in_bahasa_indonesia(self):
        response = self.client.get(UNITS, headers={"authorization": "Token"})
        self.assertEqual(response.status_code, 401)
        self.assertEqual(
            response.json(),
            {"detail": "Header token tidak valid. Data autentikasi tidak diberikan."},
        )

    def test_a_wrong_method_is_refused_in_the_requests_language(self):
        response = self.client.post(PUBLISHED)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.json(), {"detail": 'Metode "POST" tidak diizinkan.'})
        response = self.client.post(PUBLISHED, headers={"accept-language": "en"})
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.json(), {"detail": 'Method "POST" not allowed.'})


# The rates are read into the class when DRF is imported; the clock stands still so that the
# wait is exactly the rate's minute.
@patch.object(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min"})
@patch.object(SimpleRateThrottle, "timer", return_value=1_000_000.0)
class ThrottleTest(PersonaTestCase):
    ID_DETAIL = "Permintaan ini telah dibatasi. Permintaan dapat diajukan kembali dalam 60 detik."
    EN_DETAIL = "Request was throttled. Expected available in 60 seconds."

    def setUp(self):
        cache.clear()  # the throttles' counters

    def get(self, url, ip="10.0.0.1", **headers):
        return self.client.get(url, headers=headers, REMOTE_ADDR=ip)

    def assertThrottled(self, response, detail):
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        self.assertEqual(response.json(), {"detail": detail})

    def test_it_counts_anonymous_callers_per_address(self, timer):
        self.assertEqual(self.get(PUBLISHED).status_code, 200)
        self.assertEqual(self.get(PUBLISHED).status_code, 200)
        self.assertThrottled(self.get(PUBLISHED), self.ID_DETAIL)
        self.assertThrottled(self.get(PUBLISHED, accept_language="en"), self.EN_DETAIL)
        self.assertEqual(self.get(PUBLISHED, ip="10.0.0.2").status_code, 200)

    def test_it_counts_token_callers_per_person(self, timer):
        a = {"authorization": f"Token {Token.objects.create(user=self.operator).key}"}
        b = {"authorization": f"Token {Token.objects.create(user=self.leader).key}"}
        for _ in range(3):
            self.assertEqual(self.get(UNITS, **a).status_code, 200)
        self.assertThrottled(self.get(UNITS, **a), self.ID_DETAIL)
        self.assertThrottled(self.get(UNITS, **a, accept_language="en"), self.EN_DETAIL)
        # Another address changes nothing for a person; another person is counted apart.
        self.assertThrottled(self.get(UNITS, **a, ip="10.0.0.2"), self.ID_DETAIL)
        self.assertEqual(self.get(UNITS, **b).status_code, 200)
