"""GET /api/v1/followup/ and /api/v1/followup/<id>/: the follow-up register, read only.

As the register pages (evaluations/views/followup.py): the list is for the roles that read
the register (`can_list_followup`: admins, coordinators, leadership, operators; else 403) and
holds the items `followups_visible_to` the person, as `register_items` reads them; one item
the person cannot see is a 404. The unit's edits stay on the pages.
"""

import django_filters
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from pekppp.api import ErrorSerializer

from ..models import FollowUpFile, FollowUpItem, FollowUpStatus
from ..permissions import can_list_followup
from ..selectors import followup as sel
from .cycles import NamedRefSerializer
from .errors import BAD_REQUEST, NO_PAGE
from .filters import BooleanFilter, choice_filter, id_filter


class CanListFollowUp(BasePermission):
    message = _("Daftar tindak lanjut hanya untuk admin, koordinator, pimpinan dan operator unit.")

    def has_permission(self, request, view) -> bool:
        return can_list_followup(request.user)


class FollowUpUnitSerializer(NamedRefSerializer):
    agency = NamedRefSerializer()


class FollowUpIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class FollowUpSerializer(serializers.ModelSerializer):
    cycle = NamedRefSerializer(source="assessment.cycle")
    locus = serializers.IntegerField(source="assessment_id")
    unit = FollowUpUnitSerializer()
    indicator = FollowUpIndicatorSerializer()
    level = serializers.IntegerField(help_text="The final level of the indicator.")
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.BooleanField(help_text="Target date passed, still belum/berjalan.")
    file_count = serializers.IntegerField(help_text="Active evidence files.")
    version = serializers.IntegerField(help_text="Changes with every save of the unit.")

    class Meta:
        model = FollowUpItem
        fields = [
            "id",
            "cycle",
            "locus",
            "unit",
            "indicator",
            "level",
            "recommendation",
            "planned_action",
            "responsible",
            "target_date",
            "status",
            "status_label",
            "status_reason",
            "overdue",
            "file_count",
            "version",
            "updated_at",
        ]


class FollowUpFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    download = serializers.SerializerMethodField(help_text="Path of the download.")

    class Meta:
        model = FollowUpFile
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "download"]

    def get_download(self, attachment: FollowUpFile) -> str:
        return reverse("evaluations:followup_file_download", args=[attachment.pk])


class FollowUpHistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="change.at")
    actor = serializers.CharField(source="change.actor.display_name", default=None)
    field = serializers.CharField(source="change.field")
    label = serializers.CharField()
    old = serializers.CharField(source="change.old")
    new = serializers.CharField(source="change.new")


class FollowUpDetailSerializer(FollowUpSerializer):
    files = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField(help_text="Every change, newest first.")

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "files", "history"]

    @extend_schema_field(FollowUpFileSerializer(many=True))
    def get_files(self, item: FollowUpItem) -> list:
        return FollowUpFileSerializer(self.context["page"].files, many=True).data

    @extend_schema_field(FollowUpHistorySerializer(many=True))
    def get_history(self, item: FollowUpItem) -> list:
        return FollowUpHistorySerializer(self.context["page"].history, many=True).data


class FollowUpFilter(django_filters.FilterSet):
    cycle = id_filter("assessment__cycle", "Cycle id.")
    status = choice_filter(
        FollowUpStatus.choices, "belum, berjalan, selesai or tidak_dapat; empty: every status."
    )
    agency = id_filter("unit__agency", "Agency id of the unit.")
    unit = id_filter("unit", "Unit id.")
    overdue = BooleanFilter(label="true: only items past their target date; false: the others.")

    class Meta:
        model = FollowUpItem
        fields = ["cycle", "status", "agency", "unit", "overdue"]


REFUSALS = {400: BAD_REQUEST, 401: ErrorSerializer, 403: ErrorSerializer, 404: NO_PAGE}


@extend_schema_view(get=extend_schema(responses={200: FollowUpSerializer(many=True), **REFUSALS}))
class FollowUpList(generics.ListAPIView):
    """The follow-up items the person reads, newest cycle first, by agency, unit, indicator."""

    permission_classes = [IsAuthenticated, CanListFollowUp]
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    ordering_fields = ["target_date", "updated_at", "status"]

    def get_queryset(self):
        return sel.register_items(self.request.user, sel.FollowUpQuery())


@extend_schema_view(
    get=extend_schema(
        responses={200: FollowUpDetailSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
    )
)
class FollowUpDetail(generics.RetrieveAPIView):
    """One item with its active evidence files and the history of every change."""

    serializer_class = FollowUpDetailSerializer

    def get_object(self) -> FollowUpItem:
        item = sel.followup_item(self.request.user, self.kwargs["pk"])
        if item is None:
            raise Http404
        return item

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        page = sel.item_page(item)
        item.file_count = len(page.files)
        context = {**self.get_serializer_context(), "page": page}
        return Response(self.get_serializer(item, context=context).data)
