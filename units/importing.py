"""Importing spreadsheets (CSV, XLSX) through django-import-export resources.

One door for the admin, the `import_units` command and the bench: robust file formats, the
`import_file` service and the admin mixin that shows the errors. The resources themselves
(`units/resources/`, `evaluations/resources.py`) validate a whole file before writing
anything, and report each problem as a spreadsheet row and column.

Exports keep user text as text (see `pekppp.lib.spreadsheets`): a name that looks like a
formula is a string cell in XLSX and starts with an apostrophe in CSV, which the CSV reader
takes off again, so an exported file imports unchanged.

Row numbers are those a spreadsheet user sees: the header is row 1, the first data row is
row 2. Blank lines are kept in the dataset (and skipped on import) so the numbers stay true.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import tablib
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.results import Error, Result, RowResult

from pekppp.lib.spreadsheets import csv_escape, csv_unescape, table_xlsx

logger = logging.getLogger(__name__)

FileFormat = Literal["csv", "xlsx"]

ROW_CONVENTION = (
    "Nomor baris mengikuti lembar kerja: baris 1 adalah judul kolom, data pertama baris 2."
)


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One reason a file was refused. `row` is the spreadsheet row (header = 1), or None for
    a problem with the whole file; `column` is the header, or None."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return f"Baris {self.row}: {self.message}"
        return f"Baris {self.row}, kolom {self.column}: {self.message}"


class ImportFileError(Exception):
    """The file cannot be read as the expected table (wrong format, encoding, headers…)."""

    def __init__(self, problems: str | Iterable[ImportProblem]):
        if isinstance(problems, str):
            problems = [ImportProblem(None, None, problems)]
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass
class ImportReport:
    """What an import did (or, with errors, why it did nothing)."""

    total_rows: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    details: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.ok:
            return f"{len(self.errors)} kesalahan; tidak ada data yang disimpan."
        text = f"{self.new} baru, {self.updated} diperbarui, {self.skipped} tidak berubah"
        extra = ", ".join(f"{n} {label}" for label, n in self.details.items())
        text += f" ({extra})" if extra else ""
        return text + (" — uji coba, tidak disimpan." if self.dry_run else ".")


# --- File formats ----------------------------------------------------------------------------


def is_blank(value) -> bool:
    """An empty cell: None or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def _table(rows: Sequence[Sequence], kind: str) -> tablib.Dataset:
    """A dataset from a header row and data rows, padded to one width; trailing blank rows
    are dropped, blank rows in between are kept so row numbers match the sheet."""
    if not rows or all(is_blank(v) for v in rows[0]):
        raise ImportFileError(f"Berkas {kind} kosong: baris 1 harus berisi judul kolom.")
    header = list(rows[0])
    while header and is_blank(header[-1]):
        header.pop()
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[1:]]
    while body and all(is_blank(v) for v in body[-1]):
        body.pop()
    if not body:
        raise ImportFileError("Berkas hanya berisi judul kolom, tanpa baris data.")
    return tablib.Dataset(*body, headers=["" if h is None else str(h) for h in header])


class CSV(base_formats.CSV):
    """CSV in UTF-8 (with or without BOM), comma or semicolon separated.

    Excel with Indonesian regional settings saves CSV with ';', so the separator is detected
    from the header line instead of assumed. Text that a spreadsheet program would evaluate
    is exported with a leading apostrophe, and read back without it.
    """

    def export_data(self, dataset, **kwargs):
        # The library's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT deletes a leading "=" (the
        # name changes) and lets "+", "-", "@" through: quote instead.
        escaped = tablib.Dataset(
            *(tuple(csv_escape(v) for v in values) for values in dataset),
            headers=dataset.headers,
        )
        return super().export_data(escaped, **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                raise ImportFileError(
                    f"Berkas bukan teks UTF-8 (byte tidak sah di posisi {e.start}). Simpan ulang "
                    "dari Excel sebagai 'CSV UTF-8 (Comma delimited)' atau unggah sebagai XLSX."
                ) from None
        text = in_stream.removeprefix("\ufeff")
        if "\x00" in text:
            raise ImportFileError(
                "Berkas bukan CSV: berisi data biner. Unggah berkas CSV atau XLSX."
            )
        first_line = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
        try:
            rows = [
                [csv_unescape(v) for v in values]
                for values in csv.reader(io.StringIO(text), delimiter=delimiter)
            ]
        except csv.Error as e:
            raise ImportFileError(f"Berkas CSV tidak dapat dibaca: {e}.") from None
        return _table(rows, "CSV")


class XLSX(base_formats.XLSX):
    """The first (active) sheet of an Excel workbook; rows padded to the header's width.
    Exported text is always a string cell, never a formula."""

    def export_data(self, dataset, **kwargs):
        # tablib makes every "=…" text a formula cell, and the library's escape settings only
        # delete that "=": write the sheet with typed string cells instead.
        from openpyxl.utils.exceptions import IllegalCharacterError

        try:
            return table_xlsx(dataset.headers or [], dataset, title=dataset.title or "Data")
        except IllegalCharacterError:
            # What the library does with control characters: replace them if asked, else refuse.
            if getattr(settings, "IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT", False) is True:
                self._escape_illegal_chars(dataset)
                return table_xlsx(dataset.headers or [], dataset, title=dataset.title or "Data")
            logger.exception("XLSX export refused: a cell holds a control character")
            raise ValueError("Ekspor gagal: ada karakter kendali yang tidak sah di data.") from None

    def create_dataset(self, in_stream):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        if isinstance(in_stream, str):
            raise ImportFileError("Berkas XLSX harus dibaca sebagai biner.")
        try:
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
            raise ImportFileError(
                "Berkas bukan lembar kerja Excel (.xlsx) yang sah. Berkas .xls lama harus "
                "disimpan ulang sebagai .xlsx, atau unggah sebagai CSV."
            ) from None
        try:
            sheet = book.active or book.worksheets[0]
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as e:  # a corrupt sheet inside a valid zip
            raise ImportFileError(
                f"Lembar kerja tidak dapat dibaca ({type(e).__name__})."
            ) from None
        finally:
            book.close()
        return _table(rows, "XLSX")


FORMATS: dict[str, type[base_formats.Format]] = {"csv": CSV, "xlsx": XLSX}


def read_dataset(file_bytes: bytes, format: FileFormat) -> tablib.Dataset:
    """Parse a CSV or XLSX file into a dataset, or raise ImportFileError."""
    try:
        fmt = FORMATS[format]
    except KeyError:
        raise ImportFileError(f"Format '{format}' tidak didukung; gunakan csv atau xlsx.") from None
    if not file_bytes:
        raise ImportFileError("Berkas kosong (0 byte).")
    return fmt().create_dataset(file_bytes)


# --- Results with spreadsheet row numbers ----------------------------------------------------


class SheetResult(Result):
    """A Result whose row numbers are spreadsheet rows (header = 1) rather than the
    library's 1-based data index, so the admin table and the messages agree."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)

    def row_errors(self):
        # The library numbers these by position in `rows`, which skips nothing; use the row.
        return [(r.number, r.errors) for r in self.error_rows]


class SheetError(Error):
    """An import error; a file problem is a message for the user, not a traceback."""

    @property
    def traceback(self):
        if isinstance(self.error, ImportFileError):
            return ""
        return super().traceback


# --- The service -----------------------------------------------------------------------------


def import_file(
    resource_class, file_bytes: bytes, format: FileFormat, *, dry_run: bool = False
) -> ImportReport:
    """Import a CSV/XLSX file through a spreadsheet resource; all rows or none.

    Never raises on bad input: unreadable files, missing columns and bad rows come back as
    `ImportReport.errors`, and then nothing is written. With `dry_run` the import runs inside
    a transaction that is rolled back.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        dataset = read_dataset(file_bytes, format)
    except ImportFileError as e:
        report.errors = e.problems
        return report
    report.total_rows = len(dataset)
    resource = resource_class()
    try:
        result = resource.import_data(dataset, dry_run=dry_run, raise_errors=False)
    except Exception as e:  # noqa: BLE001 — the caller gets a message, the log the traceback
        logger.exception("import of %s failed", resource_class.__name__)
        report.errors = [ImportProblem(None, None, f"Impor gagal: {type(e).__name__}: {e}")]
        return report
    return report_from_result(resource, result, dry_run=dry_run)


def report_from_result(resource, result: Result, *, dry_run: bool = False) -> ImportReport:
    """Translate an import-export Result (plus the resource's own problems) into a report."""
    errors = list(getattr(resource, "problems", []))
    known = {id(p) for p in errors}
    for base in result.base_errors:
        if isinstance(base.error, ImportFileError):
            errors.extend(p for p in base.error.problems if id(p) not in known)
        else:
            errors.append(
                ImportProblem(
                    None, None, f"Gagal menyimpan: {type(base.error).__name__}: {base.error}"
                )
            )
    for row in result.error_rows:
        for err in row.errors:
            errors.append(
                ImportProblem(row.number, None, f"{type(err.error).__name__}: {err.error}")
            )
    if not errors:
        # Invalid rows the resource did not record itself (should not happen, but never lose one).
        for invalid in result.invalid_rows:
            for column, msgs in invalid.error_dict.items():
                errors.extend(ImportProblem(invalid.number, column, m) for m in msgs)
    report = ImportReport(total_rows=result.total_rows, errors=errors, dry_run=dry_run)
    if not errors:
        report.new = result.totals[RowResult.IMPORT_TYPE_NEW]
        report.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
        report.skipped = result.totals[RowResult.IMPORT_TYPE_SKIP]
        report.details = dict(getattr(resource, "details", {}))
    return report


# --- Admin -----------------------------------------------------------------------------------


class SpreadsheetImportExportAdmin(ImportExportModelAdmin):
    """ModelAdmin with CSV/XLSX import-export through a validating spreadsheet resource.

    Import needs add and change permission on the model, export needs view permission
    (the library allows any staff user when no permission code is configured).
    """

    formats = [CSV, XLSX]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        elif isinstance(e, UnicodeDecodeError):
            form.add_error(
                "import_file",
                "Berkas bukan teks UTF-8. Simpan ulang sebagai 'CSV UTF-8' "
                "atau unggah sebagai XLSX.",
            )
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None and (result.has_errors() or result.has_validation_errors()):
            count = sum(i.error_count for i in result.invalid_rows) + len(result.base_errors)
            convention = f" {ROW_CONVENTION}" if result.invalid_rows else ""
            messages.error(
                request,
                f"Berkas ditolak: {count} kesalahan, tidak ada data yang diimpor.{convention}",
            )
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation; all was rolled back.
            for problem in _problems_of(result)[:20]:
                messages.error(request, str(problem))
            messages.error(request, "Impor dibatalkan; tidak ada data yang disimpan.")
            app_label, model_name = self.get_model_info()
            url = reverse(
                f"admin:{app_label}_{model_name}_changelist", current_app=self.admin_site.name
            )
            return HttpResponseRedirect(url)
        return super().process_result(result, request)


def _problems_of(result: Result) -> list[ImportProblem]:
    return report_from_result(None, result).errors
