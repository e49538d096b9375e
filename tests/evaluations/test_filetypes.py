"""Evidence file types are judged by content, never by name (no database needed)."""

import io
import struct
import zipfile
from unittest import TestCase

from evaluations import filetypes
from evaluations.filetypes import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    FileTypeError,
    UnsafeFileError,
    detect,
    detect_bytes,
    download_name,
)

from .f01_factories import (
    DOCX_BYTES,
    EXCEL_MAIN,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    WORD_MAIN,
    XLSX_BYTES,
    image_bomb,
    office_bytes,
    pdf_action,
    pdf_bytes,
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


class DownloadNameTest(TestCase):
    def test_it_ends_every_name_in_an_extension_of_the_real_type(self):
        cases = [
            ("laporan-final.html", PDF, "laporan-final.html.pdf"),
            ("foto-ruang-tunggu.pdf", PNG, "foto-ruang-tunggu.pdf.png"),
            ("Surat No.12A", PDF, "Surat No.12A.pdf"),
            ("berkas", DOCX, "berkas.docx"),
            ("SK.pdf", PDF, "SK.pdf"),
            ("SK.PDF", PDF, "SK.PDF"),
            ("Loket depan.JPEG", JPEG, "Loket depan.JPEG"),
            ("kamera.jfif", JPEG, "kamera.jfif"),
            ("tabel.xlsx", XLSX, "tabel.xlsx"),
        ]
        for name, kind, expected in cases:
            with self.subTest(name=name):
                self.assertEqual(download_name(name, kind.content_type), expected)

    def test_it_leaves_names_of_other_types_alone(self):
        self.assertEqual(download_name("dokumen-uji.txt", "text/plain"), "dokumen-uji.txt")


class PdfActiveContentTest(TestCase):
    def assertActive(self, data: bytes, what: str):
        with self.assertRaises(UnsafeFileError) as caught:
            detect_bytes(data)
        self.assertIn(f"Berkas PDF ini berisi konten aktif: {what}", str(caught.exception))
        self.assertIn("Simpan ulang sebagai PDF biasa", str(caught.exception))

    def test_it_refuses_document_javascript(self):
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

        def javascript_name_tree(writer):
            script = writer._add_object(pdf_action("/JavaScript", JS="app.alert(1)"))
            names = ArrayObject([TextStringObject("x"), script])
            tree = DictionaryObject({NameObject("/Names"): names})
            writer.root_object[NameObject("/Names")] = DictionaryObject(
                {NameObject("/JavaScript"): tree}
            )

        self.assertActive(pdf_bytes(build=javascript_name_tree), "JavaScript")

    def test_it_refuses_actions_run_on_opening(self):
        from pypdf.actions import JavaScript

        def open_script(writer):
            writer.add_open_action(JavaScript("app.launchURL('http://contoh.test')"))

        self.assertActive(pdf_bytes(build=open_script), "JavaScript")
        uri = pdf_action("/URI", URI="http://contoh.test")
        self.assertActive(
            pdf_bytes(catalog={"/OpenAction": uri}), "tindakan otomatis (/OpenAction atau /AA)"
        )

    def test_it_refuses_a_program_launch_on_a_page_event(self):
        from pypdf.generic import DictionaryObject, NameObject

        launch = pdf_action("/Launch", F="cmd.exe")
        data = pdf_bytes(page={"/AA": DictionaryObject({NameObject("/O"): launch})})
        self.assertActive(
            data,
            "tindakan otomatis (/OpenAction atau /AA), perintah menjalankan program (/Launch)",
        )

    def test_it_refuses_a_launch_behind_a_link(self):
        from pypdf.annotations import Link
        from pypdf.generic import NameObject

        def launching_link(writer):
            link = Link(rect=(10, 10, 50, 50), url="http://contoh.test")
            link[NameObject("/A")] = pdf_action("/Launch", F="cmd.exe")
            writer.add_annotation(0, link)

        self.assertActive(pdf_bytes(build=launching_link), "perintah menjalankan program")

    def test_it_refuses_embedded_files(self):
        def attach(writer):
            writer.add_attachment("laporan.html", b"<script>alert(1)</script>")

        self.assertActive(pdf_bytes(build=attach), "berkas tersemat")

    def test_it_accepts_pdfs_without_active_content(self):
        from pypdf.annotations import Link
        from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

        def words_and_links(writer):
            # The words "/Launch" and "/JavaScript" in the text, an ordinary hyperlink and a
            # link to a page are not active content.
            text = DecodedStreamObject()
            text.set_data(b"BT /F1 12 Tf 10 10 Td (/Launch /JavaScript /OpenAction) Tj ET")
            writer.pages[0][NameObject("/Contents")] = writer._add_object(text)
            writer.add_annotation(0, Link(rect=(0, 0, 9, 9), url="https://www.menpan.go.id"))
            writer.add_annotation(0, Link(rect=(0, 0, 9, 9), target_page_index=0))

        def open_at_first_page(writer):  # as LibreOffice writes it
            first = writer.pages[0].indirect_reference
            writer.root_object[NameObject("/OpenAction")] = ArrayObject([first, NameObject("/Fit")])

        cases = {
            "plain": pdf_bytes(),
            "words and links": pdf_bytes(build=words_and_links),
            "open at page 1": pdf_bytes(build=open_at_first_page),
            "go to page on opening": pdf_bytes(catalog={"/OpenAction": pdf_action("/GoTo")}),
            "unreadable by pypdf": PDF_BYTES,
        }
        for name, data in cases.items():
            with self.subTest(name):
                self.assertEqual(detect_bytes(data), PDF)

    def test_it_judges_a_pdf_pypdf_cannot_read_by_its_raw_names(self):
        # No cross-reference table: pypdf gives up, a viewer repairs it and runs the script.
        # "#61" is an escaped "a", as a viewer reads it.
        broken = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/JS(x)>>>>endobj\n"
        self.assertActive(broken, "tindakan otomatis (/OpenAction atau /AA), JavaScript.")
        hidden = b"%PDF-1.5\n1 0 obj<</Type/ObjStm/N 1/First 4>>stream\nxxxx\nendstream endobj\n"
        with self.assertRaisesRegex(UnsafeFileError, "tidak dapat diperiksa"):
            detect_bytes(hidden)

    def test_it_refuses_a_password_protected_pdf_and_reads_an_owner_locked_one(self):
        def locked(user_password):
            return lambda writer: writer.encrypt(user_password, "pemilik")

        with self.assertRaisesRegex(FileTypeError, "dilindungi kata sandi"):
            detect_bytes(pdf_bytes(build=locked("rahasia")))
        self.assertEqual(detect_bytes(pdf_bytes(build=locked(""))), PDF)

        def aes_locked(writer):
            writer.encrypt("", "pemilik", algorithm="AES-256")

        def aes_locked_script(writer):
            from pypdf.actions import JavaScript

            writer.add_open_action(JavaScript("app.alert(1)"))
            aes_locked(writer)

        self.assertEqual(detect_bytes(pdf_bytes(build=aes_locked)), PDF)
        self.assertActive(pdf_bytes(build=aes_locked_script), "JavaScript")


class ImageBombTest(TestCase):
    def test_it_refuses_an_image_declaring_more_pixels_than_the_limit(self):
        for fmt in ("PNG", "JPEG"):
            with self.subTest(fmt), self.assertRaises(UnsafeFileError) as caught:
                detect_bytes(image_bomb(fmt, 20000, 20000))
            self.assertIn("20000 × 20000 piksel (400 megapiksel)", str(caught.exception))
            self.assertIn("melebihi batas 89 megapiksel", str(caught.exception))
            self.assertEqual(caught.exception.kind, JPEG if fmt == "JPEG" else PNG)

    def test_it_accepts_a_large_camera_photo(self):
        self.assertEqual(detect_bytes(image_bomb("JPEG", 8160, 6120)), JPEG)  # 50 megapixels
        limit = filetypes.MAX_IMAGE_PIXELS
        self.assertEqual(detect_bytes(image_bomb("PNG", limit, 1)), PNG)
        with self.assertRaises(UnsafeFileError):
            detect_bytes(image_bomb("PNG", limit + 1, 1))
