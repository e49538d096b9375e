"""Spreadsheet cells that keep user text as text, never a formula (CWE-1236).

A unit named `=HYPERLINK("http://…","x")` must reach Excel as those characters, not as a
live link. Every spreadsheet the portal writes builds its cells here:

- XLSX: openpyxl turns any `str` starting with "=" into a formula cell, and "#N/A" and
  the other error codes into error cells. Cells made here are typed as strings whatever
  the text, so the file keeps the exact text and Excel shows it as typed.
- CSV has no cell types: spreadsheet programs evaluate a field starting with =, +, - or @
  (and tab or carriage return, which can hide one). Such a field gets a leading
  apostrophe, as OWASP advises; `csv_unescape` takes it off again on import. A plain
  number ("-3", "+62") is no formula and stays as it is.

django-import-export and tablib have their own switches (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT,
`escape=True`), but both only *delete* a leading "=": the exported name is no longer the
name (and "+", "-", "@" pass through). Hence these helpers instead.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")
_BOLD = Font(bold=True)
# Adaptive column widths stop here: one long address must not make a column a screen wide.
MAX_COLUMN_WIDTH = 60


def cell(sheet, value: Any, *, number_format: str | None = None, bold: bool = False) -> Cell:
    """A cell for a write-only sheet; a `str` is stored as text even if it looks like a
    formula or an error code."""
    result = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        result.data_type = "s"
    if number_format:
        result.number_format = number_format
    if bold:
        result.font = _BOLD
    return result


def row(sheet, values: Iterable[Any]) -> list[Cell]:
    """A row for `sheet.append`: values become cells (text as text), cells pass through."""
    return [v if isinstance(v, Cell) else cell(sheet, v) for v in values]


def table_xlsx(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    number_formats: Mapping[int, str] | None = None,
) -> bytes:
    """One sheet with a bold, frozen header row and columns as wide as their contents;
    `number_formats` gives a column (by index) a number format ("0.00").

    Raises IllegalCharacterError (a control character in some text) before it starts the
    workbook: a write-only workbook left half-written keeps its temporary file.
    """
    rows = [list(r) for r in rows]
    widths: list[int] = []
    for values in (headers, *rows):
        for i, value in enumerate(values):
            if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                raise IllegalCharacterError(f"column {i + 1}: control character in text")
            width = min(len("" if value is None else str(value)), MAX_COLUMN_WIDTH)
            if i == len(widths):
                widths.append(width)
            else:
                widths[i] = max(widths[i], width)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_SHEET_TITLE_FORBIDDEN.sub("-", title)[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    if headers:
        sheet.append([cell(sheet, h, bold=True) for h in headers])
    formats = number_formats or {}
    for values in rows:
        sheet.append(
            [
                v if isinstance(v, Cell) else cell(sheet, v, number_format=formats.get(i))
                for i, v in enumerate(values)
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_escape(value: Any) -> Any:
    """A CSV field a spreadsheet program will not evaluate: text starting with a formula
    character gets a leading apostrophe; plain numbers and non-text values are unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(CSV_TRIGGERS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_unescape(value: Any) -> Any:
    """The field `csv_escape` was given: takes off only an apostrophe it would have added."""
    if isinstance(value, str) and value.startswith("'") and csv_escape(value[1:]) == value:
        return value[1:]
    return value
