"""Reads of notifications: always one person's own."""

from django.db.models import QuerySet

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
