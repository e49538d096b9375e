from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from scoring.selectors_publication import with_published_result
from units.models import Role
from units.permissions import roles_of

from .. import selectors

# Home lists are a work overview, not a full register: long lists are cut here.
HOME_LIST_LIMIT = 50


@login_required
def home(request):
    """Each role's real work: one section per role the person holds."""
    user = request.user
    roles = roles_of(user)
    sections = {}
    if roles.ministry_admin:
        sections[Role.MINISTRY_ADMIN] = {
            "cycles": list(
                selectors.cycle_overview(selectors.cycles_visible_to(user))[:HOME_LIST_LIMIT]
            )
        }
    if roles.coordinator_agencies:
        sections[Role.COORDINATOR] = {
            "cycles": list(
                selectors.cycle_overview(
                    selectors.cycles_visible_to(user).filter(
                        owner_agency__in=roles.coordinator_agencies
                    )
                )[:HOME_LIST_LIMIT]
            ),
            "assessments": list(
                selectors.agency_assessments(roles.coordinator_agencies)[:HOME_LIST_LIMIT]
            ),
        }
    if roles.evaluator:
        sections[Role.EVALUATOR] = {
            "assessments": list(selectors.evaluator_worklist(user)[:HOME_LIST_LIMIT])
        }
    if roles.operator_units:
        # Each locus carries its unit's figures once its cycle is published.
        sections[Role.UNIT_OPERATOR] = {
            "assessments": with_published_result(selectors.unit_worklist(user), HOME_LIST_LIMIT)
        }
    if roles.leadership_agencies:
        sections[Role.LEADERSHIP] = {
            "assessments": list(
                selectors.agency_assessments(roles.leadership_agencies)[:HOME_LIST_LIMIT]
            )
        }
    return render(
        request,
        "evaluations/home.html",
        {"roles": roles, "sections": sections, "Role": Role, "limit": HOME_LIST_LIMIT},
    )
