"""Test helpers for F-01: real minimal files of each type, indicators, claimed levels."""

import io
import struct
import zipfile
import zlib

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


def image_bomb(fmt: str = "PNG", width: int = 20000, height: int = 20000) -> bytes:
    """A small image file whose header declares `width` × `height` pixels (a decompression
    bomb: a few hundred bytes that take gigabytes to decode)."""
    data = bytearray(image_bytes(fmt, (8, 8)))
    if fmt == "PNG":  # IHDR: width and height follow the signature, length and chunk type
        data[16:24] = struct.pack(">II", width, height)
        data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    else:  # JPEG: the baseline frame header (SOF0) holds height, then width
        at = data.index(b"\xff\xc0")
        data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def pdf_bytes(*, catalog: dict | None = None, page: dict | None = None, build=None) -> bytes:
    """A one-page PDF written by pypdf, with extra entries (pypdf objects) in its catalog or
    its page; `build(writer)` may change it further."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    for target, entries in ((writer.root_object, catalog), (writer.pages[0], page)):
        for key, value in (entries or {}).items():
            target[NameObject(key)] = value
    if build:
        build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_action(kind: str, **entries: str):
    """A PDF action dictionary of type `kind` ("/JavaScript", "/URI", …) with text entries."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/Type"): NameObject("/Action")})
    action[NameObject("/S")] = NameObject(kind)
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


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


def operator_locus(instrument_code: str, username: str = "operator-uji"):
    """A locus of its own unit ("Disdukcapil Uji") with F-01 open and its answer rows, and an
    operator `username` (password `factories.PASSWORD`): (assessment, indicators)."""
    from evaluations.services.f01 import answers_ensure
    from tests import factories as f
    from units.models import Role

    unit = f.make_unit(name="Disdukcapil Uji")
    assessment = f.make_assessment(f.make_cycle(f.make_instrument(instrument_code)), unit)
    f.open_window(assessment.cycle, Phase.SELF_ASSESSMENT)
    answers_ensure(assessment)
    operator = f.make_user(username, full_name="Operator Uji")
    f.grant(operator, Role.UNIT_OPERATOR, unit=unit)
    return assessment, indicators(assessment)


__all__ = ["Phase"]
