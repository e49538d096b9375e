"""Bench: the ranked report (PDF and XLSX) of a publication with N units (default 10,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pekppp_bench \
        .venv/bin/python bench/ranked_report.py [--units 10000]

Without DATABASE_URL it uses a throwaway SQLite file under /tmp. It creates one Nasional
cycle with N final loci and results (bulk inserts, units spread over the five ranking groups
with long, realistic names), publishes it through `cycle_publish`, then runs each builder in
a child process of its own — as a worker process would — and prints the child's wall time
and peak resident memory (from wait4's rusage), against the targets ≤ 60 s and ≤ 1 GiB.
It deletes what it created.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from country import remove_database, use_database  # noqa: E402  (bench/ is first on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")
PREFIX = "BENCHRR"
TARGET_SECONDS = 60
TARGET_MIB = 1024
# Share of units per agency kind (K/L, provinces, kab/kota, POLRI, BUMN).
KINDS = (("kementerian", 5), ("provinsi", 15), ("kabupaten", 70), ("polri", 8), ("bumn", 2))
SERVICES = (
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Rumah Sakit Umum Daerah",
    "Satuan Penyelenggara Administrasi SIM",
    "Kantor Pelayanan Pajak Pratama",
)


def setup_django() -> str | None:
    """Django on DATABASE_URL, or on a throwaway SQLite file (returned, for removal)."""
    sqlite_file = use_database()
    import django

    django.setup()
    return sqlite_file


def build(count: int):
    """A published cycle of `count` units; returns the Publication."""
    from evaluations.models import Assessment, AssessmentStatus, Cycle, InstrumentVersion
    from scoring.models import Result
    from scoring.services.publication import cycle_publish
    from units.models import (
        RANKING_GROUP_OF_KIND,
        Agency,
        Province,
        Role,
        RoleAssignment,
        ServiceType,
        ServiceUnit,
        User,
    )

    instrument = InstrumentVersion.objects.get(code="2022-A")
    bands = list(
        instrument.grade_bands.order_by("-min_ipp").values_list("grade", "min_ipp", "label")
    )
    province = Province.objects.get_or_create(code="99", defaults={"name": "Provinsi Bench"})[0]
    service_type = ServiceType.objects.get_or_create(
        code=PREFIX.lower(), defaults={"name": "Layanan Bench"}
    )[0]
    agencies = Agency.objects.bulk_create(
        Agency(
            code=f"{PREFIX}-A{kind[:3]}{i:03d}",
            name=f"Pemerintah {kind.title()} Bench Nomor {i:03d} Wilayah Uji Kinerja",
            kind=kind,
            province=province if kind in ("provinsi", "kabupaten") else None,
        )
        for kind, _share in KINDS
        for i in range(40)
    )
    owner = Agency.objects.create(
        code=f"{PREFIX}-OWNER", name="Kementerian Bench", kind="kementerian"
    )
    cycle = Cycle.objects.create(
        year=2099, scheme="nasional", name=f"{PREFIX} Nasional 2099", instrument=instrument,
        owner_agency=owner,
    )  # fmt: skip
    plan = []
    for kind, share in KINDS:
        members = [a for a in agencies if a.kind == kind]
        plan += [members[i % len(members)] for i in range(count * share // 100)]
    plan += [agencies[0]] * (count - len(plan))
    units = ServiceUnit.objects.bulk_create(
        (
            ServiceUnit(
                code=f"{PREFIX}-U{i:06d}",
                name=f"{SERVICES[i % len(SERVICES)]} Unit Bench {i:05d}",
                agency=agency,
                service_type=service_type,
                scope="administratif",
            )
            for i, agency in enumerate(plan)
        ),
        batch_size=5000,
    )
    assessments = Assessment.objects.bulk_create(
        (Assessment(cycle=cycle, unit=u, status=AssessmentStatus.FINAL) for u in units),
        batch_size=5000,
    )
    results = []
    for i, (a, agency) in enumerate(zip(assessments, plan, strict=True)):
        ipp = Decimal((i * 7919) % 500) / 100
        grade, label = next((g, lbl) for g, low, lbl in bands if ipp >= low)
        aspects = {c: str(min(Decimal(5), ipp + Decimal(k) / 100)) for k, c in
                   enumerate(("I", "II", "III", "IV", "V", "VI"))}  # fmt: skip
        results.append(
            Result(
                assessment=a,
                cycle=cycle,
                ranking_group=RANKING_GROUP_OF_KIND[agency.kind],
                province_id=agency.province_id,
                service_type=service_type,
                instrument=instrument,
                engine_version="bench",
                aspects=aspects,
                evaluator_index=ipp,
                ipp=ipp,
                grade=grade,
                grade_label=label,
                inputs={"levels": {}},
            )  # fmt: skip
        )
    Result.objects.bulk_create(results, batch_size=5000)
    admin = User.objects.create_user(username=f"{PREFIX.lower()}-admin", password="x")
    RoleAssignment.objects.create(user=admin, role=Role.MINISTRY_ADMIN)
    return cycle_publish(cycle=cycle, user=admin)


def cleanup() -> None:
    from evaluations.models import Cycle
    from reports.models import Certificate, Document
    from scoring.models import Publication, PublishedResult
    from units.models import Agency, ServiceType, ServiceUnit, User

    cycles = Cycle.objects.filter(name__startswith=PREFIX)
    Document.objects.filter(cycle__in=cycles).delete()
    Certificate.objects.filter(cycle__in=cycles).delete()
    PublishedResult.objects.filter(publication__cycle__in=cycles).delete()
    Publication.objects.filter(cycle__in=cycles).delete()
    cycles.delete()
    ServiceUnit.objects.filter(code__startswith=PREFIX).delete()
    Agency.objects.filter(code__startswith=PREFIX).delete()
    ServiceType.objects.filter(code=PREFIX.lower()).delete()
    User.objects.filter(username=f"{PREFIX.lower()}-admin").delete()


def child(kind: str, publication_id: int, out: str) -> None:
    """Run one builder as a worker would: load the publication, build into a temp folder."""
    setup_django()
    import pathlib

    from reports.builders import BUILDERS
    from reports.models import Document
    from scoring.models import Publication

    publication = Publication.objects.get(pk=publication_id)
    document = Document(kind=kind, cycle_id=publication.cycle_id, publication=publication)
    steps = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        built = BUILDERS[kind](document, lambda d, t: steps.append(d), pathlib.Path(workdir))
        size = built.path.stat().st_size
        os.replace(built.path, out)
    print(
        f"  {kind}: built in {time.perf_counter() - start:.1f} s, {len(steps)} progress reports, "
        f"{size / 1_048_576:.1f} MiB"
    )


def run_child(kind: str, publication_id: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one builder in its own process."""
    out = tempfile.mktemp(prefix=f"pekppp-{kind}-")
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--publication",
            str(publication_id),
            "--out",
            out,
        ]
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{kind} failed ({process.returncode})")
    if kind.endswith("pdf"):
        from pypdf import PdfReader

        print(f"  {kind}: {len(PdfReader(out).pages)} pages")
    Path(out).unlink(missing_ok=True)
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--child")
    parser.add_argument("--publication", type=int)
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.publication, args.out)
        return
    sqlite_file = setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_instruments", verbosity=0, stdout=open(os.devnull, "w"))
    cleanup()
    start = time.perf_counter()
    publication = build(args.units)
    print(
        f"Database: {connection.vendor}; {publication.result_count} published results "
        f"(set-up {time.perf_counter() - start:.1f} s)"
    )
    connection.close()
    try:
        worst = []
        for kind in ("ranked_pdf", "ranked_xlsx"):
            seconds, mib = run_child(kind, publication.pk)
            worst.append((seconds, mib))
            print(f"{kind:<12} {seconds:7.1f} s wall (incl. start-up), peak RSS {mib:7.0f} MiB")
        pdf_seconds, pdf_mib = worst[0]
        verdict = "meets" if pdf_seconds <= TARGET_SECONDS and pdf_mib <= TARGET_MIB else "MISSES"
        print(
            f"target: ranked PDF ≤ {TARGET_SECONDS} s and ≤ {TARGET_MIB} MiB per process — "
            f"{verdict} ({pdf_seconds:.1f} s, {pdf_mib:.0f} MiB)"
        )
    finally:
        cleanup()
        remove_database(sqlite_file)


if __name__ == "__main__":
    main()
