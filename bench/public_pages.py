"""Bench: the public result pages of a publication with N results (default 20,000), anonymous.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pekppp_bench \
        .venv/bin/python bench/public_pages.py [--units 20000] [--requests 30]

Without DATABASE_URL it uses a throwaway SQLite file under /tmp (never var/db.sqlite3). It
migrates quietly and writes, with bulk inserts: 38 provinces (reused when present), agencies of
every ranking group, 12 service types, N units, a cycle and one current publication of N
published results (IPPs around 3.7 with many ties, every grade, six aspect indices, the three
ranks computed with `competition_ranks`) whose summary is `publication_summary`'s; on
PostgreSQL it then vacuums and analyses the tables it filled. Through Django's test client,
as an anonymous visitor, it requests the index, the overview, the ranking (national first
page, a group, a province and a grade, two name searches, a later page, the htmx table) and a
unit's page: warm-up, then --requests each; it prints the median and p95 server time and the
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
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")

# The same country as the ranking bench: provinces, service types, agencies per kind, grades.
from ranking_page import (  # noqa: E402  (bench/ is the script's folder, first on sys.path)
    AGENCY_PLAN,
    ASPECTS,
    BATCH,
    PROVINCES,
    SERVICE_TYPES,
    grade_of,
)


def score(rng: random.Random, mean: float = 3.7) -> Decimal:
    # Two decimals on a 0–5 scale, wide enough to reach every grade; many ties, as in real life.
    return Decimal(min(500, max(0, round(rng.gauss(mean, 0.7) * 100)))).scaleb(-2)


def assign_ranks(rows: list) -> None:
    """The three published ranks (ties share a rank); `rows` sorted by IPP, best first."""
    from scoring.services_publication import competition_ranks

    for row, rank in zip(rows, competition_ranks([r.ipp for r in rows]), strict=True):
        row.rank_national = rank
    for attr, field in (("ranking_group", "rank"), ("service_type_id", "rank_service_type")):
        members: dict = defaultdict(list)
        for row in rows:
            members[getattr(row, attr)].append(row)
        for group in members.values():
            for row, rank in zip(group, competition_ranks([r.ipp for r in group]), strict=True):
                setattr(row, field, rank)


def timed(client, url: str, requests: int, headers: dict[str, str], show: bool = False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
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
    if show:
        for query in queries.captured_queries:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    rows = response.content.count(b'<td class="num rank">')
    return times, len(queries), rows, len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--show-queries", action="store_true", help="time each query of a request")
    parser.add_argument("--profile", help="cProfile one request of this page (a label below)")
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
    from django.test import Client
    from django.utils import timezone

    from evaluations.models import Cycle, InstrumentVersion, Scheme
    from evaluations.services import instrument_import
    from scoring.models import Publication, PublishedResult
    from scoring.services_publication import publication_summary
    from units.models import (
        RANKING_GROUP_OF_KIND,
        Agency,
        Province,
        ServiceScope,
        ServiceType,
        ServiceUnit,
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
            homes = (homes + [agencies_by_kind["kabupaten"][0]] * args.units)[: args.units]
            units = []
            for i, agency in enumerate(homes):
                stype = rng.choice(service_types)
                units.append(
                    ServiceUnit(
                        code=f"{prefix}-U{i:06d}",
                        name=f"{stype.name} {i:05d} {agency.name}",
                        agency=agency,
                        service_type=stype,
                        scope=ServiceScope.ADMINISTRATIF,
                    )
                )
            units = ServiceUnit.objects.bulk_create(units, batch_size=BATCH)
            province_names = {p.pk: p.name for p in provinces}
            stype_names = {s.pk: s.name for s in service_types}
            rows = []
            for unit in units:
                ipp = score(rng)
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
                        aspects={a: str(score(rng)) for a in ASPECTS},
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
            times, queries, shown, size = timed(
                client, url, args.requests, headers, args.show_queries
            )
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
    print("target: median <= 50 ms on every page:", "met" if not failures else "NOT met")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
