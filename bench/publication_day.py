"""Bench: publication day — the public pages under wrk, gunicorn with 2 workers, PostgreSQL,
Redis, with and without the caches, and a correction while they are warm.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pekppp_bench \\
    REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/publication_day.py [--units 20000] [--duration 30] \\
            [--connections 100] [--worker-class gthread --threads 4] [--no-nginx]

It seeds N units and their current publication as bench/public_pages.py does
(`country.build_country`, `country.publish_country`), collects the static files into a
throwaway folder, then starts gunicorn (2 workers) as in production (PEKPPP_DEV=0, a throwaway
SECRET_KEY) on a free local port and, per setting, runs wrk (`--connections`, `--duration`
seconds, 2 threads, a Lua script printing p50/p95/p99, asking for gzip like a browser) on the
national ranking page, the overview and the index:

- uncached: PUBLIC_CACHE_SECONDS=0, every request rendered by the views;
- portal cache: the public cache in Redis, answered by `scoring.middleware.public_page_cache`
  right after the language is known;
- nginx: deploy/nginx.conf (gzip and its proxy cache of /hasil/) in front of the cached portal
  (only where nginx is installed; `--no-nginx` skips it).

Each line carries the load average (the machine is shared: read the figures with it). Then a
correction: revision 2 is written as `cycle_publish` writes it (one unit renamed, the public
state refreshed on commit), and it measures how long until the ranking shows it through the
portal, and through nginx (at most PUBLIC_SHARED_MAX_AGE). It stops
what it started and deletes what it created, even on failure. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")

from country import (  # noqa: E402  (bench/ is the script's folder, first on sys.path)
    analyse_published,
    build_country,
    publish_country,
    remove_country,
    remove_database,
    remove_published,
    start_django,
)

# What a browser sends: the pages are measured as they travel, compressed.
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
WRK = shutil.which("wrk") or "/usr/bin/wrk"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# wrk's report: one line the bench reads back.
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT %d %.3f %.3f %.3f %.3f %.3f %d %d\\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"nothing answers on port {port}") from None
            time.sleep(0.2)


def get(port: int, path: str, **headers) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "localhost", **headers})
        response = conn.getresponse()
        body = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, dict(response.getheaders()), body
    finally:
        conn.close()


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def production(static_root: Path) -> dict[str, str]:
    """The environment of a production start (not development mode: hashed, compressed static
    files from STATIC_ROOT, no finders), with a throwaway key and static folder."""
    env = {
        **os.environ,
        "PEKPPP_DEV": "0",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "STATIC_ROOT": str(static_root),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PEKPPP_CACHE", None)
    return env


@contextmanager
def gunicorn(args, cache_seconds: int):
    """gunicorn with 2 workers on a free port, the portal's public cache on or off."""
    port = free_port()
    env = {**production(args.static_root), "PUBLIC_CACHE_SECONDS": str(cache_seconds)}
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "pekppp.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        "--workers=2",
        f"--worker-class={args.worker_class}",
        f"--threads={args.threads}",
        "--backlog=2048",
        "--timeout=60",
        "--log-level=warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_for(port, process)
        yield port
    finally:
        stop(process)


@contextmanager
def nginx(upstream: int):
    """deploy/nginx.conf in front of `upstream`, on a free port, its cache in a temp folder."""
    folder = Path(tempfile.mkdtemp(prefix="pekppp-bench-nginx-"))
    folder.chmod(0o777)
    port = free_port()
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = (
        (ROOT / "deploy" / "nginx.conf")
        .read_text()
        .replace("server web:8000;", f"server 127.0.0.1:{upstream};")
        .replace("listen 80;", f"listen 127.0.0.1:{port} backlog=2048;")
        .replace("access_log /dev/stdout;", "access_log off;")
        .replace("user nginx;", "")
        .replace("http {", "http {\n" + temp, 1)
        .replace("/var/cache/nginx/pekppp", str(folder / "cache"))
    )
    (folder / "nginx.conf").write_text(conf)
    process = subprocess.Popen(
        [NGINX, "-c", str(folder / "nginx.conf"), "-g", f"daemon off; pid {folder / 'pid'};"]
    )
    try:
        wait_for(port, process)
        yield port
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def wrk(args, port: int, path: str, headers: dict[str, str]) -> dict:
    """One wrk run; its figures, and the load average before and after it."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    before = load()
    command = [
        WRK,
        "-t2",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout=30s",
        "-s",
        script.name,
        *(f"-H{name}: {value}" for name, value in headers.items()),
        f"http://127.0.0.1:{port}{path}",
    ]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    requests, seconds, p50, p95, p99, worst, errors, status = line.split()[1:]
    return {
        "rps": int(requests) / float(seconds),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "max": float(worst),
        "errors": int(errors),
        "non2xx": int(status),
        "load": f"{before} -> {load()}",
    }


def check(port: int, path: str, headers: dict[str, str]) -> str:
    """A page must answer 200 with no cookie before it is measured; its size."""
    status, answer, body = get(port, path, **headers)
    if status != 200 or "Set-Cookie" in answer:
        raise SystemExit(f"{path}: {status}, Set-Cookie {answer.get('Set-Cookie')}")
    sent = int(answer.get("Content-Length", 0)) or len(body)
    return f"{len(body) / 1024:.0f} KB" + (
        f" ({sent / 1024:.0f} KB gzip)" if answer.get("Content-Encoding") == "gzip" else ""
    )


def measure(args, label: str, port: int, pages, headers: dict[str, str], results: list) -> None:
    for page, path in pages:
        size = check(port, path, headers)
        for _ in range(5):  # warm: the worker's first render, the copies
            get(port, path, **headers)
        figures = wrk(args, port, path, headers)
        results.append((label, page, size, figures))
        print_row(label, page, size, figures)


HEAD = "{:<13} {:<17} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6}  {}"


def print_row(label, page, size, f) -> None:
    print(
        HEAD.format(
            label,
            page,
            f"{f['rps']:.0f}",
            f"{f['p50']:.1f}",
            f"{f['p95']:.1f}",
            f"{f['p99']:.1f}",
            f"{f['max']:.0f}",
            f["errors"],
            f["non2xx"],
            f"{size}; {f['load']}",
        ),
        flush=True,
    )


def correction(published, port: int, proxy: int | None, path: str) -> None:
    """Revision 2 with one unit renamed; how long until the ranking shows it."""
    from django.db import transaction
    from django.utils import timezone

    from scoring.models import Publication, PublishedResult
    from scoring.selectors.public import public_state_refresh

    marker = "(koreksi bench)"
    old = published.publication
    _, before, _ = get(port, path, **GZIP)
    started = time.perf_counter()
    with transaction.atomic():
        Publication.objects.filter(pk=old.pk).update(is_current=False)
        new = Publication.objects.create(
            cycle=old.cycle,
            revision=2,
            reason="Koreksi bench",
            is_current=True,
            published_by=old.published_by,
            published_at=timezone.now(),
            instrument=old.instrument,
            engine_version=old.engine_version,
            result_count=old.result_count,
            summary=old.summary,
        )
        rows = published.rows
        for row in rows:
            row.pk = None
            row.publication = new
        rows[0].unit_name = f"{rows[0].unit_name} {marker}"
        PublishedResult.objects.bulk_create(rows, batch_size=2_000)
        transaction.on_commit(public_state_refresh)  # as cycle_publish does
        if proxy is not None:
            get(proxy, path, **GZIP)  # nginx's copy fresh: the worst case follows
    written = time.perf_counter()
    print(f"\nCorrection: revision 2 written in {written - started:.1f} s")
    for name, target in (("portal", port), ("nginx", proxy)):
        if target is None:
            continue
        while True:
            status, answer, body = get(target, path, **GZIP)
            if marker.encode() in body:
                print(
                    f"  {name}: shown {time.perf_counter() - written:.2f} s after the commit"
                    f" (ETag {before.get('ETag')} -> {answer.get('ETag')})"
                )
                break
            if time.perf_counter() - written > 120:
                print(f"  {name}: NOT shown within 120 s")
                break
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument(
        "--only", default="uncached,portal cache,nginx", help="settings to run, comma-separated"
    )
    parser.add_argument(
        "--pages", default="ranking national,overview,index", help="pages, comma-separated"
    )
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is needed: the public cache is measured in Redis")
    os.environ.pop("PEKPPP_CACHE", None)  # the bench measures the Redis cache
    sqlite_file = start_django(args.units)
    from django.conf import settings
    from django.db import connection, transaction

    prefix = f"PD{os.getpid()}"
    rng = random.Random(2025)
    print(
        f"gunicorn: 2 {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; wrk: 2 threads, {args.connections} connections, {args.duration} s;"
        f" cores: {os.cpu_count()}"
    )
    print(
        f"Cache-Control: index max-age={settings.PUBLIC_INDEX_MAX_AGE}, pages"
        f" max-age={settings.PUBLIC_PAGE_MAX_AGE}, s-maxage={settings.PUBLIC_SHARED_MAX_AGE};"
        f" portal cache {settings.CACHES['public']['BACKEND'].rsplit('.', 1)[-1]}"
    )
    made_provinces: list[int] = []
    results: list = []
    only = {x.strip() for x in args.only.split(",")}
    try:
        started = time.perf_counter()
        with transaction.atomic():
            country = build_country(prefix, args.units, rng)
            made_provinces = country.made_provinces
            published = publish_country(country, rng)
        analyse_published(connection)
        connection.close()
        args.static_root = Path(tempfile.mkdtemp(prefix="pekppp-bench-static-"))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=production(args.static_root),
            check=True,
        )
        print(f"Set-up: {time.perf_counter() - started:.1f} s\n")
        cycle = published.cycle.pk
        ranking = f"/hasil/{cycle}/peringkat/"
        pages = [
            ("ranking national", ranking),
            ("overview", f"/hasil/{cycle}/"),
            ("index", "/hasil/"),
        ]
        pages = [(page, path) for page, path in pages if page in args.pages.split(",")]
        print(HEAD.format("setting", "page", "req/s", "p50 ms", "p95 ms", "p99 ms", "max", "err",
                          "non2xx", "size; load average before -> after"))  # fmt: skip
        if "uncached" in only:
            with gunicorn(args, cache_seconds=0) as port:
                measure(args, "uncached", port, pages, GZIP, results)
        with gunicorn(args, cache_seconds=600) as port:
            if "portal cache" in only:
                measure(args, "portal cache", port, pages, GZIP, results)
            proxy_run = "nginx" in only and not args.no_nginx and os.path.exists(NGINX)
            if proxy_run:
                with nginx(port) as proxy:
                    measure(args, "nginx", proxy, pages, GZIP, results)
                    correction(published, port, proxy, ranking)
            else:
                correction(published, port, None, ranking)
        national = [
            f for label, page, _s, f in results if page == "ranking national" and label != "nginx"
        ]
        best = max(national, key=lambda f: f["rps"]) if national else None
        if best:
            met = best["rps"] >= 1000 and best["p95"] <= 100
            print(
                "\nTarget (national ranking through gunicorn, >= 1000 req/s, p95 <= 100 ms):",
                "met" if met else "NOT met",
                f"({best['rps']:.0f} req/s, p95 {best['p95']:.1f} ms)",
            )
        proxied = [
            f for label, page, _s, f in results if page == "ranking national" and label == "nginx"
        ]
        if proxied:
            f = proxied[0]
            met = f["rps"] >= 1000 and f["p95"] <= 100
            print(
                "Target through nginx:",
                "met" if met else "NOT met",
                f"({f['rps']:.0f} req/s, p95 {f['p95']:.1f} ms)",
            )
    finally:
        if getattr(args, "static_root", None):
            shutil.rmtree(args.static_root, ignore_errors=True)
        with transaction.atomic():
            remove_published(prefix)
            remove_country(prefix, made_provinces)
        connection.close()
        remove_database(sqlite_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
