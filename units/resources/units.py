"""Spreadsheet import/export of service units (UPP)."""

from __future__ import annotations

from import_export.fields import Field

from ..models import Agency, ServiceScope, ServiceType, ServiceUnit
from .base import ChoiceWidget, SpreadsheetResource, code_field, text_field


class ServiceUnitResource(SpreadsheetResource):
    """UPP: kode, nama, kode_instansi, jenis_layanan, ruang_lingkup, alamat."""

    code = text_field(ServiceUnit, "code", "kode", code=True)
    name = text_field(ServiceUnit, "name", "nama")
    agency = code_field(Agency, "agency", "kode_instansi", label="instansi", load_all=True)
    service_type = code_field(
        ServiceType, "service_type", "jenis_layanan", label="jenis layanan", load_all=True
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
