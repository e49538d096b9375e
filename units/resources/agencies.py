"""Spreadsheet import/export of agencies (instansi)."""

from __future__ import annotations

from import_export.fields import Field

from ..models import REGIONAL_KINDS, Agency, AgencyKind, Province
from .base import ChoiceWidget, SpreadsheetResource, code_field, text_field

AGENCY_KIND_ALIASES = {
    "pemprov": AgencyKind.PROVINSI,
    "pemkab": AgencyKind.KABUPATEN,
    "pemkot": AgencyKind.KOTA,
}


class AgencyResource(SpreadsheetResource):
    """Instansi: kode, nama, jenis, kode_provinsi (the province's Kemendagri/BPS code, e.g.
    11 for Aceh; required for regional agencies)."""

    code = text_field(Agency, "code", "kode", code=True)
    name = text_field(Agency, "name", "nama")
    kind = Field(
        attribute="kind", column_name="jenis", widget=ChoiceWidget(AgencyKind, AGENCY_KIND_ALIASES)
    )
    province = code_field(
        Province, "province", "kode_provinsi", label="provinsi", load_all=True, name_field="name"
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
