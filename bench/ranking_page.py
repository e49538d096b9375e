"""Bench: the ranking page of a cycle with N results (default 20,000), as a ministry admin.

    .venv/bin/python bench/ranking_page.py [--units 20000] [--requests 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pekppp_bench \
        .venv/bin/python bench/ranking_page.py

Without DATABASE_URL it uses a throwaway SQLite file under /tmp (never var/db.sqlite3). It
migrates quietly and writes, with bulk inserts: 38 provinces (reused when present), agencies
of every ranking group, 12 service types, a Nasional cycle with N units, loci and results
(IPPs around 3.7 with many ties, grades and six aspect indices) and the previous year's cycle
with results for 70% of the same units; on PostgreSQL it then vacuums and analyses the tables
it filled. Through Django's test client it requests the national ranking, a group-filtered
ranking, a name search, the htmx table alone and the national ranking without the cache of
aspect sums: warm-up, then --requests each; it prints the median and p95 server time and the
number of queries. It deletes what it created, even on failure.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")

from country import (  # noqa: E402  (bench/ is the script's folder, first on sys.path)
    ASPECTS,
    BATCH,
    build_country,
    grade_of,
    remove_country,
    remove_database,
    score,
    timed,
    use_database,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--show-queries", action="store_true", help="time each query of a request")
    args = parser.parse_args()

    sqlite_file = use_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client, override_settings

    from evaluations.models import Assessment, Cycle, Scheme
    from scoring.models import Result
    from units.models import (
        RANKING_GROUP_OF_KIND,
        Role,
        RoleAssignment,
        User,
    )

    call_command("migrate", verbosity=0, interactive=False)
    prefix = f"RB{os.getpid()}"
    rng = random.Random(2024)
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), {args.units} units")

    made_provinces: list[int] = []
    failures = 0
    try:
        started = time.perf_counter()
        with transaction.atomic():
            country = build_country(prefix, args.units, rng)
            made_provinces = country.made_provinces
            instrument, owner, units = country.instrument, country.owner, country.units

            def cycle_with_results(year: int, members: list) -> Cycle:
                cycle = Cycle.objects.create(
                    year=year,
                    scheme=Scheme.NASIONAL,
                    name=f"Bench {prefix} {year}",
                    instrument=instrument,
                    owner_agency=owner,
                )
                loci = Assessment.objects.bulk_create(
                    (Assessment(cycle=cycle, unit=u) for u in members), batch_size=BATCH
                )
                results = []
                for locus, unit in zip(loci, members, strict=True):
                    ipp = score(rng, 3.7 if year == 2024 else 3.6)
                    grade, label = grade_of(ipp)
                    results.append(
                        Result(
                            assessment=locus,
                            cycle=cycle,
                            ranking_group=RANKING_GROUP_OF_KIND[unit.agency.kind],
                            province_id=unit.agency.province_id,
                            service_type_id=unit.service_type_id,
                            instrument=instrument,
                            engine_version="bench",
                            aspects={a: str(score(rng)) for a in ASPECTS},
                            evaluator_index=ipp,
                            ipp=ipp,
                            grade=grade,
                            grade_label=label,
                            inputs={},
                        )
                    )
                Result.objects.bulk_create(results, batch_size=BATCH)
                return cycle

            cycle_with_results(2023, [u for u in units if rng.random() < 0.7])
            cycle = cycle_with_results(2024, units)
            admin = User.objects.create_user(username=f"{prefix.lower()}-admin", password=None)
            RoleAssignment.objects.create(user=admin, role=Role.MINISTRY_ADMIN)
        print(f"Set-up: {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            # As autovacuum would on a live server (it may be off on a bench server): fresh
            # statistics, and a visibility map so that index-only scans need no heap visits.
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM (ANALYZE) scoring_result, evaluations_assessment, units_serviceunit,"
                    " units_agency, evaluations_cycle"
                )

        client = Client(SERVER_NAME="localhost")
        client.force_login(admin)
        base = f"/peringkat/{cycle.pk}/"
        dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        pages = [
            ("national ranking", base, {}, None),
            ("group (Kab/Kota)", f"{base}?kelompok=kabkota", {}, None),
            ("search 'samsat'", f"{base}?q=samsat", {}, None),
            ("htmx table, group", f"{base}?kelompok=kabkota", {"HX-Request": "true"}, None),
            # Every request computes the aspect sums, as the first one after a recompute does.
            ("national, no cache", base, {}, dummy),
        ]
        # "first ms": the first request of a page, before the process and the database have
        # warmed up to it.
        head = ("page", "first ms", "requests", "median ms", "p95 ms", "queries", "rows")
        print("{:<20} {:>9} {:>8} {:>10} {:>8} {:>8} {:>5}".format(*head))
        for label, url, headers, caches in pages:
            with override_settings(CACHES=caches) if caches else nullcontext():
                timing = timed(client, url, args.requests, headers, args.show_queries)
            first, times, queries, rows = timing.first, timing.times, timing.queries, timing.rows
            p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
            median = statistics.median(times)
            print(
                f"{label:<20} {first:>9.1f} {len(times):>8} {median:>10.1f} {p95:>8.1f}"
                f" {queries:>8} {rows:>5}"
            )
            failures += rows != 50 and not label.startswith("search")
    finally:
        with transaction.atomic():
            cycles = Cycle.objects.filter(name__startswith=f"Bench {prefix} ")
            Result.objects.filter(cycle__in=cycles).delete()
            Assessment.objects.filter(cycle__in=cycles).delete()
            cycles.delete()
            User.objects.filter(username=f"{prefix.lower()}-admin").delete()
            remove_country(prefix, made_provinces)
        connection.close()
        remove_database(sqlite_file)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
