"""Spreadsheet import/export of provinces."""

from __future__ import annotations

import re

from ..models import Province
from .base import SpreadsheetResource, text_field

CODE_PATTERN = re.compile(r"\d{2}")


class ProvinceResource(SpreadsheetResource):
    """Provinsi: kode (Kemendagri/BPS, two digits), nama.

    The 38 provinces ship with the portal (units/provinces.py); a file corrects a name or
    adds a province created later. A name stays unique: a name held by another province is
    refused (rename that one first).
    """

    code = text_field(Province, "code", "kode", code=True)
    name = text_field(Province, "name", "nama")

    required_columns = ("kode", "nama")

    class Meta:
        model = Province
        name = "Provinsi"
        fields = ("code", "name")
        import_id_fields = ("code",)

    def validate_row(self, number, cleaned):
        code = cleaned.get("code")
        if code and not CODE_PATTERN.fullmatch(code):
            self.add_problem(number, "kode", f"'{code}' bukan kode provinsi: 2 angka, mis. 18")

    def validate_dataset(self):
        holders = {
            name.casefold(): code for code, name in Province.objects.values_list("code", "name")
        }
        first: dict[str, int] = {}
        for number, cleaned in self._cleaned.items():
            name, code = cleaned.get("name"), cleaned.get("code")
            if not name or "nama" in self.failed_columns(number):
                continue
            key = name.casefold()
            if key in first:
                self.add_problem(
                    number, "nama", f"duplikat: nama yang sama ada di baris {first[key] + 1}"
                )
                continue
            first[key] = number
            holder = holders.get(key)
            if code and holder not in (None, code):
                self.add_problem(number, "nama", f"'{name}' sudah dipakai provinsi kode {holder}")
