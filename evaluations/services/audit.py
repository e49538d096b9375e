"""The audit history: the only writer of AuditEntry rows, which nothing ever updates."""

from ..models import Assessment, AuditAction, AuditEntry


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)[:255]


def audit_record(
    *,
    assessment: Assessment,
    actor,
    action: AuditAction,
    old=None,
    new=None,
    indicator=None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry (who, when, old → new, why) to an assessment's history."""
    return AuditEntry.objects.create(
        assessment=assessment,
        actor=actor,
        action=action,
        indicator=indicator,
        old=_text(old),
        new=_text(new),
        reason=reason,
    )
