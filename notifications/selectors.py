"""Reads of notifications: always one person's own; and, before an irreversible step, who
its notification will reach (`Audience`, `audience_lines`)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from units.models import User

from .models import Notification


def unread_count(person) -> int:
    """The bell's number: one COUNT on the `notification_unread` index (recipient, read_at)."""
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def notifications_of(person) -> QuerySet[Notification]:
    """The person's notifications, newest first (index `notification_recent`)."""
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-pk")


def notification_of(person, pk: int) -> Notification | None:
    """One of the person's own notifications, or None (someone else's is never found)."""
    return notifications_of(person).filter(pk=pk).first()


# --- who will be told: what a confirmation page shows before an irreversible step ----------

# Names shown per group; beyond that the page says how many more (publication reaches
# thousands of people).
AUDIENCE_NAMES_SHOWN = 8


@dataclass(frozen=True)
class Audience:
    """One group of recipients of an event: a label (a role, in the reader's language) and
    the condition on `User` that picks them (active people only, see `people`)."""

    label: str
    condition: Q

    def people(self) -> QuerySet:
        return User.objects.filter(self.condition, is_active=True).distinct().order_by("pk")


@dataclass(frozen=True)
class AudienceLine:
    label: str
    names: list[str]
    more: int  # people beyond `names`

    @property
    def count(self) -> int:
        return len(self.names) + self.more


def everyone(audiences: Sequence[Audience]) -> QuerySet:
    """All recipients of the groups, each once (one query when evaluated)."""
    if not audiences:
        return User.objects.none()
    condition = audiences[0].condition
    for audience in audiences[1:]:
        condition |= audience.condition
    return Audience("", condition).people()


def audience_lines(audiences: Sequence[Audience]) -> list[AudienceLine]:
    """Each group's first names and how many more: one query per group, a COUNT only for a
    group longer than the names shown. Empty groups are left out."""
    lines = []
    for audience in audiences:
        people = audience.people()
        first = list(people[: AUDIENCE_NAMES_SHOWN + 1])
        if not first:
            continue
        more = 0
        if len(first) > AUDIENCE_NAMES_SHOWN:
            first = first[:AUDIENCE_NAMES_SHOWN]
            more = people.count() - AUDIENCE_NAMES_SHOWN
        lines.append(AudienceLine(audience.label, [p.display_name for p in first], more))
    return lines
