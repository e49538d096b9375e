"""Admin of the reports app: award lists are configured here; document jobs are read-only
(written by the job services, which keep files and checksums consistent)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scoring.admin import ReadOnlyAdmin

from .models import Award, Document


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "grades", "top_per_group", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "title")


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "cycle",
        "assessment",
        "status",
        "progress",
        "attempts",
        "requested_by",
        "requested_at",
        "finished_at",
    )
    list_filter = ("status", "kind", "cycle")
    search_fields = ("key", "filename", "sha256", "assessment__unit__name")
    list_select_related = ("cycle", "assessment__unit", "requested_by")
    date_hierarchy = "requested_at"
    show_full_result_count = False

    @admin.display(description=_("kemajuan"))
    def progress(self, obj: Document) -> str:
        return f"{obj.percent}%"
