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
import json
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")

# BPS codes of Indonesia's 38 provinces.
PROVINCES = (
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 71 72 73 74 75 76 "
    "81 82 91 92 93 94 95 96"
).split()
SERVICE_TYPES = (
    "Disdukcapil", "DPMPTSP", "RSUD", "Samsat", "Puskesmas", "Kecamatan",
    "Dinas Sosial", "Kantor Pertanahan", "Imigrasi", "SIM", "SKCK", "Layanan Pelanggan",
)  # fmt: skip
# (agency kind, number of agencies, share of the units)
AGENCY_PLAN = (
    ("kementerian", 34, 0.05),
    ("lembaga", 46, 0.03),
    ("provinsi", 38, 0.12),
    ("kabupaten", 416, 0.56),
    ("kota", 98, 0.14),
    ("polri", 40, 0.07),
    ("bumn", 30, 0.03),
)
GRADES = (
    ("A", "4.51", "Pelayanan Prima"), ("A-", "4.01", "Sangat Baik"), ("B", "3.51", "Baik"),
    ("B-", "3.01", "Baik (Dengan Catatan)"), ("C", "2.51", "Cukup"),
    ("C-", "2.01", "Cukup (Dengan Catatan)"), ("D", "1.51", "Buruk"), ("E", "1.01", "Sangat Buruk"),
    ("F", "0.00", "Gagal"),
)  # fmt: skip
ASPECTS = ("I", "II", "III", "IV", "V", "VI")
BATCH = 2_000


def grade_of(ipp: Decimal) -> tuple[str, str]:
    for grade, lowest, label in GRADES:
        if ipp >= Decimal(lowest):
            return grade, label
    raise ValueError(ipp)


def score(rng: random.Random, mean: float = 3.7) -> Decimal:
    # Two decimals on a 0–5 scale: thousands of units mean many ties, as in real rankings.
    return Decimal(min(500, max(0, round(rng.gauss(mean, 0.5) * 100)))).scaleb(-2)


def timed(
    client, url: str, requests: int, headers: dict[str, str], show: bool = False
) -> tuple[float, list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    client.get(url, headers=headers)
    first = (time.perf_counter() - started) * 1000
    for _ in range(4):
        client.get(url, headers=headers)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    rows = response.content.count(b'<td class="num rank">')
    if show:
        for query in queries.captured_queries:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    return first, times, len(queries), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--show-queries", action="store_true", help="time each query of a request")
    args = parser.parse_args()

    sqlite_file = None
    if not os.environ.get("DATABASE_URL"):
        handle, sqlite_file = tempfile.mkstemp(
            prefix="pekppp-bench-", suffix=".sqlite3", dir="/tmp"
        )
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client, override_settings

    from evaluations.models import Assessment, Cycle, InstrumentVersion, Scheme
    from evaluations.services import instrument_import
    from scoring.models import Result
    from units.models import (
        RANKING_GROUP_OF_KIND,
        Agency,
        Province,
        Role,
        RoleAssignment,
        ServiceScope,
        ServiceType,
        ServiceUnit,
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
            provinces = []
            for code in PROVINCES:
                province, made = Province.objects.get_or_create(
                    code=code, defaults={"name": f"Provinsi {code} ({prefix})"}
                )
                provinces.append(province)
                if made:
                    made_provinces.append(province.pk)
            document = json.loads((ROOT / "evaluations/instruments/2022-A.json").read_text())
            document["code"] = f"{prefix}-2022A"
            instrument, _ = instrument_import(data=document)
            owner = Agency.objects.create(
                code=f"{prefix}-KEMENPANRB", name=f"KemenPANRB {prefix}", kind="kementerian"
            )
            agencies_by_kind = {}
            for kind, count, _share in AGENCY_PLAN:
                regional = kind in ("provinsi", "kabupaten", "kota")
                agencies_by_kind[kind] = Agency.objects.bulk_create(
                    Agency(
                        code=f"{prefix}-{kind[:3].upper()}{i:03d}",
                        name=f"{kind.title()} Bench {i:03d}",
                        kind=kind,
                        province=provinces[i % len(provinces)] if regional else None,
                    )
                    for i in range(count)
                )
            service_types = ServiceType.objects.bulk_create(
                ServiceType(code=f"{prefix.lower()}-{i:02d}", name=name)
                for i, name in enumerate(SERVICE_TYPES)
            )
            homes = [
                agency
                for kind, _count, share in AGENCY_PLAN
                for agency in rng.choices(agencies_by_kind[kind], k=round(args.units * share))
            ]
            # The shares are rounded: pad (or cut) to exactly --units.
            homes = (homes + [agencies_by_kind["kabupaten"][0]] * args.units)[: args.units]

            def unit(i: int, agency: Agency) -> ServiceUnit:
                stype = rng.choice(service_types)
                return ServiceUnit(
                    code=f"{prefix}-U{i:06d}",
                    name=f"{stype.name} {i:05d} {agency.name}",
                    agency=agency,
                    service_type=stype,
                    scope=ServiceScope.ADMINISTRATIF,
                )

            units = [unit(i, agency) for i, agency in enumerate(homes)]
            units = ServiceUnit.objects.bulk_create(units, batch_size=BATCH)

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
                first, times, queries, rows = timed(
                    client, url, args.requests, headers, args.show_queries
                )
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
            ServiceUnit.objects.filter(code__startswith=f"{prefix}-U").delete()
            Agency.objects.filter(code__startswith=f"{prefix}-").delete()
            ServiceType.objects.filter(code__startswith=f"{prefix.lower()}-").delete()
            InstrumentVersion.objects.filter(code=f"{prefix}-2022A").delete()
            Province.objects.filter(pk__in=made_provinces).delete()
        connection.close()
        if sqlite_file:
            for path in (
                sqlite_file,
                sqlite_file + "-wal",
                sqlite_file + "-shm",
                sqlite_file + "-journal",
            ):
                if os.path.exists(path):
                    os.remove(path)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
