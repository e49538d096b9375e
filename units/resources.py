"""Spreadsheet import/export of agencies, service units, and people with their roles.

Columns carry the names a Biro Organisasi user fills in (`kode`, `nama`, `kode_instansi`, …);
foreign keys are written as natural codes. Every resource here derives from
`SpreadsheetResource`, which checks the whole file first and writes nothing unless every row
is valid (see its docstring).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import EmailValidator
from django.db import models
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import RowResult

from .importing import ImportFileError, ImportProblem, SheetError, SheetResult
from .models import (
    REGIONAL_KINDS,
    ROLE_SCOPE,
    Agency,
    AgencyKind,
    Province,
    Role,
    RoleAssignment,
    ServiceScope,
    ServiceType,
    ServiceUnit,
    User,
)

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


def header_key(value: Any) -> str:
    """'Kode Instansi ' → 'kode_instansi'."""
    return re.sub(r"[\s\-]+", "_", "" if value is None else str(value).strip().lower())


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[_\-/]+", " ", text).casefold().split())


# --- Widgets ---------------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Trimmed text with a length limit (usually the model field's max_length)."""

    def __init__(self, max_length: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
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
    table also matches codes case-insensitively when the exact code is unknown.
    """

    def __init__(
        self, model, field: str = "code", *, label: str, load_all: bool = False, only=None, **kwargs
    ):
        super().__init__(model, field=field, **kwargs)
        self.label = label
        self.load_all = load_all
        self.only = only
        self._exact: dict[str, list] | None = None
        self._folded: dict[str, list] = {}

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

    def resolve(self, code: str):
        if self._exact is None:
            self.prime([code])
        found = self._exact.get(code) or (
            self._folded.get(code.casefold()) if self.load_all else None
        )
        if not found:
            raise ValueError(f"{self.label} '{code}' tidak ditemukan")
        if len(found) > 1:
            raise ValueError(f"{self.label} '{code}' tidak unik ({len(found)} data cocok)")
        return found[0]

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        return self.resolve(code) if code else None


def text_field(
    model: type[models.Model], name: str, column: str, attribute: str | None = None
) -> Field:
    """A text column limited to the model field's max_length."""
    max_length = model._meta.get_field(name).max_length
    return Field(attribute=attribute or name, column_name=column, widget=TextWidget(max_length))


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
        return tuple(_pk_or_value(cleaned.get(name)) for name in self.get_import_id_fields())

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
            if all(_is_blank(v) for v in values):
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
            if not new and getattr(instance, model_field.attname) != _pk_or_value(value):
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


def _pk_or_value(value):
    return value.pk if isinstance(value, models.Model) else value


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _safe_text(value) -> str:
    try:
        return cell_text(value)
    except ValueError:
        return ""


# --- Agencies --------------------------------------------------------------------------------

AGENCY_KIND_ALIASES = {
    "pemprov": AgencyKind.PROVINSI,
    "pemkab": AgencyKind.KABUPATEN,
    "pemkot": AgencyKind.KOTA,
}


class AgencyResource(SpreadsheetResource):
    """Instansi: kode, nama, jenis, kode_provinsi (BPS code; required for regional agencies)."""

    code = text_field(Agency, "code", "kode")
    name = text_field(Agency, "name", "nama")
    kind = Field(
        attribute="kind", column_name="jenis", widget=ChoiceWidget(AgencyKind, AGENCY_KIND_ALIASES)
    )
    province = Field(
        attribute="province",
        column_name="kode_provinsi",
        widget=CodeWidget(Province, label="provinsi", load_all=True),
    )

    required_columns = ("kode", "nama", "jenis")

    class Meta:
        model = Agency
        name = "Instansi"
        fields = ("code", "name", "kind", "province")
        import_id_fields = ("code",)

    def validate_row(self, number, cleaned):
        kind = cleaned.get("kind")
        if kind in REGIONAL_KINDS and cleaned.get("province") is None:
            if "kode_provinsi" not in self.failed_columns(number):
                label = AgencyKind(kind).label
                self.add_problem(number, "kode_provinsi", f"wajib diisi untuk jenis {label}")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("province")


# --- Service units ---------------------------------------------------------------------------


class ServiceUnitResource(SpreadsheetResource):
    """UPP: kode, nama, kode_instansi, jenis_layanan, ruang_lingkup, alamat."""

    code = text_field(ServiceUnit, "code", "kode")
    name = text_field(ServiceUnit, "name", "nama")
    agency = Field(
        attribute="agency",
        column_name="kode_instansi",
        widget=CodeWidget(Agency, label="instansi", load_all=True),
    )
    service_type = Field(
        attribute="service_type",
        column_name="jenis_layanan",
        widget=CodeWidget(ServiceType, label="jenis layanan", load_all=True),
    )
    scope = Field(attribute="scope", column_name="ruang_lingkup", widget=ChoiceWidget(ServiceScope))
    address = text_field(ServiceUnit, "address", "alamat")

    required_columns = ("kode", "nama", "kode_instansi", "jenis_layanan", "ruang_lingkup")

    class Meta:
        model = ServiceUnit
        name = "Unit pelayanan (UPP)"
        fields = ("code", "name", "agency", "service_type", "scope", "address")
        import_id_fields = ("code",)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("agency", "service_type")


# --- People and their roles ------------------------------------------------------------------

ROLE_ALIASES = {
    "admin": Role.MINISTRY_ADMIN,
    "admin kementerian": Role.MINISTRY_ADMIN,
    "koordinator": Role.COORDINATOR,
    "operator": Role.UNIT_OPERATOR,
    "admin upp": Role.UNIT_OPERATOR,
    "operator unit": Role.UNIT_OPERATOR,
    "pimpinan": Role.LEADERSHIP,
}
# The person's own columns, as (resource field, User attribute).
PERSON_FIELDS = (
    ("full_name", "full_name"),
    ("email", "email"),
    ("nip", "nip"),
    ("home_agency", "agency"),
)
_username_validator = User.username_validator
_email_validator = EmailValidator()


class PersonRoleResource(SpreadsheetResource):
    """One row per role: the person (created or updated) and one role with its scope.

    New people get an unusable password and set one through password reset. A person's
    columns left empty keep what is stored; filled ones must agree across that person's rows.
    Scope: coordinator and leadership need `kode_instansi`, unit operator `kode_unit`,
    ministry admin and evaluator neither (the database's `role_scope_matches_role`).
    """

    username = text_field(User, "username", "username", attribute="user__username")
    full_name = text_field(User, "full_name", "nama_lengkap", attribute="user__full_name")
    email = text_field(User, "email", "email", attribute="user__email")
    nip = text_field(User, "nip", "nip", attribute="user__nip")
    home_agency = Field(
        attribute="user__agency",
        column_name="kode_instansi_asal",
        widget=CodeWidget(Agency, label="instansi", load_all=True),
    )
    role = Field(attribute="role", column_name="peran", widget=ChoiceWidget(Role, ROLE_ALIASES))
    agency = Field(
        attribute="agency",
        column_name="kode_instansi",
        widget=CodeWidget(Agency, label="instansi", load_all=True),
    )
    unit = Field(
        attribute="unit",
        column_name="kode_unit",
        widget=CodeWidget(ServiceUnit, label="unit", only=("id", "code", "name")),
    )

    required_columns = ("username", "peran")
    duplicate_column = "peran"
    blank_when_absent = ("kode_instansi", "kode_unit")

    class Meta:
        model = RoleAssignment
        name = "Pengguna dan peran"
        fields = ("username", "full_name", "email", "nip", "home_agency", "role", "agency", "unit")
        import_id_fields = ("username", "role", "agency", "unit")

    def validate_row(self, number, cleaned):
        username = cleaned.get("username")
        if username:
            try:
                _username_validator(username)
            except ValidationError:
                self.add_problem(number, "username", "hanya huruf, angka dan @ . + - _ tanpa spasi")
        if cleaned.get("email"):
            try:
                _email_validator(cleaned["email"])
            except ValidationError:
                self.add_problem(number, "email", f"alamat email '{cleaned['email']}' tidak sah")
            else:  # as create_user() stores it: the domain in lower case
                cleaned["email"] = User.objects.normalize_email(cleaned["email"])
        nip = cleaned.get("nip")
        if nip and not (nip.isdigit() and len(nip) == 18):
            self.add_problem(number, "nip", "NIP harus 18 digit angka")
        role = cleaned.get("role")
        if not role:
            return
        label = Role(role).label
        scope = ROLE_SCOPE[Role(role)]
        agency, unit = cleaned.get("agency"), cleaned.get("unit")
        bad = self.failed_columns(number)
        if scope == "agency" and agency is None and "kode_instansi" not in bad:
            self.add_problem(number, "kode_instansi", f"wajib diisi untuk peran {label}")
        if scope != "agency" and agency is not None:
            self.add_problem(number, "kode_instansi", f"harus kosong untuk peran {label}")
        if scope == "unit" and unit is None and "kode_unit" not in bad:
            self.add_problem(number, "kode_unit", f"wajib diisi untuk peran {label}")
        if scope != "unit" and unit is not None:
            self.add_problem(number, "kode_unit", f"harus kosong untuk peran {label}")

    def validate_dataset(self):
        first: dict[tuple[str, str], tuple[int, Any]] = {}
        for number, cleaned in self._cleaned.items():
            username = cleaned.get("username")
            if not username:
                continue
            for name, _ in PERSON_FIELDS:
                value = cleaned.get(name)
                if value in (None, ""):
                    continue
                seen = first.setdefault((username, name), (number, value))
                if seen[1] != value:
                    shown = getattr(seen[1], "code", seen[1])
                    message = f"berbeda dengan baris {seen[0] + 1} ('{shown}')"
                    self.add_problem(
                        number, self.column(name), f"{message} untuk pengguna '{username}'"
                    )

    def row_key(self, cleaned):
        return (
            cleaned.get("username"),
            cleaned.get("role"),
            _pk_or_value(cleaned.get("agency")),
            _pk_or_value(cleaned.get("unit")),
        )

    def instance_key(self, instance):
        return (instance.user.username, instance.role, instance.agency_id, instance.unit_id)

    def prepare(self):
        users = self._upsert_users()
        for cleaned in self._cleaned.values():
            if cleaned.get("username"):
                cleaned["user"] = users[cleaned["username"]]
        usernames = sorted(users)
        self._existing = {
            self.instance_key(ra): ra
            for chunk in chunked(usernames)
            for ra in RoleAssignment.objects.filter(user__username__in=chunk).select_related("user")
        }

    def _upsert_users(self) -> dict[str, User]:
        wanted: dict[str, dict[str, Any]] = {}
        for cleaned in self._cleaned.values():
            if not cleaned.get("username"):
                continue
            attrs = wanted.setdefault(cleaned["username"], {})
            for name, attr in PERSON_FIELDS:
                if cleaned.get(name) not in (None, ""):
                    attrs.setdefault(attr, cleaned[name])
        users = {
            u.username: u
            for chunk in chunked(sorted(wanted))
            for u in User.objects.filter(username__in=chunk)
        }
        new, changed, changed_fields = [], [], set()
        for username, attrs in wanted.items():
            user = users.get(username)
            if user is None:
                user = User(username=username, **attrs)
                user.set_unusable_password()
                users[username] = user
                new.append(user)
                continue
            dirty = False
            for attr, value in attrs.items():
                field = User._meta.get_field(attr)
                if getattr(user, field.attname) != _pk_or_value(value):
                    setattr(user, attr, value)
                    changed_fields.add(attr)
                    dirty = True
            if dirty:
                changed.append(user)
        User.objects.bulk_create(new, batch_size=self._meta.batch_size)
        if changed:
            User.objects.bulk_update(
                changed, sorted(changed_fields), batch_size=self._meta.batch_size
            )
        self.details = {"pengguna baru": len(new), "pengguna diperbarui": len(changed)}
        return users

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("user__agency", "agency", "unit")
