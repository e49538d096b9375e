"""Loaded first (-p tests.pytest_env): environment defaults for the test run."""

import os
import tempfile

# Tests run with development defaults (no SECRET_KEY needed); CI adds DATABASE_URL/REDIS_URL.
os.environ.setdefault("PEKPPP_DEV", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made around it
# are still synchronous, so Django's async-safety guard does not apply to them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Uploaded files of the test run go to a throwaway folder, never var/media.
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="pekppp-test-media-"))
# Each test run has its own cache (sessions, job progress): see CACHES in settings.
os.environ.setdefault("PEKPPP_CACHE", "locmem")
# Without Redis, job messages are files: the test run's go to a throwaway folder, never to the
# var/celery queue that `make run`'s worker reads.
os.environ.setdefault("PEKPPP_QUEUE_DIR", tempfile.mkdtemp(prefix="pekppp-test-queue-"))
