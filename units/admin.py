"""Admin for provinces, agencies, service types, units, people and roles, and people's API
tokens (DRF's token admin).

Foreign keys use autocomplete widgets and lists select their relations, so pages stay fast
with tens of thousands of units. Provinces, agencies, units and people/roles import and export as
CSV/XLSX (see units/resources/).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken import admin as authtoken_admin
from rest_framework.authtoken.models import TokenProxy

from .importing import SpreadsheetImportExportAdmin
from .models import Agency, Province, RoleAssignment, ServiceType, ServiceUnit, User
from .resources import AgencyResource, PersonRoleResource, ProvinceResource, ServiceUnitResource


@admin.register(Province)
class ProvinceAdmin(SpreadsheetImportExportAdmin):
    resource_classes = [ProvinceResource]
    list_display = ("code", "name")
    search_fields = ("code", "name")
    ordering = ("code",)


@admin.register(Agency)
class AgencyAdmin(SpreadsheetImportExportAdmin):
    resource_classes = [AgencyResource]
    list_display = ("code", "name", "kind", "ranking_group", "province")
    list_filter = ("kind", "ranking_group", "province")
    search_fields = ("code", "name")
    autocomplete_fields = ("province",)
    list_select_related = ("province",)
    readonly_fields = ("ranking_group",)
    ordering = ("name",)


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    prepopulated_fields = {"code": ("name",)}


@admin.register(ServiceUnit)
class ServiceUnitAdmin(SpreadsheetImportExportAdmin):
    resource_classes = [ServiceUnitResource]
    list_display = ("code", "name", "agency", "service_type", "scope", "is_active")
    list_filter = ("is_active", "scope", "service_type", "agency__kind", "agency__province")
    search_fields = ("code", "name", "agency__code", "agency__name")
    autocomplete_fields = ("agency", "service_type")
    list_select_related = ("agency", "service_type")
    # An exact count of a filtered 10,000+ row table on every page is not worth its cost.
    show_full_result_count = False


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("agency", "unit")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("PEKPPP"), {"fields": ("full_name", "nip", "phone", "agency")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (
            _("PEKPPP"),
            {"classes": ("wide",), "fields": ("full_name", "email", "nip", "phone", "agency")},
        ),
    )
    list_display = ("username", "full_name", "email", "agency", "is_staff", "is_active")
    list_filter = ("is_active", "is_staff", "is_superuser", "roles__role", "groups")
    search_fields = ("username", "full_name", "first_name", "last_name", "email", "nip")
    autocomplete_fields = ("agency",)
    list_select_related = ("agency",)
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SpreadsheetImportExportAdmin):
    resource_classes = [PersonRoleResource]
    list_display = ("user", "role", "agency", "unit")
    list_filter = ("role",)
    search_fields = (
        "user__username",
        "user__full_name",
        "agency__code",
        "agency__name",
        "unit__code",
        "unit__name",
    )
    autocomplete_fields = ("user", "agency", "unit")
    list_select_related = ("user", "agency", "unit")

    def has_import_permission(self, request):
        # The import creates and updates people, not only their roles.
        return super().has_import_permission(request) and request.user.has_perms(
            ["units.add_user", "units.change_user"]
        )


# DRF's token admin (imported above, so it is registered before it is replaced here) with the
# person picked by search: its plain select would list every account, thousands of operators.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(authtoken_admin.TokenAdmin):
    autocomplete_fields = ("user",)
    list_select_related = ("user",)
