"""The scoring API (mounted under /api/v1/ through `scoring.urls.api_patterns`): the score
simulator, and the stored results each person may read in the pages
(`selectors.rankings.results_visible_to`)."""

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.api.assessment_serializers import CycleRefSerializer
from evaluations.models import Cycle, GradeBand
from evaluations.selectors.cycles import LOCUS_NAMES
from pekppp.api import JSONParser, OrderingFilter
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
from units.models import RankingGroup, ServiceUnit

from . import simulator
from .engine import MAX_LEVEL, MIN_LEVEL, ScoringInputError
from .models import PublishedResult, Result
from .permissions import can_use_simulator
from .selectors import opendata, public
from .selectors.rankings import results_visible_to


class CanUseSimulator(BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_use_simulator(request.user)


def _level(**kwargs):
    return serializers.IntegerField(min_value=MIN_LEVEL, max_value=MAX_LEVEL, **kwargs)


def _index(**kwargs):
    """An index 0.00–5.00, written as an exact string."""
    return serializers.DecimalField(max_digits=3, decimal_places=2, **kwargs)


class SimulateSerializer(serializers.Serializer):
    """Levels of an instrument's indicators, and optionally F-03 survey answers, to score.

    (Only a description: the body is checked by `simulator.simulation_from_payload`, so the
    answer names every problem with the engine's own messages.)
    """

    instrument = serializers.CharField(help_text='Instrument version code, e.g. "2022-A".')
    levels = serializers.DictField(
        child=_level(),
        help_text=(
            "The level (0–5) of every scored indicator of the instrument, keyed by the "
            'indicator\'s number as a string ("1").'
        ),
    )
    survey = serializers.ListField(
        child=serializers.ListField(child=_level()),
        required=False,
        allow_null=True,
        help_text=(
            "F-03 survey answers, one list of item answers (0–5) per respondent, as many "
            "items as the instrument's questionnaire has; null or left out for none. "
            "Counted only from the instrument's minimum number of respondents."
        ),
    )


class SimulatedAspectSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="Percent of the evaluator index."
    )
    index = _index()


class SimulatedIndicatorSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    code = serializers.CharField()
    aspect = serializers.CharField(help_text="The code of the indicator's aspect.")
    level = _level()
    weight_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text="Share of the evaluator index, 4 decimals."
    )
    contribution = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text="Level × weight share, 4 decimals."
    )


class SimulationSerializer(serializers.Serializer):
    """A simulated result; every number an exact string, rounded half-up as on the simulator
    page."""

    instrument = serializers.CharField()
    engine_version = serializers.CharField()
    aspects = SimulatedAspectSerializer(many=True)
    evaluator_index = _index()
    survey_index = _index(allow_null=True, help_text="null when the survey does not count.")
    survey_counted = serializers.BooleanField()
    survey_message = serializers.CharField(help_text="Why the survey counts or not.")
    respondents = serializers.IntegerField(min_value=0)
    ipp = _index(help_text="The IPP: the evaluator index blended with the survey index.")
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    indicators = SimulatedIndicatorSerializer(many=True)


class SimulationErrorsSerializer(serializers.Serializer):
    errors = serializers.ListField(
        child=serializers.CharField(), help_text="Every problem found, in Bahasa Indonesia."
    )


# The golden boundary case of instrument 2022-A (tests/data/scoring_cases.json): its evaluator
# index of exactly 4.505 rounds half-up to 4.51, an "A".
EXAMPLE_LEVELS = dict(
    enumerate(
        (5, 5, 5, 5, 5, 5, 3, 5, 4, 5, 2, 5, 4, 5, 5, 5, 5, 3, 3, 5, 5, 5, 1, 5, 4, 5, 4, 5, 5, 5),
        1,
    )
)
EXAMPLE_ASPECTS = [
    {"code": "I", "name": "Kebijakan Pelayanan", "weight": "24.00", "index": "4.79"},
    {"code": "II", "name": "Profesionalisme SDM", "weight": "25.00", "index": "4.20"},
    {"code": "III", "name": "Sarana Prasarana", "weight": "18.00", "index": "4.38"},
    {
        "code": "IV",
        "name": "Sistem Informasi Pelayanan Publik (SIPP)",
        "weight": "11.00",
        "index": "4.20",
    },
    {"code": "V", "name": "Konsultasi dan Pengaduan", "weight": "10.00", "index": "4.55"},
    {"code": "VI", "name": "Inovasi", "weight": "12.00", "index": "5.00"},
]
# The first two of the 30 rows.
EXAMPLE_INDICATORS = [
    {
        "number": 1,
        "code": "1.a.Ak",
        "aspect": "I",
        "level": 5,
        "weight_share": "0.1700",
        "contribution": "0.8500",
    },
    {
        "number": 2,
        "code": "2.a.P",
        "aspect": "I",
        "level": 5,
        "weight_share": "0.1400",
        "contribution": "0.7000",
    },
]
SIMULATE_EXAMPLES = [
    OpenApiExample(
        "Levels only",
        summary="Levels only",
        value={
            "instrument": "2022-A",
            "levels": {str(n): level for n, level in EXAMPLE_LEVELS.items()},
            "survey": None,
        },
        request_only=True,
    ),
    OpenApiExample(
        "With a survey",
        summary="With a survey of 10 respondents",
        value={
            "instrument": "2022-A",
            "levels": {str(n): level for n, level in EXAMPLE_LEVELS.items()},
            "survey": [[4] * 14] * 10,
        },
        request_only=True,
    ),
    OpenApiExample(
        "Levels only",
        summary="Levels only (indicators: the first 2 of 30 rows)",
        value={
            "instrument": "2022-A",
            "engine_version": "1",
            "aspects": EXAMPLE_ASPECTS,
            "evaluator_index": "4.51",
            "survey_index": None,
            "survey_counted": False,
            "survey_message": "Tidak ada data survei; IPP = indeks evaluator.",
            "respondents": 0,
            "ipp": "4.51",
            "grade": "A",
            "grade_label": "Pelayanan Prima",
            "indicators": EXAMPLE_INDICATORS,
        },
        response_only=True,
        status_codes=["200"],
    ),
    OpenApiExample(
        "With a survey",
        summary="With a survey of 10 respondents (indicators: the first 2 of 30 rows)",
        value={
            "instrument": "2022-A",
            "engine_version": "1",
            "aspects": EXAMPLE_ASPECTS,
            "evaluator_index": "4.51",
            "survey_index": "4.00",
            "survey_counted": True,
            "survey_message": "Survei dihitung: 10 responden.",
            "respondents": 10,
            "ipp": "4.38",
            "grade": "A-",
            "grade_label": "Sangat Baik",
            "indicators": EXAMPLE_INDICATORS,
        },
        response_only=True,
        status_codes=["200"],
    ),
    OpenApiExample(
        "A level missing",
        value={"errors": ["Indikator 5 (5.a.K) belum diberi level."]},
        response_only=True,
        status_codes=["400"],
    ),
    OpenApiExample(
        "A form instead of JSON",
        value={"errors": ["Kirim data sebagai JSON (Content-Type: application/json)."]},
        response_only=True,
        status_codes=["415"],
    ),
]


class SimulateView(APIView):
    """POST /api/v1/simulasi/: score levels (and an optional F-03 survey) without storing.

    200 → the simulated result, numbers as strings ("4.51"; weight shares with 4 decimals);
    400 → {"errors": [...]} with the engine's messages; 415 → {"errors": [...]} for a body
    that is not JSON.
    """

    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated, CanUseSimulator]

    @extend_schema(
        summary="Simulate a score",
        description=(
            "Scores the levels of an instrument's indicators, and optionally F-03 survey "
            "answers, exactly as a stored result would be scored; nothing is stored."
        ),
        request=SimulateSerializer,
        responses={
            200: OpenApiResponse(SimulationSerializer, "The simulated result (nothing is stored)."),
            400: OpenApiResponse(
                SimulationErrorsSerializer,
                "Not valid JSON, or a value the engine refuses (every problem listed).",
            ),
            415: OpenApiResponse(SimulationErrorsSerializer, "The body is not JSON."),
        },
        examples=SIMULATE_EXAMPLES,
    )
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
        return Response(SimulationSerializer(result).data)


# --- stored results ---------------------------------------------------------------------------


class ResultUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceUnit
        fields = ["id", "code", "name"]


class ResultSerializer(serializers.ModelSerializer):
    """A stored result as the pages show it; numbers are exact strings ("4.51")."""

    cycle = CycleRefSerializer()
    unit = ResultUnitSerializer(source="assessment.unit")
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


# --- Open data: published results, anonymous and read only -----------------------------------
# Everything comes from the current publication (the immutable snapshot the public pages show);
# an unpublished or unknown cycle is a 404 for everyone. Answers carry an ETag (the revision)
# and Last-Modified (its publication time), so a cache revalidates with a 304, and are public
# for OPEN_DATA_MAX_AGE seconds: a correction replaces the current revision.

OPEN_DATA_MAX_AGE = 60


def _current_publication(request, cycle_pk: int):
    """The cycle's current publication, read once per request (ETag, Last-Modified, rows)."""
    if not hasattr(request, "opendata_publication"):
        request.opendata_publication = public.current_publication(cycle_pk)
    return request.opendata_publication


def _published_state(request):
    if not hasattr(request, "opendata_state"):
        request.opendata_state = opendata.publications_state()
    return request.opendata_state


def _results_etag(request, cycle_pk: int) -> str | None:
    publication = _current_publication(request, cycle_pk)
    return None if publication is None else opendata.file_etag(publication, "json")


def _results_modified(request, cycle_pk: int):
    publication = _current_publication(request, cycle_pk)
    return None if publication is None else publication.published_at


def _index_etag(request) -> str:
    latest, count, at = _published_state(request)
    stamp = at.timestamp() if at else 0
    return f'"opendata-index-{latest}-{count}-{stamp:.6f}-v{opendata.FILE_VERSION}"'


def _index_modified(request):
    return _published_state(request)[2]


class OpenDataView(generics.ListAPIView):
    """Anonymous and JSON only: no session or token is read, so every caller is counted per
    address by the default throttles (`pekppp.api.AnonThrottle`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]


class PublishedLinksSerializer(serializers.Serializer):
    results = serializers.URLField(help_text="The current revision's rows (JSON, paged).")
    csv = serializers.URLField(help_text="The current revision as CSV.")
    xlsx = serializers.URLField(help_text="The current revision as XLSX.")
    page = serializers.URLField(help_text="The data page: licence and data dictionary.")


class PublishedCycleSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(source="publication.cycle_id")
    name = serializers.CharField(source="publication.cycle.name")
    year = serializers.IntegerField(source="publication.cycle.year")
    scheme = serializers.CharField(source="publication.cycle.scheme")
    revision = serializers.IntegerField(
        source="publication.revision", help_text="1 = first publication; later = corrections."
    )
    correction_reason = serializers.CharField(source="publication.reason")
    published_at = serializers.DateTimeField(source="publication.published_at")
    result_count = serializers.IntegerField(source="count")
    national_ipp = serializers.DecimalField(
        source="ipp", max_digits=3, decimal_places=2, allow_null=True
    )
    licence = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    def get_licence(self, published) -> str:
        return opendata.LICENCE

    @extend_schema_field(PublishedLinksSerializer)
    def get_links(self, published) -> dict[str, str]:
        publication = published.publication
        url = self.context["request"].build_absolute_uri
        file = {"cycle_pk": publication.cycle_id, "revision": publication.revision}
        return {
            "results": url(reverse("opendata:results", args=[publication.cycle_id])),
            "csv": url(reverse("public:data_csv", kwargs=file)),
            "xlsx": url(reverse("public:data_xlsx", kwargs=file)),
            "page": url(reverse("public:data", args=[publication.cycle_id])),
        }


@extend_schema(
    summary="Published cycles",
    description=(
        "Every published cycle with its current revision (anonymous). ETag and Last-Modified "
        "answer a conditional request with 304."
    ),
    responses={
        200: PublishedCycleSerializer(many=True),
        304: OpenApiResponse(description="Not modified since the ETag or date sent."),
    },
)
@method_decorator(cache_control(public=True, max_age=OPEN_DATA_MAX_AGE), name="get")
@method_decorator(condition(etag_func=_index_etag, last_modified_func=_index_modified), name="get")
class PublishedCycleList(OpenDataView):
    serializer_class = PublishedCycleSerializer
    filter_backends = []

    def get_queryset(self):
        return public.published_cycles()


class PublishedResultFilter(filters.FilterSet):
    group = filters.ChoiceFilter(field_name="ranking_group", choices=RankingGroup.choices)
    province = filters.CharFilter(
        field_name="province__code", help_text="BPS code of the province."
    )
    service_type = filters.CharFilter(
        field_name="service_type__code", help_text="Code of the service type."
    )
    grade = filters.CharFilter(field_name="grade")

    class Meta:
        model = PublishedResult
        fields = []


class PublishedResultSerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province.code", allow_null=True, default=None)
    service_type_code = serializers.CharField(source="service_type.code")
    aspects = serializers.DictField(
        child=serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True),
        help_text='Aspect code → index, 0–5 ({"I": "4.79", …}).',
    )
    rank_group = serializers.IntegerField(source="rank")

    class Meta:
        model = PublishedResult
        fields = opendata.ROW_KEYS
        read_only_fields = fields


@extend_schema(
    summary="A cycle's published results",
    description=(
        "The current revision's rows by national rank (anonymous). The columns are those of the "
        "CSV and XLSX files (see the data page for the dictionary). ETag and Last-Modified "
        "answer a conditional request with 304."
    ),
    responses={
        200: PublishedResultSerializer(many=True),
        304: OpenApiResponse(description="Not modified since the ETag or date sent."),
    },
)
@method_decorator(cache_control(public=True, max_age=OPEN_DATA_MAX_AGE), name="get")
@method_decorator(
    condition(etag_func=_results_etag, last_modified_func=_results_modified), name="get"
)
class PublishedResultList(OpenDataView):
    serializer_class = PublishedResultSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = PublishedResultFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model
            return PublishedResult.objects.none()
        publication = _current_publication(self.request, self.kwargs["cycle_pk"])
        if publication is None:
            raise Http404
        return opendata.published_rows(publication)
