"""A stand-in document builder for the job-machinery tests, and a Celery app that uses it.

`steady_build` writes a small file whose bytes depend only on the job's key and reports
progress in steps, sleeping `STEP_SECONDS` between them. In-process tests register it with
`mock.patch.dict(BUILDERS, ...)`; the worker-kill test starts a real worker with
`celery -A tests.reports.slow_builder worker`, which registers it for the ranked XLSX kind
in that worker process only, with the step time from SLOW_BUILDER_STEP_SECONDS.
"""

import os
import pathlib
import time

STEPS = 10
STEP_SECONDS = float(os.environ.get("SLOW_BUILDER_STEP_SECONDS", "0"))


def expected_bytes(key: str) -> bytes:
    """The file `steady_build` writes for the job with `key`."""
    return "".join(f"{key} bagian {i}\n" for i in range(1, STEPS + 1)).encode()


def steady_build(document, progress, workdir: pathlib.Path):
    from reports.builders import Built

    path = workdir / "dokumen-uji.txt"
    with path.open("wb") as handle:
        for step in range(1, STEPS + 1):
            handle.write(f"{document.key} bagian {step}\n".encode())
            time.sleep(STEP_SECONDS)
            progress(step, STEPS)
    return Built(filename="dokumen-uji.txt", path=path)


if os.environ.get("SLOW_BUILDER_WORKER") == "1":
    import django

    django.setup()

    from pekppp.celery import app  # noqa: F401  (the worker's Celery app)
    from reports.builders import BUILDERS

    BUILDERS["ranked_xlsx"] = steady_build
