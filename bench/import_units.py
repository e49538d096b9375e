"""Bench: import N service units (default 10,000) from CSV and XLSX through `import_file`.

    .venv/bin/python bench/import_units.py [--rows 10000] [--format csv|xlsx]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pekppp_bench \
        .venv/bin/python bench/import_units.py

Without DATABASE_URL it uses a throwaway SQLite file under /tmp (never var/db.sqlite3). It
migrates quietly, creates the agencies and service types the file refers to, then per format
times: a first import (all new), a re-import with changed names (all updated) and a re-import
of the same file (all unchanged). It deletes what it created, even on failure.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from country import remove_database, use_database  # noqa: E402  (bench/ is first on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")

HEADERS = ["kode", "nama", "kode_instansi", "jenis_layanan", "ruang_lingkup", "alamat"]
AGENCIES = 50
SERVICE_TYPES = ("disdukcapil", "dpmptsp", "rsud", "samsat", "puskesmas")
# Values and labels mixed, in different cases, as people type them.
SCOPES = ("administratif", "Barang", "JASA", "Administratif")


def make_rows(prefix: str, count: int, suffix: str = "") -> list[list[str]]:
    return [
        [
            f"{prefix}-U{i:06d}",
            f"Unit Pelayanan {i}{suffix}",
            f"{prefix}-A{i % AGENCIES:03d}",
            f"{prefix.lower()}-{SERVICE_TYPES[i % len(SERVICE_TYPES)]}",
            SCOPES[i % len(SCOPES)],
            f"Jl. Contoh No. {i}, Kecamatan {i % 97}",
        ]
        for i in range(count)
    ]


def to_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: list[list[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("UPP")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], action="append", dest="formats")
    args = parser.parse_args()
    formats = args.formats or ["csv", "xlsx"]

    sqlite_file = use_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from units.importing import import_file
    from units.models import Agency, AgencyKind, Province, ServiceType, ServiceUnit
    from units.resources import ServiceUnitResource

    call_command("migrate", verbosity=0, interactive=False)
    prefix = f"BENCH{os.getpid()}"
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), {args.rows} rows")

    province, made_province = Province.objects.get_or_create(
        code="B9", defaults={"name": f"Provinsi {prefix}"}
    )
    failures = 0
    try:
        Agency.objects.bulk_create(
            Agency(
                code=f"{prefix}-A{i:03d}",
                name=f"Kabupaten Bench {i}",
                kind=AgencyKind.KABUPATEN,
                province=province,
            )
            for i in range(AGENCIES)
        )
        ServiceType.objects.bulk_create(
            ServiceType(code=f"{prefix.lower()}-{code}", name=code.upper())
            for code in SERVICE_TYPES
        )
        units = ServiceUnit.objects.filter(code__startswith=f"{prefix}-U")
        encode = {"csv": to_csv, "xlsx": to_xlsx}
        print(f"{'format':<6} {'step':<10} {'rows':>7} {'seconds':>8} {'rows/s':>9}  outcome")
        for fmt in formats:
            units.delete()
            steps = [
                ("new", make_rows(prefix, args.rows), "new"),
                ("update", make_rows(prefix, args.rows, " (diperbarui)"), "updated"),
                ("unchanged", make_rows(prefix, args.rows, " (diperbarui)"), "skipped"),
            ]
            for step, rows, expected in steps:
                data = encode[fmt](rows)
                started = time.perf_counter()
                report = import_file(ServiceUnitResource, data, fmt)
                seconds = time.perf_counter() - started
                ok = report.ok and getattr(report, expected) == args.rows
                if step == "update":  # the new names really are in the database
                    ok = ok and units.filter(name__endswith="(diperbarui)").count() == args.rows
                failures += not ok
                outcome = report.summary() if report.ok else "; ".join(map(str, report.errors[:3]))
                rate = args.rows / seconds
                print(f"{fmt:<6} {step:<10} {args.rows:>7} {seconds:>8.2f} {rate:>9.0f}  {outcome}")
            if units.count() != args.rows:
                print(f"!! expected {args.rows} units in the database, found {units.count()}")
                failures += 1
    finally:
        ServiceUnit.objects.filter(code__startswith=f"{prefix}-U").delete()
        Agency.objects.filter(code__startswith=f"{prefix}-A").delete()
        ServiceType.objects.filter(code__startswith=f"{prefix.lower()}-").delete()
        if made_province:
            province.delete()
        connection.close()
        remove_database(sqlite_file)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
