"""The shared machinery of the spreadsheet resources: cell helpers, caching widgets and
`SpreadsheetResource`, which checks the whole file first and writes nothing unless every row
is valid (see its docstring). Problems are collected as `ImportProblem`s with spreadsheet
row numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import RowResult

from ..importing import ImportFileError, ImportProblem, SheetError, SheetResult, is_blank

# Codes are looked up with `__in` in chunks below every database's parameter limit.
LOOKUP_CHUNK = 900
# Excel keeps 15 significant digits in a number cell: longer "numbers" (NIP, NIK) are
# already rounded by the time we read them.
EXCEL_DIGITS = 15


def chunked(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def cell_text(value: Any) -> str:
    """A cell as trimmed text; numbers from XLSX lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        digits = len(re.sub(r"\D", "", str(value)))
        if digits > EXCEL_DIGITS:
            raise ValueError(
                f"angka {digits} digit di sel berformat angka sudah dibulatkan Excel; "
                "format sel sebagai Teks lalu ketik ulang"
            )
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).replace("\xa0", " ").strip()


def code_text(value: Any) -> str:
    """A code cell as text. A fractional number cell is refused: Excel has already dropped
    its trailing zeros (a Kemendagri code 18.10 reads 18.1), so the code cannot be known."""
    if isinstance(value, float | Decimal) and value != int(value):
        raise ValueError(
            f"kode {value} ada di sel berformat angka, yang menghapus nol di belakang "
            "(18.10 menjadi 18.1); format kolom sebagai Teks lalu ketik ulang"
        )
    return cell_text(value)


def header_key(value: Any) -> str:
    """'Kode Instansi ' → 'kode_instansi'."""
    return re.sub(r"[\s\-]+", "_", "" if value is None else str(value).strip().lower())


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[_\-/]+", " ", text).casefold().split())


# --- Widgets ---------------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Trimmed text with a length limit (usually the model field's max_length); with `code`,
    read as a code (see `code_text`)."""

    def __init__(self, max_length: int | None = None, *, code: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.code = code

    def clean(self, value, row=None, **kwargs):
        text = code_text(value) if self.code else cell_text(value)
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(f"terlalu panjang: {len(text)} karakter, maksimum {self.max_length}")
        return text


class ChoiceWidget(widgets.Widget):
    """A choice given as its value or its label, in any case ("Kabupaten", "kabupaten",
    "Pemerintah Kabupaten"); a label's parenthesised part may be left out. Exports values."""

    def __init__(
        self, choices: type[models.TextChoices], aliases: dict[str, str] | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.choices = choices
        self.aliases = aliases or {}
        self._lookup: dict[str, str] | None = None

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:  # labels are lazy translations: resolve them at first use
            table: dict[str, str] = {}
            for value, label in self.choices.choices:
                label = str(label)
                for key in (value, label, label.split(" (")[0]):
                    table[_fold(key)] = value
            for alias, value in self.aliases.items():
                table[_fold(alias)] = value
            self._lookup = table
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        try:
            return self.lookup()[_fold(text)]
        except KeyError:
            options = ", ".join(self.choices.values)
            raise ValueError(f"nilai '{text}' tidak dikenal; isi salah satu: {options}") from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key given by its natural code, resolved from an in-memory map.

    `prime(codes)` loads the map with one query per chunk of codes (or the whole table when
    `load_all`, for small reference tables), so an import never queries per row. A small
    table also matches codes case-insensitively when the exact code is unknown, and with
    `name_field` a name typed where the code belongs is answered with its code.
    """

    def __init__(
        self,
        model,
        field: str = "code",
        *,
        label: str,
        load_all: bool = False,
        only=None,
        name_field: str | None = None,
        **kwargs,
    ):
        super().__init__(model, field=field, **kwargs)
        self.label = label
        self.load_all = load_all
        self.only = only
        self.name_field = name_field
        self._exact: dict[str, list] | None = None
        self._folded: dict[str, list] = {}
        self._names: dict[str, object] = {}

    def queryset(self):
        qs = self.model.objects.all()
        return qs.only(*self.only) if self.only else qs

    def prime(self, codes: Iterable[str]) -> None:
        if self.load_all:
            objects = list(self.queryset())
        else:
            wanted = sorted({c for c in codes if c})
            objects = [
                o
                for chunk in chunked(wanted)
                for o in self.queryset().filter(**{f"{self.field}__in": chunk})
            ]
        self._exact, self._folded = defaultdict(list), defaultdict(list)
        for obj in objects:
            key = str(getattr(obj, self.field))
            self._exact[key].append(obj)
            self._folded[key.casefold()].append(obj)
        if self.name_field and self.load_all:
            self._names = {_fold(str(getattr(o, self.name_field))): o for o in objects}

    def resolve(self, code: str):
        if self._exact is None:
            self.prime([code])
        found = self._exact.get(code) or (
            self._folded.get(code.casefold()) if self.load_all else None
        )
        if not found:
            named = self._names.get(_fold(code))
            if named is not None:
                raise ValueError(
                    f"{self.label} '{code}' tidak ditemukan: isi kodenya, "
                    f"{getattr(named, self.field)}, bukan nama"
                )
            raise ValueError(f"{self.label} '{code}' tidak ditemukan")
        if len(found) > 1:
            raise ValueError(f"{self.label} '{code}' tidak unik ({len(found)} data cocok)")
        return found[0]

    def clean(self, value, row=None, **kwargs):
        code = code_text(value)
        return self.resolve(code) if code else None


def text_field(
    model: type[models.Model],
    name: str,
    column: str,
    attribute: str | None = None,
    *,
    code: bool = False,
) -> Field:
    """A text column limited to the model field's max_length (`code`: see `code_text`)."""
    max_length = model._meta.get_field(name).max_length
    widget = TextWidget(max_length, code=code)
    return Field(attribute=attribute or name, column_name=column, widget=widget)


def code_field(
    model: type[models.Model], attribute: str, column: str, *, label: str, **options
) -> Field:
    """A foreign-key column given by natural code (see `CodeWidget` for `options`).

    Each call builds its own widget: a widget holds the code map of the import it serves.
    """
    return Field(
        attribute=attribute, column_name=column, widget=CodeWidget(model, label=label, **options)
    )


# --- The validating base ---------------------------------------------------------------------


class SpreadsheetResource(resources.ModelResource):
    """A ModelResource that validates the whole file before it writes a row.

    django-import-export 4.4.3 validates row by row while it writes, and in bulk mode a batch
    that fails is reported without its rows; invalid rows are only rolled back when asked.
    So here `before_import` reads every row once: it checks headers, cleans each cell through
    its widget (codes resolved from maps loaded with a few queries), applies the resource's
    cross-field rules and finds duplicates. Problems are kept as (row, column, message) with
    spreadsheet row numbers (header = row 1) in `self.problems`.

    If there is any problem, every row is reported as invalid (with its messages, keyed by
    column) or skipped, and nothing is written; `import_data` always rolls back on
    validation errors. Otherwise rows are written in bulk from the already-cleaned values,
    and unchanged existing rows are skipped without a diff.

    Columns that are absent from the file are left untouched on update.
    """

    #: columns that must be present and filled in
    required_columns: tuple[str, ...] = ()
    #: optional columns read as empty when the file does not have them
    blank_when_absent: tuple[str, ...] = ()
    #: the column a duplicate row is reported on (default: the first import id column)
    duplicate_column: str | None = None

    class Meta:
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        # Honoured by skip_row below (the library's own check needs the diff).
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._model_fields = {f.name: f for f in self._meta.model._meta.concrete_fields}
        self._reset()

    def _reset(self) -> None:
        self.problems: list[ImportProblem] = []
        self.details: dict[str, int] = {}
        self._row_problems: dict[int, list[ImportProblem]] = defaultdict(list)
        self._cleaned: dict[int, dict[str, Any]] = {}
        self._keys: dict[int, tuple] = {}
        self._blank: set[int] = set()
        self._present: list[str] = []
        self._diff_columns: list[str] = []
        self._existing: dict[tuple, models.Model] = {}
        self._blocked = False
        self._current = 0
        self._changed = False
        self._changed_fields: set[str] = set()

    @classmethod
    def get_result_class(cls):
        return SheetResult

    @classmethod
    def get_error_result_class(cls):
        return SheetError

    # ---- problems

    def add_problem(self, number: int, column: str | None, message: str) -> None:
        """Record a problem for data row `number` (1-based; the sheet row is number + 1)."""
        problem = ImportProblem(number + 1, column, message)
        self.problems.append(problem)
        self._row_problems[number].append(problem)

    def column(self, name: str) -> str:
        return self.fields[name].column_name

    def failed_columns(self, number: int) -> set[str | None]:
        """Columns of data row `number` already reported (to not pile a second message on)."""
        return {p.column for p in self._row_problems.get(number, [])}

    # ---- hooks for subclasses

    def validate_row(self, number: int, cleaned: dict[str, Any]) -> None:
        """Cross-field rules of one row; `cleaned` holds only the cells that cleaned."""

    def validate_dataset(self) -> None:
        """Rules across rows, after every row is cleaned."""

    def row_key(self, cleaned: dict[str, Any]) -> tuple:
        """The identity of a row (from import_id_fields); FKs by primary key."""
        return tuple(pk_or_value(cleaned.get(name)) for name in self.get_import_id_fields())

    def instance_key(self, instance: models.Model) -> tuple:
        return tuple(
            getattr(instance, self._model_fields[name].attname)
            for name in self.get_import_id_fields()
        )

    def load_existing(self, keys: set[tuple]) -> dict[tuple, models.Model]:
        """Existing instances for the rows' keys, with one query per chunk."""
        names = list(self.get_import_id_fields())
        if not keys:
            return {}
        columns = [{key[i] for key in keys} for i in range(len(names))]
        widest = max(range(len(names)), key=lambda i: len(columns[i]))
        found: dict[tuple, models.Model] = {}
        for chunk in chunked(sorted(columns[widest], key=str)):
            lookups = {
                f"{self._model_fields[n].attname}__in": columns[i] for i, n in enumerate(names)
            }
            lookups[f"{self._model_fields[names[widest]].attname}__in"] = chunk
            for obj in self.get_queryset().filter(**lookups).order_by():
                key = self.instance_key(obj)
                if key in keys:
                    found[key] = obj
        return found

    def prepare(self) -> None:
        """Runs once, after a clean validation and before the first row is imported."""
        self._existing = self.load_existing(set(self._keys.values()))

    # ---- the validation pass

    def before_import(self, dataset, **kwargs):
        self._reset()
        columns = self._read_headers(dataset)
        required = set(self.required_columns)
        present = [(name, self.fields[name], index) for name, index in columns.items()]
        self._present = [name for name, _, _ in present]
        self._diff_columns = self.get_diff_headers()
        for _, fld, index in present:
            if isinstance(fld.widget, CodeWidget):
                fld.widget.prime(_safe_text(v) for v in dataset.get_col(index))

        id_names = list(self.get_import_id_fields())
        id_columns = {self.column(n) for n in id_names}
        seen: dict[tuple, int] = {}
        for number, values in enumerate(dataset, start=1):
            if all(is_blank(v) for v in values):
                self._blank.add(number)
                continue
            cleaned: dict[str, Any] = {}
            for name, fld, index in present:
                column = fld.column_name
                try:
                    value = fld.widget.clean(values[index])
                except ValueError as e:
                    self.add_problem(number, column, str(e))
                    continue
                if column in required and value in (None, ""):
                    self.add_problem(number, column, "wajib diisi")
                    continue
                cleaned[name] = value
            self._cleaned[number] = cleaned
            self.validate_row(number, cleaned)
            if not self.failed_columns(number) & id_columns:
                key = self.row_key(cleaned)
                if key in seen:
                    first = seen[key]
                    self.add_problem(
                        number,
                        self.duplicate_column or self.column(id_names[0]),
                        f"duplikat: data yang sama sudah ada di baris {first + 1}",
                    )
                else:
                    seen[key] = number
                self._keys[number] = key
        if len(self._blank) == len(dataset):
            self._file_problem("Berkas tidak berisi baris data.")
        self.validate_dataset()
        if self.problems:
            self._blocked = True
            return
        self.prepare()

    def _file_problem(self, message: str) -> None:
        problem = ImportProblem(None, None, message)
        self.problems.append(problem)
        self._blocked = True
        raise ImportFileError([problem])

    def _read_headers(self, dataset) -> dict[str, int]:
        """Normalise the headers; map field name → column index; fail on missing columns."""
        by_column = {fld.column_name: name for name, fld in self.fields.items() if not fld.readonly}
        headers = [header_key(h) for h in (dataset.headers or [])]
        found: dict[str, int] = {}
        doubled = []
        for index, header in enumerate(headers):
            if header in by_column:
                if by_column[header] in found:
                    doubled.append(header)
                found.setdefault(by_column[header], index)
        missing = [c for c in self.required_columns if by_column[c] not in found]
        problems = []
        if missing:
            problems.append(
                ImportProblem(None, None, "Kolom wajib tidak ada: " + ", ".join(missing))
            )
        if doubled:
            problems.append(
                ImportProblem(None, None, "Kolom muncul lebih dari sekali: " + ", ".join(doubled))
            )
        if len(dataset) == 0:
            problems.append(ImportProblem(None, None, "Berkas tidak berisi baris data."))
        if problems:
            self.problems.extend(problems)
            self._blocked = True
            raise ImportFileError(problems)
        if headers:
            dataset.headers = headers
        for column in self.blank_when_absent:
            name = by_column[column]
            if name not in found:
                dataset.append_col([""] * len(dataset), header=column)
                found[name] = len(dataset.headers) - 1
        return found

    # ---- the write pass (only reached with a clean file)

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # All or nothing, whoever calls: the admin's confirm step does not ask for it.
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs["row_number"]
        if self._blocked or number in self._blank:
            result = self.get_row_result_class()()
            problems = self._row_problems.get(number)
            if problems:
                errors: dict[str, list[str]] = defaultdict(list)
                for p in problems:
                    errors[p.column or NON_FIELD_ERRORS].append(str(p))
                result.import_type = RowResult.IMPORT_TYPE_INVALID
                result.validation_error = ValidationError(dict(errors))
            else:
                result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        self._current = number
        return super().import_row(row, instance_loader, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        # skip_diff leaves the admin preview without cells; show the row as read instead.
        row_result.diff = [
            "" if row.get(c) is None else str(row.get(c)) for c in self._diff_columns
        ]

    def get_instance(self, instance_loader, row):
        return self._existing.get(self._keys.get(self._current))

    def import_instance(self, instance, row, **kwargs):
        """Set the cleaned values (FK objects included, so __str__ needs no query)."""
        new = instance.pk is None
        changed = False
        for name, value in self._cleaned[self._current].items():
            model_field = self._model_fields.get(name)
            if model_field is None:
                continue
            if not new and getattr(instance, model_field.attname) != pk_or_value(value):
                self._changed_fields.add(name)
                changed = True
            setattr(instance, name, value)
        self._changed = new or changed

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return self._meta.skip_unchanged and not self._changed

    def get_bulk_update_fields(self):
        """Only the fields that changed in some row (import id fields never do)."""
        return [n for n in self._present if n in self._changed_fields]

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Write updates as INSERT … ON CONFLICT (id) DO UPDATE, one statement per batch.

        Django's bulk_update() builds a CASE expression per row and field: 10,000 changed
        units took 6–7 s on SQLite and PostgreSQL, mostly resolving expressions in Python.
        The rows exist (they were loaded by id, inside this transaction), so every insert
        conflicts on the primary key and becomes an update of the changed fields.
        """
        fields = self.get_bulk_update_fields()
        try:
            if self.update_instances and fields and (using_transactions or not dry_run):
                self._meta.model.objects.bulk_create(
                    self.update_instances,
                    batch_size=batch_size,
                    update_conflicts=True,
                    unique_fields=["pk"],
                    update_fields=fields,
                )
        except Exception as e:
            self.handle_import_error(result, e, raise_errors)
        finally:
            self.update_instances.clear()

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the id sequences here, for files that carry ids; ours never do.
        pass


def pk_or_value(value):
    return value.pk if isinstance(value, models.Model) else value


def _safe_text(value) -> str:
    try:
        return cell_text(value)
    except ValueError:
        return ""
