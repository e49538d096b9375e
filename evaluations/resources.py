"""Spreadsheet import/export of loci: which units are evaluated in which cycle."""

from __future__ import annotations

from import_export.fields import Field

from units.models import ServiceUnit
from units.resources import CodeWidget, SpreadsheetResource, cell_text

from .models import Assessment, Cycle


class CycleWidget(CodeWidget):
    """A cycle by its name (any case) or, when names repeat across agencies, by its id."""

    def __init__(self, **kwargs):
        super().__init__(Cycle, field="name", label="periode", load_all=True, **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            return self.resolve(text)
        except ValueError:
            if text.isdigit():
                by_id = [c for group in self._exact.values() for c in group if c.pk == int(text)]
                if by_id:
                    return by_id[0]
            raise


class LocusResource(SpreadsheetResource):
    """Lokus: periode (cycle name) and kode_unit. Importing creates the cycle's assessments
    (status draft); a locus already in the cycle is left as it is. Nothing is deleted."""

    cycle = Field(attribute="cycle", column_name="periode", widget=CycleWidget())
    unit = Field(
        attribute="unit",
        column_name="kode_unit",
        widget=CodeWidget(ServiceUnit, label="unit", only=("id", "code", "name", "is_active")),
    )

    required_columns = ("periode", "kode_unit")
    duplicate_column = "kode_unit"

    class Meta:
        model = Assessment
        name = "Lokus"
        fields = ("cycle", "unit")
        import_id_fields = ("cycle", "unit")

    def validate_row(self, number, cleaned):
        unit = cleaned.get("unit")
        if unit is not None and not unit.is_active:
            self.add_problem(number, "kode_unit", f"unit '{unit.code}' tidak aktif")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("cycle", "unit")
