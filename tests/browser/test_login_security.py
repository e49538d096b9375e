"""Log-in lock-out and password reset in real Chromium."""

import re

from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from tests import factories as f

from .support import BrowserTestCase


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
class LoginSecurityBrowserTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()  # the password reset throttle's counters
        f.make_user("operator", email="operator@lampungselatan.go.id", full_name="Operator")

    def test_it_locks_out_after_wrong_passwords_with_a_clear_message(self):
        for _ in range(2):
            self.log_in("operator", "sandi-keliru")
            self.assertIn("kata sandi salah", self.page.locator("[role=alert]").inner_text())
        page = self.page
        page.get_by_label("Kata sandi").fill("sandi-keliru")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Masuk").click()
        self.assertEqual(answer.value.status, 429)
        alert = self.page.locator("#locked-out")
        self.assertTrue(alert.is_visible())
        self.assertIn("Terlalu banyak percobaan masuk", alert.inner_text())
        self.assertIn("15 menit", alert.inner_text())
        # The right password is refused too until the cool-off ends.
        self.log_in("operator", f.PASSWORD)
        self.assertTrue(self.page.locator("#locked-out").is_visible())
        self.assertIn("/masuk/", self.page.url)

    def test_it_resets_a_forgotten_password_by_email(self):
        page = self.page
        page.goto(self.url("/masuk/"))
        page.get_by_role("link", name="Lupa kata sandi?").click()
        page.get_by_label("Alamat email").fill("operator@lampungselatan.go.id")
        page.get_by_role("button", name="Kirim tautan").click()
        page.wait_for_url(self.url("/lupa-sandi/terkirim/"))
        self.assertIn("Periksa email Anda", page.locator("h1").inner_text())

        self.assertEqual(len(mail.outbox), 1)
        path = re.search(r"https?://[^/\s]+(/lupa-sandi/\S+/)", mail.outbox[0].body).group(1)
        page.goto(self.url(path))
        page.get_by_label(re.compile(r"^Kata sandi baru")).fill("Kopi-Tubruk-Pagi-77")
        page.get_by_label("Ulangi kata sandi baru").fill("Kopi-Tubruk-Pagi-77")
        page.get_by_role("button", name="Simpan kata sandi").click()
        page.wait_for_url(self.url("/lupa-sandi/selesai/"))
        self.assertIn("Kata sandi telah diganti", page.locator("h1").inner_text())

        page.get_by_role("link", name="Masuk", exact=True).last.click()
        page.get_by_label("Nama pengguna").fill("operator")
        page.get_by_label("Kata sandi").fill("Kopi-Tubruk-Pagi-77")
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(self.url("/"))


class SessionLifetimeBrowserTest(BrowserTestCase):
    """A session ends in the browser as the settings say: idle, and when the account is
    disabled."""

    def setUp(self):
        super().setUp()
        self.person = f.make_user("operator", full_name="Operator Disdukcapil")

    def signed_in_home(self) -> None:
        self.log_in("operator", f.PASSWORD)
        self.page.wait_for_url(self.url("/"))
        self.assertIn("Operator Disdukcapil", self.page.locator(".who").inner_text())

    def test_it_signs_out_an_idle_session_with_a_message(self):
        with override_settings(SESSION_IDLE_SECONDS=2):
            self.signed_in_home()
            self.page.wait_for_timeout(3500)
            self.page.reload()
            self.assertIn("/masuk/", self.page.url)
            self.assertIn("Sesi Anda telah berakhir", self.page.locator(".msg").first.inner_text())
            self.assertEqual(self.page.locator(".who").count(), 0)

    def test_it_ends_the_session_of_a_disabled_account(self):
        self.signed_in_home()
        type(self.person).objects.filter(pk=self.person.pk).update(is_active=False)
        self.page.reload()
        self.assertIn("/masuk/", self.page.url)
        self.assertEqual(self.page.locator(".who").count(), 0)
