"""Reminders of open work: 3 days and 1 day before it is due, each sent once.

Days are calendar days in the portal's time zone (`TIME_ZONE`, Asia/Jakarta), weekends and
holidays included: a phase closes at the end of the last day of its window for the unit
(extensions included), a follow-up item at the end of its target date. The job of day D
reminds of work due on D + 3 and D + 1; work due on D + 2 or D itself is not mailed (the
home page shows it). Work whose phase has not started yet is not open, so not reminded.

One mail per person per piece of work per offset, grouped: all of a person's work of one
kind in one cycle due on the same day is one notification listing the units (an evaluator
with five loci gets one F-02 mail, not five; an operator one mail for the follow-up items
due together). Its `key` — kind, cycle, deadline, offset ("f02:c12:2025-03-14:3d") — is
unique per person in `Notification`, so a second run the same day, a concurrent run or a
retried worker makes nothing and mails nothing. Work that joins a group after that group's
mail went out (e.g. a unit given an extension to the same day) waits for the next offset.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse

from notifications.models import NotificationKind
from notifications.services import notify
from units.models import User

from ..selectors.work import WorkItem, WorkKind, open_work_due

# Days before the deadline on which a reminder goes out.
REMINDER_OFFSETS = (3, 1)


@dataclass(frozen=True)
class RemindersSent:
    groups: int  # (person, kind, cycle, deadline) groups found due
    notifications: int  # new notifications made now (0 on a second run)


def reminders_send(*, today: dt.date) -> RemindersSent:
    """Remind everyone of their open work due `REMINDER_OFFSETS` days after `today`.

    Each group is its own transaction (through `notify`), in a fixed order, so two runs at
    once wait on each other's rows instead of deadlocking, and a failure keeps what was sent.
    """
    offsets = {today + dt.timedelta(days=days): days for days in REMINDER_OFFSETS}
    groups: dict[tuple, list[WorkItem]] = defaultdict(list)
    for item in open_work_due(on=today, deadlines=offsets):
        for person_id in item.people:
            groups[(person_id, item.kind, item.cycle_id, item.deadline)].append(item)
    people = User.objects.filter(pk__in={key[0] for key in groups}, is_active=True).in_bulk()
    made = 0
    for (person_id, kind, cycle_id, deadline), items in sorted(groups.items()):
        person = people.get(person_id)
        if person is None:
            continue
        days = offsets[deadline]
        followup = kind == WorkKind.FOLLOWUP
        made += len(
            notify(
                recipients=[person],
                kind=NotificationKind.FOLLOWUP_DUE if followup else NotificationKind.REMINDER,
                template="followup_due" if followup else "reminder_phase",
                context={
                    "kind": kind,
                    "phase": items[0].phase,
                    "cycle_name": items[0].cycle_name,
                    "deadline": deadline,
                    "days": days,
                    "items": items,
                },
                # One piece of work: its page; several: the home page, which lists them all.
                url=items[0].url if len(items) == 1 else reverse("home"),
                key=f"{kind}:c{cycle_id}:{deadline.isoformat()}:{days}d",
            )
        )
    return RemindersSent(groups=len(groups), notifications=made)
