"""Admin for cycles, phase windows, loci and evaluator assignments (with import-export)."""

from django.contrib import admin

from units.importing import SpreadsheetImportExportAdmin

from ..models import Assessment, AuditEntry, Cycle, EvaluatorAssignment, PhaseWindow
from ..resources import LocusResource


class PhaseWindowInline(admin.TabularInline):
    model = PhaseWindow
    extra = 0


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "scheme", "owner_agency", "instrument", "created_at")
    list_filter = ("scheme", "year")
    search_fields = ("name", "owner_agency__code", "owner_agency__name")
    # Instrument versions are a handful: a plain select is enough.
    autocomplete_fields = ("owner_agency",)
    list_select_related = ("owner_agency", "instrument")
    readonly_fields = ("created_at",)
    inlines = [PhaseWindowInline]


class EvaluatorAssignmentInline(admin.TabularInline):
    model = EvaluatorAssignment
    extra = 0
    autocomplete_fields = ("evaluator",)


@admin.register(Assessment)
class AssessmentAdmin(SpreadsheetImportExportAdmin):
    """Lokus. The status moves only through the workflow services, never by hand here."""

    resource_classes = [LocusResource]
    list_display = ("unit", "unit_code", "cycle", "status", "updated_at")
    list_filter = ("status", "cycle__scheme", "cycle__year", "cycle")
    search_fields = ("unit__code", "unit__name", "unit__agency__name", "cycle__name")
    autocomplete_fields = ("cycle", "unit")
    list_select_related = ("unit", "cycle")
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [EvaluatorAssignmentInline]
    show_full_result_count = False

    @admin.display(description="kode unit", ordering="unit__code")
    def unit_code(self, obj: Assessment) -> str:
        return obj.unit.code


@admin.register(EvaluatorAssignment)
class EvaluatorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("assessment", "evaluator", "is_lead", "assigned_at")
    list_filter = ("is_lead", "assessment__cycle")
    search_fields = (
        "evaluator__username",
        "evaluator__full_name",
        "assessment__unit__code",
        "assessment__unit__name",
    )
    autocomplete_fields = ("assessment", "evaluator")
    list_select_related = ("assessment__unit", "assessment__cycle", "evaluator")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit history, read-only: only services.audit.audit_record appends to it."""

    list_display = ("at", "assessment", "actor", "action", "indicator", "old", "new")
    list_filter = ("action",)
    search_fields = ("assessment__unit__name", "actor__username", "reason")
    list_select_related = ("assessment__unit", "assessment__cycle", "actor", "indicator")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
