"""Log-in throttling (django-axes, per user name AND address) and the security log of log-ins."""

import datetime as dt
import json
import logging

from axes.models import AccessAttempt
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from pekppp.lib.jsonlog import UtcJsonFormatter
from tests import factories as f

OFFICE = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
class LoginThrottleTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = f.make_user("operator", full_name="Operator")

    def attempt(self, password: str, ip: str = OFFICE, username: str = "operator"):
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def fail_until_locked(self, ip: str = OFFICE):
        for _ in range(2):
            self.assertEqual(self.attempt("salah", ip).status_code, 200)
        return self.attempt("salah", ip)

    def test_it_locks_out_a_user_name_from_an_address_after_the_limit(self):
        response = self.fail_until_locked()
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Terlalu banyak percobaan masuk", status_code=429)
        self.assertContains(response, "15 menit", status_code=429)
        self.assertContains(response, 'name="username"', status_code=429)  # the form again
        # Even the right password is refused while locked out, and nobody is signed in.
        response = self.attempt(f.PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_still_lets_the_same_user_name_in_from_another_address(self):
        self.fail_until_locked(OFFICE)
        response = self.attempt(f.PASSWORD, ELSEWHERE)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_it_still_lets_another_user_name_in_from_the_locked_address(self):
        f.make_user("rekan")
        self.fail_until_locked(OFFICE)
        response = self.attempt(f.PASSWORD, OFFICE, username="rekan")
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_it_lets_the_person_in_again_after_the_cool_off(self):
        self.fail_until_locked()
        AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
        response = self.attempt(f.PASSWORD)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertFalse(AccessAttempt.objects.exists())

    def test_a_refused_attempt_never_checks_the_password(self):
        self.fail_until_locked()
        with self.assertNumQueries(2):  # the attempts counted twice (refuse, then log), no user
            self.assertEqual(self.attempt(f.PASSWORD).status_code, 429)

    def test_it_reads_the_address_from_x_forwarded_for_only_behind_a_trusted_proxy(self):
        forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.9, 198.51.100.7"}
        self.client.post(reverse("login"), {"username": "operator", "password": "x"}, **forged)
        with self.settings(TRUSTED_PROXY_COUNT=1):
            self.client.post(reverse("login"), {"username": "operator", "password": "x"}, **forged)
        self.assertEqual(
            sorted(AccessAttempt.objects.values_list("ip_address", flat=True)),
            ["127.0.0.1", "198.51.100.7"],
        )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=2)
class LoginLogTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = f.make_user("evaluator")

    def post(self, password: str):
        return self.client.post(
            reverse("login"), {"username": "evaluator", "password": password}, REMOTE_ADDR=OFFICE
        )

    def events(self, logs) -> list[dict]:
        return [{"event": r.getMessage(), **r.fields} for r in logs.records]

    def test_it_logs_success_failure_lock_out_and_log_out_without_the_password(self):
        with self.assertLogs("pekppp.security", "INFO") as logs:
            self.post(f.PASSWORD)
            self.client.post(reverse("logout"), REMOTE_ADDR=OFFICE)
            self.post("rahasia-salah")
            self.post("rahasia-salah")
        events = self.events(logs)
        # django-axes reacts to the failed log-in (and locks out) before the log line of it.
        self.assertEqual(
            [e["event"] for e in events],
            ["login_succeeded", "logged_out", "login_failed", "login_locked_out", "login_failed"],
        )
        for event in events:
            self.assertEqual((event["username"], event["ip"]), ("evaluator", OFFICE))
        self.assertEqual(events[0]["user_id"], self.user.pk)
        self.assertEqual(logs.records[2].levelname, "WARNING")
        self.assertNotIn("rahasia-salah", "\n".join(logs.output))
        self.assertNotIn(f.PASSWORD, "".join(json.dumps(e) for e in events))

    def test_its_lines_are_json_with_utc_times(self):
        with self.assertLogs("pekppp.security", "INFO") as logs:
            self.post("salah")
        line = json.loads(UtcJsonFormatter().format(logs.records[0]))
        self.assertEqual(line["event"], "login_failed")
        self.assertEqual(line["username"], "evaluator")
        self.assertTrue(line["time"].endswith("Z"))
        logged = dt.datetime.fromisoformat(line["time"])
        self.assertLess(abs(logged - dt.datetime.now(dt.UTC)), dt.timedelta(minutes=1))


class SecurityLogSetupTest(TestCase):
    def test_the_security_logger_writes_json_lines(self):
        handlers = logging.getLogger("pekppp.security").handlers
        self.assertTrue(any(isinstance(h.formatter, UtcJsonFormatter) for h in handlers))
