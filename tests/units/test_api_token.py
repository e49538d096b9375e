"""A person's API token: the token page (see, create or replace, revoke), the Django admin and
`manage.py drf_create_token`; each token then authenticates an API call."""

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests import factories as f
from tests.base import PersonaTestCase

PAGE = reverse("units:api_token")
CREATE = reverse("units:api_token_create")
REVOKE = reverse("units:api_token_revoke")
KEY = re.compile(r'id="api-token-key">([0-9a-f]{40})<')
UNITS = "/api/v1/units/"


class ApiTokenTestCase(PersonaTestCase):
    def api_status(self, key: str) -> int:
        return Client().get(UNITS, headers={"authorization": f"Token {key}"}).status_code


class ApiTokenPageTest(ApiTokenTestCase):
    def test_it_sends_anonymous_visitors_to_log_in(self):
        for method, url in (("get", PAGE), ("post", CREATE), ("post", REVOKE)):
            with self.subTest(url=url):
                response = getattr(self.client, method)(url)
                self.assertRedirects(response, f"/masuk/?next={url}")
        self.assertFalse(Token.objects.exists())

    def test_it_creates_a_token_and_shows_it_once(self):
        self.client.force_login(self.operator)
        page = self.client.get(PAGE)
        self.assertContains(page, "Belum ada token")
        self.assertContains(page, "Buat token</button>")
        self.assertNotContains(page, "Cabut token")

        created = self.client.post(CREATE)
        self.assertEqual(created.status_code, 200)
        self.assertEqual(created["Cache-Control"], "private, no-store")
        key = KEY.search(created.content.decode()).group(1)
        self.assertEqual(Token.objects.get(user=self.operator).key, key)
        self.assertContains(created, "token ini hanya ditampilkan sekali")
        self.assertContains(
            created,
            f'curl -H "Authorization: Token {key}" http://testserver/api/v1/units/',
        )
        self.assertEqual(self.api_status(key), 200)

        again = self.client.get(PAGE)
        self.assertNotContains(again, key)
        self.assertContains(again, "Aktif")
        self.assertContains(again, "Buat token baru (ganti yang lama)")
        self.assertContains(again, "Cabut token")

    def test_a_new_token_replaces_the_old_one(self):
        old = Token.objects.create(user=self.leader).key
        self.client.force_login(self.leader)
        key = KEY.search(self.client.post(CREATE).content.decode()).group(1)
        self.assertNotEqual(key, old)
        self.assertEqual(list(Token.objects.filter(user=self.leader).values_list("key")), [(key,)])
        self.assertEqual(self.api_status(old), 401)
        self.assertEqual(self.api_status(key), 200)

    def test_it_revokes_the_token(self):
        key = Token.objects.create(user=self.coordinator).key
        other = Token.objects.create(user=self.operator).key
        self.client.force_login(self.coordinator)
        response = self.client.post(REVOKE, follow=True)
        self.assertRedirects(response, PAGE)
        self.assertContains(response, "Token API dicabut; program yang memakainya ditolak.")
        self.assertContains(response, "Belum ada token")
        self.assertFalse(Token.objects.filter(user=self.coordinator).exists())
        self.assertEqual(self.api_status(key), 401)
        # Only one's own token: the operator's still works.
        self.assertEqual(self.api_status(other), 200)
        # Revoking again changes nothing and says nothing.
        response = self.client.post(REVOKE, follow=True)
        self.assertNotContains(response, "dicabut")

    def test_it_changes_tokens_only_by_post_with_the_csrf_token(self):
        self.client.force_login(self.operator)
        for url in (CREATE, REVOKE):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)
        self.assertEqual(self.client.post(PAGE).status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.operator)
        self.assertEqual(strict.post(CREATE).status_code, 403)
        self.assertFalse(Token.objects.exists())
        page = strict.get(PAGE)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        self.assertEqual(
            strict.post(CREATE, {"csrfmiddlewaretoken": csrf.group(1)}).status_code, 200
        )
        self.assertTrue(Token.objects.filter(user=self.operator).exists())

    def test_it_is_linked_beside_the_account_security_page(self):
        self.client.force_login(self.evaluator)
        self.assertContains(self.client.get("/"), f'<a href="{PAGE}">Token API</a>', html=True)

    def test_it_speaks_english_too(self):
        self.client.force_login(self.operator)
        self.client.cookies.load({"django_language": "en"})
        self.assertContains(self.client.get(PAGE), "No token yet")
        self.assertContains(self.client.post(CREATE), "this token is shown only once")


class ApiTokenIssuedElsewhereTest(ApiTokenTestCase):
    def test_an_admin_issues_a_token_in_the_django_admin(self):
        superuser = f.make_user("super", is_staff=True, is_superuser=True)
        self.client.force_login(superuser)
        add = reverse("admin:authtoken_tokenproxy_add")
        self.assertContains(self.client.get(add), 'name="user"')
        # The person is picked by search (autocomplete), not from a list of every account.
        found = self.client.get(
            reverse("admin:autocomplete"),
            {"term": "operator", "app_label": "authtoken", "model_name": "tokenproxy",
             "field_name": "user"},
        )  # fmt: skip
        self.assertEqual([row["id"] for row in found.json()["results"]], [str(self.operator.pk)])
        response = self.client.post(add, {"user": self.operator.pk})
        self.assertEqual(response.status_code, 302)
        token = Token.objects.get(user=self.operator)
        self.assertEqual(self.api_status(token.key), 200)
        listed = self.client.get(reverse("admin:authtoken_tokenproxy_changelist"))
        self.assertContains(listed, token.key)

    def test_a_staff_account_without_permissions_cannot_issue_one(self):
        self.client.force_login(f.make_user("staf", is_staff=True))
        add = reverse("admin:authtoken_tokenproxy_add")
        self.assertEqual(self.client.post(add, {"user": self.operator.pk}).status_code, 403)
        self.assertFalse(Token.objects.exists())

    def test_drf_create_token_prints_a_token_that_authenticates(self):
        out = StringIO()
        call_command("drf_create_token", "operator", stdout=out)
        key = re.fullmatch(r"Generated token ([0-9a-f]{40}) for user operator\n", out.getvalue())
        self.assertEqual(Token.objects.get(user=self.operator).key, key.group(1))
        response = Client().get(UNITS, headers={"authorization": f"Token {key.group(1)}"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [row["name"] for row in response.json()["results"]],
            ["Disdukcapil Kabupaten Lampung Selatan"],
        )
        # --reset replaces it.
        call_command("drf_create_token", "operator", "--reset", stdout=StringIO())
        self.assertEqual(self.api_status(key.group(1)), 401)

    @override_settings(OTP_REQUIRED=True)
    def test_a_session_owing_its_second_factor_gets_no_token(self):
        # A token would otherwise let the password alone reach everything the person sees.
        self.client.force_login(self.coordinator)
        for method, url in (("get", PAGE), ("post", CREATE)):
            with self.subTest(url=url):
                response = getattr(self.client, method)(url)
                self.assertRedirects(
                    response, f"/akun/dua-langkah/aktifkan/?next={url}",
                    fetch_redirect_response=False,
                )  # fmt: skip
        self.assertFalse(Token.objects.exists())
