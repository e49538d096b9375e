"""Bench: what the public F-03 survey weighs on the wire, page by page.

    .venv/bin/python bench/survey_weight.py

Without DATABASE_URL it uses a throwaway SQLite file under /tmp (never var/db.sqlite3), and
its own in-process cache. In one transaction, rolled back at the end, it loads the shipped
2022-A instrument under a bench code and makes a locus with an open survey window and a live
link; then, through Django's test client as a phone would, it fetches the consent page, the
form, the form refused with every item missing, the thank-you page and the invalid-link page.
It prints each page's HTML raw and gzipped at the level deploy/nginx.conf compresses with,
and every asset each page makes a browser fetch (favicon, stylesheets and what they load,
scripts), raw and gzipped, with the totals, against the limits of issue 14: HTML ≤ 30 kB
compressed, assets ≤ 100 kB in all. tests/scoring/test_survey_public.py asserts the same
limits on the same pages.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pekppp.settings")
os.environ.setdefault("PEKPPP_DEV", "1")
# The rate-limit counters of this run stay in this process.
os.environ.setdefault("PEKPPP_CACHE", "locmem")

from country import remove_database, use_database  # noqa: E402  (bench/ is first on sys.path)

HTML_LIMIT = 30_000
ASSETS_LIMIT = 100_000
PREFIX = "BENCH-F03"


def build_locus():
    """A locus of a Nasional cycle on the shipped 2022-A instrument, its survey window open
    today, and its live link."""
    import datetime as dt

    from django.utils import timezone

    from evaluations.models import Assessment, Cycle, Phase, PhaseWindow, SurveyLink
    from evaluations.services import instrument_import
    from units.models import Agency, ServiceType, ServiceUnit

    document = json.loads((ROOT / "evaluations/instruments/2022-A.json").read_text())
    document["code"] = f"{PREFIX}-2022A"
    instrument, _ = instrument_import(data=document)
    owner = Agency.objects.create(
        code=f"{PREFIX}-KEMENPANRB", name="Kementerian PANRB", kind="kementerian"
    )
    agency = Agency.objects.create(
        code=f"{PREFIX}-KAB", name="Pemerintah Kabupaten Lampung Selatan", kind="kementerian"
    )
    unit = ServiceUnit.objects.create(
        code=f"{PREFIX}-U1",
        name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lampung Selatan",
        agency=agency,
        service_type=ServiceType.objects.create(code=f"{PREFIX.lower()}-st", name="Disdukcapil"),
        scope="administratif",
    )
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        year=today.year,
        scheme="nasional",
        name=f"PEKPPP Nasional {today.year} ({PREFIX})",
        instrument=instrument,
        owner_agency=owner,
    )
    PhaseWindow.objects.create(
        cycle=cycle,
        phase=Phase.SURVEY,
        starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=30),
    )
    assessment = Assessment.objects.create(cycle=cycle, unit=unit)
    return SurveyLink.objects.create(assessment=assessment), instrument.survey_items.count()


def fetch_pages(link, items: int) -> list[tuple[str, int, bytes]]:
    """(name, status, HTML) of each page, as one phone meets them in turn."""
    from django.test import Client
    from django.urls import reverse

    phone = Client(SERVER_NAME="localhost", HTTP_USER_AGENT="bench/survey_weight")
    survey = reverse("public:survey", args=[link.token])
    pages = []

    def keep(name, response):
        pages.append((name, response.status_code, response.content))

    keep("consent", phone.get(survey))
    keep("form", phone.get(f"{survey}?setuju=1"))
    keep("form, every item missing", phone.post(survey, {"setuju": "1"}))
    answers = {f"b{n}": str(n % 6) for n in range(1, items + 1)} | {"setuju": "1"}
    sent = phone.post(survey, answers)
    if sent.status_code != 303:
        raise SystemExit(f"the answers were not stored: HTTP {sent.status_code}")
    keep("thanks", phone.get(sent["Location"]))
    keep("invalid link", phone.get(reverse("public:survey", args=["tidak-berlaku"])))
    return pages


def read_static(url: str) -> bytes:
    from django.conf import settings
    from django.contrib.staticfiles import finders

    path = finders.find(url.removeprefix(settings.STATIC_URL))
    if path is None:
        raise SystemExit(f"{url} is not a static file")
    return Path(path).read_bytes()


def main() -> int:
    sqlite_file = use_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from pekppp.lib.page_weight import gzip_size, nginx_gzip_level, page_assets

    call_command("migrate", verbosity=0, interactive=False)
    # The refused form and the invalid link are meant: no warning lines between the figures.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    level = nginx_gzip_level((ROOT / "deploy/nginx.conf").read_text())
    print(f"Database: {connection.vendor}; gzip level {level} (deploy/nginx.conf)")
    failed = False
    try:
        with transaction.atomic():
            link, items = build_locus()
            pages = fetch_pages(link, items)
            transaction.set_rollback(True)
        print(f"\n{'page':<26} {'HTTP':>4} {'HTML B':>8} {'gzip B':>8}")
        every_asset = {}
        for name, status, html in pages:
            compressed = gzip_size(html, level)
            failed |= compressed > HTML_LIMIT
            print(f"{name:<26} {status:>4} {len(html):>8,} {compressed:>8,}")
            for asset in page_assets(html.decode(), read_static, level):
                every_asset.setdefault(asset.url, (asset, []))[1].append(name)
        print(f"\n{'asset':<26} {'raw B':>8} {'gzip B':>8}  pages")
        for url, (asset, names) in every_asset.items():
            shown = "all" if len(names) == len(pages) else ", ".join(names)
            print(f"{url:<26} {asset.raw:>8,} {asset.compressed:>8,}  {shown}")
        raw = sum(a.raw for a, _ in every_asset.values())
        compressed = sum(a.compressed for a, _ in every_asset.values())
        failed |= raw > ASSETS_LIMIT
        print(f"{'total':<26} {raw:>8,} {compressed:>8,}")
        largest = max(gzip_size(html, level) for _, _, html in pages)
        print(
            f"\nLargest page {largest:,} B compressed (limit {HTML_LIMIT:,}); "
            f"assets {raw:,} B raw, {compressed:,} B gzipped (limit {ASSETS_LIMIT:,}): "
            + ("OVER A LIMIT" if failed else "within both limits")
        )
    finally:
        remove_database(sqlite_file)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
