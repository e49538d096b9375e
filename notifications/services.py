"""Writes of notifications: `notify` (store one notification per person, in their language,
and have the worker mail it after the transaction commits), `notify_later` (the same, done by
the worker, for events that reach thousands of people) and marking them read.

A notification with a `key` is made at most once per person (a unique constraint), so a job
that runs twice, or a worker that retries, adds nothing and mails nothing. Mails are claimed
(`emailed_at` set) before they are handed to the mail server: each is sent at most once; a
failure is recorded on the notification, which stays in the portal.
"""

import logging
from collections.abc import Iterable, Mapping
from functools import partial
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, NotificationKind

logger = logging.getLogger(__name__)

# Rows per INSERT, and mails per message to the worker (each carries its HTML, a few kB).
INSERT_BATCH = 500
MAIL_BATCH = 50
# People per `notify_later` job: each renders its people's mails in one worker run.
FAN_OUT_BATCH = 500


def _language(person) -> str:
    return getattr(person, "language", "") or settings.LANGUAGE_CODE


def _render(
    template: str, context: Mapping[str, Any], person, url: str = ""
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one mail, in the person's language."""
    context = {**context, "recipient": person, "site_url": settings.SITE_URL, "url": url}
    with translation.override(_language(person)):
        subject = render_to_string(f"notifications/mail/{template}_subject.txt", context)
        text = render_to_string(f"notifications/mail/{template}.txt", context)
        html = render_to_string(f"notifications/mail/{template}.html", context)
    return " ".join(subject.split())[:255], text, html


@transaction.atomic
def notify(
    *,
    recipients: Iterable,
    kind: NotificationKind,
    template: str,
    context: Mapping[str, Any],
    url: str = "",
    key: str = "",
) -> list[Notification]:
    """Notify each active person once (by `key`, when given); returns the new notifications.

    `template` names `templates/notifications/mail/<template>_subject.txt`, `.txt` and
    `.html` (which extend `notifications/mail/base.txt` and `base.html`), rendered with
    `context` plus `recipient`, `site_url` and `url` (the notification's link) in the
    person's language. A constant number of queries whatever the number of people (one
    INSERT per 500); the mails go to the worker (`notifications.deliver`) after commit.
    """
    people = {p.pk: p for p in recipients if p is not None and p.is_active}
    if key and people:
        done = Notification.objects.filter(recipient_id__in=people, key=key)
        for pk in done.values_list("recipient_id", flat=True):
            del people[pk]
    if not people:
        return []
    mails = {pk: _render(template, context, person, url) for pk, person in people.items()}
    rows = [
        Notification(recipient_id=pk, kind=kind, title=subject, body=text, url=url, key=key)
        for pk, (subject, text, _html) in mails.items()
    ]
    if key:
        # A concurrent run may have made some of them since: the constraint keeps theirs.
        Notification.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
        # The rows this call made are those carrying the creation time it stamped on them
        # (bulk_create sets it on each object): a row a concurrent run made first is theirs
        # to count and to mail.
        stamped = {row.recipient_id: row.created_at for row in rows}
        created = [
            n
            for n in Notification.objects.filter(
                recipient_id__in=people, key=key, emailed_at__isnull=True
            ).order_by("pk")
            if n.created_at == stamped[n.recipient_id]
        ]
    else:
        created = Notification.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    outgoing = [(n.pk, mails[n.recipient_id][2]) for n in created if people[n.recipient_id].email]
    if outgoing:
        from .tasks import deliver  # tasks import this module

        for chunk in batched(outgoing, MAIL_BATCH):
            transaction.on_commit(partial(deliver.delay, [list(pair) for pair in chunk]))
    return created


def notify_later(
    *,
    recipient_ids: Iterable[int],
    kind: NotificationKind,
    template: str,
    context: Mapping[str, Any],
    url: str = "",
    key: str,
) -> None:
    """`notify` in the worker, after commit, 500 people per job: for events that reach
    thousands (publication). `context` must be JSON (names, numbers); `key` is required, so a
    job that runs twice notifies nobody twice."""
    from .tasks import fan_out  # tasks import this module

    ids = sorted(set(recipient_ids))
    for chunk in batched(ids, FAN_OUT_BATCH):
        transaction.on_commit(
            partial(
                fan_out.delay,
                recipient_ids=list(chunk),
                kind=str(kind),
                template=template,
                context=dict(context),
                url=url,
                key=key,
            )
        )


def notifications_mail(*, html_by_id: Mapping[int, str]) -> int:
    """Mail committed notifications (HTML alternative given by notification id), each at most
    once; returns how many went.

    One UPDATE claims the batch (`emailed_at` set to this run's own timestamp, only where it
    was empty) before the mail server sees anything, and the run then reads back exactly the
    rows it claimed: a retried or duplicated job finds them claimed and sends nothing again,
    on any database. Two queries per batch, whatever its size.
    """
    claim = timezone.now()
    batch = Notification.objects.filter(pk__in=list(html_by_id))
    batch.filter(emailed_at__isnull=True).exclude(recipient__email="").update(emailed_at=claim)
    sent = 0
    for notification in batch.filter(emailed_at=claim).select_related("recipient"):
        message = EmailMultiAlternatives(
            notification.title,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
        message.attach_alternative(html_by_id[notification.pk], "text/html")
        try:
            message.send()
            sent += 1
        except Exception as exc:  # the change is committed; a mail server down must not undo it
            logger.exception("Notification %s not mailed", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(mail_error=str(exc)[:255])
    return sent


def notifications_mark_read(*, person, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all unread ones when `ids` is None)."""
    rows = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
