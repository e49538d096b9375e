"""The scoring API (mounted under /api/v1/ through `scoring.urls.api_patterns`)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import parsers, serializers, status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import simulator
from .engine import MAX_LEVEL, MIN_LEVEL, ScoringInputError
from .permissions import can_use_simulator


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
