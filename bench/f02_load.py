"""Bench: "evaluator day" on the F-02 page, with locust against gunicorn + PostgreSQL + Redis.

    .venv/bin/python bench/f02_load.py [--steps 100,250,500,750,1000] [--spawn-rate 10]
        [--steady 60] [--workers 2] [--sequential 200]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/pekppp_bench (created when
missing), REDIS_URL to redis://127.0.0.1:6379/10 (cache and sessions, as in production).
Set-up, with bulk inserts: a country (bench/country.py) with one submitted assessment per
evaluator (F-01 answer and one PDF's record per scored indicator) in a cycle whose windows are
open, the largest step's number of evaluators, each the lead of one assessment with an
authenticator app, and a session for each that has passed the second factor. Production
settings (DEBUG off, collected static files), but cookies over plain http.

It prints the F-02 page's server time (median, p95 of --sequential GETs by one user, through
Django's test client in this process) and the queries of the page, the autosave and the
running panel; then starts `gunicorn --workers 2 --worker-class sync` and runs
`locust --headless -f bench/locustfile.py`, which steps through the user counts (each reached
at --spawn-rate users/s, then held --steady seconds; users stay for the next step). Every user
opens their page when they start (so page requests come at the spawn rate, more often than
the 5-minute schedule would give) and changes a level or a note every ~10 s. Per step: request
rate and level-change p50/p95 in the steady phase; page p50/p95 over the step; failures; CPU
of the gunicorn workers, of locust (the load generator shares the machine) and of the rest of
the machine (PostgreSQL, Redis, other work), in % of one core; the load average. A step
passes with level change p95 ≤ 50 ms, page p95 ≤ 300 ms and at most 0.1 % failed requests.
It stops the server and deletes what it created, even on failure.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from country import BATCH, build_country, create_database_if_missing, remove_country  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
FLOWS = ("level change", "note change")  # locustfile's timings of whole interactions
EXPLANATION = (
    "Unit telah menetapkan standar pelayanan dan mempublikasikannya di ruang tunggu serta "
    "situs web. Dokumen pendukung terlampir.\n\nMonitoring dilakukan setiap triwulan."
)


def build(prefix: str, n: int):
    """A country with n submitted assessments in an open cycle, each with its own lead
    evaluator: [(evaluator, assessment), …]."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from evaluations import models as m
    from units.models import Role, RoleAssignment, User

    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        country = build_country(prefix, n, random.Random(2024))
        indicators = list(country.instrument.indicators.filter(supplementary=False))
        cycle = m.Cycle.objects.create(
            year=today.year, scheme=m.Scheme.NASIONAL, name=f"Bench {prefix} F-02",
            instrument=country.instrument, owner_agency=country.owner,
        )  # fmt: skip
        m.PhaseWindow.objects.bulk_create(
            m.PhaseWindow(cycle=cycle, phase=phase, starts_on=today - dt.timedelta(days=10),
                          ends_on=today + dt.timedelta(days=10))
            for phase in m.Phase.values
        )  # fmt: skip
        assessments = m.Assessment.objects.bulk_create(
            (m.Assessment(cycle=cycle, unit=u, status=m.AssessmentStatus.SUBMITTED)
             for u in country.units), batch_size=BATCH,
        )  # fmt: skip
        operator = User.objects.create_user(username=f"{prefix.lower()}-operator", password=None)
        evaluators = User.objects.bulk_create(
            User(username=f"{prefix.lower()}-ev{i:04d}", full_name=f"Evaluator Bench {i:04d}",
                 password="!", agency=country.owner)
            for i in range(n)
        )  # fmt: skip
        RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=Role.EVALUATOR)
                                           for u in evaluators)  # fmt: skip
        # Evaluators must use a second factor: each has an authenticator app (TOTPDevice).
        TOTPDevice.objects.bulk_create(
            TOTPDevice(user=u, name="bench", confirmed=True) for u in evaluators
        )
        pairs = [(a, ind) for a in assessments for ind in indicators]
        m.Answer.objects.bulk_create(
            (m.Answer(assessment=a, indicator=ind, claimed_level=(a.pk + ind.number) % 6,
                      explanation=EXPLANATION, updated_by=operator, updated_at=now)
             for a, ind in pairs), batch_size=BATCH,
        )  # fmt: skip
        evidence = m.Evidence.objects.bulk_create(
            (m.Evidence(assessment=a, indicator=ind, title=f"Bukti indikator {ind.number}",
                        created_by=operator) for a, ind in pairs), batch_size=BATCH,
        )  # fmt: skip
        # The page lists the files; none is downloaded, so none is written.
        m.EvidenceRevision.objects.bulk_create(
            (m.EvidenceRevision(evidence=e, number=1, file=f"evidence/{e.assessment_id}/{e.pk}.pdf",
                                original_name="bukti.pdf", content_type="application/pdf",
                                extension=".pdf", size=48_000, sha256="0" * 64,
                                uploaded_by=operator)
             for e in evidence), batch_size=BATCH,
        )  # fmt: skip
        assignments = m.EvaluatorAssignment.objects.bulk_create(
            m.EvaluatorAssignment(assessment=a, evaluator=u, is_lead=True)
            for a, u in zip(assessments, evaluators, strict=True)
        )
        m.Score.objects.bulk_create(
            (m.Score(assignment=asg, indicator=ind) for asg in assignments for ind in indicators),
            batch_size=BATCH,
        )
    return country, list(zip(evaluators, assessments, strict=True))


def cleanup(prefix: str, country, session_keys: list[str]) -> None:
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.db import transaction

    from evaluations.models import Cycle
    from units.models import User

    for key in session_keys:
        SessionStore(session_key=key).delete()
    with transaction.atomic():
        Cycle.objects.filter(name=f"Bench {prefix} F-02").delete()  # and all below it
        User.objects.filter(username__startswith=f"{prefix.lower()}-").delete()
        if country is not None:
            remove_country(prefix, country.made_provinces)


def signed_in(user):
    """A test client signed in as `user` whose session passed the second factor, as an
    evaluator's browser is after the code step (django-otp keeps the device in the session)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


def sequential(client, page: str, save: str, score, requests: int) -> None:
    """The queries of an autosave, the running panel and the page, and the page's server
    time without load (one user, sequential GETs, in this process)."""
    from country import timed
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    htmx = {"HX-Request": "true"}
    # The first save of an assessment also moves its status; the second is the usual path.
    client.post(save, {"version": score.version, "level": 3, "note": "x"}, headers=htmx)
    score.refresh_from_db()
    with CaptureQueriesContext(connection) as save_queries:
        saved = client.post(save, {"version": score.version, "level": 4, "note": "x"}, headers=htmx)
    trigger = saved.headers.get("HX-Trigger")
    panel = "running panel in the same answer (hx-swap-oob)"
    if trigger:  # the page asks for its running panel in a second request
        with CaptureQueriesContext(connection) as panel_queries:
            answer = client.get(f"{page}?panel=1", headers=htmx)
        panel = f"running panel GET: {answer.status_code}, {len(panel_queries)} queries"
    print(
        f"autosave of a level (not the assessment's first): {saved.status_code},"
        f" {len(save_queries)} queries (BEGIN and COMMIT included), HX-Trigger {trigger!r};"
        f" {panel}"
    )
    timing = timed(client, page, requests, {})
    p95 = statistics.quantiles(timing.times, n=20, method="inclusive")[18]
    print(
        f"F-02 page, one user, {requests} sequential GETs in this process: median"
        f" {statistics.median(timing.times):.1f} ms, p95 {p95:.1f} ms, {timing.queries} queries,"
        f" {timing.size / 1024:.0f} KiB"
    )


# --- Server, CPU accounting ----------------------------------------------------------------


def start_server(workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [str(BIN / "gunicorn"), "pekppp.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", "sync"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as r:
                if r.status == 200:
                    return server, port
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start:\n{log.read_text()}")


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def cpu_snapshot(master: int, locust: int) -> dict[str, float]:
    """CPU seconds so far of the gunicorn workers (ended ones included), locust, PostgreSQL
    (the whole server, other databases too) and the machine, with the 1-minute load."""
    workers = generator = postgres = 0
    for entry in os.listdir("/proc"):
        try:
            raw = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if not raw:
            continue
        comm, rest = raw[raw.index("(") + 1 : raw.rindex(")")], raw[raw.rindex(")") + 2 :].split()
        ppid, ticks, ended = (
            int(rest[1]),
            int(rest[11]) + int(rest[12]),
            int(rest[13]) + int(rest[14]),
        )
        if int(entry) == master:
            workers += ended
        elif ppid == master:
            workers += ticks
        elif int(entry) == locust:
            generator += ticks
        elif comm.startswith("postgres"):
            postgres += ticks + ended
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    machine = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    return {
        "t": time.time(),
        "workers": workers / CLK_TCK,
        "locust": generator / CLK_TCK,
        "postgres": postgres / CLK_TCK,
        "machine": machine / CLK_TCK,
        "load": os.getloadavg()[0],
    }


def between(samples: list[dict], start: float, end: float) -> dict[str, float]:
    """CPU % of one core per group between the samples nearest to `start` and `end`."""
    a = min(samples, key=lambda s: abs(s["t"] - start))
    b = min(samples, key=lambda s: abs(s["t"] - end))
    seconds = max(b["t"] - a["t"], 1e-9)
    cpu = {k: 100 * (b[k] - a[k]) / seconds for k in ("workers", "locust", "postgres", "machine")}
    return cpu | {"load": b["load"]}


def pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- Main ----------------------------------------------------------------------------------


# (heading, width) of each column of the figures per step
COLUMNS = (
    ("users", 5), ("req/s", 6), ("level p50", 9), ("p95", 6), ("page p50", 8), ("p95", 6),
    ("pages", 5), ("failed", 6), ("409", 4), ("workers%", 8), ("ms/req", 6), ("locust%", 7),
    ("postgres%", 9), ("other%", 6), ("load1", 5),
)  # fmt: skip


def report(log: dict, samples: list[dict], steps: list[int], rate: float, steady: float) -> None:
    """The figures of each step: rates and CPU in its steady phase, pages over the step."""
    rows, begin, before, passing = log["requests"], log["started"], 0, []
    print("\n" + " ".join(f"{name:>{width}}" for name, width in COLUMNS))
    for users in steps:
        ramp_end = begin + (users - before) / rate
        end = ramp_end + steady
        step = [r for r in rows if begin <= r[0] < end and r[1] not in FLOWS]
        level = [r[2] for r in rows if ramp_end <= r[0] < end and r[1] == "level change"]
        pages = [r[2] for r in step if r[1] == "F-02 page"]
        failed = sum(1 for r in step if r[3] >= 400 or r[3] == 0)
        conflicts = sum(1 for r in step if r[3] == 409)
        held = sum(1 for r in step if r[0] >= ramp_end)
        cpu = between(samples, ramp_end, end)
        ok = pct(level, 95) <= 50 and pct(pages, 95) <= 300 and failed <= 0.001 * len(step)
        passing += [users] if ok else []
        values = (
            users, f"{held / steady:.1f}", f"{pct(level, 50):.1f}", f"{pct(level, 95):.1f}",
            f"{pct(pages, 50):.1f}", f"{pct(pages, 95):.1f}", len(pages), failed, conflicts,
            f"{cpu['workers']:.0f}", f"{cpu['workers'] * 10 * steady / max(held, 1):.1f}",
            f"{cpu['locust']:.0f}", f"{cpu['postgres']:.0f}",
            f"{cpu['machine'] - cpu['workers'] - cpu['locust'] - cpu['postgres']:.0f}",
            f"{cpu['load']:.2f}",
        )  # fmt: skip
        line = " ".join(f"{v:>{width}}" for v, (_, width) in zip(values, COLUMNS, strict=True))
        print(f"{line}  {'pass' if ok else 'FAIL'} ({len(level)} level changes)")
        begin, before = end, users
    autosaves = [r[2] for r in rows if r[1] == "autosave (POST)"]
    panels = [r[2] for r in rows if r[1] == "running panel (GET)"]
    notes = [r[2] for r in rows if r[1] == "note change"]
    panel = "none: the panel comes with the autosave"
    if panels:
        panel = f"p50 {pct(panels, 50):.1f} / p95 {pct(panels, 95):.1f} ms ({len(panels)})"
    print(
        f"\nall steps: autosave POST p50 {pct(autosaves, 50):.1f} / p95 {pct(autosaves, 95):.1f} ms"
        f" ({len(autosaves)}); running panel GET {panel}; note change p50 {pct(notes, 50):.1f} /"
        f" p95 {pct(notes, 95):.1f} ms ({len(notes)})"
    )
    print(
        f"largest passing step: {max(passing, default='none')} concurrent evaluators"
        " (level change p95 ≤ 50 ms, page p95 ≤ 300 ms, ≤ 0.1 % failed); a smaller step that"
        " failed beside a larger one that passed points at the rest of the machine (other%)"
    )
    print(
        "CPU in % of one core during each steady phase: gunicorn workers (and their CPU ms per"
        " request), locust, PostgreSQL (all its databases), other = the rest of the machine"
        " (Redis, the kernel, other people's work)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="100,250,500,750,1000")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--steady", type=float, default=60, help="seconds held at each step")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--sequential", type=int, default=200, help="page GETs by one user")
    args = parser.parse_args()
    steps = [int(n) for n in args.steps.split(",")]

    scratch = Path(tempfile.mkdtemp(prefix="pekppp-bench-f02-"))
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pekppp_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="pekppp.settings",
        DEBUG="0",
        SECURE_COOKIES="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(scratch / "static"),
        MEDIA_ROOT=str(scratch / "media"),
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("PEKPPP_DEV", None)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("This bench needs PostgreSQL (DATABASE_URL=postgres://…).")
    create_database_if_missing(os.environ["DATABASE_URL"])

    import django

    django.setup()
    # The set-up signs a thousand people in; their security log lines would bury the figures.
    logging.getLogger("pekppp.security").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.urls import reverse
    from django.utils.crypto import get_random_string

    from evaluations.models import Score

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    prefix, country, session_keys, server, locust = f"FL{os.getpid()}", None, [], None, None
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()} before start")
    try:
        started = time.perf_counter()
        country, people = build(prefix, max(steps))
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
            cursor.execute("VACUUM (ANALYZE)")
        users = []
        for user, assessment in people:
            client = signed_in(user)
            session_keys.append(client.cookies["sessionid"].value)
            # A CSRF cookie of its own, as a browser has once it saw the login page.
            csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
            page = reverse("evaluations:f02_form", args=[assessment.pk])
            users.append(
                {"cookie": f"sessionid={session_keys[-1]}; csrftoken={csrf}", "page": page}
            )
        print(
            f"set-up: {len(people)} evaluators, each with a submitted assessment of"
            f" {country.instrument.indicators.filter(supplementary=False).count()} indicators"
            f" (F-01 answer and a PDF each), in {time.perf_counter() - started:.0f} s"
        )
        user, assessment = people[-1]
        client = signed_in(user)
        session_keys.append(client.cookies["sessionid"].value)
        indicator = country.instrument.indicators.filter(supplementary=False).first()
        save = reverse("evaluations:score_autosave", args=[assessment.pk, indicator.pk])
        score = Score.objects.get(assignment__assessment=assessment, indicator=indicator)
        sequential(client, users[-1]["page"], save, score, args.sequential)
        connection.close()

        server, port = start_server(args.workers, scratch / "gunicorn.log")
        url = f"http://127.0.0.1:{port}"
        # Warm both workers (templates, URL patterns, connections), as a live server is.
        for person in users[:20]:
            headers = {"Cookie": person["cookie"]}
            urllib.request.urlopen(urllib.request.Request(url + person["page"], headers=headers))
        (scratch / "users.json").write_text(json.dumps(users))
        env = os.environ | {
            "BENCH_USERS": str(scratch / "users.json"),
            "BENCH_STEPS": args.steps,
            "BENCH_SPAWN_RATE": str(args.spawn_rate),
            "BENCH_STEADY": str(args.steady),
            "BENCH_LOG": str(scratch / "requests.json"),
        }
        command = [str(BIN / "locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless"]
        command += ["--host", url, "--only-summary", "--loglevel", "ERROR"]
        print(
            f"gunicorn: {args.workers} sync workers; locust --headless, steps {args.steps},"
            f" {args.spawn_rate:g} users/s, {args.steady:g} s steady each"
        )
        locust = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=(scratch / "locust.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        samples: list[dict] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                samples.append(cpu_snapshot(server.pid, locust.pid))

        threading.Thread(target=sample, daemon=True).start()
        locust.wait()
        done.set()
        log_file = scratch / "requests.json"
        if not log_file.exists():
            raise SystemExit(f"locust failed:\n{(scratch / 'locust.log').read_text()[-3000:]}")
        report(json.loads(log_file.read_text()), samples, steps, args.spawn_rate, args.steady)
        print(f"load average at the end: {os.getloadavg()}")
    finally:
        stop(locust)
        stop(server)
        cleanup(prefix, country, session_keys)
        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
