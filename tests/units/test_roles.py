from django.db import IntegrityError, transaction

from tests import factories as f
from tests.base import PersonaTestCase
from units.models import Role
from units.permissions import can_view_agency, can_view_unit, forget_roles, roles_of


class RolesTest(PersonaTestCase):
    def test_it_reads_a_persons_roles_with_one_query_and_caches_them(self):
        forget_roles(self.operator)
        with self.assertNumQueries(1):
            roles = roles_of(self.operator)
            roles_of(self.operator)
        self.assertEqual(roles.operator_units, frozenset({self.unit.pk}))
        self.assertEqual(roles.roles, [Role.UNIT_OPERATOR])

    def test_it_combines_several_roles_of_one_person(self):
        f.grant(self.evaluator, Role.LEADERSHIP, agency=self.kemenpan)
        forget_roles(self.evaluator)
        roles = roles_of(self.evaluator)
        self.assertEqual(roles.roles, [Role.EVALUATOR, Role.LEADERSHIP])
        self.assertEqual(roles.leadership_agencies, frozenset({self.kemenpan.pk}))

    def test_it_refuses_a_role_without_its_scope(self):
        cases = [
            (Role.COORDINATOR, {}),
            (Role.LEADERSHIP, {"unit": self.unit}),
            (Role.UNIT_OPERATOR, {"agency": self.lamsel}),
            (Role.MINISTRY_ADMIN, {"agency": self.kemenpan}),
        ]
        for role, scope in cases:
            with self.subTest(role=role), self.assertRaises(IntegrityError), transaction.atomic():
                f.grant(self.outsider, role, **scope)

    def test_it_refuses_the_same_role_twice(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            f.grant(self.operator, Role.UNIT_OPERATOR, unit=self.unit)
        with self.assertRaises(IntegrityError), transaction.atomic():
            f.grant(self.admin, Role.MINISTRY_ADMIN)

    def test_it_scopes_agency_and_unit_visibility(self):
        self.assertTrue(can_view_agency(self.leader, self.lamsel))
        self.assertFalse(can_view_agency(self.leader, self.tanggamus))
        self.assertTrue(can_view_unit(self.operator, self.unit))
        self.assertFalse(can_view_unit(self.operator, self.other_unit))
        self.assertTrue(can_view_unit(self.admin, self.other_unit))
        self.assertFalse(can_view_unit(self.outsider, self.unit))

    def test_it_derives_the_ranking_group_from_the_agency_kind(self):
        self.lamsel.refresh_from_db()
        self.kemenpan.refresh_from_db()
        self.pemprov.refresh_from_db()
        self.assertEqual(
            [self.lamsel.ranking_group, self.kemenpan.ranking_group, self.pemprov.ranking_group],
            ["kabkota", "kl", "provinsi"],
        )
