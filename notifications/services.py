"""Writes of notifications: `notify` (store one notification per person, in their language,
and mail it after the transaction commits) and marking them read.

A notification with a `key` is made at most once per person (a unique constraint), so a job
that runs twice, or a worker that retries, adds nothing and mails nothing. Mails are claimed
(`emailed_at` set) before they are handed to the mail server: each is sent at most once; a
failure is recorded on the notification, which stays in the portal.
"""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, NotificationKind

logger = logging.getLogger(__name__)


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
    `.html` (which extends `notifications/mail/base.html`), rendered with `context` plus
    `recipient`, `site_url` and `url` (the notification's link) in the person's
    language. Mails go out after the transaction commits.
    """
    people = {p.pk: p for p in recipients if p is not None and p.is_active}
    if key:
        done = set(
            Notification.objects.filter(recipient_id__in=people, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        people = {pk: p for pk, p in people.items() if pk not in done}
    created, mails = [], {}
    for person in people.values():
        subject, text, html = _render(template, context, person, url)
        fields = {"kind": kind, "title": subject, "body": text, "url": url}
        if key:
            # get_or_create: a concurrent run that made it first wins, and nothing is sent twice.
            notification, new = Notification.objects.get_or_create(
                recipient=person, key=key, defaults=fields
            )
        else:
            notification, new = Notification.objects.create(recipient=person, **fields), True
        if new:
            created.append(notification)
            if person.email:
                mails[notification.pk] = (subject, text, html, person.email)
    if mails:
        transaction.on_commit(lambda: deliver(mails))
    return created


def deliver(mails: Mapping[int, tuple[str, str, str, str]]) -> int:
    """Send the mails of committed notifications, each at most once; returns how many went."""
    sent = 0
    for pk, (subject, text, html, address) in mails.items():
        claimed = Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
        message.attach_alternative(html, "text/html")
        try:
            message.send()
            sent += 1
        except Exception as exc:  # the change is committed; a mail server down must not undo it
            logger.exception("Notification %s not mailed", pk)
            Notification.objects.filter(pk=pk).update(mail_error=str(exc)[:255])
    return sent


def notifications_mark_read(*, person, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all unread ones when `ids` is None)."""
    rows = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
