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

# The same country as the ranking bench.
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
    parser.add_argument("--profile", help="cProfile one request of this page (a label below)")
    args = parser.parse_args()

    sqlite_file = use_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from evaluations.models import Cycle, Scheme
    from scoring.models import Publication, PublishedResult
    from scoring.services.publication import assign_ranks, publication_summary
    from units.models import (
        RANKING_GROUP_OF_KIND,
        Province,
        User,
    )

    call_command("migrate", verbosity=0, interactive=False)
    prefix = f"PB{os.getpid()}"
    rng = random.Random(2023)
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), {args.units} units")

    made_provinces: list[int] = []
    failures = 0
    try:
        started = time.perf_counter()
        with transaction.atomic():
            country = build_country(prefix, args.units, rng)
            made_provinces = country.made_provinces
            provinces, instrument, owner = country.provinces, country.instrument, country.owner
            service_types, units = country.service_types, country.units
            province_names = {p.pk: p.name for p in provinces}
            stype_names = {s.pk: s.name for s in service_types}
            rows = []
            for unit in units:
                ipp = score(rng, spread=0.7)
                grade, label = grade_of(ipp)
                agency = unit.agency
                rows.append(
                    PublishedResult(
                        unit=unit,
                        unit_name=unit.name,
                        agency=agency,
                        agency_name=agency.name,
                        province_id=agency.province_id,
                        province_name=province_names.get(agency.province_id, ""),
                        service_type_id=unit.service_type_id,
                        service_type_name=stype_names[unit.service_type_id],
                        ranking_group=RANKING_GROUP_OF_KIND[agency.kind],
                        aspects={a: str(score(rng, spread=0.7)) for a in ASPECTS},
                        levels={str(n): rng.randint(0, 5) for n in range(1, 31)},
                        evaluator_index=ipp,
                        respondents=rng.randint(0, 20),
                        ipp=ipp,
                        grade=grade,
                        grade_label=label,
                    )
                )
            rows.sort(key=lambda r: (-r.ipp, r.unit_name))
            assign_ranks(rows)
            cycle = Cycle.objects.create(
                year=2023,
                scheme=Scheme.NASIONAL,
                name=f"Bench {prefix} 2023",
                instrument=instrument,
                owner_agency=owner,
            )
            publisher = User.objects.create_user(username=f"{prefix.lower()}-admin", password=None)
            aspects = list(instrument.aspects.order_by("order").values_list("code", "name"))
            bands = list(instrument.grade_bands.order_by("-max_ipp").values_list("grade", "label"))
            publication = Publication.objects.create(
                cycle=cycle,
                revision=1,
                is_current=True,
                published_by=publisher,
                published_at=timezone.now(),
                instrument=instrument,
                engine_version="bench",
                result_count=len(rows),
                summary=publication_summary(rows, aspects, bands),
            )
            for row in rows:
                row.publication = publication
            PublishedResult.objects.bulk_create(rows, batch_size=BATCH)
        print(f"Set-up: {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM (ANALYZE) scoring_publishedresult, scoring_publication,"
                    " units_serviceunit, units_agency, units_servicetype, units_province"
                )

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
            cycles = Cycle.objects.filter(name__startswith=f"Bench {prefix} ")
            PublishedResult.objects.filter(publication__cycle__in=cycles).delete()
            Publication.objects.filter(cycle__in=cycles).delete()
            cycles.delete()
            User.objects.filter(username=f"{prefix.lower()}-admin").delete()
            remove_country(prefix, made_provinces)
        connection.close()
        remove_database(sqlite_file)
    print("target: median <= 50 ms on every page:", "met" if not failures else "NOT met")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
