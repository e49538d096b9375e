"""The scoring API (mounted under /api/v1/ through `scoring.urls.api_patterns`): the score
simulator, and the stored results each person may read in the pages
(`selectors.rankings.results_visible_to`)."""

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import generics, parsers, serializers, status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.models import Cycle, GradeBand
from evaluations.selectors.cycles import LOCUS_NAMES
from pekppp.api import OrderingFilter
from units.api import (
    AgencyRefSerializer,
    ProvinceSerializer,
    ServiceTypeSerializer,
    agency_filter,
    group_filter,
    name_search,
    province_filter,
    service_type_filter,
)
from units.models import ServiceUnit

from . import simulator
from .engine import ScoringInputError
from .models import Result
from .permissions import can_use_simulator
from .selectors.rankings import results_visible_to


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting too deep for Python's parser refused as bad JSON.

    `json.loads` recurses once per level of `[` or `{` and raises RecursionError (not the
    ValueError DRF turns into a 400) at about a thousand levels; no request of this API nests
    more than three.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply.") from exc


class CanUseSimulator(BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_use_simulator(request.user)


class SimulateView(APIView):
    """POST /api/v1/simulasi/: score levels (and an optional F-03 survey) without storing.

    Body: {"instrument": "2022-A", "levels": {"1": 3, …}, "survey": [[14 answers], …] | null}.
    200 → the simulated result, numbers as strings ("4.51"; weight shares with 4 decimals);
    400 → {"errors": [...]} with the engine's messages.
    """

    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated, CanUseSimulator]

    def post(self, request):
        try:
            data = request.data
        except UnsupportedMediaType:
            return Response(
                {"errors": ["Kirim data sebagai JSON (Content-Type: application/json)."]},
                status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        except ParseError:
            return Response(
                {"errors": ["Data permintaan bukan JSON yang sah."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = simulator.simulation_from_payload(data)
        except ScoringInputError as exc:
            return Response({"errors": list(exc.problems)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(simulator.as_json(result))


# --- stored results ---------------------------------------------------------------------------


class CycleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = ["id", "name", "year", "scheme"]


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceUnit
        fields = ["id", "code", "name"]


class ResultSerializer(serializers.ModelSerializer):
    """A stored result as the pages show it; numbers are exact strings ("4.51")."""

    cycle = CycleRefSerializer()
    unit = UnitRefSerializer(source="assessment.unit")
    agency = AgencyRefSerializer(source="assessment.unit.agency")
    province = ProvinceSerializer(allow_null=True)
    service_type = ServiceTypeSerializer()
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    aspects = serializers.DictField(
        child=serializers.CharField(), help_text='Aspect code → index, e.g. {"I": "4.79"}.'
    )

    class Meta:
        model = Result
        fields = [
            "id",
            "assessment",
            "cycle",
            "unit",
            "agency",
            "province",
            "service_type",
            "ranking_group",
            "aspects",
            "evaluator_index",
            "survey_index",
            "respondents",
            "survey_reason",
            "ipp",
            "grade",
            "grade_label",
            "instrument",
            "engine_version",
            "computed_at",
        ]


def grade_choices() -> list[tuple[str, str]]:
    """Every grade of the instruments' grade tables (one query, when a filter is read)."""
    grades = GradeBand.objects.order_by("grade").values_list("grade", flat=True).distinct()
    return [(grade, grade) for grade in grades]


def readable_cycles(request) -> QuerySet[Cycle]:
    """The cycles the caller reads results of: another cycle is refused like one that does not
    exist, so the filter does not tell which cycles there are."""
    if request is None:  # the schema is generated without a request
        return Cycle.objects.all()
    return Cycle.objects.filter(pk__in=results_visible_to(request.user).values("cycle_id"))


class ResultFilter(filters.FilterSet):
    cycle = filters.ModelChoiceFilter(queryset=readable_cycles, label=_("Periode (id)"))
    agency = agency_filter("assessment__unit__agency")
    province = province_filter()
    group = group_filter()
    service_type = service_type_filter()
    grade = filters.ChoiceFilter(choices=grade_choices, label=_("Predikat"))
    q = name_search(tuple(f"assessment__{field}" for field in LOCUS_NAMES))
    ordering = OrderingFilter(
        fields=(
            ("ipp", "ipp"),
            ("sort_unit", "unit"),
            ("cycle__year", "year"),
            ("computed_at", "computed_at"),
        )
    )

    class Meta:
        model = Result
        fields = ["cycle", "agency", "province", "group", "service_type", "grade", "q"]


class ResultQuerysetMixin:
    def get_queryset(self):
        return (
            results_visible_to(self.request.user)
            .select_related(
                "cycle",
                "assessment__unit__agency",
                "province",
                "service_type",
                "instrument",
            )
            .defer("inputs")  # not shown, and the largest column
            .annotate(sort_unit=Lower("assessment__unit__name"))
            .order_by("-cycle__year", "cycle_id", "-ipp", "sort_unit", "pk")
        )


class ResultList(ResultQuerysetMixin, generics.ListAPIView):
    """The stored results the caller may read: every result of a cycle whose ranking they may
    see (admins; the owner agency's coordinators and leadership), and those of the loci they
    may open (their agency's, their unit's, the loci they evaluate). Newest cycle first, then
    by IPP."""

    serializer_class = ResultSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ResultFilter


class ResultDetail(ResultQuerysetMixin, generics.RetrieveAPIView):
    """One stored result; 404 for a result the caller may not read."""

    serializer_class = ResultSerializer
