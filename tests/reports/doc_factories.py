"""A published world for the document builders' tests: results from the scoring factories,
published by the real service (`cycle_publish`), so ranks and summaries are the real ones."""

import datetime as dt
import hashlib
import pathlib
import tempfile
from decimal import Decimal

from django.test import TestCase
from pypdf import PdfReader

from evaluations.models import Assessment, Cycle
from reports.builders import BUILDERS, Built
from reports.models import Document
from tests import factories as f
from tests.scoring.factories import result_for
from units.models import Agency, AgencyKind, Role

# Published on 12 May 2023, 10:00 in Jakarta: what documents print as the publication date.
PUBLISHED_AT = dt.datetime(2023, 5, 12, 3, 0, tzinfo=dt.UTC)


def scored(
    cycle: Cycle,
    agency: Agency,
    name: str,
    ipp: str,
    *,
    aspect_values: dict[str, str] | None = None,
    levels: dict[int, int] | None = None,
    unit=None,
    survey: tuple[int, str | None] = (0, None),
) -> Assessment:
    """A locus of a (new or given) unit of `agency` with a stored result; `survey` is its
    number of respondents and survey index (None: not counted, below m = 10 when there are
    respondents)."""
    assessment = f.make_assessment(cycle, unit or f.make_unit(agency, name))
    result = result_for(assessment, Decimal(ipp), aspects=aspect_values)
    result.inputs = {"levels": {str(n): lv for n, lv in (levels or {}).items()}}
    result.respondents, index = survey
    if index is not None:
        result.survey_index, result.survey_reason = Decimal(index), ""
    elif result.respondents:
        result.survey_reason = "too_few_respondents"
    result.save()
    return assessment


class PublishedWorldTestCase(TestCase):
    """Two published Nasional cycles (2022, 2023) on a small test instrument.

    2023 (national IPP 3.93):
    | unit                            | group    | IPP  | grade |
    | Kantor Imigrasi Bandar Lampung  | K/L      | 4.75 | A     |
    | DPMPTSP Provinsi Lampung        | Provinsi | 3.90 | B     |
    | Disdukcapil Lampung Selatan     | Kab/Kota | 4.60 | A     |
    | Disdukcapil Tanggamus           | Kab/Kota | 3.50 | B-    |
    | RSUD Pesawaran                  | Kab/Kota | 2.90 | C     |
    Survey: Lampung Selatan 12 respondents, index 4.52; Tanggamus 7 (not counted); the others
    none.
    2022: Disdukcapil Lampung Selatan 4.10 (A-), Disdukcapil Tanggamus 3.20 (B-).
    """

    @classmethod
    def setUpTestData(cls):
        cls.admin = f.make_user("admin-dok", full_name="Admin Dokumen")
        f.grant(cls.admin, Role.MINISTRY_ADMIN)
        lampung = f.make_province("Lampung", "18")
        kemenpan = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN, code="KEMENPANRB")
        kemenkum = f.make_agency("Kementerian Hukum", AgencyKind.KEMENTERIAN)
        pemprov = f.make_agency("Pemerintah Provinsi Lampung", AgencyKind.PROVINSI, lampung)
        lamsel = f.make_agency(
            "Pemerintah Kabupaten Lampung Selatan", AgencyKind.KABUPATEN, lampung
        )
        tanggamus = f.make_agency("Pemerintah Kabupaten Tanggamus", AgencyKind.KABUPATEN, lampung)
        pesawaran = f.make_agency("Pemerintah Kabupaten Pesawaran", AgencyKind.KABUPATEN, lampung)
        cls.instrument = f.make_instrument("DOK-UJI")
        cls.cycle = f.make_cycle(
            cls.instrument, year=2023, owner=kemenpan, name="PEKPPP Nasional 2023"
        )
        cls.earlier = f.make_cycle(
            cls.instrument, year=2022, owner=kemenpan, name="PEKPPP Nasional 2022"
        )
        cls.levels = {n: 5 if n % 3 else 4 for n in range(1, 31)}
        cls.imigrasi = scored(cls.cycle, kemenkum, "Kantor Imigrasi Bandar Lampung", "4.75")
        cls.dpmptsp = scored(cls.cycle, pemprov, "DPMPTSP Provinsi Lampung", "3.90")
        cls.lamsel = scored(
            cls.cycle,
            lamsel,
            "Disdukcapil Lampung Selatan",
            "4.60",
            aspect_values=f.aspects("4.79", "4.50", "4.61", "4.40", "4.70", "4.55"),
            levels=cls.levels,
            survey=(12, "4.52"),
        )
        cls.tanggamus = scored(
            cls.cycle, tanggamus, "Disdukcapil Tanggamus", "3.50", survey=(7, None)
        )
        cls.pesawaran = scored(cls.cycle, pesawaran, "RSUD Pesawaran", "2.90")
        scored(
            cls.earlier,
            lamsel,
            "",
            "4.10",
            aspect_values=f.aspects("4.20", "4.00", "4.05", "3.95", "4.30", "4.10"),
            levels={n: 4 for n in range(1, 31)},
            unit=cls.lamsel.unit,
        )
        scored(cls.earlier, tanggamus, "", "3.20", unit=cls.tanggamus.unit)
        cls.previous_publication = f.publish(
            cls.earlier, cls.admin, at=dt.datetime(2022, 6, 1, 3, 0, tzinfo=dt.UTC)
        )
        cls.publication = f.publish(cls.cycle, cls.admin, at=PUBLISHED_AT)


def build(kind: str, **document_fields) -> tuple[Built, bytes, list[tuple[int, int]]]:
    """Run the builder of `kind` for an unsaved Document: what it built, the file's bytes
    and the progress it reported."""
    document = Document(kind=kind, **document_fields)
    calls: list[tuple[int, int]] = []
    with tempfile.TemporaryDirectory() as workdir:
        built = BUILDERS[kind](
            document, lambda done, total: calls.append((done, total)), pathlib.Path(workdir)
        )
        content = built.path.read_bytes()
    return built, content, calls


def pdf_text(content: bytes) -> str:
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
