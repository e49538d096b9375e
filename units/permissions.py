"""Who holds which role, and where. The one place role predicates are decided.

A person's role assignments are read with one query and cached on the user object, which
Django's auth middleware builds afresh for each request, so predicates can be called freely
from views, selectors and the page frame.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Role, RoleAssignment

_CACHE_ATTR = "_pekppp_roles"


@dataclass(frozen=True, slots=True)
class RoleSet:
    ministry_admin: bool = False
    evaluator: bool = False
    coordinator_agencies: frozenset[int] = frozenset()
    leadership_agencies: frozenset[int] = frozenset()
    operator_units: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (
            self.ministry_admin
            or self.evaluator
            or self.coordinator_agencies
            or self.leadership_agencies
            or self.operator_units
        )

    @property
    def roles(self) -> list[Role]:
        """The roles held, in the order home pages show them."""
        held = [
            (self.ministry_admin, Role.MINISTRY_ADMIN),
            (bool(self.coordinator_agencies), Role.COORDINATOR),
            (self.evaluator, Role.EVALUATOR),
            (bool(self.operator_units), Role.UNIT_OPERATOR),
            (bool(self.leadership_agencies), Role.LEADERSHIP),
        ]
        return [role for present, role in held if present]


NO_ROLES = RoleSet()


def roles_of(user) -> RoleSet:
    """The roles `user` holds (empty for anonymous or inactive users), read with one query
    the first time and then kept on the user object, which lives as long as the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ROLES
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _role_set(
            RoleAssignment.objects.filter(user=user).values_list("role", "agency_id", "unit_id")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _role_set(assignments: Iterable[tuple[str, int | None, int | None]]) -> RoleSet:
    admin = evaluator = False
    coordinator, leadership, operator = set(), set(), set()
    for role, agency_id, unit_id in assignments:
        if role == Role.MINISTRY_ADMIN:
            admin = True
        elif role == Role.EVALUATOR:
            evaluator = True
        elif role == Role.COORDINATOR:
            coordinator.add(agency_id)
        elif role == Role.LEADERSHIP:
            leadership.add(agency_id)
        elif role == Role.UNIT_OPERATOR:
            operator.add(unit_id)
    return RoleSet(
        ministry_admin=admin,
        evaluator=evaluator,
        coordinator_agencies=frozenset(coordinator),
        leadership_agencies=frozenset(leadership),
        operator_units=frozenset(operator),
    )


def forget_roles(user) -> None:
    """Drop the cached role set (after a role assignment changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_ministry_admin(user) -> bool:
    return roles_of(user).ministry_admin


def is_evaluator(user) -> bool:
    return roles_of(user).evaluator


def can_view_agency(user, agency) -> bool:
    """National admins see every agency; coordinators and leadership their own."""
    roles = roles_of(user)
    return (
        roles.ministry_admin
        or agency.pk in roles.coordinator_agencies
        or agency.pk in roles.leadership_agencies
    )


def can_view_unit(user, unit) -> bool:
    roles = roles_of(user)
    return can_view_agency(user, unit.agency) or unit.pk in roles.operator_units


def is_unit_member(user, unit) -> bool:
    """The unit's own people: its operators and the leadership of its agency."""
    roles = roles_of(user)
    return unit.pk in roles.operator_units or unit.agency_id in roles.leadership_agencies


def second_factor_required(user) -> bool:
    """Whether the person must sign in with a second factor (when `OTP_REQUIRED` is on):
    ministry admins, coordinators and evaluators, whose accounts set up, score and publish
    evaluations, and anyone who may open the Django admin."""
    roles = roles_of(user)
    return (
        roles.ministry_admin
        or roles.evaluator
        or bool(roles.coordinator_agencies)
        or bool(getattr(user, "is_staff", False) and user.is_active)
    )
