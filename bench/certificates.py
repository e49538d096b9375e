"""Bench: render N award certificates (default 500) in one process, as one worker would.

    .venv/bin/python bench/certificates.py [--count 500] [--profile]

Each certificate is its own one-page WeasyPrint document through `render_pdf`, which reuses
one font configuration, the parsed stylesheet and the URL fetcher across documents; the QR
code is inline SVG. The certificates are unsaved model objects (no database needed). Prints
certificates per second and milliseconds per certificate (median and worst) against the
target of ≥ 25 per second per worker process, then the time to bundle them with pypdf.
--profile prints the top of a cProfile of the run.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")
TARGET_PER_SECOND = 25


def certificates(count: int) -> list:
    from evaluations.models import Cycle
    from reports.models import Award, Certificate
    from scoring.models import PublishedResult

    award = Award(code="pelayanan-prima", title="Pelayanan Prima", grades=["A"])
    cycle = Cycle(year=2023, scheme="nasional", name="PEKPPP Nasional 2023")
    made = []
    for i in range(count):
        ipp = Decimal("4.51") + Decimal(i % 49) / 100
        result = PublishedResult(
            unit_name=f"Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bench {i:04d}",
            agency_name=f"Pemerintah Kabupaten Bench {i:04d}",
            ipp=ipp,
            grade="A",
            grade_label="Pelayanan Prima",
        )
        made.append(
            Certificate(
                serial=f"PEKPPP/2023/N/{i + 1:05d}",
                cycle=cycle,
                award=award,
                result=result,
                unit_name=result.unit_name,
                grade="A",
                issued_on=dt.date(2023, 5, 12),
            )
        )
    return made


def run(count: int) -> None:
    from reports.builders.certificates import certificate_pdf
    from reports.pdf import merge_pdfs

    items = certificates(count)
    start = time.perf_counter()
    certificate_pdf(items[0])  # first use builds fonts, stylesheet and fetcher
    warmup = time.perf_counter() - start
    times = []
    with tempfile.TemporaryDirectory() as workdir:
        files = []
        start = time.perf_counter()
        for number, certificate in enumerate(items):
            t = time.perf_counter()
            content = certificate_pdf(certificate)
            times.append(time.perf_counter() - t)
            path = Path(workdir) / f"{number:05d}.pdf"
            path.write_bytes(content)
            files.append(path)
        total = time.perf_counter() - start
        t = time.perf_counter()
        pages = merge_pdfs(files, Path(workdir) / "bundle.pdf")
        bundle = time.perf_counter() - t
        size = (Path(workdir) / "bundle.pdf").stat().st_size
    rate = count / total
    print(f"first certificate (set-up included): {warmup * 1000:.0f} ms")
    print(
        f"{count} certificates in {total:.1f} s: {rate:.1f} certificates/s, "
        f"{statistics.median(times) * 1000:.1f} ms median, {max(times) * 1000:.1f} ms worst"
    )
    print(f"bundle of {pages} pages with pypdf: {bundle:.1f} s, {size / 1_048_576:.1f} MiB")
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(f"target: ≥ {TARGET_PER_SECOND} certificates/s per worker process — {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    if not args.profile:
        run(args.count)
        return
    profile = cProfile.Profile()
    profile.runcall(run, args.count)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
