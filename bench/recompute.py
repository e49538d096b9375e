"""Bench: recompute N assessments × 30 indicators (default 20,000) through results_recompute.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pekppp_bench \
        .venv/bin/python bench/recompute.py [--assessments 20000] [--survey]

Without DATABASE_URL it uses a throwaway SQLite file under /tmp. It builds one 2022-A cycle
with N loci and their final levels (levels written by one INSERT … SELECT, so set-up is quick;
--survey adds 12 F-03 respondents per locus), then times:
  - the first recompute (every result new),
  - a second one (nothing changed: read, score, compare),
  - one after 1 % of the levels changed,
and, for scale, a single SQL aggregate over the same answers (Σ weight × level per locus).
It prints seconds and the ratio recompute / aggregate, then deletes what it created.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from country import remove_database, use_database  # noqa: E402  (bench/ is first on sys.path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")
PREFIX = "BENCHRC"


def setup_django() -> str | None:
    """Django on DATABASE_URL, or on a throwaway SQLite file (returned, for removal)."""
    sqlite_file = use_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_instruments", verbosity=0, stdout=open(os.devnull, "w"))
    return sqlite_file


def build(count: int, survey: bool):
    from django.db import connection

    from evaluations.models import Assessment, Cycle, InstrumentVersion, SurveyResponse
    from units.models import Agency, Province, ServiceType, ServiceUnit

    province = Province.objects.get_or_create(code="99", defaults={"name": "Provinsi Bench"})[0]
    agencies = Agency.objects.bulk_create(
        Agency(
            code=f"{PREFIX}-A{i:03d}",
            name=f"Kabupaten Bench {i}",
            kind="kabupaten",
            province=province,
        )
        for i in range(100)
    )
    service_type = ServiceType.objects.get_or_create(
        code=f"{PREFIX.lower()}", defaults={"name": "Bench"}
    )[0]
    owner = Agency.objects.create(
        code=f"{PREFIX}-OWNER", name="Kementerian Bench", kind="kementerian"
    )
    instrument = InstrumentVersion.objects.get(code="2022-A")
    cycle = Cycle.objects.create(
        year=2099,
        scheme="nasional",
        name=f"{PREFIX} 2099",
        instrument=instrument,
        owner_agency=owner,
    )
    units = ServiceUnit.objects.bulk_create(
        (
            ServiceUnit(
                code=f"{PREFIX}-U{i:06d}",
                name=f"Unit Bench {i}",
                agency=agencies[i % 100],
                service_type=service_type,
                scope="administratif",
            )
            for i in range(count)
        ),
        batch_size=5000,
    )
    Assessment.objects.bulk_create(
        (Assessment(cycle=cycle, unit=u, status="final") for u in units), batch_size=5000
    )
    with connection.cursor() as cursor:
        # Deterministic, varied levels 0–5 from the ids, written by the database itself.
        cursor.execute(
            """
            INSERT INTO evaluations_finallevel
                (assessment_id, indicator_id, level, reason, decided_at)
            SELECT a.id, i.id, (a.id * 7 + i.number * 13 + (a.id / 7) * i.number) %% 6, '',
                   CURRENT_TIMESTAMP
            FROM evaluations_assessment a CROSS JOIN evaluations_indicator i
            WHERE a.cycle_id = %s AND i.instrument_id = %s AND i.supplementary = %s
            """,
            [cycle.pk, instrument.pk, False],
        )
    if survey:
        answers = [[(r + item) % 6 for item in range(14)] for r in range(12)]
        SurveyResponse.objects.bulk_create(
            (
                SurveyResponse(assessment_id=a, answers=answers[r], channel="online")
                for a in Assessment.objects.filter(cycle=cycle).values_list("pk", flat=True)
                for r in range(12)
            ),
            batch_size=10_000,
        )
    return cycle


def aggregate_seconds(cycle) -> float:
    from django.db import connection

    sql = """
        SELECT f.assessment_id, SUM(i.weight * f.level)
        FROM evaluations_finallevel f JOIN evaluations_indicator i ON i.id = f.indicator_id
        JOIN evaluations_assessment a ON a.id = f.assessment_id
        WHERE a.cycle_id = %s GROUP BY f.assessment_id
    """
    times = []
    for _ in range(3):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [cycle.pk])
            cursor.fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed(label: str, cycle, width: int = 34):
    from django.db.models import Q

    from scoring.services.results import results_recompute

    start = time.perf_counter()
    report = results_recompute(assessments=Q(cycle=cycle))
    seconds = time.perf_counter() - start
    print(
        f"{label:<{width}} {seconds:8.2f} s   {report.computed:>6} scored, "
        f"{len(report.changes):>6} changed"
    )
    return seconds


def cleanup(cycle) -> None:
    from evaluations.models import Cycle
    from units.models import Agency, ServiceType, ServiceUnit

    Cycle.objects.filter(name__startswith=PREFIX).delete()
    ServiceUnit.objects.filter(code__startswith=PREFIX).delete()
    Agency.objects.filter(code__startswith=PREFIX).delete()
    ServiceType.objects.filter(code=PREFIX.lower()).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=20_000)
    parser.add_argument("--survey", action="store_true", help="12 F-03 respondents per locus")
    args = parser.parse_args()
    sqlite_file = setup_django()
    from django.db import connection
    from django.db.models import Case, When

    from evaluations.models import FinalLevel

    cleanup(None)
    start = time.perf_counter()
    cycle = build(args.assessments, args.survey)
    print(
        f"Database: {connection.vendor}; {args.assessments} loci × 30 indicators"
        f"{' + 12 respondents each' if args.survey else ''}"
        f" (set-up {time.perf_counter() - start:.1f} s)"
    )
    try:
        first = timed("recompute, all results new", cycle)
        second = timed("recompute, nothing changed", cycle)
        changed = FinalLevel.objects.filter(assessment__cycle=cycle, indicator__number=1).order_by(
            "pk"
        )
        ids = list(changed.values_list("pk", flat=True)[::100])
        FinalLevel.objects.filter(pk__in=ids).update(level=Case(When(level=5, then=0), default=5))
        third = timed("recompute, 1 % of loci changed", cycle)
        aggregate = aggregate_seconds(cycle)
        print(f"{'single SQL aggregate (median of 3)':<34} {aggregate:8.2f} s")
        print(
            f"ratio recompute/aggregate: all new {first / aggregate:.1f}×, "
            f"unchanged {second / aggregate:.1f}×, 1 % changed {third / aggregate:.1f}×"
        )
        print(f"target: ≤ 10 s for 20,000 — worst run {max(first, second, third):.2f} s")
    finally:
        cleanup(cycle)
        remove_database(sqlite_file)


if __name__ == "__main__":
    main()
