"""The Celery application. Broker and options come from Django settings (CELERY_*)."""

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")

app = Celery("pekppp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def requeue_stale_documents(**kwargs) -> None:
    """A worker that starts (again) picks up the document jobs a killed worker left."""
    try:
        from reports.services.documents import documents_requeue_stale

        documents_requeue_stale()
    except Exception:  # never keep a worker from starting; the periodic check runs anyway
        logging.getLogger(__name__).exception("could not requeue stale document jobs")
