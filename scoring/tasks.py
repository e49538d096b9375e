"""Celery tasks of scoring: thin wrappers around its selectors and services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .models import Publication
from .selectors.opendata import BUILDERS, published_file


@shared_task(
    name="scoring.opendata_files_build",
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=5,
    retry_backoff=2,
    retry_jitter=True,
)
def opendata_files_build(publication_id: int) -> None:
    """A new revision's open data files, built before the first visitor asks for them (the
    XLSX of 20,000 units takes tens of seconds). Running it twice reads them from the cache."""
    publication = Publication.objects.select_related("cycle").filter(pk=publication_id).first()
    if publication is not None:
        for fmt in BUILDERS:
            published_file(publication, fmt)
