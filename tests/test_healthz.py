"""/healthz/: database, broker and storage reported separately for the load balancer."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.test import TestCase, override_settings

from pekppp.celery import app as celery_app

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


class HealthzTest(TestCase):
    def test_it_answers_ok_for_every_part(self):
        response = self.client.get("/healthz/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"database": "ok", "broker": "ok", "storage": "ok"})
        self.assertIn("no-store", response["Cache-Control"])

    def test_it_names_the_broker_when_it_cannot_be_reached(self):
        conf = celery_app.conf
        self.addCleanup(setattr, conf, "broker_url", conf.broker_url)
        self.addCleanup(setattr, conf, "broker_transport", conf.broker_transport)
        conf.broker_url, conf.broker_transport = CLOSED_PORT_BROKER, None
        with self.assertLogs("pekppp.views", "WARNING"):
            response = self.client.get("/healthz/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"database": "ok", "broker": "error", "storage": "ok"})

    def test_it_names_the_storage_when_it_cannot_write(self):
        # A folder under a plain file cannot be created, not even by root.
        blocker = Path(tempfile.mkdtemp()) / "a-file"
        blocker.write_text("")
        storages = settings.STORAGES | {
            "private": {
                "BACKEND": "evaluations.storage.PrivateFileSystemStorage",
                "OPTIONS": {"location": blocker / "private"},
            }
        }
        with override_settings(STORAGES=storages):
            with self.assertLogs("pekppp.views", "WARNING"):
                response = self.client.get("/healthz/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"database": "ok", "broker": "ok", "storage": "error"})
