"""The portal's event notifications: who is told of what, with which link.

Each function is called by the service that made the change, inside its transaction, and
goes through `notifications.services.notify` (stored in the portal for each person, in their
language, and mailed by the worker after commit). The mail templates are
`templates/notifications/mail/<event>_subject.txt`, `.txt` and `.html`.

Final levels and publication are scoring's steps, but whom they concern is read from units
and evaluations only, so their notifications live here too (scoring imports evaluations).
"""

from collections.abc import Iterable, Sequence

from django.db.models import Q, QuerySet
from django.urls import reverse

from notifications.models import NotificationKind
from notifications.selectors import Audience, everyone
from notifications.services import notify, notify_later
from units.models import Role, User

from .models import Assessment, Clarification, Cycle, EvaluatorAssignment, Scheme


def _people(condition: Q) -> QuerySet[User]:
    return Audience("", condition).people()


def unit_operators(unit_ids: Iterable[int]) -> QuerySet[User]:
    return _people(Q(roles__role=Role.UNIT_OPERATOR, roles__unit_id__in=list(unit_ids)))


def managers_audience(cycle: Cycle) -> Audience:
    """Whoever runs the cycle day to day, and so moderates it: the owner agency's
    coordinators for a Mandiri cycle, the ministry admins for a Nasional one."""
    if cycle.scheme == Scheme.MANDIRI:
        return Audience(
            Role.COORDINATOR.label,
            Q(roles__role=Role.COORDINATOR, roles__agency_id=cycle.owner_agency_id),
        )
    return Audience(Role.MINISTRY_ADMIN.label, Q(roles__role=Role.MINISTRY_ADMIN))


def cycle_managers(cycle: Cycle) -> QuerySet[User]:
    return managers_audience(cycle).people()


# --- who each irreversible step tells (read by its notification and its confirmation page) --


def evaluators_audience(assessment: Assessment) -> Audience:
    return Audience(Role.EVALUATOR.label, Q(evaluator_assignments__assessment=assessment))


def _submission_managers(assessment: Assessment, evaluators: Sequence[User]) -> Audience | None:
    # A Mandiri cycle's coordinators hear of every F-01; the ministry admins of a Nasional
    # one only while the locus has no team (they must assign one; with a team, thousands of
    # loci would flood them).
    if assessment.cycle.scheme != Scheme.MANDIRI and evaluators:
        return None
    managers = managers_audience(assessment.cycle)
    return Audience(managers.label, managers.condition & ~Q(pk__in=[e.pk for e in evaluators]))


def submission_audience(assessment: Assessment) -> list[Audience]:
    """Who hears of a submitted F-01: the locus's evaluators and, see above, its managers."""
    evaluators = evaluators_audience(assessment)
    managers = _submission_managers(assessment, list(evaluators.people()))
    return [evaluators] + ([managers] if managers else [])


def final_audience(assessment: Assessment) -> list[Audience]:
    """A final locus: its unit's operators and its agency's leadership."""
    return [
        Audience(
            Role.UNIT_OPERATOR.label,
            Q(roles__role=Role.UNIT_OPERATOR, roles__unit_id=assessment.unit_id),
        ),
        Audience(
            Role.LEADERSHIP.label,
            Q(roles__role=Role.LEADERSHIP, roles__agency_id=assessment.unit.agency_id),
        ),
    ]


def publication_audience(unit_ids) -> list[Audience]:
    """A publication: the operators and leadership of every published unit and the
    coordinators of their agencies. `unit_ids` is a list or a subquery of unit ids."""
    return [
        Audience(
            Role.UNIT_OPERATOR.label,
            Q(roles__role=Role.UNIT_OPERATOR, roles__unit_id__in=unit_ids),
        ),
        Audience(
            Role.LEADERSHIP.label,
            Q(roles__role=Role.LEADERSHIP, roles__agency__units__in=unit_ids),
        ),
        Audience(
            Role.COORDINATOR.label,
            Q(roles__role=Role.COORDINATOR, roles__agency__units__in=unit_ids),
        ),
    ]


def _assessment_context(assessment: Assessment) -> dict:
    return {"unit": assessment.unit.name, "cycle": assessment.cycle.name}


def notify_assignment(assessment: Assessment, new: Sequence[EvaluatorAssignment]) -> None:
    """New members of a locus's evaluator team: what they evaluate and who leads."""
    if not new:
        return
    lead = next(
        (a.evaluator for a in assessment.assignments.select_related("evaluator") if a.is_lead),
        None,
    )
    notify(
        recipients=[a.evaluator for a in new],
        kind=NotificationKind.ASSIGNMENT,
        template="assignment",
        context=_assessment_context(assessment) | {"lead": lead},
        url=reverse("evaluations:assessment_detail", args=[assessment.pk]),
    )


def notify_submission(assessment: Assessment) -> None:
    """F-01 submitted: the locus's evaluators can start F-02. A Mandiri cycle's coordinators
    are told as well; a Nasional locus with no team yet tells the ministry admins, who must
    assign one (with a team, thousands of loci would flood them)."""
    context = _assessment_context(assessment)
    evaluators = list(evaluators_audience(assessment).people())
    notify(
        recipients=evaluators,
        kind=NotificationKind.F01_SUBMITTED,
        template="f01_submitted",
        context=context | {"evaluator": True},
        url=reverse("evaluations:f02_form", args=[assessment.pk]),
    )
    managers = _submission_managers(assessment, evaluators)
    if managers:
        notify(
            recipients=managers.people(),
            kind=NotificationKind.F01_SUBMITTED,
            template="f01_submitted",
            context=context | {"evaluator": False, "has_team": bool(evaluators)},
            url=reverse("evaluations:assessment_detail", args=[assessment.pk]),
        )


def notify_clarification(assessment: Assessment, questions: list[str]) -> None:
    """The evaluator returned indicators with questions: the unit's operators answer them."""
    notify(
        recipients=unit_operators([assessment.unit_id]),
        kind=NotificationKind.CLARIFICATION_ASKED,
        template="clarification_asked",
        context=_assessment_context(assessment) | {"questions": questions},
        url=reverse("evaluations:f01_form", args=[assessment.pk]),
    )


def notify_clarification_answer(clarification: Clarification, *, resumed: bool) -> None:
    """The unit answered: the evaluator who asked reads it (and whether evaluation resumed)."""
    assessment = clarification.assessment
    notify(
        recipients=[clarification.asked_by],
        kind=NotificationKind.CLARIFICATION_ANSWERED,
        template="clarification_answered",
        context=_assessment_context(assessment)
        | {
            "indicator": f"{clarification.indicator.number}. {clarification.indicator.title}",
            "question": clarification.question,
            "answer": clarification.answer,
            "resumed": resumed,
        },
        url=reverse("evaluations:f02_form", args=[assessment.pk]),
    )


def notify_team_submitted(assessment: Assessment) -> None:
    """Every evaluator of the locus handed in F-02: its moderators can hold the pleno."""
    notify(
        recipients=cycle_managers(assessment.cycle),
        kind=NotificationKind.F02_SUBMITTED,
        template="f02_submitted",
        context=_assessment_context(assessment) | {"team": assessment.assignments.count()},
        url=reverse("evaluations:moderation_form", args=[assessment.pk]),
    )


def notify_final(assessment: Assessment) -> None:
    """The locus is final: its unit's operators and its agency's leadership."""
    notify(
        recipients=everyone(final_audience(assessment)),
        kind=NotificationKind.FINAL,
        template="final",
        context=_assessment_context(assessment),
        url=reverse("evaluations:assessment_detail", args=[assessment.pk]),
    )


def notify_publication(*, cycle: Cycle, revision: int, reason: str, unit_ids: Iterable[int]):
    """A cycle's results are published (or corrected): the operators and leadership of every
    published unit and the coordinators of their agencies. One query for the people; the
    worker renders and stores their notifications, 500 people per job, once per revision."""
    unit_ids = list(unit_ids)
    people = everyone(publication_audience(unit_ids)).order_by()
    notify_later(
        recipient_ids=people.values_list("pk", flat=True),
        kind=NotificationKind.PUBLICATION,
        template="publication",
        context={"cycle": cycle.name, "revision": revision, "reason": reason},
        url=reverse("public:overview", args=[cycle.pk]),
        key=f"publication:{cycle.pk}:{revision}",
    )
