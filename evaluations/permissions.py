"""Predicates on cycles and assessments. HTML views and the API call these same functions."""

from units.permissions import roles_of

from .models import Assessment, Cycle, FollowUpItem, Scheme


def can_list_cycles(user) -> bool:
    """The cycle pages (list, new cycle): ministry admins and coordinators. Everyone else
    has no cycle list; a single cycle is still scoped by `selectors.cycles_visible_to`."""
    roles = roles_of(user)
    return roles.ministry_admin or bool(roles.coordinator_agencies)


def can_read_instruments(user) -> bool:
    """Instrument versions (aspects, indicators, rubric): everyone with a role, who meets the
    rubric on F-01, F-02, moderation or the simulator; not an account without a role."""
    return not roles_of(user).is_empty


def can_manage_cycle(user, cycle: Cycle) -> bool:
    """Admins run every cycle; a coordinator runs their own agency's Mandiri cycles."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return True
    return cycle.scheme == Scheme.MANDIRI and cycle.owner_agency_id in roles.coordinator_agencies


def can_view_cycle(user, cycle: Cycle) -> bool:
    roles = roles_of(user)
    return roles.ministry_admin or cycle.owner_agency_id in roles.coordinator_agencies


def can_view_assessment(user, assessment: Assessment) -> bool:
    """Mirror of selectors.assessments_visible_to for a single object."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return True
    unit = assessment.unit
    if assessment.cycle.owner_agency_id in roles.coordinator_agencies:
        return True
    if unit.agency_id in roles.coordinator_agencies | roles.leadership_agencies:
        return True
    if unit.pk in roles.operator_units:
        return True
    return roles.evaluator and assessment.assignments.filter(evaluator=user).exists()


def evaluator_conflict(evaluator, assessment: Assessment) -> bool:
    """In a Nasional cycle an evaluator may not assess a unit of their own agency."""
    return (
        assessment.cycle.scheme == Scheme.NASIONAL
        and evaluator.agency_id is not None
        and evaluator.agency_id == assessment.unit.agency_id
    )


def is_operator_of(user, assessment: Assessment) -> bool:
    """The person works for the assessed unit (F-01, evidence, clarification answers)."""
    return assessment.unit_id in roles_of(user).operator_units


def can_run_survey(user, assessment: Assessment) -> bool:
    """F-03: the unit's operators collect the survey; the cycle's manager may also reissue its
    link and print its poster."""
    return is_operator_of(user, assessment) or can_manage_cycle(user, assessment.cycle)


def assignment_of(user, assessment: Assessment):
    """The person's evaluator assignment on this assessment, or None."""
    if not roles_of(user).evaluator:
        return None
    return assessment.assignments.filter(evaluator=user).first()


def can_moderate(user, assessment: Assessment) -> bool:
    """Pleno: ministry admins, or the coordinator running this Mandiri cycle."""
    return can_manage_cycle(user, assessment.cycle)


def can_view_visit_photos(user, assessment: Assessment) -> bool:
    """Field-visit photos: the assessment's evaluators, and the admins and coordinators who
    oversee it — not the unit or leadership, for whom the visit record is not written."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return True
    agencies = roles.coordinator_agencies
    if assessment.cycle.owner_agency_id in agencies or assessment.unit.agency_id in agencies:
        return True
    return roles.evaluator and assessment.assignments.filter(evaluator=user).exists()


def can_list_followup(user) -> bool:
    """The follow-up register (/tindak-lanjut/): ministry admins (every agency), coordinators
    and leadership (their agency's units), unit operators (their units)."""
    roles = roles_of(user)
    return bool(
        roles.ministry_admin
        or roles.coordinator_agencies
        or roles.leadership_agencies
        or roles.operator_units
    )


def can_view_followup(user, item: FollowUpItem) -> bool:
    """One follow-up item, its history and files: mirror of selectors.followup.
    followups_visible_to. `item.unit` is read (select it along)."""
    roles = roles_of(user)
    return (
        roles.ministry_admin
        or item.unit_id in roles.operator_units
        or item.unit.agency_id in roles.coordinator_agencies | roles.leadership_agencies
    )


def can_edit_followup(user, item: FollowUpItem) -> bool:
    """Only the unit's own operators record its follow-up; everyone else who sees it reads."""
    return item.unit_id in roles_of(user).operator_units
