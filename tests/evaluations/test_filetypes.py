"""Evidence file types are judged by content, never by name (no database needed)."""

import io
import struct
import zipfile
from unittest import TestCase

from evaluations import filetypes
from evaluations.filetypes import DOCX, JPEG, PDF, PNG, XLSX, FileTypeError, detect, detect_bytes

from .f01_factories import (
    DOCX_BYTES,
    EXCEL_MAIN,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    WORD_MAIN,
    XLSX_BYTES,
    office_bytes,
)


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buffer.getvalue()


class AcceptedTypesTest(TestCase):
    def test_it_accepts_each_allowed_type_by_its_content(self):
        cases = [
            (PDF_BYTES, PDF, "application/pdf", ".pdf"),
            (JPEG_BYTES, JPEG, "image/jpeg", ".jpg"),
            (PNG_BYTES, PNG, "image/png", ".png"),
            (
                DOCX_BYTES,
                DOCX,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".docx",
            ),
            (
                XLSX_BYTES,
                XLSX,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ".xlsx",
            ),
        ]
        for data, kind, content_type, extension in cases:
            with self.subTest(kind=kind.label):
                detected = detect_bytes(data)
                self.assertEqual(detected, kind)
                self.assertEqual(
                    (detected.content_type, detected.extension), (content_type, extension)
                )

    def test_it_judges_a_png_named_pdf_as_png(self):
        # The name plays no part: a ".pdf" that is really a PNG is accepted and stored as PNG.
        self.assertEqual(detect_bytes(PNG_BYTES), PNG)

    def test_it_leaves_the_file_position_at_the_start(self):
        stream = io.BytesIO(DOCX_BYTES)
        stream.seek(10)
        detect(stream)
        self.assertEqual(stream.tell(), 0)

    def test_it_only_lets_pdf_and_images_be_shown_inline(self):
        self.assertEqual(
            filetypes.INLINE_CONTENT_TYPES, {"application/pdf", "image/jpeg", "image/png"}
        )


class RefusedTypesTest(TestCase):
    def assertRefused(self, data: bytes, says: str):
        with self.assertRaises(FileTypeError) as caught:
            detect_bytes(data)
        self.assertIn(says, str(caught.exception))
        return str(caught.exception)

    def test_it_refuses_a_windows_program_renamed_pdf_naming_what_it_is(self):
        message = self.assertRefused(b"MZ\x90\x00\x03" + b"\x00" * 100, "program Windows (EXE/DLL)")
        self.assertEqual(
            message,
            "Berkas ini sebenarnya program Windows (EXE/DLL); yang diizinkan hanya PDF, JPEG, "
            "PNG, DOCX, dan XLSX (jenis diperiksa dari isi berkas, bukan dari namanya).",
        )

    def test_it_refuses_html_and_svg(self):
        for data in (
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            b"\xef\xbb\xbf  <html><body>x</body></html>",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        ):
            with self.subTest(data=data[:20]):
                self.assertRefused(data, "halaman web atau berkas markup (HTML/SVG/XML)")

    def test_it_refuses_a_zip_that_is_not_an_office_document(self):
        self.assertRefused(_zip({"foto.jpg": JPEG_BYTES}), "arsip ZIP")

    def test_it_names_other_office_and_archive_formats(self):
        cases = [
            (
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50,
                "dokumen Office lama (DOC/XLS/PPT)",
            ),
            (b"GIF89a\x01\x00", "gambar GIF"),
            (b"Rar!\x1a\x07\x00", "arsip RAR"),
            (b"just some words\n", "berkas teks biasa"),
            (
                _zip(
                    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}
                ),
                "dokumen OpenDocument (ODT/ODS)",
            ),
            (
                office_bytes(
                    "ppt/presentation.xml",
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                ),
                "presentasi PowerPoint (PPTX)",
            ),
            (
                office_bytes(
                    "xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
                ),
                "buku kerja Excel bermakro (XLSM)",
            ),
        ]
        for data, says in cases:
            with self.subTest(says=says):
                self.assertRefused(data, says)

    def test_it_refuses_an_empty_file(self):
        self.assertRefused(b"", "Berkas kosong")

    def test_it_refuses_a_damaged_zip(self):
        self.assertRefused(DOCX_BYTES[:60], "rusak")

    def test_it_refuses_an_office_file_whose_main_part_is_missing(self):
        data = office_bytes(
            "word/document.xml",
            WORD_MAIN,
            content_types=(
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Override PartName="/word/other.xml" ContentType="{WORD_MAIN}"/></Types>'
            ),
        )
        self.assertRefused(data, "arsip ZIP yang bukan dokumen Word/Excel")

    def test_it_refuses_entity_declarations_in_the_content_types(self):
        data = office_bytes(
            "xl/workbook.xml",
            EXCEL_MAIN,
            content_types='<!DOCTYPE x [<!ENTITY a "aaaa">]><Types/>',
        )
        self.assertRefused(data, "deklarasi DTD")

    def test_it_refuses_an_encrypted_zip(self):
        data = bytearray(DOCX_BYTES)
        # Set the "encrypted" flag in every local and central directory header.
        for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = 0
            while (pos := data.find(signature, start)) != -1:
                flags = struct.unpack_from("<H", data, pos + flag_offset)[0]
                struct.pack_into("<H", data, pos + flag_offset, flags | 0x1)
                start = pos + 4
        self.assertRefused(bytes(data), "terenkripsi")

    def test_it_refuses_a_zip_bomb_by_its_declared_sizes(self):
        bomb = office_bytes(
            "word/document.xml", WORD_MAIN, extra={"word/media/big.bin": b"\0" * (8 * 1024 * 1024)}
        )
        self.assertLess(len(bomb), 100_000)  # 8 MB of zeros compresses ~1000×
        self.assertRefused(bomb, "zip bomb")

    def test_it_refuses_too_many_parts(self):
        with self.settings_entries(10):
            data = _zip(
                {f"p{i}.xml": b"<x/>" for i in range(11)} | {"[Content_Types].xml": b"<Types/>"}
            )
            self.assertRefused(data, "terlalu banyak bagian")

    def settings_entries(self, n):
        from unittest import mock

        return mock.patch.object(filetypes, "MAX_ZIP_ENTRIES", n)
