"""A worker killed mid-job: the job completes, with its file and checksum, on the next worker.

Real processes: `celery worker --pool=solo` subprocesses on the configured broker (Redis in CI,
files under var/celery locally) and a database both processes open. A dedicated queue keeps
the test's messages away from any other worker on the same broker.
"""

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from reports.models import Document, DocumentKind, DocumentStatus
from reports.tasks import document_build
from tests import factories as f
from tests.reports.slow_builder import STEPS, expected_bytes

STALE_SECONDS = 3
STEP_SECONDS = 0.5
WAIT_SECONDS = 90


class WorkerDatabase:
    """The test database as the worker subprocess sees it.

    PostgreSQL: the test database itself. SQLite: the test database lives in this process's
    memory, so it is copied to a file the worker opens, and copied back before each read.
    """

    def __init__(self, folder: Path):
        self.sqlite = connection.vendor == "sqlite"
        self.path = folder / "worker.sqlite3"

    def url(self) -> str:
        if self.sqlite:
            return f"sqlite:///{self.path}"
        s = connection.settings_dict
        auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"

    def publish(self) -> None:
        """Hand this process's data to the worker."""
        if self.sqlite:
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()

    def refresh(self) -> None:
        """See what the worker wrote."""
        if self.sqlite:
            connection.ensure_connection()
            source = sqlite3.connect(self.path, timeout=20)
            source.backup(connection.connection)
            source.close()


class WorkerKillTest(TransactionTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp(prefix="pekppp-worker-test-"))
        self.queue = (
            f"documents-test-{uuid.uuid4().hex}"  # no dots: the file transport splits on them
        )
        self.db = WorkerDatabase(self.folder)
        self.workers: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        owner = f.make_agency("Kementerian PANRB", code="KEMENPANRB-W")
        cycle = f.make_cycle(f.make_instrument("UJI-WORKER"), year=2023, owner=owner)
        self.document = Document.objects.create(
            key=f"ranked_xlsx:worker-test:{self.queue}",
            kind=DocumentKind.RANKED_REPORT_XLSX,
            cycle=cycle,
            requested_by=f.make_user("admin-worker"),
            heartbeat_at=timezone.now(),
        )

    def tearDown(self):
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def start_worker(self) -> subprocess.Popen:
        log = self.folder / f"worker-{len(self.workers) + 1}.log"
        env = {
            **os.environ,
            "PEKPPP_DEV": "1",
            "DATABASE_URL": self.db.url(),
            "CELERY_QUEUE": self.queue,
            "DOCUMENT_STALE_SECONDS": str(STALE_SECONDS),
            "SLOW_BUILDER_WORKER": "1",
            "SLOW_BUILDER_STEP_SECONDS": str(STEP_SECONDS),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "tests.reports.slow_builder", "worker",
            "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            f"--hostname=job-test-{len(self.workers) + 1}-{self.queue}@%h",
        ]  # fmt: skip
        with log.open("wb") as out:
            worker = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.workers.append(worker)
        self.logs.append(log)
        return worker

    def worker_logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.logs)

    def wait_for(self, what: str, condition) -> Document:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            self.db.refresh()
            document = Document.objects.get(pk=self.document.pk)
            if condition(document):
                return document
            time.sleep(0.2)
        state = f"{document.status} {document.progress_done}/{document.progress_total}"
        self.fail(f"timed out waiting for {what}; job: {state}\n{self.worker_logs()}")

    def test_it_completes_the_job_after_the_worker_is_killed_mid_job(self):
        self.db.publish()
        first = self.start_worker()
        document_build.apply_async((self.document.pk,), queue=self.queue)

        running = self.wait_for(
            "the job to run",
            lambda d: d.status == DocumentStatus.RUNNING and d.progress_done > 0,
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        self.db.refresh()
        killed = Document.objects.get(pk=self.document.pk)
        self.assertEqual(killed.status, DocumentStatus.RUNNING)
        self.assertLess(killed.progress_done, STEPS)
        self.assertFalse(killed.file)
        self.assertEqual(running.attempts, 1)

        # No sign of life for longer than the stale limit: a starting worker takes the job.
        self.wait_for(
            "the heartbeat to go stale",
            lambda d: (timezone.now() - d.heartbeat_at).total_seconds() > STALE_SECONDS + 0.5,
        )
        self.start_worker()
        done = self.wait_for("the job to finish", lambda d: d.status == DocumentStatus.DONE)

        content = expected_bytes(done.key)
        self.assertEqual(done.attempts, 2, self.worker_logs())
        self.assertEqual((done.progress_done, done.progress_total), (STEPS, STEPS))
        self.assertEqual(done.sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual(done.size, len(content))
        with done.file.open("rb") as handle:
            self.assertEqual(handle.read(), content)
