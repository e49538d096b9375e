"""Project-level pages: the home page every role lands on, the health check, and the 404.

The home page lives here, not in an app, because it gathers every app's work for a person
(evaluations' worklists, scoring's published figures); only the project package imports
every app.
"""

import logging
import os
import uuid

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from rest_framework.exceptions import NotFound

from evaluations.rules import today
from evaluations.selectors import (
    agency_assessments,
    cycle_overview,
    cycles_visible_to,
    evaluator_worklist,
    unit_worklist,
)
from evaluations.selectors.todo import operator_todo
from evaluations.selectors.work import open_work_of
from evaluations.storage import private_storage
from scoring.selectors.leadership import leadership_dashboard
from scoring.selectors.publication import with_published_result
from units.models import Role
from units.permissions import roles_of

from .celery import app as celery_app

logger = logging.getLogger(__name__)

# Home lists are a work overview, not a full register: long lists are cut here.
HOME_LIST_LIMIT = 50
# Loci whose F-01 waits for the operator, each with its indicators: a handful at most.
HOME_TODO_LIMIT = 10


@login_required
def home(request):
    """The person's open work with deadlines, most urgent first, then one section per role
    they hold."""
    user = request.user
    roles = roles_of(user)
    # Leadership only reads: open work comes with the other roles.
    has_work = roles.ministry_admin or roles.evaluator
    has_work = has_work or bool(roles.coordinator_agencies or roles.operator_units)
    work = open_work_of(user, on=today(), limit=HOME_LIST_LIMIT) if has_work else None
    # What waits for the unit's answer on F-01 comes first: it is what an operator acts on.
    todo = operator_todo(user, on=today(), limit=HOME_TODO_LIMIT) if roles.operator_units else []
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
            "assessments": with_published_result(unit_worklist(user), HOME_LIST_LIMIT),
        }
    if roles.leadership_agencies:
        # The agency's results of one cycle (`?periode=<cycle id>`, the newest by default).
        sections[Role.LEADERSHIP] = {
            "dashboard": leadership_dashboard(
                roles.leadership_agencies, cycle=request.GET.get("periode")
            ),
            "assessments": list(agency_assessments(roles.leadership_agencies)[:HOME_LIST_LIMIT]),
        }
    return render(
        request,
        "home.html",
        {
            "roles": roles,
            "work": work,
            "todo": todo,
            "sections": sections,
            "Role": Role,
            "limit": HOME_LIST_LIMIT,
        },
    )


# Seconds the broker check waits for a connection: a load balancer's probe is short.
HEALTHZ_BROKER_TIMEOUT = 2


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with celery_app.connection_for_write(connect_timeout=HEALTHZ_BROKER_TIMEOUT) as conn:
        if conn.transport.driver_type == "filesystem":
            # Without Redis the "broker" is a folder (pekppp.lib.file_broker): it must take files.
            folder = conn.transport_options["data_folder_out"]
            if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
                raise OSError(f"broker folder not writable: {folder}")
        else:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=HEALTHZ_BROKER_TIMEOUT)


def _storage() -> None:
    # The storage of evidence and visit photos, through the storage API only, so the check
    # follows it to whatever backend STORAGES configures.
    storage = private_storage()
    name = storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    storage.delete(name)


HEALTH_CHECKS = {"database": _database, "broker": _broker, "storage": _storage}


def healthz(request):
    """For the load balancer: database, broker and storage, each "ok" or "error"; 200 when all
    are ok, else 503. Only those words are answered; the cause goes to the log."""
    report, healthy = {}, True
    for part, check in HEALTH_CHECKS.items():
        try:
            check()
        except Exception:  # any failure of a part is that part's error, not a 500
            logger.warning("healthz: %s failed", part, exc_info=True)
            report[part], healthy = "error", False
        else:
            report[part] = "ok"
    response = JsonResponse(report, status=200 if healthy else 503)
    add_never_cache_headers(response)
    return response


def page_not_found(request, exception):
    """The 404 page in the portal's frame (templates/404.html); under /api/ the API's own JSON
    404, so a client reading JSON never gets a page of HTML."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
