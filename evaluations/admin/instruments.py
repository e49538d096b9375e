"""Admin for instrument versions: export, import a new version, copy forward.

Versions are written only from instrument files (services.instrument_import), so the admin
shows them read-only. Three admin views change or read them as whole documents, and only
ministry admins (and superusers) may use them:

- `<pk>/ekspor/`  "Ekspor JSON": download the version in the file format;
- `impor/`        "Impor versi baru": upload a file; every problem is listed, nothing saved;
- `<pk>/salin/`   "Salin ke versi baru": copy the version under a new code, name and year.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from units.permissions import is_ministry_admin

from ..forms.instruments import InstrumentCopyForm, InstrumentImportForm
from ..instrument_file import InstrumentFileError
from ..models import Aspect, Cycle, GradeBand, Indicator, InstrumentVersion, Level, SurveyItem
from ..services import instrument_copy, instrument_export, instrument_import

TEMPLATE_DIR = "admin/evaluations/instrumentversion"


def can_manage_instruments(user) -> bool:
    """Superusers and ministry admins export, import and copy instrument versions."""
    return bool(user.is_active and (user.is_superuser or is_ministry_admin(user)))


class ReadOnlyRegister:
    """Instrument data changes only through files: whoever may see it sees it read-only.

    Ministry admins hold no Django model permissions; their role lets them see the register.
    """

    def has_module_permission(self, request) -> bool:
        return can_manage_instruments(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_manage_instruments(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Deleting one indicator or band would leave a version whose weights no longer add up;
    # an unused version is corrected by importing its file again under the same code.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyRegister, admin.TabularInline):
    extra = 0
    can_delete = False


class AspectInline(ReadOnlyInline):
    model = Aspect
    fields = ("order", "code", "name", "weight")


class GradeBandInline(ReadOnlyInline):
    model = GradeBand
    fields = ("grade", "min_ipp", "max_ipp", "label")


class SurveyItemInline(ReadOnlyInline):
    model = SurveyItem
    fields = ("number", "text")


class LevelInline(ReadOnlyInline):
    model = Level
    fields = ("value", "description")


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(ReadOnlyRegister, admin.ModelAdmin):
    list_display = ("code", "name", "year", "variant", "provisional", "scored_indicators", "in_use")
    list_filter = ("year", "variant", "provisional")
    search_fields = ("code", "name", "legal_basis")
    fields = (
        "code",
        "name",
        "year",
        "variant",
        "legal_basis",
        "description",
        "provisional",
        "survey_weight",
        "min_respondents",
        "usage",
        "indicator_list",
        "checksum",
        "loaded_at",
    )
    readonly_fields = ("usage", "indicator_list", "checksum", "loaded_at")
    inlines = [AspectInline, GradeBandInline, SurveyItemInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                scored_count=Count("indicators", filter=Q(indicators__supplementary=False)),
                used=Exists(Cycle.objects.filter(instrument=OuterRef("pk"))),
            )
        )

    @admin.display(description=_("indikator berbobot"), ordering="scored_count")
    def scored_indicators(self, obj: InstrumentVersion) -> int:
        return obj.scored_count

    @admin.display(description=_("dipakai"), boolean=True, ordering="used")
    def in_use(self, obj: InstrumentVersion) -> bool:
        return obj.used

    @admin.display(description=_("pemakaian"))
    def usage(self, obj: InstrumentVersion) -> str:
        cycles = list(obj.cycles.order_by("-year", "name").values_list("name", flat=True))
        if not cycles:
            return gettext("Belum dipakai periode evaluasi; dapat diganti lewat impor berkasnya.")
        return format_html(
            "{} <ul>{}</ul>",
            gettext("Dipakai oleh periode evaluasi berikut, sehingga tidak dapat diubah:"),
            format_html_join("", "<li>{}</li>", ((name,) for name in cycles)),
        )

    @admin.display(description=_("indikator"))
    def indicator_list(self, obj: InstrumentVersion) -> str:
        url = reverse("admin:evaluations_indicator_changelist")
        return format_html(
            '<a href="{}?instrument__id__exact={}">{}</a>',
            url,
            obj.pk,
            gettext("%(count)s indikator berbobot — lihat rubriknya") % {"count": obj.scored_count},
        )

    # --- Export, import, copy -------------------------------------------------------------

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("impor/", wrap(self.import_view), name=f"{info}_import"),
            path("<path:object_id>/ekspor/", wrap(self.export_view), name=f"{info}_export"),
            path("<path:object_id>/salin/", wrap(self.copy_view), name=f"{info}_copy"),
            *super().get_urls(),
        ]

    # The links to the three views show only to those who may use them.
    def changelist_view(self, request, extra_context=None):
        extra = {"can_manage_instruments": can_manage_instruments(request.user)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_manage_instruments": can_manage_instruments(request.user)}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def export_view(self, request, object_id):
        """The version as a JSON download, in the instrument file format."""
        instrument = self._version_for_manager(request, object_id)
        body = json.dumps(instrument_export(instrument), indent=2, ensure_ascii=False) + "\n"
        response = HttpResponse(
            body.encode("utf-8"), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{instrument.code}.json"
        )
        return response

    def import_view(self, request):
        """Upload a file as a new version; on any problem list them all and save nothing."""
        self._require_manager(request)
        if request.method == "POST":
            form = InstrumentImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    instrument, outcome = instrument_import(
                        data=form.cleaned_data["document"], source=upload.name
                    )
                except InstrumentFileError as exc:
                    # e.g. the code belongs to a version a cycle already uses
                    form.add_error("file", list(exc.problems))
                else:
                    return self._after_import(request, instrument, outcome, upload.name)
        else:
            form = InstrumentImportForm()
        return self._render(
            request, "import_form.html", form=form, title=gettext("Impor versi baru")
        )

    def copy_view(self, request, object_id):
        """Copy a version forward under a new code, as the start of a new instrument."""
        source = self._version_for_manager(request, object_id)
        if request.method == "POST":
            form = InstrumentCopyForm(request.POST)
            if form.is_valid():
                try:
                    copied = instrument_copy(instrument=source, **form.cleaned_data)
                except InstrumentFileError as exc:
                    form.add_error(None, list(exc.problems))
                else:
                    self.log_addition(request, copied, [{"added": {}}])
                    self.message_user(
                        request,
                        gettext("Versi “%(source)s” disalin menjadi versi baru “%(code)s”.")
                        % {"source": source.code, "code": copied.code},
                        messages.SUCCESS,
                    )
                    return redirect(self._change_url(copied))
        else:
            form = InstrumentCopyForm(initial={"name": source.name, "year": source.year + 1})
        return self._render(
            request,
            "copy_form.html",
            form=form,
            original=source,
            title=gettext("Salin “%(code)s” ke versi baru") % {"code": source.code},
        )

    def _after_import(self, request, instrument, outcome, filename):
        texts = {
            "created": gettext("Versi instrumen “%(code)s” dibuat dari berkas %(file)s."),
            "replaced": gettext("Versi instrumen “%(code)s” diganti dengan isi berkas %(file)s."),
            "unchanged": gettext(
                "Versi instrumen “%(code)s” sama dengan berkas %(file)s; tidak ada yang berubah."
            ),
        }
        if outcome != "unchanged":
            self.log_addition(request, instrument, [{"added": {}}])
        level = messages.INFO if outcome == "unchanged" else messages.SUCCESS
        text = texts[outcome] % {"code": instrument.code, "file": filename}
        self.message_user(request, text, level)
        return redirect(self._change_url(instrument))

    def _require_manager(self, request) -> None:
        if not can_manage_instruments(request.user):
            raise PermissionDenied

    def _version_for_manager(self, request, object_id) -> InstrumentVersion:
        self._require_manager(request)
        instrument = self.get_object(request, unquote(object_id))
        if instrument is None:
            raise Http404(gettext("Versi instrumen tidak ditemukan."))
        return instrument

    def _change_url(self, instrument: InstrumentVersion) -> str:
        return reverse("admin:evaluations_instrumentversion_change", args=[instrument.pk])

    def _render(self, request, template: str, **context) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"{TEMPLATE_DIR}/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, **context},
        )


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyRegister, admin.ModelAdmin):
    list_display = (
        "number",
        "code",
        "title",
        "instrument",
        "aspect_code",
        "weight",
        "supplementary",
    )
    list_display_links = ("number", "code")
    list_filter = ("instrument", "supplementary", "aspect__code", "evidence_required")
    list_select_related = ("instrument", "aspect")
    search_fields = ("code", "title", "question", "instrument__code")
    ordering = ("instrument", "number")
    fields = (
        "instrument",
        "aspect",
        "number",
        "code",
        "title",
        "question",
        "weight",
        "supplementary",
        "evidence_guidance",
        "evidence_required",
    )
    inlines = [LevelInline]

    @admin.display(description=_("aspek"), ordering="aspect__order")
    def aspect_code(self, obj: Indicator) -> str:
        return obj.aspect.code if obj.aspect else "—"
