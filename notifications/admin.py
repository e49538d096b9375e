"""Admin of notifications: read-only (written by `services.notify`, which renders and mails
them); for answering "did this person get told?"."""

from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "recipient",
        "kind",
        "created_at",
        "read_at",
        "emailed_at",
        "mail_error",
    )
    list_filter = ("kind",)
    search_fields = ("title", "key", "recipient__username", "recipient__email")
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
