"""Security headers: the Content Security Policy on every page, HSTS by default in production."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import TestCase, override_settings

from tests import factories as f


class ContentSecurityPolicyTest(TestCase):
    """A private file's own, narrower policy stays: tests/evaluations/test_evidence.py."""

    def test_it_sends_the_policy_on_public_and_signed_in_pages(self):
        signed_in = self.client_class()
        signed_in.force_login(f.make_user("pengguna"))
        for client, path in [(self.client, "/masuk/"), (self.client, "/hasil/"), (signed_in, "/")]:
            with self.subTest(path=path):
                policy = client.get(path)["Content-Security-Policy"]
                directives = dict(d.split(" ", 1) for d in policy.split("; "))
                self.assertEqual(directives["default-src"], "'self'")
                self.assertEqual(directives["object-src"], "'none'")
                self.assertEqual(directives["base-uri"], "'none'")
                self.assertEqual(directives["frame-ancestors"], "'none'")
                self.assertTrue(directives["script-src"].startswith("'self'"))
                self.assertNotIn("'unsafe-inline'", policy)
                self.assertNotIn("'unsafe-eval'", policy)


class HstsTest(TestCase):
    def production_setting(self, name: str, **env: str):
        """A setting as a production start (no PEKPPP_DEV, no DEBUG) reads it."""
        environ = {k: v for k, v in os.environ.items() if k not in {"PEKPPP_DEV", "DEBUG"}}
        environ.pop("SECURE_HSTS_SECONDS", None)
        environ.update(SECRET_KEY="x" * 50, **env)
        code = f"import pekppp.settings as s; print(repr(s.{name}))"
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=environ,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    def test_it_is_on_for_a_year_in_production_unless_configured(self):
        self.assertEqual(self.production_setting("SECURE_HSTS_SECONDS"), "31536000")
        self.assertEqual(self.production_setting("SECURE_HSTS_INCLUDE_SUBDOMAINS"), "True")
        self.assertEqual(
            self.production_setting("SECURE_HSTS_SECONDS", SECURE_HSTS_SECONDS="0"), "0"
        )

    def test_it_is_off_in_development(self):
        self.assertEqual(settings.SECURE_HSTS_SECONDS, 0)

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_it_lets_the_health_check_answer_over_plain_http(self):
        self.assertEqual(self.client.get("/masuk/").status_code, 301)
        self.assertEqual(self.client.get("/healthz/").status_code, 200)
