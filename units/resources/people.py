"""Spreadsheet import/export of people with their roles: one row per role assignment."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from import_export.fields import Field

from ..models import ROLE_SCOPE, Agency, Role, RoleAssignment, ServiceUnit, User
from .base import ChoiceWidget, SpreadsheetResource, chunked, code_field, pk_or_value, text_field

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
    home_agency = code_field(
        Agency, "user__agency", "kode_instansi_asal", label="instansi", load_all=True
    )
    role = Field(attribute="role", column_name="peran", widget=ChoiceWidget(Role, ROLE_ALIASES))
    agency = code_field(Agency, "agency", "kode_instansi", label="instansi", load_all=True)
    unit = code_field(ServiceUnit, "unit", "kode_unit", label="unit", only=("id", "code", "name"))

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
            pk_or_value(cleaned.get("agency")),
            pk_or_value(cleaned.get("unit")),
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
                if getattr(user, field.attname) != pk_or_value(value):
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
