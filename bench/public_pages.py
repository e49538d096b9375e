"""Bench: the public result pages of a publication with N results (default 20,000), anonymous.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pekppp_bench \
        .venv/bin/python bench/public_pages.py [--units 20000] [--requests 30]

Without DATABASE_URL it uses a throwaway SQLite file under /tmp (never var/db.sqlite3). It
migrates quietly and writes, with bulk inserts: 38 provinces (reused when present), agencies of
every ranking group, 12 service types, N units, a cycle and one current publication of N
published results (IPPs around 3.7 with many ties, every grade, six aspect indices, the three
ranks computed with `competition_ranks`) whose summary is `publication_summary`'s; on
PostgreSQL it then vacuums and analyses the tables it filled. Through Django's test client,
as an anonymous visitor, it requests the index, the overview (both maps), the ranking
(national first page, a group, a province and a grade, two name searches, a later page, the
htmx table) and a unit's page: warm-up, then --requests each; it prints the median and p95
server time and the number of queries. It deletes what it created, even on failure.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")
# The pages' own time: not the portal's copies of them (bench/publication_day.py measures those).
os.environ.setdefault("PUBLIC_CACHE_SECONDS", "0")

# The same country as the ranking bench.
from country import (  # noqa: E402  (bench/ is the script's folder, first on sys.path)
    analyse_published,
    build_country,
    publish_country,
    remove_country,
    remove_database,
    remove_published,
    start_django,
    timed,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--show-queries", action="store_true", help="time each query of a request")
    parser.add_argument("--profile", help="cProfile one request of this page (a label below)")
    args = parser.parse_args()

    sqlite_file = start_django(args.units)
    from django.db import connection, transaction
    from django.test import Client

    from units.models import Province

    prefix = f"PB{os.getpid()}"
    rng = random.Random(2023)

    made_provinces: list[int] = []
    failures = 0
    try:
        started = time.perf_counter()
        with transaction.atomic():
            country = build_country(prefix, args.units, rng)
            made_provinces = country.made_provinces
            published = publish_country(country, rng)
            cycle, rows, provinces = published.cycle, published.rows, country.provinces
        print(f"Set-up: {time.perf_counter() - started:.1f} s")
        analyse_published(connection)

        client = Client(SERVER_NAME="localhost")
        base = f"/hasil/{cycle.pk}/"
        ranking = f"{base}peringkat/"
        middle = rows[len(rows) // 2]
        province = Province.objects.get(pk=provinces[17].pk).code
        htmx = {"HX-Request": "true"}
        pages = [
            ("index", "/hasil/", {}),
            ("overview", base, {}),
            ("overview, A/A- map", f"{base}?peta=a", {}),
            ("ranking, national", ranking, {}),
            ("group (Kab/Kota)", f"{ranking}?kelompok=kabkota", {}),
            ("province + grade B", f"{ranking}?provinsi={province}&predikat=B", {}),
            ("search 'samsat'", f"{ranking}?q=samsat", {}),
            ("search one unit", f"{ranking}?q={middle.unit_name.split(' ')[1]}", {}),
            ("page 200", f"{ranking}?halaman=200", {}),
            ("htmx table, group", f"{ranking}?kelompok=kabkota&halaman=3", htmx),
            ("unit page", f"/hasil/unit/{middle.unit_id}/", {}),
        ]
        head = ("page", "requests", "median ms", "p95 ms", "queries", "rows", "KB")
        print("{:<20} {:>8} {:>10} {:>8} {:>8} {:>5} {:>6}".format(*head))
        for label, url, headers in pages:
            if label == args.profile:
                import cProfile
                import pstats

                client.get(url, headers=headers)
                with cProfile.Profile() as profile:
                    for _ in range(10):
                        client.get(url, headers=headers)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
            timing = timed(client, url, args.requests, headers, args.show_queries)
            times, queries, shown, size = timing.times, timing.queries, timing.rows, timing.size
            p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
            median = statistics.median(times)
            print(
                f"{label:<20} {len(times):>8} {median:>10.1f} {p95:>8.1f} {queries:>8}"
                f" {shown:>5} {size / 1024:>6.1f}"
            )
            failures += median > 50
    finally:
        with transaction.atomic():
            remove_published(prefix)
            remove_country(prefix, made_provinces)
        connection.close()
        remove_database(sqlite_file)
    print("target: median <= 50 ms on every page:", "met" if not failures else "NOT met")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
