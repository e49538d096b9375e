"""Who may use scoring pages. HTML views and the API call these same functions."""

from dataclasses import dataclass

from evaluations.models import Cycle
from evaluations.permissions import can_manage_cycle, can_view_cycle
from units.permissions import roles_of


def can_use_simulator(user) -> bool:
    """The score simulator: for the people who produce or check scores (unit operators,
    evaluators, coordinators, ministry admins) and for the leadership, who try what raising
    an indicator would do to their units' IPP. It stores nothing, so reading is all it
    does for anyone."""
    return not roles_of(user).is_empty


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


# --- Priority coaching -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriorityAccess:
    """What one person may do with the priority list of one cycle.

    `manage`: propose, confirm, remove and add units (the cycle's manager). `whole`: read every
    row, proposals and removed ones included. Everyone else reads only the confirmed units of
    `agencies` (as coordinator or leadership) and of `units` (as operator).
    """

    manage: bool
    whole: bool
    agencies: frozenset[int] = frozenset()
    units: frozenset[int] = frozenset()
    coach_agencies: frozenset[int] = frozenset()

    def sees(self, priority) -> bool:
        """Whether the priority unit `priority` (of this cycle) is on this person's list."""
        if self.whole:
            return True
        if priority.confirmed_at is None:
            return False
        return priority.unit_id in self.units or priority.unit.agency_id in self.agencies

    def coaches(self, priority) -> bool:
        """Whether this person records coaching sessions of `priority`'s unit."""
        return self.manage or priority.unit.agency_id in self.coach_agencies


def priority_access(user, cycle: Cycle) -> PriorityAccess | None:
    """The person's access to the priority list of `cycle`, or None (a 404 for them).

    The list is the decision of whoever runs the cycle (`can_manage_cycle`: admins; the
    owner's coordinators for Mandiri): they propose, confirm, remove and add units. In a
    Nasional cycle a coordinator does not confirm or remove their own agency's units: the list
    is the ministry's choice of whom it coaches, and an agency deciding its own place on it
    would be the conflict of interest that keeps evaluators off their own agency. Coordinators
    do coach their agency's confirmed units (record sessions), and with leadership and unit
    operators read them (the people of a unit: only their unit) once the cycle is published.
    Those who oversee the cycle (`can_view_cycle`) read the whole list. Evaluators and people
    without a role have no list.
    """
    manage = can_manage_cycle(user, cycle)
    roles = roles_of(user)
    if manage or can_view_cycle(user, cycle):
        return PriorityAccess(manage=manage, whole=True, coach_agencies=roles.coordinator_agencies)
    agencies = roles.coordinator_agencies | roles.leadership_agencies
    if not (agencies or roles.operator_units):
        return None
    return PriorityAccess(
        manage=False,
        whole=False,
        agencies=agencies,
        units=roles.operator_units,
        coach_agencies=roles.coordinator_agencies,
    )
