"""Who sees what: querysets scoped to a person, and the lists of each role's home page."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from units.permissions import roles_of

from ..models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    EvaluatorAssignment,
)


def assessments_visible_to(user) -> QuerySet[Assessment]:
    """Every assessment (locus) `user` may open; empty for outsiders."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return Assessment.objects.all()
    visible = Q(pk__in=[])
    if roles.coordinator_agencies:
        visible |= Q(cycle__owner_agency__in=roles.coordinator_agencies)
        visible |= Q(unit__agency__in=roles.coordinator_agencies)
    if roles.leadership_agencies:
        visible |= Q(unit__agency__in=roles.leadership_agencies)
    if roles.operator_units:
        visible |= Q(unit__in=roles.operator_units)
    if roles.evaluator:
        visible |= Exists(
            EvaluatorAssignment.objects.filter(assessment=OuterRef("pk"), evaluator=user)
        )
    return Assessment.objects.filter(visible)


def cycles_visible_to(user) -> QuerySet[Cycle]:
    """Cycles a person manages or oversees: all for admins, their agency's for coordinators."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return Cycle.objects.all()
    return Cycle.objects.filter(owner_agency__in=roles.coordinator_agencies)


def _with_listing_relations(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return qs.select_related(
        "unit", "unit__agency", "unit__service_type", "cycle", "cycle__instrument"
    ).order_by("-cycle__year", "unit__name")


def evaluator_worklist(user) -> QuerySet[Assessment]:
    """The assessments assigned to an evaluator, with their team."""
    qs = Assessment.objects.filter(assignments__evaluator=user)
    return _with_listing_relations(qs).prefetch_related("assignments__evaluator")


def unit_worklist(user) -> QuerySet[Assessment]:
    """The assessments of the units a unit operator works for."""
    return _with_listing_relations(
        Assessment.objects.filter(unit__in=roles_of(user).operator_units)
    )


def agency_assessments(agency_ids) -> QuerySet[Assessment]:
    """The assessments of an agency's units, for coordinators and leadership."""
    return _with_listing_relations(Assessment.objects.filter(unit__agency__in=agency_ids))


def cycle_overview(cycles: QuerySet[Cycle]) -> QuerySet[Cycle]:
    """Cycles annotated with their number of loci, of finished loci and of assignments."""
    return (
        cycles.select_related("instrument", "owner_agency")
        .annotate(
            loci=Count("assessments", distinct=True),
            final_loci=Count(
                "assessments",
                filter=Q(assessments__status=AssessmentStatus.FINAL),
                distinct=True,
            ),
            assigned_loci=Count(
                "assessments",
                filter=Q(assessments__assignments__isnull=False),
                distinct=True,
            ),
        )
        .order_by("-year", "name")
    )
