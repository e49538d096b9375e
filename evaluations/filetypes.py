"""What an uploaded evidence file really is, judged by its bytes — never by its name.

Allowed: PDF, JPEG, PNG, DOCX and XLSX. An Office file is a ZIP archive whose
`[Content_Types].xml` declares a Word or Excel main part; the archive is inspected through its
directory only (nothing is extracted), and archives that are encrypted, damaged or built to
explode when unpacked are refused. Pure Python, no Django: tested without a database.
"""

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree

ALLOWED_LABEL = "PDF, JPEG, PNG, DOCX, dan XLSX"

# Limits for Office archives. Real DOCX/XLSX files stay far below them; zip bombs do not.
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_UNCOMPRESSED = 512 * 1024 * 1024  # declared total size of all parts
MAX_ZIP_RATIO = 200  # declared size / compressed size of one part, checked above 1 MB
MAX_CONTENT_TYPES_SIZE = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", ".pdf", "PDF")
JPEG = FileType("image/jpeg", ".jpg", "JPEG")
PNG = FileType("image/png", ".png", "PNG")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX"
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX"
)
ALLOWED = (PDF, JPEG, PNG, DOCX, XLSX)
# Types a browser may show inline (the F-02 preview); everything else is always a download.
INLINE_CONTENT_TYPES = frozenset({PDF.content_type, JPEG.content_type, PNG.content_type})

_OFFICE_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# Office parts we recognise but do not accept, with what to tell the person.
_OFFICE_OTHER = {
    "application/vnd.ms-word.document.macroenabled.main+xml": "dokumen Word bermakro (DOCM)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        "templat Word (DOTX)"
    ),
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml": (
        "templat Word bermakro (DOTM)"
    ),
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "buku kerja Excel bermakro (XLSM)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        "templat Excel (XLTX)"
    ),
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "buku kerja Excel biner (XLSB)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "presentasi PowerPoint (PPTX)"
    ),
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": (
        "presentasi PowerPoint bermakro (PPTM)"
    ),
}

# Signatures of common files that are not allowed, to say what a refused file really is.
_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "program Windows (EXE/DLL)"),
    (b"\x7fELF", "program Linux (ELF)"),
    (b"\xcf\xfa\xed\xfe", "program macOS"),
    (b"#!", "skrip program"),
    (b"GIF87a", "gambar GIF"),
    (b"GIF89a", "gambar GIF"),
    (b"BM", "gambar BMP"),
    (b"II*\x00", "gambar TIFF"),
    (b"MM\x00*", "gambar TIFF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "dokumen Office lama (DOC/XLS/PPT)"),
    (b"{\\rtf", "dokumen RTF"),
    (b"Rar!\x1a\x07", "arsip RAR"),
    (b"7z\xbc\xaf\x27\x1c", "arsip 7-Zip"),
    (b"\x1f\x8b", "arsip GZIP"),
    (b"BZh", "arsip BZIP2"),
    (b"\xfd7zXZ\x00", "arsip XZ"),
    (b"ID3", "audio MP3"),
    (b"OggS", "audio/video Ogg"),
    (b"\x1aE\xdf\xa3", "video MKV/WebM"),
    (b"%!PS", "dokumen PostScript"),
)
_MARKUP = re.compile(rb"^\s*<(!doctype\s+html|html|head|body|script|svg|\?xml|iframe)", re.I)


class FileTypeError(ValueError):
    """The file is not one of the allowed types; the message says what it is."""


def detect(file: BinaryIO) -> FileType:
    """The real type of `file` (a seekable binary file), or FileTypeError saying why not.

    The file position is restored to the start afterwards.
    """
    file.seek(0)
    head = file.read(64)
    try:
        if not head:
            raise FileTypeError("Berkas kosong (0 bita) tidak dapat diunggah.")
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"PK\x03\x04"):
            return _office(file)
        if head.startswith(b"PK\x05\x06") or head.startswith(b"PK\x07\x08"):
            raise _refuse("arsip ZIP kosong atau terpecah")
        raise _refuse(_what(head))
    finally:
        file.seek(0)


def detect_bytes(data: bytes) -> FileType:
    """`detect` for bytes already in memory."""
    import io

    return detect(io.BytesIO(data))


def _refuse(what: str) -> FileTypeError:
    return FileTypeError(
        f"Berkas ini sebenarnya {what}; yang diizinkan hanya {ALLOWED_LABEL} "
        "(jenis diperiksa dari isi berkas, bukan dari namanya)."
    )


def _what(head: bytes) -> str:
    for signature, what in _OTHER_SIGNATURES:
        if head.startswith(signature):
            return what
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        return "gambar WebP"
    if head[4:8] == b"ftyp":
        return "berkas video/gambar (MP4/MOV/HEIC)"
    if _MARKUP.match(head.lstrip(b"\xef\xbb\xbf")):
        return "halaman web atau berkas markup (HTML/SVG/XML)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "berkas dengan jenis yang tidak dikenali"
    return "berkas teks biasa"


def _office(file: BinaryIO) -> FileType:
    file.seek(0, 2)
    archive_size = file.tell()
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            _check_archive(infos, archive_size)
            names = {info.filename for info in infos}
            if "mimetype" in names and "[Content_Types].xml" not in names:
                raise _refuse("dokumen OpenDocument (ODT/ODS)")
            if "[Content_Types].xml" not in names:
                raise _refuse("arsip ZIP")
            with archive.open("[Content_Types].xml") as part:
                xml = part.read(MAX_CONTENT_TYPES_SIZE + 1)
    except FileTypeError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise FileTypeError(
            "Berkas ZIP/Office ini rusak atau tidak dapat dibaca; simpan ulang dokumennya lalu "
            "unggah kembali."
        ) from exc
    if len(xml) > MAX_CONTENT_TYPES_SIZE:
        raise FileTypeError("Berkas Office ini tidak wajar (daftar jenis isinya terlalu besar).")
    return _main_part(xml, names)


def _check_archive(infos: list[zipfile.ZipInfo], archive_size: int) -> None:
    if len(infos) > MAX_ZIP_ENTRIES:
        raise FileTypeError(
            f"Berkas ZIP/Office ini berisi terlalu banyak bagian ({len(infos)}); "
            "berkas seperti ini tidak diterima."
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise FileTypeError(
            "Berkas ini terenkripsi atau dilindungi kata sandi; buka proteksinya lalu unggah "
            "kembali."
        )
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    ratio_too_high = any(
        info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)
        for info in infos
    )
    # Overlapping entries (one compressed stream listed many times) declare more compressed
    # data than the archive holds.
    if total > MAX_ZIP_UNCOMPRESSED or ratio_too_high or compressed > archive_size:
        raise FileTypeError(
            "Berkas ZIP/Office ini akan membengkak jauh melebihi ukurannya bila dibuka "
            "(kemungkinan zip bomb) dan tidak diterima."
        )


def _main_part(xml: bytes, names: set[str]) -> FileType:
    # Entity declarations are never needed in [Content_Types].xml and are how XML bombs work.
    if b"<!DOCTYPE" in xml.upper() or b"<!ENTITY" in xml.upper():
        raise FileTypeError("Berkas Office ini tidak wajar (berisi deklarasi DTD) dan ditolak.")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise FileTypeError(
            "Berkas Office ini rusak (daftar jenis isinya tidak terbaca); simpan ulang dokumennya "
            "lalu unggah kembali."
        ) from exc
    found: list[FileType] = []
    other: list[str] = []
    for element in root:
        if not element.tag.endswith("}Override") and element.tag != "Override":
            continue
        content_type = (element.get("ContentType") or "").strip().lower()
        part = (element.get("PartName") or "").lstrip("/")
        if content_type in _OFFICE_MAIN and part in names:
            found.append(_OFFICE_MAIN[content_type])
        elif content_type in _OFFICE_OTHER:
            other.append(_OFFICE_OTHER[content_type])
    if len(set(found)) == 1 and not other:
        return found[0]
    if other:
        raise _refuse(other[0])
    if found:
        raise FileTypeError("Berkas Office ini tidak wajar (berisi lebih dari satu dokumen utama).")
    raise _refuse("arsip ZIP yang bukan dokumen Word/Excel")
