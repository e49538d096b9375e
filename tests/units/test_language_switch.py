"""The top bar's language switch: anonymous visitors switch without a CSRF token (their pages
carry none, so caches can share them), but only from the portal's own pages; a signed-in
person's switch is checked with the CSRF token like every other form."""

from django.test import Client, TestCase
from django.urls import reverse

from tests import factories as f

URL = reverse("set_language")
FORM = {"language": "en", "next": "/hasil/"}


class LanguageSwitchTest(TestCase):
    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)

    def test_an_anonymous_switch_from_the_portal_needs_no_token(self):
        for headers in (
            {"Sec-Fetch-Site": "same-origin"},
            {"Origin": "http://testserver"},
            {},  # a client that says neither (not a current browser)
        ):
            with self.subTest(headers=headers):
                response = self.client.post(URL, FORM, headers=headers)
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], "/hasil/")
                self.assertEqual(response.cookies["django_language"].value, "en")

    def test_an_anonymous_switch_from_another_site_is_refused(self):
        for headers in (
            {"Sec-Fetch-Site": "cross-site"},
            {"Sec-Fetch-Site": "same-site"},
            {"Origin": "https://elsewhere.example"},
            {"Origin": "null"},
        ):
            with self.subTest(headers=headers):
                response = self.client.post(URL, FORM, headers=headers)
                self.assertEqual(response.status_code, 403)
                self.assertNotIn("django_language", response.cookies)

    def test_a_signed_in_switch_still_needs_the_token(self):
        person = f.make_user("pemakai")
        self.client.force_login(person)
        refused = self.client.post(URL, FORM, headers={"Sec-Fetch-Site": "same-origin"})
        self.assertEqual(refused.status_code, 403)
        person.refresh_from_db()
        self.assertNotEqual(person.language, "en")
        page = self.client.get(reverse("public:index"))
        token = page.cookies["csrftoken"].value
        accepted = self.client.post(
            URL, FORM | {"csrfmiddlewaretoken": token}, headers={"Sec-Fetch-Site": "same-origin"}
        )
        self.assertEqual(accepted.status_code, 302)
        person.refresh_from_db()
        self.assertEqual(person.language, "en")
