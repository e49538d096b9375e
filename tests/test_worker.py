"""A task goes through the configured broker (Redis in CI, files under var/ locally) to a worker."""

import io

from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.test import SimpleTestCase

from pekppp.celery import app


class WorkerRoundTripTest(SimpleTestCase):
    # The worker runs Django's system checks on start, and some of them read the database.
    databases = {"default"}

    def test_it_runs_a_task_sent_through_the_broker(self):
        out = io.StringIO()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            call_command("check_worker", "--timeout", "20", stdout=out)
        self.assertIn("antrean berfungsi", out.getvalue())

    def test_it_reports_when_no_worker_answers(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "Tidak ada worker"):
            call_command("check_worker", "--timeout", "0.5", stdout=io.StringIO())
