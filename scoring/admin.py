"""Admin of the publication records, read-only: publications are written only by
`services.publication.cycle_publish` (a correction is a new revision, never an edit), and
exclusions by the publication page, which checks who may and asks why. The priority list and
coaching sessions are read-only here too: the priority pages decide and record them."""

from django.contrib import admin

from .models import (
    CoachingFile,
    CoachingSession,
    Exclusion,
    PriorityUnit,
    Publication,
    PublishedResult,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = (
        "cycle",
        "revision",
        "is_current",
        "published_at",
        "published_by",
        "result_count",
        "engine_version",
    )
    list_filter = ("is_current", "cycle__scheme", "cycle__year")
    search_fields = ("cycle__name", "reason")
    list_select_related = ("cycle", "published_by")
    exclude = ("summary",)  # large JSON: the revision page shows it as tables


@admin.register(PublishedResult)
class PublishedResultAdmin(ReadOnlyAdmin):
    list_display = (
        "unit_name",
        "publication",
        "ranking_group",
        "ipp",
        "grade",
        "rank",
        "rank_national",
    )
    list_filter = ("ranking_group", "grade", "publication__is_current")
    search_fields = ("unit_name", "agency_name")
    list_select_related = ("publication__cycle",)
    raw_id_fields = ("publication", "assessment", "unit", "agency", "province", "service_type")
    show_full_result_count = False


@admin.register(Exclusion)
class ExclusionAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "excluded_by", "excluded_at")
    search_fields = ("assessment__unit__name", "reason")
    list_select_related = ("assessment__unit", "assessment__cycle", "excluded_by")
    raw_id_fields = ("assessment",)


@admin.register(PriorityUnit)
class PriorityUnitAdmin(ReadOnlyAdmin):
    list_display = ("unit", "cycle", "basis", "proposed_at", "confirmed_at", "removed_at")
    list_filter = ("basis", "cycle")
    search_fields = ("unit__name", "note", "removal_reason")
    list_select_related = ("unit", "cycle")
    raw_id_fields = ("cycle", "unit", "published_result", "confirmed_by", "removed_by")


class CoachingFileInline(admin.TabularInline):
    model = CoachingFile
    fields = ("original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CoachingSession)
class CoachingSessionAdmin(ReadOnlyAdmin):
    list_display = ("unit", "cycle", "held_on", "mode", "recorded_by")
    list_filter = ("mode", "cycle")
    search_fields = ("unit__name", "topics", "people")
    list_select_related = ("unit", "cycle", "recorded_by")
    raw_id_fields = ("unit", "cycle", "recorded_by")
    inlines = [CoachingFileInline]
