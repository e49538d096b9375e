"""Operational tasks of the project itself (not of one app)."""

from celery import shared_task
from django.core.cache import cache

ECHO_TTL_SECONDS = 300


def echo_key(token: str) -> str:
    return f"worker-echo:{token}"


@shared_task(name="pekppp.worker_echo")
def worker_echo(token: str) -> None:
    """Prove a worker is consuming the queue: leave the token where the sender can see it."""
    cache.set(echo_key(token), "ok", ECHO_TTL_SECONDS)
