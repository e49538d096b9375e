"""The ranked A–F report of a publication: PDF (cover, charts, tables per group) and XLSX.

Tens of thousands of rows must not need memory in proportion: the PDF is rendered a few
hundred rows per WeasyPrint document into temporary files, which pypdf then concatenates;
the XLSX is written row by row by openpyxl's write-only workbook.
"""

import datetime as dt
import itertools
import os
import pathlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from pypdf import PdfReader

from pekppp.lib.spreadsheets import cell, row
from reports.models import Document, DocumentKind
from reports.pdf import css_string, merge_pdfs, render_pdf
from scoring.models import Publication, PublishedResult

from . import BUILDERS, Built, ProgressFn
from .charts import Bar, bar_chart, figure
from .common import GROUP_LABELS, decimal, document_publication, filename, published_on

CHUNK_ROWS = 500  # rows per WeasyPrint document: memory stays flat, page breaks stay natural
FIGURE_SPACE = "\u2007"  # as wide as a digit: right-aligns ranks in their column
_FIELDS = (
    "rank",
    "unit_name",
    "agency_name",
    "aspects",
    "ipp",
    "grade",
    "survey_index",
    "respondents",
)


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    count: int
    ipp: Decimal | None


def _groups(publication: Publication) -> list[Group]:
    return [
        Group(
            g["group"], str(GROUP_LABELS.get(g["group"], g["group"])), g["count"], decimal(g["ipp"])
        )
        for g in publication.summary.get("groups", [])
    ]


def _aspect_codes(publication: Publication) -> list[str]:
    return [a["code"] for a in publication.summary.get("aspects", [])]


def _rows(publication: Publication, group: str, *fields: str) -> Iterator[tuple]:
    """The group's published rows by rank (ties by name), streamed from the database."""
    return (
        PublishedResult.objects.filter(publication=publication, ranking_group=group)
        .order_by("rank", "unit_name", "pk")
        .values_list(*(fields or _FIELDS))
        .iterator(chunk_size=CHUNK_ROWS)
    )


def _cover_context(publication: Publication) -> dict:
    summary = publication.summary
    national = summary.get("national", {})
    counts = national.get("grades", {})
    grades = [
        {"grade": g["grade"], "label": g["label"], "count": counts.get(g["grade"], 0)}
        for g in summary.get("grades", [])
    ]
    groups = _groups(publication)
    averages = national.get("aspects", {})
    return {
        "national_ipp": decimal(national.get("ipp")),
        "grades": grades,
        "grade_chart": bar_chart(
            [Bar(g["grade"], (g["count"],), (str(g["count"]),)) for g in grades],
            maximum=max((g["count"] for g in grades), default=0) or 1,
            title=_("Sebaran predikat"),
            label_width=60,
        ),
        "groups": groups,
        "group_chart": bar_chart(
            [Bar(g.label, (g.ipp,), (figure(g.ipp),)) for g in groups if g.ipp is not None],
            maximum=5,
            title=_("IPP per kelompok"),
        ),
        "aspects": [
            {"code": a["code"], "name": a["name"], "average": decimal(averages.get(a["code"]))}
            for a in summary.get("aspects", [])
        ],
        "survey": _survey_context(summary.get("survey")),
    }


def _survey_context(survey: dict | None) -> dict | None:
    """σ (as printed, "0,25"), m and the units whose survey counted, as published; None for a
    publication made before they were recorded."""
    if not survey:
        return None
    weight = Decimal(survey["weight"])
    return {
        "weight": figure(weight.normalize() if weight else Decimal(0)),
        "counted_in": weight > 0,
        "minimum": survey["min_respondents"],
        "counted": survey["counted"],
    }


def _line(
    rank: int,
    unit: str,
    agency: str,
    aspects: dict,
    ipp: Decimal,
    grade: str,
    survey_index: Decimal | None,
    respondents: int,
    codes,
) -> str:
    """One unit as a row of tab-separated columns: rank (right-aligned with figure spaces),
    IPP, grade, the aspect indices, the survey index ("—" when it did not count) and the
    number of respondents, then the unit and, on the next line, its agency."""
    figures = [
        figure(ipp),
        grade,
        *(figure(decimal(aspects.get(c))) for c in codes),
        figure(survey_index) or "—",
        str(respondents),
    ]
    return "\t".join([f"{rank:>5}".replace(" ", FIGURE_SPACE), *figures, unit]) + f"\n{agency}"


def _chunks(publication: Publication, groups: list[Group], codes: list[str]) -> Iterator[dict]:
    for group in groups:
        rows = _rows(publication, group.code)
        for index, batch in enumerate(itertools.batched(rows, CHUNK_ROWS)):
            yield {
                "group_label": group.label,
                "group_count": group.count,
                "continued": index > 0,
                "rows": [_line(*row, codes) for row in batch],
            }


def build_ranked_pdf(document: Document, progress: ProgressFn, workdir: pathlib.Path) -> Built:
    publication = document_publication(document)
    cycle = publication.cycle
    groups = _groups(publication)
    codes = _aspect_codes(publication)
    total = 2 + sum(-(-g.count // CHUNK_ROWS) for g in groups)  # cover, chunks, merge
    base = {
        "cycle": cycle,
        "publication": publication,
        "published_on": published_on(publication),
        "aspects": [{"code": c} for c in codes],
        "page_header": css_string(
            f"{_('Laporan Peringkat')} {cycle.name} · {_('revisi')} {publication.revision}"
        ),
    }
    parts = workdir / "ranked-parts"
    parts.mkdir(parents=True, exist_ok=True)
    files = [parts / "0000.pdf"]
    render_pdf(
        "reports/pdf/ranked_cover.html",
        {**base, **_cover_context(publication)},
        target=files[0],
    )
    pages = len(PdfReader(files[0]).pages)
    progress(1, total)
    for number, chunk in enumerate(_chunks(publication, groups, codes), start=1):
        path = parts / f"{number:04d}.pdf"
        render_pdf(
            "reports/pdf/ranked_rows.html", {**base, **chunk, "first_page": pages + 1}, target=path
        )
        pages += len(PdfReader(path).pages)
        files.append(path)
        progress(number + 1, total)
    target = workdir / "ranked.pdf"
    merge_pdfs(files, target)
    for path in files:
        path.unlink()
    progress(total, total)
    return Built(filename("peringkat", cycle, "pdf", revision=publication.revision), target)


# --- XLSX -----------------------------------------------------------------------------------

_XLSX_FIELDS = (
    "rank",
    "unit_name",
    "agency_name",
    "province_name",
    "service_type_name",
    "aspects",
    "ipp",
    "grade",
    "grade_label",
    "rank_national",
    "survey_index",
    "respondents",
)
# A fixed time for every entry of the workbook's zip and its properties: reruns are identical.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _normalise_zip(path: pathlib.Path, modified: dt.datetime) -> None:
    """Rewrite the zip with fixed entry times (openpyxl stamps each entry with "now") and the
    document's own modification time (openpyxl's save sets it to "now" too)."""
    stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    fixed = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            target.writestr(entry, data)
    os.replace(fixed, path)


def build_ranked_xlsx(document: Document, progress: ProgressFn, workdir: pathlib.Path) -> Built:
    publication = document_publication(document)
    cycle = publication.cycle
    groups = _groups(publication)
    codes = _aspect_codes(publication)
    total = len(groups) + 1
    published = published_on(publication)
    stamp = dt.datetime.combine(published, dt.time())

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "PEKPPP"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.lastModifiedBy = "PEKPPP"

    summary = workbook.create_sheet(_("Ringkasan"))
    national = publication.summary.get("national", {})
    for label, value in (
        (_("Periode"), cycle.name),
        (_("Revisi publikasi"), publication.revision),
        (_("Tanggal publikasi"), published),
        (_("Jumlah unit"), publication.result_count),
        (_("IPP nasional"), decimal(national.get("ipp"))),
    ):
        fmt = (
            "DD/MM/YYYY"
            if isinstance(value, dt.date)
            else "0.00"
            if isinstance(value, Decimal)
            else None
        )
        summary.append([cell(summary, label, bold=True), cell(summary, value, number_format=fmt)])
    summary.append([])
    summary.append([cell(summary, h, bold=True) for h in (_("Kelompok"), _("Jumlah unit"), "IPP")])
    for g in groups:
        summary.append(row(summary, [g.label, g.count, cell(summary, g.ipp, number_format="0.00")]))
    progress(1, total)

    header = [
        _("Peringkat"),
        _("Unit"),
        _("Instansi"),
        _("Provinsi"),
        _("Jenis layanan"),
        *codes,
        "IPP",
        _("Predikat"),
        _("Kategori"),
        _("Peringkat nasional"),
        _("Indeks survei"),
        _("Responden"),
    ]
    for number, group in enumerate(groups, start=2):
        sheet = workbook.create_sheet(group.label[:31].replace("/", "-"))
        sheet.append([cell(sheet, h, bold=True) for h in header])
        for (
            rank,
            unit,
            agency,
            province,
            service,
            aspects,
            ipp,
            grade,
            label,
            national_rank,
            survey_index,
            respondents,
        ) in _rows(publication, group.code, *_XLSX_FIELDS):
            # Names are user text: `row` stores them as text, never as formulas.
            sheet.append(
                row(
                    sheet,
                    [
                        rank,
                        unit,
                        agency,
                        province,
                        service,
                        *(
                            cell(sheet, decimal(aspects.get(c)), number_format="0.00")
                            for c in codes
                        ),
                        cell(sheet, ipp, number_format="0.00"),
                        grade,
                        label,
                        national_rank,
                        # Empty when the survey did not count.
                        cell(sheet, survey_index, number_format="0.00"),
                        respondents,
                    ],
                )
            )
        progress(number, total)
    target = workdir / "ranked.xlsx"
    workbook.save(target)
    _normalise_zip(target, stamp)
    progress(total, total)
    return Built(filename("peringkat", cycle, "xlsx", revision=publication.revision), target)


BUILDERS[DocumentKind.RANKED_REPORT_PDF] = build_ranked_pdf
BUILDERS[DocumentKind.RANKED_REPORT_XLSX] = build_ranked_xlsx
