"""GET /api/v1/instruments/ and /api/v1/instruments/<id>/: instrument versions, read only.

The list gives each version with its aspects and their indicators (weights as decimal
strings); one version adds each indicator's level rubric, the F-03 items and the grade bands.
Everyone with a role reads them (`can_read_instruments`); an account without a role gets 403
on the list and 404 on a version.
"""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.permissions import BasePermission, IsAuthenticated

from pekppp.api import ErrorSerializer

from ..models import Aspect, GradeBand, Indicator, InstrumentVersion, Level, SurveyItem
from ..permissions import can_read_instruments
from .errors import BAD_REQUEST, NO_PAGE
from .filters import year_filter


class CanReadInstruments(BasePermission):
    message = _("Anda tidak memiliki peran yang dapat membaca instrumen.")

    def has_permission(self, request, view) -> bool:
        return can_read_instruments(request.user)


class InstrumentLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["value", "description"]


class InstrumentIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "number",
            "code",
            "title",
            "question",
            "weight",
            "supplementary",
            "evidence_required",
            "evidence_guidance",
        ]


class InstrumentIndicatorRubricSerializer(InstrumentIndicatorSerializer):
    levels = InstrumentLevelSerializer(
        many=True, read_only=True, help_text="Levels 0–5 and their rubric."
    )

    class Meta(InstrumentIndicatorSerializer.Meta):
        fields = [*InstrumentIndicatorSerializer.Meta.fields, "levels"]


class InstrumentAspectSerializer(serializers.ModelSerializer):
    indicators = InstrumentIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Aspect
        fields = ["code", "name", "weight", "order", "indicators"]


class InstrumentAspectRubricSerializer(InstrumentAspectSerializer):
    indicators = InstrumentIndicatorRubricSerializer(many=True, read_only=True)


class InstrumentSurveyItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyItem
        fields = ["number", "text"]


class InstrumentGradeBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeBand
        fields = ["grade", "min_ipp", "max_ipp", "label"]


class InstrumentSerializer(serializers.ModelSerializer):
    aspects = InstrumentAspectSerializer(many=True, read_only=True)
    supplementary_indicators = InstrumentIndicatorSerializer(
        many=True, read_only=True, help_text="Recorded, never scored (weight 0)."
    )

    class Meta:
        model = InstrumentVersion
        fields = [
            "id",
            "code",
            "name",
            "year",
            "variant",
            "legal_basis",
            "description",
            "provisional",
            "survey_weight",
            "min_respondents",
            "aspects",
            "supplementary_indicators",
        ]


class InstrumentDetailSerializer(InstrumentSerializer):
    aspects = InstrumentAspectRubricSerializer(many=True, read_only=True)
    supplementary_indicators = InstrumentIndicatorRubricSerializer(many=True, read_only=True)
    survey_items = InstrumentSurveyItemSerializer(
        many=True, read_only=True, help_text="F-03 items."
    )
    grade_bands = InstrumentGradeBandSerializer(many=True, read_only=True)

    class Meta(InstrumentSerializer.Meta):
        fields = [*InstrumentSerializer.Meta.fields, "survey_items", "grade_bands"]


class InstrumentFilter(django_filters.FilterSet):
    year = year_filter()
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = InstrumentVersion
        fields = ["year", "code"]


def _instruments(*, rubric: bool):
    """Versions with their aspects and indicators in a fixed number of queries (four; with
    the rubric, levels, survey items and grade bands: seven)."""
    indicators = Indicator.objects.order_by("number")
    if rubric:
        indicators = indicators.prefetch_related(
            Prefetch("levels", queryset=Level.objects.order_by("value"))
        )
    aspects = Aspect.objects.order_by("order").prefetch_related(
        Prefetch("indicators", queryset=indicators)
    )
    qs = InstrumentVersion.objects.prefetch_related(
        Prefetch("aspects", queryset=aspects),
        Prefetch(
            "indicators",
            queryset=indicators.filter(supplementary=True),
            to_attr="supplementary_indicators",
        ),
    )
    if rubric:
        qs = qs.prefetch_related(
            Prefetch("survey_items", queryset=SurveyItem.objects.order_by("number")),
            Prefetch("grade_bands", queryset=GradeBand.objects.order_by("-max_ipp")),
        )
    return qs.order_by("-year", "code")


REFUSALS = {400: BAD_REQUEST, 401: ErrorSerializer, 403: ErrorSerializer, 404: NO_PAGE}


@extend_schema_view(get=extend_schema(responses={200: InstrumentSerializer(many=True), **REFUSALS}))
class InstrumentList(generics.ListAPIView):
    """Instrument versions, newest first, with their aspects and indicators."""

    permission_classes = [IsAuthenticated, CanReadInstruments]
    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilter
    ordering_fields = ["year", "code"]

    def get_queryset(self):
        return _instruments(rubric=False)


@extend_schema_view(
    get=extend_schema(
        responses={200: InstrumentDetailSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
    )
)
class InstrumentDetail(generics.RetrieveAPIView):
    """One instrument version with the rubric of each indicator, its F-03 items and grades
    (a 404, like any object, for an account that reads none)."""

    serializer_class = InstrumentDetailSerializer

    def get_queryset(self):
        if not can_read_instruments(self.request.user):
            return InstrumentVersion.objects.none()
        return _instruments(rubric=True)
