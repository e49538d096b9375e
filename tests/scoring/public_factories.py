"""Published cycles for the public pages' tests: results from the scoring factories, published
by the real service (`cycle_publish`), so ranks and the summary are the ones users would see."""

import re
from decimal import Decimal

from django.test import TestCase

from evaluations.models import Cycle
from scoring.models import Result
from tests import factories as f
from units.models import Agency, AgencyKind, ServiceType, ServiceUnit

from .factories import make_result


def make_scored_unit(
    cycle: Cycle,
    agency: Agency,
    name: str,
    ipp: Decimal | str,
    *,
    service_type: ServiceType | None = None,
    aspects: dict[str, str] | None = None,
    unit: ServiceUnit | None = None,
) -> ServiceUnit:
    """A unit of `agency` (or the given `unit`) with a locus and a result in `cycle`."""
    unit = unit or f.make_unit(agency, name, service_type)
    make_result(f.make_assessment(cycle, unit), ipp, aspects=aspects)
    return unit


def build_public_world(w) -> None:
    """Set on `w` (a test class or case): six units in the published 2023 cycle (national
    IPP 3.77), one of them also published in 2022 and scored in the unpublished 2024 cycle.

    | unit                      | group    | province   | type        | IPP  | grade |
    | Direktorat Layanan KemenX | K/L      | —          | DPMPTSP     | 4.20 | A-    |
    | DPMPTSP Provinsi Lampung  | Provinsi | Lampung    | DPMPTSP     | 3.90 | B     |
    | Disdukcapil Lampung Sel.  | Kab/Kota | Lampung    | Disdukcapil | 4.60 | A     |
    | Disdukcapil Tanggamus     | Kab/Kota | Lampung    | Disdukcapil | 3.50 | B-    |
    | Disdukcapil Pesawaran     | Kab/Kota | Lampung    | Disdukcapil | 3.50 | B-    |
    | Disdukcapil Kota Bandung  | Kab/Kota | Jawa Barat | Disdukcapil | 2.90 | C     |
    """
    w.lampung = f.make_province("Lampung", "18")
    w.jabar = f.make_province("Jawa Barat", "32")
    w.disdukcapil = f.make_service_type("disdukcapil", "Disdukcapil")
    w.dpmptsp = f.make_service_type("dpmptsp", "DPMPTSP")
    kemen = f.make_agency("Kementerian X", AgencyKind.KEMENTERIAN)
    pemprov = f.make_agency("Pemerintah Provinsi Lampung", AgencyKind.PROVINSI, w.lampung)
    lamsel = f.make_agency("Kabupaten Lampung Selatan", AgencyKind.KABUPATEN, w.lampung)
    tanggamus = f.make_agency("Kabupaten Tanggamus", AgencyKind.KABUPATEN, w.lampung)
    pesawaran = f.make_agency("Kabupaten Pesawaran", AgencyKind.KABUPATEN, w.lampung)
    bandung = f.make_agency("Kota Bandung", AgencyKind.KOTA, w.jabar)
    instrument = f.make_instrument("PUBLIK-UJI")
    w.cycle = f.make_cycle(instrument, year=2023, name="PEKPPP Nasional 2023")
    w.earlier = f.make_cycle(instrument, year=2022, name="PEKPPP Nasional 2022")
    w.unpublished = f.make_cycle(instrument, year=2024, name="PEKPPP Nasional 2024")

    c = w.cycle
    w.kl_unit = make_scored_unit(
        c, kemen, "Direktorat Layanan KemenX", "4.20", service_type=w.dpmptsp
    )
    w.prov_unit = make_scored_unit(
        c, pemprov, "DPMPTSP Provinsi Lampung", "3.90", service_type=w.dpmptsp
    )
    w.lamsel_unit = make_scored_unit(
        c,
        lamsel,
        "Disdukcapil Lampung Selatan",
        "4.60",
        service_type=w.disdukcapil,
        aspects=f.aspects("4.79", "4.50", "4.61", "4.40", "4.55", "4.60"),
    )
    make_scored_unit(c, tanggamus, "Disdukcapil Tanggamus", "3.50", service_type=w.disdukcapil)
    make_scored_unit(c, pesawaran, "Disdukcapil Pesawaran", "3.50", service_type=w.disdukcapil)
    w.bandung_unit = make_scored_unit(
        c, bandung, "Disdukcapil Kota Bandung", "2.90", service_type=w.disdukcapil
    )
    # The Lampung Selatan unit in 2022 (published) and 2024 (scored, not published).
    make_scored_unit(w.earlier, lamsel, "", "3.95", unit=w.lamsel_unit)
    make_scored_unit(w.earlier, tanggamus, "Disdukcapil Tanggamus 2022", "3.10")
    make_scored_unit(w.unpublished, lamsel, "", "4.99", unit=w.lamsel_unit)
    # Its survey counted in 2023 (12 respondents) but not in 2022 (7, below m = 10).
    lamsel_results = Result.objects.filter(assessment__unit=w.lamsel_unit)
    lamsel_results.filter(cycle=w.cycle).update(
        respondents=12, survey_index=Decimal("4.52"), survey_reason=""
    )
    lamsel_results.filter(cycle=w.earlier).update(
        respondents=7, survey_reason="too_few_respondents"
    )

    w.admin = f.make_publisher()
    f.publish(w.earlier, w.admin)
    w.publication = f.publish(w.cycle, w.admin)


class PublicPagesTestCase(TestCase):
    """The world of `build_public_world`."""

    @classmethod
    def setUpTestData(cls):
        build_public_world(cls)


def table(response, table_id: str) -> list[list[str]]:
    """The cells of a table's rows, as text with tags and extra spaces removed."""
    html = response.content.decode()
    body = html[html.index(f'id="{table_id}"') :]
    body = body[: body.index("</table>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows
