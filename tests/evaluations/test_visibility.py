"""Who sees which assessment: the selector and the predicate, persona by persona."""

from evaluations.models import Scheme
from evaluations.permissions import (
    can_manage_cycle,
    can_view_assessment,
    can_view_cycle,
    evaluator_conflict,
)
from evaluations.selectors import assessments_visible_to, cycles_visible_to
from tests import factories as f
from tests.base import PersonaTestCase


class AssessmentVisibilityTest(PersonaTestCase):
    def expected(self):
        return {
            "admin": {self.assessment, self.other_assessment, self.mandiri_assessment},
            # Pemprov Lampung's coordinator: their Mandiri cycle (and their own units).
            "coordinator": {self.mandiri_assessment},
            "evaluator": {self.assessment},
            "operator": {self.assessment},
            "leader": {self.assessment},
            "outsider": set(),
        }

    def test_it_scopes_assessments_to_each_role(self):
        for name, user in self.personas().items():
            with self.subTest(persona=name):
                self.assertEqual(set(assessments_visible_to(user)), self.expected()[name])

    def test_it_agrees_between_selector_and_predicate(self):
        everything = [self.assessment, self.other_assessment, self.mandiri_assessment]
        for name, user in self.personas().items():
            for assessment in everything:
                with self.subTest(persona=name, assessment=str(assessment)):
                    self.assertEqual(
                        can_view_assessment(user, assessment), assessment in self.expected()[name]
                    )

    def test_it_shows_nothing_to_anonymous_or_inactive_people(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(list(assessments_visible_to(AnonymousUser())), [])
        self.operator.is_active = False
        self.assertEqual(list(assessments_visible_to(self.operator)), [])

    def test_it_lets_only_admins_and_own_coordinators_manage_cycles(self):
        self.assertTrue(can_manage_cycle(self.admin, self.cycle))
        self.assertTrue(can_manage_cycle(self.admin, self.mandiri))
        self.assertTrue(can_manage_cycle(self.coordinator, self.mandiri))
        self.assertFalse(can_manage_cycle(self.coordinator, self.cycle))  # Nasional: ministry only
        for user in (self.evaluator, self.operator, self.leader, self.outsider):
            self.assertFalse(can_manage_cycle(user, self.mandiri))
            self.assertFalse(can_view_cycle(user, self.cycle))
        self.assertEqual(set(cycles_visible_to(self.coordinator)), {self.mandiri})
        self.assertEqual(set(cycles_visible_to(self.admin)), {self.cycle, self.mandiri})

    def test_it_flags_an_evaluator_of_the_units_own_agency_in_nasional_cycles(self):
        local = f.make_user(agency=self.lamsel)
        self.assertTrue(evaluator_conflict(local, self.assessment))
        self.assertFalse(evaluator_conflict(self.evaluator, self.assessment))
        mandiri_local = f.make_assessment(
            f.make_cycle(self.instrument, scheme=Scheme.MANDIRI, owner=self.lamsel), self.unit
        )
        self.assertFalse(evaluator_conflict(local, mandiri_local))
