"""A made-up country for the benches: provinces, agencies of every ranking group, service
types and N units, written with bulk inserts under one prefix and removed the same way.

Also what the benches share: the database choice (a throwaway SQLite file without
DATABASE_URL, a PostgreSQL database created when missing), random IPPs with many ties, and
timing a page through Django's test client.
Import it from a bench script after `sys.path` holds the repository (bench/ is the script's
folder, so it is importable as `country`); call the functions that touch Django after
`django.setup()`.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent

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


# Indonesia's kabupaten and kota, and roughly its kecamatan (domain document: 514; BPS 2023:
# 7,277 kecamatan).
KABUPATEN, KOTA, KECAMATAN = 416, 98, 7_300
AGENCY_COLUMNS = ["kode", "nama", "jenis", "kode_provinsi"]
UNIT_COLUMNS = ["kode", "nama", "kode_instansi", "jenis_layanan", "ruang_lingkup", "alamat"]


def regency_rows(prefix: str = "") -> list[list[str]]:
    """The 514 regencies and cities as agency rows (AGENCY_COLUMNS), spread over the 38
    provinces by code, with codes in Kemendagri's form (18.01 a kabupaten, 18.71 a kota)."""
    rows = []
    for i in range(KABUPATEN + KOTA):
        province = PROVINCES[i % len(PROVINCES)]
        n = i // len(PROVINCES)
        if i < KABUPATEN:
            code, kind, name = f"{province}.{n + 1:02d}", "Pemerintah Kabupaten", "Kabupaten"
        else:
            n -= KABUPATEN // len(PROVINCES)
            code, kind, name = f"{province}.{n + 71:02d}", "kota", "Kota"
        rows.append([f"{prefix}{code}", f"Pemerintah {name} Contoh {code}", kind, province])
    return rows


def district_rows(
    agencies: list[list[str]], count: int = KECAMATAN, service_type: str = "kecamatan"
) -> list[list[str]]:
    """`count` kecamatan as service-unit rows (UNIT_COLUMNS), spread evenly over the agency
    rows, coded under their regency (18.01.05)."""
    rows = []
    for i in range(count):
        agency = agencies[i % len(agencies)][0]
        n = i // len(agencies) + 1
        rows.append(
            [
                f"{agency}.{n:02d}",
                f"Kecamatan Contoh {n} ({agency})",
                agency,
                service_type,
                "administratif",
                f"Jl. Kantor Camat No. {n}",
            ]
        )
    return rows


def score(rng: random.Random, mean: float = 3.7, spread: float = 0.5) -> Decimal:
    # Two decimals on a 0–5 scale: thousands of units mean many ties, as in real rankings.
    return Decimal(min(500, max(0, round(rng.gauss(mean, spread) * 100)))).scaleb(-2)


def use_database() -> str | None:
    """DATABASE_URL as given (a PostgreSQL database is created when missing), or a throwaway
    SQLite file under /tmp (returned, for removal with `remove_database`)."""
    if url := os.environ.get("DATABASE_URL"):
        if urlparse(url).scheme in ("postgres", "postgresql"):
            create_database_if_missing(url)
        return None
    handle, sqlite_file = tempfile.mkstemp(prefix="pekppp-bench-", suffix=".sqlite3", dir="/tmp")
    os.close(handle)
    os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    return sqlite_file


def start_django(n_units: int) -> str | None:
    """`use_database`, Django set up and the database migrated quietly; prints which database.
    Returns what `remove_database` takes."""
    sqlite_file = use_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), {n_units} units")
    return sqlite_file


def create_database_if_missing(url: str) -> None:
    """Create the PostgreSQL database that `url` names, if it does not exist yet."""
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(
        dbname="postgres",
        user=parsed.username or "postgres",
        password=parsed.password or None,
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created database {name}")
    finally:
        conn.close()


def remove_database(sqlite_file: str | None) -> None:
    if sqlite_file:
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(sqlite_file + suffix):
                os.remove(sqlite_file + suffix)


@dataclass
class Country:
    prefix: str
    provinces: list = field(default_factory=list)
    made_provinces: list[int] = field(default_factory=list)  # created here, removed after
    instrument: object = None  # a copy of the shipped 2022-A instrument under the prefix
    owner: object = None  # the ministry agency that owns the bench's cycles
    service_types: list = field(default_factory=list)
    units: list = field(default_factory=list)  # with .agency and .service_type loaded


def build_country(prefix: str, n_units: int, rng: random.Random) -> Country:
    """Provinces (reused when present), agencies per AGENCY_PLAN, the service types and
    `n_units` units spread over them. Run it inside a transaction."""
    from evaluations.services import instrument_import
    from units.models import Agency, Province, ServiceScope, ServiceType, ServiceUnit

    country = Country(prefix)
    for code in PROVINCES:
        province, made = Province.objects.get_or_create(
            code=code, defaults={"name": f"Provinsi {code} ({prefix})"}
        )
        country.provinces.append(province)
        if made:
            country.made_provinces.append(province.pk)
    document = json.loads((ROOT / "evaluations/instruments/2022-A.json").read_text())
    document["code"] = f"{prefix}-2022A"
    country.instrument, _ = instrument_import(data=document)
    country.owner = Agency.objects.create(
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
                province=country.provinces[i % len(country.provinces)] if regional else None,
            )
            for i in range(count)
        )
    country.service_types = ServiceType.objects.bulk_create(
        ServiceType(code=f"{prefix.lower()}-{i:02d}", name=name)
        for i, name in enumerate(SERVICE_TYPES)
    )
    homes = [
        agency
        for kind, _count, share in AGENCY_PLAN
        for agency in rng.choices(agencies_by_kind[kind], k=round(n_units * share))
    ]
    # The shares are rounded: pad (or cut) to exactly n_units.
    homes = (homes + [agencies_by_kind["kabupaten"][0]] * n_units)[:n_units]
    units = []
    for i, agency in enumerate(homes):
        stype = rng.choice(country.service_types)
        units.append(
            ServiceUnit(
                code=f"{prefix}-U{i:06d}",
                name=f"{stype.name} {i:05d} {agency.name}",
                agency=agency,
                service_type=stype,
                scope=ServiceScope.ADMINISTRATIF,
            )
        )
    country.units = ServiceUnit.objects.bulk_create(units, batch_size=BATCH)
    return country


def remove_country(prefix: str, made_provinces: list[int]) -> None:
    """Delete what build_country made (after the caller removed its cycles and users)."""
    from evaluations.models import InstrumentVersion
    from units.models import Agency, Province, ServiceType, ServiceUnit

    ServiceUnit.objects.filter(code__startswith=f"{prefix}-U").delete()
    Agency.objects.filter(code__startswith=f"{prefix}-").delete()
    ServiceType.objects.filter(code__startswith=f"{prefix.lower()}-").delete()
    InstrumentVersion.objects.filter(code=f"{prefix}-2022A").delete()
    Province.objects.filter(pk__in=made_provinces).delete()


@dataclass
class Published:
    cycle: object
    publication: object
    rows: list  # the PublishedResult rows, best IPP first
    province_codes: dict[int, str]  # province pk -> code, for filters


def publish_country(country: Country, rng: random.Random) -> Published:
    """A Nasional cycle of the country's units and its current publication: one published
    result per unit (IPPs around 3.7 with many ties, every grade, six aspect indices, the three
    ranks from `assign_ranks`) and the summary of `publication_summary`. Inside a transaction."""
    from django.utils import timezone

    from evaluations.models import Cycle, Scheme
    from scoring.models import Publication, PublishedResult
    from scoring.services.publication import assign_ranks, publication_summary
    from units.models import RANKING_GROUP_OF_KIND, User

    prefix, instrument = country.prefix, country.instrument
    province_names = {p.pk: p.name for p in country.provinces}
    stype_names = {s.pk: s.name for s in country.service_types}
    rows = []
    for unit in country.units:
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
        owner_agency=country.owner,
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
    return Published(cycle, publication, rows, {p.pk: p.code for p in country.provinces})


def analyse_published(connection) -> None:
    """On PostgreSQL, fresh statistics for the tables `publish_country` filled."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (ANALYZE) scoring_publishedresult, scoring_publication,"
                " units_serviceunit, units_agency, units_servicetype, units_province"
            )


def remove_published(prefix: str) -> None:
    """Delete the cycles, publications and publisher that `publish_country` made."""
    from evaluations.models import Cycle
    from scoring.models import Publication, PublishedResult
    from units.models import User

    cycles = Cycle.objects.filter(name__startswith=f"Bench {prefix} ")
    PublishedResult.objects.filter(publication__cycle__in=cycles).delete()
    Publication.objects.filter(cycle__in=cycles).delete()
    cycles.delete()
    User.objects.filter(username=f"{prefix.lower()}-admin").delete()


@dataclass(frozen=True)
class Timing:
    first: float  # ms of the first request, before the process warmed up to the page
    times: list[float]  # ms of each measured request
    queries: int
    rows: int  # ranking rows on the page
    size: int  # bytes of the response


def timed(client, url: str, requests: int, headers: dict[str, str], show: bool = False) -> Timing:
    """Warm up, then time `requests` GETs of `url`; one more counts (and may print) queries."""
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
        client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if show:
        for query in queries.captured_queries:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    rows = response.content.count(b'<td class="num rank">')
    return Timing(first, times, len(queries), rows, len(response.content))
