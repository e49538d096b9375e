"""Celery tasks of notifications: thin wrappers around services.py."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from units.models import User

from . import services
from .models import NotificationKind

# A database that is briefly away: try again (mails already claimed are not sent twice).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    name="notifications.deliver",
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=5,
    retry_backoff=2,
    retry_jitter=True,
)
def deliver(mails: list[list]) -> int:
    """Mail committed notifications, given as [notification id, HTML] pairs, each at most once."""
    return services.notifications_mail(html_by_id={int(pk): html for pk, html in mails})


@shared_task(
    name="notifications.fan_out",
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=5,
    retry_backoff=2,
    retry_jitter=True,
)
def fan_out(
    *, recipient_ids: list[int], kind: str, template: str, context: dict, url: str, key: str
) -> int:
    """`notify` for people given by id (see services.notify_later); returns how many are new."""
    people = User.objects.filter(pk__in=recipient_ids, is_active=True)
    created = services.notify(
        recipients=people,
        kind=NotificationKind(kind),
        template=template,
        context=context,
        url=url,
        key=key,
    )
    return len(created)
