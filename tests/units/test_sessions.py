"""Session lifetimes, Cache-Control for signed-in pages, and the log of denied requests."""

import time

from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse

from pekppp.accounts.audit import LOGIN_AT, SEEN_AT
from tests.base import PersonaTestCase


class SessionLifetimeTest(PersonaTestCase):
    def sign_in(self, *, login_ago: int = 0, seen_ago: int = 0) -> None:
        self.client.force_login(self.operator)
        session = self.client.session
        now = int(time.time())
        session[LOGIN_AT] = now - login_ago
        session[SEEN_AT] = now - seen_ago
        session.save()

    def test_it_keeps_an_active_session(self):
        self.sign_in(login_ago=11 * 3600, seen_ago=29 * 60)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        # The visit moved the idle clock on.
        self.assertGreater(self.client.session[SEEN_AT], int(time.time()) - 5)

    def test_it_signs_out_after_30_idle_minutes(self):
        self.sign_in(seen_ago=31 * 60)
        with self.assertLogs("pekppp.security", "INFO") as logs:
            response = self.client.get(reverse("home"), follow=True)
        self.assertEqual(response.redirect_chain[0][0], "/masuk/?next=/")
        self.assertContains(response, "Sesi Anda telah berakhir")
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertEqual(logs.records[0].getMessage(), "session_expired")
        self.assertEqual(logs.records[0].fields["reason"], "idle")
        self.assertEqual(logs.records[0].fields["username"], "operator")

    def test_it_signs_out_12_hours_after_log_in_however_active(self):
        self.sign_in(login_ago=12 * 3600 + 60, seen_ago=10)
        with self.assertLogs("pekppp.security", "INFO") as logs:
            self.assertEqual(self.client.get(reverse("home")).status_code, 302)
        self.assertEqual(logs.records[0].fields["reason"], "absolute")
        self.assertNotIn(SESSION_KEY, self.client.session)

    @override_settings(SESSION_IDLE_SECONDS=60, SESSION_MAX_SECONDS=120)
    def test_its_limits_come_from_the_settings(self):
        self.sign_in(seen_ago=61)
        self.assertEqual(self.client.get(reverse("home")).status_code, 302)
        self.sign_in(login_ago=121)
        self.assertEqual(self.client.get(reverse("home")).status_code, 302)

    def test_a_disabled_account_is_signed_out_at_its_next_request(self):
        self.sign_in()
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        self.operator.is_active = False
        self.operator.save(update_fields=["is_active"])
        response = self.client.get(reverse("evaluations:f01_form", args=[self.assessment.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.url.startswith(reverse("login")))

    def test_a_log_in_starts_both_clocks(self):
        self.client.post(reverse("login"), {"username": "operator", "password": "x"})
        self.client.force_login(self.operator)
        now = int(time.time())
        self.assertLessEqual(now - self.client.session[LOGIN_AT], 2)
        self.assertLessEqual(now - self.client.session[SEEN_AT], 2)


class CacheControlTest(PersonaTestCase):
    def test_signed_in_responses_are_private_and_not_stored(self):
        self.client.force_login(self.operator)
        for url in (reverse("home"), reverse("public:index"), reverse("healthz")):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url)["Cache-Control"], "private, no-store")
        response = self.client.get(reverse("evaluations:f01_form", args=[self.assessment.pk]))
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_anonymous_public_pages_keep_their_caching(self):
        # (The log-in page and /healthz/ are Django's never_cache, for everyone.)
        response = self.client.get(reverse("public:index"))
        self.assertNotIn("no-store", response.get("Cache-Control", ""))


class DeniedRequestLogTest(PersonaTestCase):
    def test_it_logs_a_403_and_a_404_to_a_signed_in_person(self):
        self.client.force_login(self.outsider)
        with self.assertLogs("pekppp.security", "INFO") as logs:
            self.assertEqual(self.client.get("/periode/").status_code, 403)
            url = reverse("evaluations:assessment_detail", args=[self.assessment.pk])
            self.assertEqual(self.client.get(url).status_code, 404)
        denied = [r.fields for r in logs.records if r.getMessage() == "request_denied"]
        self.assertEqual(
            [(d["status"], d["path"]) for d in denied], [(403, "/periode/"), (404, url)]
        )
        self.assertEqual({d["username"] for d in denied}, {"orang-luar"})
        self.assertEqual({d["ip"] for d in denied}, {"127.0.0.1"})

    def test_it_logs_a_csrf_failure_with_its_reason_once(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.operator)
        with self.assertLogs("pekppp.security", "INFO") as logs:
            response = client.post(reverse("logout"))
        self.assertEqual(response.status_code, 403)
        events = [r.getMessage() for r in logs.records]
        self.assertEqual(events, ["csrf_failure"])
        self.assertIn("CSRF", logs.records[0].fields["reason"])
        self.assertEqual(logs.records[0].fields["username"], "operator")
