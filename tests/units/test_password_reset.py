"""Password reset by email: Django's views in Bahasa Indonesia, throttled, logged."""

import re

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from tests import factories as f

LINK = re.compile(r"https?://\S+/lupa-sandi/\S+/\S+/")


@override_settings(PASSWORD_RESET_LIMIT=2, PASSWORD_RESET_LIMIT_PER_IP=4)
class PasswordResetTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = f.make_user("operator", email="operator@lampungselatan.go.id")

    def setUp(self):
        cache.clear()  # the throttle's counters

    def request_reset(self, email: str, ip: str = "10.1.1.1"):
        return self.client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)

    def test_it_mails_a_link_that_sets_a_new_password(self):
        with self.assertLogs("pekppp.security", "INFO") as logs:
            response = self.request_reset("Operator@LampungSelatan.go.id")
            self.assertRedirects(response, reverse("password_reset_done"))
            self.assertEqual(len(mail.outbox), 1)
            message = mail.outbox[0]
            self.assertEqual(message.to, ["operator@lampungselatan.go.id"])
            self.assertEqual(message.subject, "Atur ulang kata sandi Portal PEKPPP")
            self.assertIn("Nama pengguna Anda: operator", message.body)
            link = LINK.search(message.body).group(0)
            self.assertTrue(link.startswith("http://127.0.0.1:8000/lupa-sandi/"))  # SITE_URL

            form = self.client.get(link, follow=True)
            self.assertContains(form, "Tetapkan kata sandi baru")
            self.assertContains(form, "Kata sandi baru")
            done = self.client.post(
                form.redirect_chain[-1][0],
                {"new_password1": "Kopi-Tubruk-Pagi-77", "new_password2": "Kopi-Tubruk-Pagi-77"},
            )
        self.assertRedirects(done, reverse("password_reset_complete"))
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password("Kopi-Tubruk-Pagi-77"))
        self.assertNotIn(SESSION_KEY, self.client.session)  # not signed in by the reset
        # The link works once.
        self.assertContains(self.client.get(link, follow=True), "Tautan ini tidak berlaku")
        events = [(r.getMessage(), r.fields) for r in logs.records]
        self.assertEqual(events[0][0], "password_reset_requested")
        self.assertEqual(events[0][1]["email"], "Operator@LampungSelatan.go.id")
        self.assertFalse(events[0][1]["throttled"])
        self.assertEqual(events[-1][0], "password_reset_completed")
        self.assertEqual(events[-1][1]["user_id"], self.user.pk)

    def test_it_answers_an_unknown_address_like_a_known_one(self):
        known = self.request_reset("operator@lampungselatan.go.id")
        unknown = self.request_reset("siapa@contoh.go.id")
        self.assertEqual(known.url, unknown.url)
        self.assertEqual(len(mail.outbox), 1)
        page = self.client.get(unknown.url)
        self.assertContains(page, "Jika alamat tersebut terdaftar")

    def test_it_sends_nothing_more_after_the_limit_per_address_but_answers_alike(self):
        for _ in range(2):
            self.request_reset("operator@lampungselatan.go.id")
        with self.assertLogs("pekppp.security", "INFO") as logs:
            response = self.request_reset("operator@lampungselatan.go.id", ip="10.9.9.9")
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(len(mail.outbox), 2)
        self.assertTrue(logs.records[0].fields["throttled"])
        self.assertEqual(logs.records[0].levelname, "WARNING")

    def test_it_sends_nothing_more_after_the_limit_per_client_address(self):
        for n in range(4):
            self.request_reset(f"orang{n}@contoh.go.id")
        response = self.request_reset("operator@lampungselatan.go.id")
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(len(mail.outbox), 0)
        # From another address the person still gets their link.
        self.request_reset("operator@lampungselatan.go.id", ip="10.9.9.9")
        self.assertEqual(len(mail.outbox), 1)

    def test_the_log_in_page_links_to_it(self):
        self.assertContains(self.client.get(reverse("login")), reverse("password_reset"))

    def test_a_bad_address_is_a_form_error(self):
        response = self.client.post(reverse("password_reset"), {"email": "bukan-email"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="error"')
        self.assertEqual(len(mail.outbox), 0)
