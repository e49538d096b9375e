"""Open data of published results: one table per publication revision, as CSV and XLSX, and
the data dictionary that describes its columns.

Everything comes from the revision's frozen `PublishedResult` rows (names, figures and ranks
copied at publication), never from live results; only the province's BPS code and the service
type's code are read through the rows' keys, so the files can be joined with other data. A
revision never changes, so each file is built once and kept in Django's cache under the
revision (`FILE_VERSION` changes when the layout does), by a job started at publication
(`tasks.opendata_files_build`) or else by the first download.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pekppp.lib.spreadsheets import csv_escape, table_xlsx

from ..models import Publication, PublishedResult

# Bump when a column is added, removed or changes meaning: new ETags, new cache keys.
FILE_VERSION = 1
# A revision's files never change: kept until the cache evicts them (then built again).
FILE_CACHE_SECONDS = None
BUILD_LOCK_SECONDS = 10 * 60
LICENCE = "CC BY 4.0"
# The licence's deed in the reader's language ("id", "en").
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.{language}"

INTEGER = _("bilangan bulat")
DECIMAL = _("desimal")
TEXT = _("teks")


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the header of the files, the key of the API's rows
    kind: Promise  # INTEGER, DECIMAL or TEXT
    meaning: Promise | str


# The columns before and after the aspect indices (one `aspect_<code>` column per aspect of the
# revision's instrument, in its order).
LEADING = (
    Column("unit_id", INTEGER, _("Nomor unit di portal; halaman unit: /hasil/unit/<unit_id>/.")),
    Column("unit_name", TEXT, _("Nama unit penyelenggara pelayanan publik saat dipublikasikan.")),
    Column("agency_id", INTEGER, _("Nomor instansi di portal.")),
    Column("agency_name", TEXT, _("Nama instansi saat dipublikasikan.")),
    Column("province_code", TEXT, _("Kode BPS provinsi; kosong untuk unit tanpa provinsi.")),
    Column("province_name", TEXT, _("Nama provinsi; kosong untuk unit tanpa provinsi.")),
    Column(
        "ranking_group",
        TEXT,
        _("Kelompok pemeringkatan: kl, provinsi, kabkota, polri atau bumn."),
    ),
    Column("service_type_code", TEXT, _("Kode jenis layanan.")),
    Column("service_type_name", TEXT, _("Nama jenis layanan.")),
)
TRAILING = (
    Column("evaluator_index", DECIMAL, _("Indeks evaluator (F-02), 0–5.")),
    Column(
        "survey_index",
        DECIMAL,
        _("Indeks survei pengguna layanan (F-03), 0–5; kosong bila survei tidak dihitung."),
    ),
    Column("respondents", INTEGER, _("Jumlah responden survei yang sah.")),
    Column(
        "survey_reason",
        TEXT,
        _(
            "Mengapa survei tidak dihitung: too_few_respondents (kurang dari minimum), "
            "no_survey (tidak ada responden), survey_weight_zero (bobot survei 0); kosong "
            "bila dihitung."
        ),
    ),
    Column("ipp", DECIMAL, _("Indeks Pelayanan Publik (IPP), 0–5.")),
    Column("grade", TEXT, _("Predikat (A sampai F).")),
    Column("grade_label", TEXT, _("Kategori predikat, seperti dipublikasikan.")),
    Column("rank_national", INTEGER, _("Peringkat nasional; nilai sama berbagi peringkat.")),
    Column("rank_group", INTEGER, _("Peringkat dalam kelompok pemeringkatan.")),
    Column("rank_service_type", INTEGER, _("Peringkat dalam jenis layanan.")),
)

# A row's keys in the API, in column order: the aspect indices are one object ("aspects")
# there and one column each in the files.
ROW_KEYS = (*(c.name for c in LEADING), "aspects", *(c.name for c in TRAILING))
# Where a key is not the name of the `PublishedResult` field it comes from.
_SOURCES = {
    "province_code": "province__code",
    "service_type_code": "service_type__code",
    "rank_group": "rank",
}
_FIELDS = tuple(_SOURCES.get(key, key) for key in ROW_KEYS)
_ASPECTS_AT = _FIELDS.index("aspects")


def published_revision(cycle_pk: int, revision: int) -> Publication | None:
    """Revision `revision` of `cycle_pk`'s publication (current or corrected since); None for
    a cycle never published or a revision that does not exist (one query)."""
    return (
        Publication.objects.filter(cycle__pk=cycle_pk, revision=revision)
        .select_related("cycle")
        .first()
    )


def published_revisions(cycle_pk: int) -> tuple[Publication, ...]:
    """Every revision of a cycle's publication, newest first (one query); empty when the cycle
    has no current publication."""
    revisions = tuple(
        Publication.objects.filter(cycle__pk=cycle_pk).select_related("cycle").order_by("-revision")
    )
    return revisions if any(p.is_current for p in revisions) else ()


def publications_state() -> tuple[int | None, int, datetime | None]:
    """What changes whenever anything is published or corrected: the newest publication's id,
    the number of current publications and the latest publication time (one query)."""
    state = Publication.objects.filter(is_current=True).aggregate(
        latest=Max("pk"), count=Count("pk"), at=Max("published_at")
    )
    return state["latest"], state["count"], state["at"]


def aspect_columns(publication: Publication) -> tuple[Column, ...]:
    return tuple(
        Column(
            f"aspect_{a['code']}",
            DECIMAL,
            _("Indeks aspek %(code)s. %(name)s, 0–5.") % {"code": a["code"], "name": a["name"]},
        )
        for a in publication.summary["aspects"]
    )


def columns(publication: Publication) -> tuple[Column, ...]:
    """The data dictionary of a revision's files: every column in file order."""
    return (*LEADING, *aspect_columns(publication), *TRAILING)


def published_rows(publication: Publication) -> QuerySet:
    """The revision's rows by national rank (ties in publication order), with the province's
    and the service type's codes: one query."""
    return (
        PublishedResult.objects.filter(publication=publication)
        .select_related("province", "service_type")
        .order_by("rank_national", "pk")
    )


def _table(publication: Publication) -> Iterator[tuple[Any, ...]]:
    """The rows of the files: numbers as Decimal and int, None for an empty cell."""
    codes = [a["code"] for a in publication.summary["aspects"]]
    rows = (
        PublishedResult.objects.filter(publication=publication)
        .order_by("rank_national", "pk")
        .values_list(*_FIELDS)
    )
    for values in rows.iterator(chunk_size=2000):
        aspects = values[_ASPECTS_AT]
        figures = tuple(None if aspects.get(c) is None else Decimal(aspects[c]) for c in codes)
        yield (*values[:_ASPECTS_AT], *figures, *values[_ASPECTS_AT + 1 :])


def _stamp(publication: Publication) -> str:
    """Names one revision for good: its id and publication time (a restored or test database
    may reuse an id), and the layout's version."""
    return f"{publication.pk}-{publication.published_at.timestamp():.6f}-v{FILE_VERSION}"


def file_etag(publication: Publication, fmt: str) -> str:
    """The ETag of a revision's file ("json" for its rows in the API)."""
    return f'"opendata-{fmt}-{_stamp(publication)}"'


def file_name(publication: Publication, fmt: str) -> str:
    return f"pekppp-{publication.cycle.year}-{publication.cycle_id}-r{publication.revision}.{fmt}"


def _csv(publication: Publication) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns(publication)])
    for values in _table(publication):
        writer.writerow([csv_escape("" if v is None else v) for v in values])
    return out.getvalue().encode()


def _xlsx(publication: Publication) -> bytes:
    names = [c.name for c in columns(publication)]
    decimals = [i for i, c in enumerate(columns(publication)) if c.kind is DECIMAL]
    return table_xlsx(
        names,
        _table(publication),
        title=f"PEKPPP r{publication.revision}",
        number_formats=dict.fromkeys(decimals, "0.00"),
    )


BUILDERS = {"csv": _csv, "xlsx": _xlsx}


def file_key(publication: Publication, fmt: str) -> str:
    """The cache key of a revision's file; with ":building" the lock of whoever builds it."""
    return f"scoring:opendata:{fmt}:{_stamp(publication)}"


def published_file(publication: Publication, fmt: str) -> bytes | None:
    """A revision's table as a CSV (UTF-8, comma, dot decimal) or XLSX (numbers as numbers)
    file, built once per revision and kept in the cache; text that looks like a formula stays
    text (`pekppp.lib.spreadsheets`).

    None while another process builds it: on publication day a cold file must not hold up
    every web worker for the same tens of seconds (the build lock expires after
    BUILD_LOCK_SECONDS should its holder die).
    """
    key = file_key(publication, fmt)
    content = cache.get(key)
    if content is not None:
        return content
    lock = f"{key}:building"
    if not cache.add(lock, 1, timeout=BUILD_LOCK_SECONDS):
        return None
    try:
        content = BUILDERS[fmt](publication)
        cache.set(key, content, timeout=FILE_CACHE_SECONDS)
    finally:
        cache.delete(lock)
    return content
