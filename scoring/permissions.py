"""Who may use scoring pages. HTML views and the API call these same functions."""

from evaluations.models import Cycle
from evaluations.permissions import can_manage_cycle
from units.permissions import roles_of


def can_use_simulator(user) -> bool:
    """The score simulator is a working tool for the people who produce or check scores:
    unit operators, evaluators, coordinators and ministry admins (not leadership viewers)."""
    roles = roles_of(user)
    return bool(
        roles.ministry_admin
        or roles.evaluator
        or roles.coordinator_agencies
        or roles.operator_units
    )


def can_view_ranking(user, cycle: Cycle) -> bool:
    """Whether `user` may see the ranking of `cycle` before it is published.

    Ministry admins see every ranking; the coordinators and the leadership of the agency that
    owns the cycle see its ranking. Nobody else does, evaluators and unit operators included:
    this page reads the live results, which may differ from what was published and, before
    publication, would reveal other units' scores. Once a cycle is published, everyone sees
    its current publication on the public pages (`/hasil/`), never the live results here.
    Mirrored by `selectors.ranking_cycles_visible_to`.
    """
    roles = roles_of(user)
    if roles.ministry_admin:
        return True
    return cycle.owner_agency_id in roles.coordinator_agencies | roles.leadership_agencies


def can_publish(user, cycle: Cycle) -> bool:
    """Validating, excluding loci, publishing and correcting `cycle`, and reading every
    revision of it: whoever runs the cycle (admins; the owner's coordinators for Mandiri)."""
    return can_manage_cycle(user, cycle)
