"""Signing in and the session's user: Django's ModelBackend, roles read afresh per request."""

from django.contrib.auth import SESSION_KEY, get_user
from django.urls import reverse

from tests import factories as f
from tests.base import PersonaTestCase
from units.models import Role


class AuthenticationTest(PersonaTestCase):
    def test_it_refuses_an_inactive_person(self):
        self.operator.set_password("rahasia-123")
        self.operator.is_active = False
        self.operator.save()
        self.assertFalse(self.client.login(username=self.operator.username, password="rahasia-123"))

    def test_it_signs_out_a_person_deactivated_or_deleted_since_the_last_request(self):
        self.client.force_login(self.operator)
        self.operator.is_active = False
        self.operator.save(update_fields=["is_active"])
        self.assertFalse(get_user(self.client).is_authenticated)
        self.client.force_login(self.outsider)
        self.outsider.delete()
        self.assertFalse(get_user(self.client).is_authenticated)
        self.assertEqual(self.client.get(reverse("evaluations:cycle_list")).status_code, 302)

    def test_a_request_sees_a_role_granted_or_revoked_since_the_last_one(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get("/periode/").status_code, 403)
        f.grant(self.outsider, Role.MINISTRY_ADMIN)
        self.assertEqual(self.client.get("/periode/").status_code, 200)
        self.outsider.roles.all().delete()
        self.assertEqual(self.client.get("/periode/").status_code, 403)
        self.assertEqual(self.client.session[SESSION_KEY], str(self.outsider.pk))  # signed in
