"""Test helpers for F-01: real minimal files of each type, indicators, claimed levels."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.models import Answer, Indicator, Phase

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def image_bytes(fmt: str = "PNG", size=(2, 2)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


PNG_BYTES = image_bytes("PNG")
JPEG_BYTES = image_bytes("JPEG")

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/>'
    "</Types>"
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def office_bytes(
    part: str,
    content_type: str,
    *,
    extra: dict[str, bytes] | None = None,
    content_types: str | None = None,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            content_types
            if content_types is not None
            else _CT.format(part=part, content_type=content_type),
        )
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr(part, '<?xml version="1.0"?><document>Bukti</document>')
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


DOCX_BYTES = office_bytes("word/document.xml", WORD_MAIN)
XLSX_BYTES = office_bytes("xl/workbook.xml", EXCEL_MAIN)


def upload(
    name: str, data: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def indicators(assessment):
    return list(
        Indicator.objects.filter(instrument_id=assessment.cycle.instrument_id).order_by("number")
    )


def answer_all(assessment, level: int = 3, *, numbers=None) -> None:
    """Claim `level` on the scored indicators (all, or those numbered in `numbers`)."""
    for ind in indicators(assessment):
        if ind.supplementary or (numbers is not None and ind.number not in numbers):
            continue
        Answer.objects.update_or_create(
            assessment=assessment,
            indicator=ind,
            defaults={"claimed_level": level, "explanation": "ok"},
        )


__all__ = ["Phase"]
