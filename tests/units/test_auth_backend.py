"""units/auth.PortalBackend: the session's user read with their roles in one query."""

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend

from tests import factories as f
from tests.base import PersonaTestCase
from units.auth import PortalBackend
from units.models import Role, User
from units.permissions import NO_ROLES, roles_of


class PortalBackendTest(PersonaTestCase):
    def assert_same_user(self, got, expected):
        values = {field.attname: getattr(expected, field.attname) for field in User._meta.fields}
        self.assertEqual({name: getattr(got, name) for name in values}, values)
        for name, value in values.items():  # bool and aware datetimes on SQLite too
            self.assertIs(type(getattr(got, name)), type(value), name)
        self.assertFalse(got._state.adding)

    def test_it_reads_the_user_and_their_roles_in_one_query(self):
        f.grant(self.evaluator, Role.LEADERSHIP, agency=self.kemenpan)
        f.grant(self.evaluator, Role.COORDINATOR, agency=self.lamsel)
        for person in (self.evaluator, self.operator, self.admin, self.outsider):
            with self.subTest(person=person.username):
                with self.assertNumQueries(1):
                    user = PortalBackend().get_user(str(person.pk))  # as the session holds it
                    roles = roles_of(user)
                expected = User.objects.get(pk=person.pk)
                self.assert_same_user(user, expected)
                self.assertEqual(roles, roles_of(expected))
        self.assertEqual(
            roles_of(PortalBackend().get_user(self.evaluator.pk)).roles,
            [Role.COORDINATOR, Role.EVALUATOR, Role.LEADERSHIP],
        )
        self.assertEqual(roles_of(PortalBackend().get_user(self.outsider.pk)), NO_ROLES)

    def test_it_reads_the_same_user_as_djangos_model_backend(self):
        self.evaluator.last_login = self.evaluator.date_joined
        self.evaluator.save()
        self.assert_same_user(
            PortalBackend().get_user(self.evaluator.pk), ModelBackend().get_user(self.evaluator.pk)
        )

    def test_it_refuses_unknown_malformed_and_inactive_users(self):
        self.operator.is_active = False
        self.operator.save()
        for user_id in (self.operator.pk, 987654, "abc", None):
            with self.subTest(user_id=user_id):
                self.assertIsNone(PortalBackend().get_user(user_id))

    def test_a_request_sees_a_role_granted_or_revoked_since_the_last_one(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get("/periode/").status_code, 403)
        f.grant(self.outsider, Role.MINISTRY_ADMIN)
        self.assertEqual(self.client.get("/periode/").status_code, 200)
        self.outsider.roles.all().delete()
        self.assertEqual(self.client.get("/periode/").status_code, 403)
        self.assertEqual(self.client.session[SESSION_KEY], str(self.outsider.pk))  # signed in
