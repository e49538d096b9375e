"""Two-factor log-in: enrolment with a real authenticator code, the code step after the
password, recovery codes, and who is forced (OTP_REQUIRED, roles, the Django admin)."""

import re
from base64 import b32decode

from django.test import override_settings
from django.urls import reverse
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from tests import factories as f
from tests.base import PersonaTestCase
from units.middleware import SESSION_KEY
from units.models import Role
from units.services import RECOVERY_CODE_COUNT, second_factor_enrol

ENROL = reverse("units:two_factor_enrol")
VERIFY = reverse("units:two_factor_verify")
SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
CODES = re.compile(r"<li><code>([a-z2-7]+)</code></li>")


def app_code(secret: str) -> str:
    """What an authenticator app shows now for the base32 `secret` of the enrolment page."""
    return f"{totp(b32decode(secret.replace(' ', ''))):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    key = default_key()
    return second_factor_enrol(user=user, key=key, code=f"{totp(bytes.fromhex(key)):06d}")


def next_code(device: TOTPDevice) -> str:
    """The app's code of the next time step: the one used to enrol cannot be used again."""
    device.refresh_from_db()
    return f"{hotp(device.bin_key, device.last_t + 1):06d}"


@override_settings(OTP_REQUIRED=True)
class TwoFactorTest(PersonaTestCase):
    def test_it_enrols_a_coordinator_with_a_real_code_and_shows_recovery_codes_once(self):
        self.client.force_login(self.coordinator)
        response = self.client.get(reverse("home"))
        self.assertRedirects(response, f"{ENROL}?next=/", fetch_redirect_response=False)
        page = self.client.get(f"{ENROL}?next=/")
        self.assertContains(page, '<svg class="qr"')
        self.assertContains(page, "Peran Anda mewajibkan verifikasi dua langkah")
        secret = SECRET.search(page.content.decode()).group(1)
        # Reloading keeps the secret being scanned.
        self.assertContains(self.client.get(ENROL), secret)

        wrong = f"{(int(app_code(secret)) + 1) % 1_000_000:06d}"
        refused = self.client.post(ENROL, {"code": wrong, "next": "/"})
        self.assertEqual(refused.status_code, 200)
        self.assertContains(refused, "Kode tidak cocok")
        self.assertFalse(TOTPDevice.objects.filter(user=self.coordinator).exists())
        self.assertContains(self.client.post(ENROL, {"code": "12ab"}), "Masukkan enam angka")

        done = self.client.post(ENROL, {"code": app_code(secret), "next": "/"})
        self.assertEqual(done.status_code, 200)
        codes = CODES.findall(done.content.decode())
        self.assertEqual(len(codes), RECOVERY_CODE_COUNT)
        self.assertEqual(
            sorted(
                StaticToken.objects.filter(device__user=self.coordinator).values_list(
                    "token", flat=True
                )
            ),
            sorted(codes),
        )
        self.assertTrue(TOTPDevice.objects.get(user=self.coordinator).confirmed)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        # The codes are not shown again: the overview only counts them.
        overview = self.client.get(reverse("units:two_factor"))
        self.assertContains(overview, f"Tersisa {RECOVERY_CODE_COUNT} kode pemulihan")
        self.assertNotContains(overview, codes[0])

    def test_a_person_with_a_device_is_asked_for_a_code_before_anything_else(self):
        device, _ = enrolled(self.operator)
        self.client.force_login(self.operator)
        for url in ("/", "/simulasi/", reverse("units:two_factor"), ENROL):
            with self.subTest(url=url):
                self.assertRedirects(
                    self.client.get(url), f"{VERIFY}?next={url}", fetch_redirect_response=False
                )
        refused = self.client.post(VERIFY, {"code": "000000", "next": "/simulasi/"})
        self.assertContains(refused, "Kode salah, sudah terpakai, atau sudah kedaluwarsa.")
        # Repeated wrong codes are held back (django-otp's throttling), the right one too.
        throttled = self.client.post(VERIFY, {"code": next_code(device)})
        self.assertContains(throttled, "Terlalu banyak kode yang salah")
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        response = self.client.post(VERIFY, {"code": next_code(device), "next": "/simulasi/"})
        self.assertRedirects(response, "/simulasi/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_a_recovery_code_signs_in_once(self):
        _, codes = enrolled(self.evaluator)
        self.client.force_login(self.evaluator)
        response = self.client.post(VERIFY, {"code": codes[3].upper(), "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/"), "Sisa kode pemulihan: 9.")
        self.client.logout()
        self.client.force_login(self.evaluator)
        again = self.client.post(VERIFY, {"code": codes[3], "next": "/"})
        self.assertContains(again, "Kode salah, sudah terpakai, atau sudah kedaluwarsa.")
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_new_recovery_codes_replace_the_old_ones(self):
        device, old = enrolled(self.operator)
        self.client.force_login(self.operator)
        self.client.post(VERIFY, {"code": next_code(device)})
        response = self.client.post(reverse("units:recovery_codes_create"))
        new = CODES.findall(response.content.decode())
        self.assertEqual(len(new), RECOVERY_CODE_COUNT)
        self.assertFalse(StaticToken.objects.filter(token__in=old).exists())
        self.assertEqual(self.client.get("/").status_code, 200)  # still verified

    def test_required_roles_and_staff_are_sent_to_enrolment_until_verified(self):
        admin_index = reverse("admin:index")
        for name in ("admin", "coordinator", "evaluator"):
            person = getattr(self, name)
            self.client.force_login(person)
            for url in ("/", "/periode/", admin_index):
                with self.subTest(person=name, url=url):
                    self.assertRedirects(
                        self.client.get(url), f"{ENROL}?next={url}", fetch_redirect_response=False
                    )
            # Public pages, the language switch and signing out stay open.
            self.assertEqual(self.client.get(reverse("public:index")).status_code, 200)
            self.assertEqual(self.client.post(reverse("logout")).status_code, 302)
        # A staff account without a role may not open the admin without a second factor.
        self.outsider.is_staff = True
        self.outsider.save(update_fields=["is_staff"])
        self.client.force_login(self.outsider)
        self.assertRedirects(
            self.client.get(admin_index),
            f"{ENROL}?next={admin_index}",
            fetch_redirect_response=False,
        )

    def test_the_admin_opens_after_the_code(self):
        device, _ = enrolled(self.admin)
        self.client.force_login(self.admin)
        url = reverse("admin:index")
        self.assertRedirects(
            self.client.get(url), f"{VERIFY}?next={url}", fetch_redirect_response=False
        )
        response = self.client.post(VERIFY, {"code": next_code(device), "next": url})
        self.assertRedirects(response, url, fetch_redirect_response=False)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_role_granted_during_the_session_is_enforced_at_once(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get("/").status_code, 200)
        f.grant(self.outsider, Role.EVALUATOR)
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_other_roles_are_offered_enrolment_but_not_forced(self):
        for name in ("operator", "leader", "outsider"):
            with self.subTest(person=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get("/").status_code, 200)
                overview = self.client.get(reverse("units:two_factor"))
                self.assertContains(overview, "Belum aktif")
                self.assertContains(overview, f'href="{ENROL}"')

    def test_a_device_cannot_be_replaced_with_the_password_alone(self):
        enrolled(self.coordinator)
        self.client.force_login(self.coordinator)
        response = self.client.post(ENROL, {"code": "123456"})
        self.assertRedirects(response, f"{VERIFY}?next={ENROL}", fetch_redirect_response=False)
        self.assertEqual(TOTPDevice.objects.filter(user=self.coordinator).count(), 1)

    def test_it_returns_only_to_addresses_of_the_portal(self):
        device, _ = enrolled(self.operator)
        self.client.force_login(self.operator)
        response = self.client.post(
            VERIFY, {"code": next_code(device), "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_a_session_from_before_two_factor_log_in_is_asked_too(self):
        enrolled(self.operator)
        self.client.force_login(self.operator)
        session = self.client.session
        del session[SESSION_KEY]
        session.save()
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_a_removed_device_no_longer_asks_for_a_code(self):
        enrolled(self.operator)
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get("/").status_code, 302)
        TOTPDevice.objects.filter(user=self.operator).delete()
        self.operator.staticdevice_set.all().delete()
        self.assertEqual(self.client.get(VERIFY).status_code, 302)
        self.assertEqual(self.client.get("/").status_code, 200)

    @override_settings(OTP_REQUIRED=False)
    def test_without_otp_required_nobody_is_forced_to_enrol(self):
        for name in ("admin", "coordinator", "evaluator"):
            with self.subTest(person=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get("/").status_code, 200)
                self.assertContains(
                    self.client.get(reverse("units:two_factor")), "di portal produksi"
                )
        self.client.force_login(self.admin)
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)
        # ... but whoever enrolled is still asked for their code.
        enrolled(self.coordinator)
        self.client.force_login(self.coordinator)
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_the_pages_speak_english_too(self):
        self.client.force_login(self.coordinator)
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        page = self.client.get(ENROL)
        self.assertContains(page, "Turn on two-step verification")
        self.assertContains(page, "Six-digit code from the app")
