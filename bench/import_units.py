"""Bench: import N service units (default 10,000) from CSV and XLSX through `import_file`;
with --country, Indonesia at real size through `import_file` and the admin.

    .venv/bin/python bench/import_units.py [--rows 10000] [--format csv|xlsx] [--country]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pekppp_bench \
        .venv/bin/python bench/import_units.py

Without DATABASE_URL it uses a throwaway SQLite file under /tmp (never var/db.sqlite3). It
migrates quietly, creates the agencies and service types the file refers to, then per format
times: a first import (all new), a re-import with changed names (all updated) and a re-import
of the same file (all unchanged).

--country instead imports, per format, the 514 regencies/cities as agencies (referring to the
38 shipped provinces by code) and 7,300 kecamatan as units (bench/country.py), re-imports the
units unchanged, then does both again through the admin's import page (upload and preview,
then confirm) with Django's test client. It prints wall-clock and CPU seconds: on a shared
machine the CPU figure is the steadier one.

It deletes what it created, even on failure.
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
from country import (  # noqa: E402  (bench/ is first on sys.path)
    AGENCY_COLUMNS,
    UNIT_COLUMNS,
    district_rows,
    regency_rows,
    remove_database,
    use_database,
)

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


def to_csv(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("UPP")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_country(prefix: str, formats: list[str]) -> int:
    """Indonesia's regencies/cities and kecamatan per format, by `import_file` and by the
    admin; the number of failed steps."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.utils import setup_test_environment

    from units.importing import import_file
    from units.models import Agency, ServiceType, ServiceUnit, User
    from units.resources import AgencyResource, ServiceUnitResource

    service_type = ServiceType.objects.create(code=f"{prefix.lower()}-kecamatan", name="Kecamatan")
    agencies = regency_rows(f"{prefix}-")
    units = district_rows(agencies, service_type=service_type.code)
    our_agencies = Agency.objects.filter(code__startswith=f"{prefix}-")
    our_units = ServiceUnit.objects.filter(agency__code__startswith=f"{prefix}-")
    admin = User.objects.create_superuser(f"{prefix.lower()}-admin", password=None)
    setup_test_environment()  # the test client keeps each response's template context
    client = Client(SERVER_NAME="localhost")
    client.force_login(admin)
    encode = {"csv": to_csv, "xlsx": to_xlsx}
    failures = 0

    def admin_import(model: str, data: bytes, fmt: str):
        choice = {"csv": "0", "xlsx": "1"}[fmt]  # the order of SpreadsheetImportExportAdmin
        upload = SimpleUploadedFile(f"{model}.{fmt}", data)
        page = client.post(
            f"/admin/units/{model}/import/",
            {"resource": "0", "format": choice, "import_file": upload},
        )
        confirm = page.context["confirm_form"].initial
        done = client.post(f"/admin/units/{model}/process_import/", confirm)
        return page.context["result"].totals["new"], done.status_code

    print(f"{'format':<6} {'path':<6} {'step':<16} {'rows':>6} {'wall s':>7} {'CPU s':>6}  outcome")
    try:
        for fmt in formats:
            agency_file = encode[fmt](agencies, AGENCY_COLUMNS)
            unit_file = encode[fmt](units, UNIT_COLUMNS)
            steps = [
                ("service", "agencies new", AgencyResource, agency_file),
                ("service", "units new", ServiceUnitResource, unit_file),
                ("service", "units unchanged", ServiceUnitResource, unit_file),
                ("reset", "", None, None),
                ("admin", "agencies new", "agency", agency_file),
                ("admin", "units new", "serviceunit", unit_file),
            ]
            for path, step, target, data in steps:
                if path == "reset":
                    our_units.delete()
                    our_agencies.delete()
                    continue
                wall, cpu = time.perf_counter(), time.process_time()
                if path == "admin":
                    outcome = admin_import(target, data, fmt)
                else:
                    outcome = import_file(target, data, fmt)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                rows = len(agencies) if step.startswith("agencies") else len(units)
                if path == "admin":
                    new, status = outcome
                    ok = new == rows and status == 302
                    text = f"preview {new} new, confirm HTTP {status}"
                else:
                    ok = outcome.ok
                    text = outcome.summary() if ok else "; ".join(map(str, outcome.errors[:3]))
                failures += not ok
                print(f"{fmt:<6} {path:<6} {step:<16} {rows:>6} {wall:>7.2f} {cpu:>6.2f}  {text}")
            if (our_agencies.count(), our_units.count()) != (len(agencies), len(units)):
                print("!! the database does not hold the country")
                failures += 1
            our_units.delete()
            our_agencies.delete()
    finally:
        our_units.delete()
        our_agencies.delete()
        service_type.delete()
        admin.delete()
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], action="append", dest="formats")
    parser.add_argument(
        "--country", action="store_true", help="514 regencies/cities and 7,300 kecamatan"
    )
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
    if args.country:
        print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}), the country")
        try:
            return 1 if import_country(prefix, formats) else 0
        finally:
            connection.close()
            remove_database(sqlite_file)
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
