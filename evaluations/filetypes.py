"""What an uploaded evidence file really is, judged by its bytes — never by its name.

Allowed: PDF, JPEG, PNG, DOCX and XLSX. An Office file is a ZIP archive whose
`[Content_Types].xml` declares a Word or Excel main part; the archive is inspected through its
directory only (nothing is extracted), and archives that are encrypted, damaged or built to
explode when unpacked are refused. A PDF with active content (JavaScript, actions run on
opening, program launches, embedded files) is refused, and so is an image whose declared
size in pixels would take gigabytes to decode. Pure Python, no Django: tested without a
database.
"""

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree

from PIL import JpegImagePlugin, PngImagePlugin
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

ALLOWED_LABEL = "PDF, JPEG, PNG, DOCX, dan XLSX"

# Limits for Office archives. Real DOCX/XLSX files stay far below them; zip bombs do not.
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_UNCOMPRESSED = 512 * 1024 * 1024  # declared total size of all parts
MAX_ZIP_RATIO = 200  # declared size / compressed size of one part, checked above 1 MB
MAX_CONTENT_TYPES_SIZE = 1024 * 1024
# Pillow's own decompression-bomb limit (Image.MAX_IMAGE_PIXELS, ~0.25 GB as 24-bit RGB), fixed
# here so that no other code changing Pillow's global can loosen it. A 50-megapixel camera
# photo is well below it; 20000 × 20000 (1.6 GB to decode in a browser) is not.
MAX_IMAGE_PIXELS = 89_478_485
# Objects walked in one PDF: a 10 MB document has a few ten thousand.
MAX_PDF_OBJECTS = 500_000


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str
    # Other extensions people give files of this type (kept in download names).
    other_extensions: tuple[str, ...] = ()


PDF = FileType("application/pdf", ".pdf", "PDF")
JPEG = FileType("image/jpeg", ".jpg", "JPEG", (".jpeg", ".jpe", ".jfif"))
PNG = FileType("image/png", ".png", "PNG")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX"
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX"
)
ALLOWED = (PDF, JPEG, PNG, DOCX, XLSX)
_BY_CONTENT_TYPE = {kind.content_type: kind for kind in ALLOWED}
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


class UnsafeFileError(FileTypeError):
    """The file is of an allowed type (`kind`) but unsafe to keep or show (active content in a
    PDF, an image bomb); the message says why."""

    kind: "FileType | None" = None


def detect(file: BinaryIO) -> FileType:
    """The real type of `file` (a seekable binary file), or FileTypeError saying why not
    (UnsafeFileError for an allowed type that carries active content or is an image bomb).

    The file position is restored to the start afterwards.
    """
    file.seek(0)
    head = file.read(64)
    try:
        if not head:
            raise FileTypeError("Berkas kosong (0 bita) tidak dapat diunggah.")
        if head.startswith(b"%PDF-"):
            return _checked(PDF, _check_pdf, file)
        if head.startswith(b"\xff\xd8\xff"):
            return _checked(JPEG, _check_pixels, file, JpegImagePlugin.JpegImageFile)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return _checked(PNG, _check_pixels, file, PngImagePlugin.PngImageFile)
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


def download_name(name: str, content_type: str) -> str:
    """The name to send a stored file under: the uploader's `name`, ending in an extension of
    its real type (`content_type`, judged by content at upload).

    A name that already ends in one is kept; any other gets the real extension appended
    rather than swapped in: `laporan-final.html` holding a PDF downloads as
    `laporan-final.html.pdf`. Appending never cuts part of a name that only looks like an
    extension ("Surat No.12A"), and the last extension, the one a computer opens the file by,
    is always the true one. Types other than the allowed ones are left as they are.
    """
    kind = _BY_CONTENT_TYPE.get(content_type)
    if kind is None or name.lower().endswith((kind.extension, *kind.other_extensions)):
        return name
    return f"{name}{kind.extension}"


def _checked(kind: FileType, check, file: BinaryIO, *args) -> FileType:
    try:
        check(file, *args)
    except UnsafeFileError as exc:
        exc.kind = kind
        raise
    return kind


def _check_pixels(file: BinaryIO, image_class) -> None:
    """Refuse an image whose header declares more than MAX_IMAGE_PIXELS pixels.

    Pillow's image class reads only the header (no pixel data is decoded) and, used directly
    rather than through Image.open, reports the size instead of raising its own bomb error, so
    the message can name the dimensions. A header Pillow cannot read is let through: the type
    check already passed, and such a file has no size for a browser to decode to either.
    """
    file.seek(0)
    try:
        image = image_class(file)
    except (OSError, SyntaxError, ValueError, EOFError):
        return
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise UnsafeFileError(
            f"Gambar ini berukuran {width} × {height} piksel "
            f"({width * height / 1_000_000:.0f} megapiksel), melebihi batas "
            f"{MAX_IMAGE_PIXELS / 1_000_000:.0f} megapiksel; gambar sebesar itu dapat "
            "melumpuhkan peramban saat dibuka. Perkecil ukurannya lalu unggah kembali."
        )


# --- Active content in PDFs --------------------------------------------------------------------
# Refused, not stripped: the stored file stays byte for byte what the unit uploaded (its
# SHA-256 matches their copy and the audit history), and rewriting a PDF would break a digital
# signature on it. Such content has no place in evidence; the message says how to save a clean
# copy. A PDF pypdf can read is walked object by object, so only real actions count, not the
# same words in the text; one it cannot read (a viewer may still repair it) is judged by the
# names in its raw bytes, and refused if it hides objects in compressed object streams.

# Action types refused wherever they occur (a link click is enough to run them).
_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "perintah menjalankan program (/Launch)",
    "/SubmitForm": "pengiriman data formulir",
    "/ImportData": "pengambilan data dari luar",
    "/GoToE": "pembukaan berkas tersemat",
    "/RichMediaExecute": "konten multimedia aktif",
}
# Actions run without a click (/OpenAction on opening, /AA on page, field or document events)
# are refused unless they only go to a page of the document (/GoTo).
_AUTOMATIC = "tindakan otomatis (/OpenAction atau /AA)"
_EMBEDDED = "berkas tersemat"
_XFA = "formulir XFA yang dapat memuat skrip"
# Names a raw scan refuses in a PDF pypdf cannot read (#xx escapes decoded first).
_RAW_NAMES = {
    b"/JavaScript": "JavaScript",
    b"/JS": "JavaScript",
    b"/Launch": _ACTIVE_ACTIONS["/Launch"],
    b"/SubmitForm": _ACTIVE_ACTIONS["/SubmitForm"],
    b"/ImportData": _ACTIVE_ACTIONS["/ImportData"],
    b"/GoToE": _ACTIVE_ACTIONS["/GoToE"],
    b"/RichMedia": _ACTIVE_ACTIONS["/RichMediaExecute"],
    b"/RichMediaExecute": _ACTIVE_ACTIONS["/RichMediaExecute"],
    b"/OpenAction": _AUTOMATIC,
    b"/AA": _AUTOMATIC,
    b"/EmbeddedFile": _EMBEDDED,
    b"/EmbeddedFiles": _EMBEDDED,
    b"/XFA": _XFA,
}
_RAW_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]*")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _check_pdf(file: BinaryIO) -> None:
    found = _pdf_active_content(file)
    if found:
        raise UnsafeFileError(
            f"Berkas PDF ini berisi konten aktif: {', '.join(found)}. Konten seperti ini dapat "
            "berjalan saat berkas dibuka, sehingga tidak diterima. Simpan ulang sebagai PDF "
            "biasa (misalnya Cetak → Simpan sebagai PDF) lalu unggah kembali."
        )


def _pdf_active_content(file: BinaryIO) -> list[str]:
    """What active content the PDF holds, as labels in reading order, without duplicates."""
    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileTypeError(
                "Berkas PDF ini dilindungi kata sandi; buka proteksinya lalu unggah kembali."
            )
        found = _walk_pdf(reader.trailer)
    except FileTypeError:
        raise
    except Exception:  # pypdf raises many kinds of error on a damaged file
        found = _raw_pdf_names(file)
    return list(dict.fromkeys(found))


def _walk_pdf(trailer: DictionaryObject) -> list[str]:
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack: list = [trailer]
    walked = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            raise UnsafeFileError(
                "Berkas PDF ini terlalu rumit untuk diperiksa (terlalu banyak objek)."
            )
        if isinstance(item, DictionaryObject):
            found += _dictionary_problems(item)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


def _dictionary_problems(item: DictionaryObject) -> list[str]:
    found = []
    action = item.get("/S")
    if action in _ACTIVE_ACTIONS:
        found.append(_ACTIVE_ACTIONS[action])
    if "/JS" in item:
        found.append("JavaScript")
    if "/XFA" in item:
        found.append(_XFA)
    if (
        "/EmbeddedFiles" in item
        or "/EF" in item
        or item.get("/Type") == "/EmbeddedFile"
        or item.get("/Subtype") == "/FileAttachment"
    ):
        found.append(_EMBEDDED)
    automatic = []
    if "/OpenAction" in item:
        automatic.append(item["/OpenAction"])
    additional = item.get("/AA")
    if additional is not None:
        additional = additional.get_object()
        if isinstance(additional, DictionaryObject):
            automatic += additional.values()
    for value in automatic:
        if _runs_something(value):
            found.append(_AUTOMATIC)
    return found


def _runs_something(action) -> bool:
    """Whether an automatic action (or its /Next chain) does more than go to a page. An
    /OpenAction may also be a bare destination (an array), which only opens that page."""
    pending, looked = [action], 0
    while pending and looked < 1000:
        current = pending.pop().get_object()
        looked += 1
        if not isinstance(current, DictionaryObject):
            continue
        if current.get("/S") != "/GoTo":
            return True
        following = current.get("/Next")
        if following is not None:
            following = following.get_object()
            pending += following if isinstance(following, ArrayObject) else [following]
    return bool(pending)


def _raw_pdf_names(file: BinaryIO) -> list[str]:
    file.seek(0)
    data = file.read()
    found = []
    for match in _RAW_NAME.finditer(data):
        name = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group())
        if name == b"/ObjStm":  # objects compressed out of sight of this scan
            raise UnsafeFileError(
                "Berkas PDF ini rusak sehingga isinya tidak dapat diperiksa; simpan ulang "
                "sebagai PDF lalu unggah kembali."
            )
        if name in _RAW_NAMES:
            found.append(_RAW_NAMES[name])
    return found


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
