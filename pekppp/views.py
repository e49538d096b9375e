"""Project-level pages: the home page every role lands on, and the health check.

The home page lives here, not in an app, because it gathers every app's work for a person
(evaluations' worklists, scoring's published figures); only the project package imports
every app.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from evaluations.selectors import (
    agency_assessments,
    cycle_overview,
    cycles_visible_to,
    evaluator_worklist,
    unit_worklist,
)
from scoring.selectors.publication import with_published_result
from units.models import Role
from units.permissions import roles_of

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
            "cycles": list(cycle_overview(cycles_visible_to(user))[:HOME_LIST_LIMIT])
        }
    if roles.coordinator_agencies:
        sections[Role.COORDINATOR] = {
            "cycles": list(
                cycle_overview(
                    cycles_visible_to(user).filter(owner_agency__in=roles.coordinator_agencies)
                )[:HOME_LIST_LIMIT]
            ),
            "assessments": list(agency_assessments(roles.coordinator_agencies)[:HOME_LIST_LIMIT]),
        }
    if roles.evaluator:
        sections[Role.EVALUATOR] = {"assessments": list(evaluator_worklist(user)[:HOME_LIST_LIMIT])}
    if roles.operator_units:
        # Each locus carries its unit's figures once its cycle is published.
        sections[Role.UNIT_OPERATOR] = {
            "assessments": with_published_result(unit_worklist(user), HOME_LIST_LIMIT)
        }
    if roles.leadership_agencies:
        sections[Role.LEADERSHIP] = {
            "assessments": list(agency_assessments(roles.leadership_agencies)[:HOME_LIST_LIMIT])
        }
    return render(
        request,
        "home.html",
        {"roles": roles, "sections": sections, "Role": Role, "limit": HOME_LIST_LIMIT},
    )


def healthz(request):
    """Liveness for the load balancer: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
