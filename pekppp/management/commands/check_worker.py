import time
import uuid

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from pekppp.tasks import echo_key, worker_echo


class Command(BaseCommand):
    help = "Send a task through the broker and wait for a worker to run it."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=15.0)

    def handle(self, *args, timeout, **options):
        token = uuid.uuid4().hex
        worker_echo.delay(token)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cache.get(echo_key(token)) == "ok":
                self.stdout.write("Worker menjalankan tugas uji: antrean berfungsi.")
                return
            time.sleep(0.2)
        raise CommandError(f"Tidak ada worker yang menjalankan tugas uji dalam {timeout:g} detik.")
