"""E-mail notifications, sent after the transaction that caused them commits."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from units.models import Role, User

from .models import Assessment, EvaluatorAssignment

logger = logging.getLogger(__name__)


def _send(subject: str, body: str, recipients: list[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        transaction.on_commit(lambda: _deliver(subject, body, recipients))


def _deliver(subject: str, body: str, recipients: list[str]) -> None:
    # The change is already committed: a mail server that is down must not turn it into an error.
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        logger.exception("Notification not sent: %s", subject)


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unit_operator_emails(assessment: Assessment) -> list[str]:
    return list(
        User.objects.filter(
            roles__role=Role.UNIT_OPERATOR, roles__unit_id=assessment.unit_id, is_active=True
        ).values_list("email", flat=True)
    )


def evaluator_emails(assessment: Assessment) -> list[str]:
    return list(
        EvaluatorAssignment.objects.filter(assessment=assessment).values_list(
            "evaluator__email", flat=True
        )
    )


def notify_assignment(assignment: EvaluatorAssignment) -> None:
    a = assignment.assessment
    _send(
        _("[PEKPPP] Penugasan evaluasi: %(unit)s") % {"unit": a.unit.name},
        _("Anda ditugaskan sebagai evaluator %(unit)s pada %(cycle)s.\nBuka penilaian: %(link)s")
        % {"unit": a.unit.name, "cycle": a.cycle.name, "link": _link(f"/penilaian/{a.pk}/")},
        [assignment.evaluator.email],
    )


def notify_submission(assessment: Assessment) -> None:
    _send(
        _("[PEKPPP] F-01 diajukan: %(unit)s") % {"unit": assessment.unit.name},
        _("%(unit)s telah mengajukan F-01 pada %(cycle)s. Penilaian F-02 dapat dimulai: %(link)s")
        % {
            "unit": assessment.unit.name,
            "cycle": assessment.cycle.name,
            "link": _link(f"/penilaian/{assessment.pk}/f02/"),
        },
        evaluator_emails(assessment),
    )


def notify_clarification(assessment: Assessment, questions: list[str]) -> None:
    listed = "\n".join(f"- {q}" for q in questions)
    _send(
        _("[PEKPPP] Permintaan klarifikasi: %(unit)s") % {"unit": assessment.unit.name},
        _(
            "Evaluator meminta klarifikasi atas indikator berikut:\n%(questions)s\n"
            "Jawab di: %(link)s"
        )
        % {"questions": listed, "link": _link(f"/penilaian/{assessment.pk}/f01/")},
        unit_operator_emails(assessment),
    )
