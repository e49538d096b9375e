"""Celery tasks of the evaluations app: thin wrappers around its services."""

from celery import shared_task
from django.db import OperationalError

from .rules import today
from .services.reminders import reminders_send


@shared_task(
    name="evaluations.reminders_send",
    autoretry_for=(OperationalError,),
    max_retries=5,
    retry_backoff=30,
    retry_jitter=True,
)
def reminders_send_task() -> None:
    """Daily (Celery beat, CELERY_BEAT_SCHEDULE): remind people of work due in 3 and 1 days.
    Safe to run twice or to retry: each reminder is made once (services/reminders.py)."""
    reminders_send(today=today())
