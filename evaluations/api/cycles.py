"""Cycles under /api/v1/cycles/: the cycles, their phase windows, loci and evaluator teams.

Who gets what, as on the cycle pages (evaluations/views/cycles.py): the list is for ministry
admins and coordinators (`can_list_cycles`, else 403); a cycle the person cannot see is a 404
(`selectors.cycles.cycle_of`); changing its loci or a team needs `can_manage_cycle` (403).
The writes are the pages' services (`loci_add`, `loci_remove`, `assignment_set`): a rule of
the cycle that refuses (a Mandiri locus of another agency, a locus that holds work, a team
member in conflict, a moderated locus…) is a 400 with the service's message on the field.
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from pekppp.api import ErrorSerializer
from units.models import ServiceUnit

from ..models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    EvaluatorAssignment,
    PhaseWindow,
    Scheme,
)
from ..permissions import can_list_cycles, can_manage_cycle
from ..selectors import cycles as sel
from ..services import cycles as services
from ..services.workflow import WorkflowError
from .errors import BAD_REQUEST, NO_PAGE, refused
from .filters import choice_filter, year_filter

REFUSED = {400: BAD_REQUEST, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class CanListCycles(BasePermission):
    message = _("Daftar periode hanya untuk admin KemenPANRB dan koordinator.")

    def has_permission(self, request, view) -> bool:
        return can_list_cycles(request.user)


# --- Serializers -----------------------------------------------------------------------------


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LocusExtensionSerializer(serializers.Serializer):
    locus = serializers.IntegerField(source="locus_id")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField()
    ends_on = serializers.DateField(help_text="The locus's later end of this phase.")


class CycleWindowSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_phase_display")
    extensions = LocusExtensionSerializer(
        many=True,
        read_only=True,
        help_text="Loci given more time: their window ends later than the cycle's.",
    )

    class Meta:
        model = PhaseWindow
        fields = ["phase", "label", "starts_on", "ends_on", "extensions"]


class CycleSerializer(serializers.ModelSerializer):
    scheme_label = serializers.CharField(source="get_scheme_display")
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner_agency = NamedRefSerializer()
    survey_weight = serializers.DecimalField(
        source="effective_survey_weight",
        max_digits=4,
        decimal_places=3,
        help_text="σ: the cycle's own, else the instrument's.",
    )
    min_respondents = serializers.IntegerField(
        source="effective_min_respondents", help_text="m: the cycle's own, else the instrument's."
    )
    loci = serializers.IntegerField(help_text="Number of loci.")
    final_loci = serializers.IntegerField()
    assigned_loci = serializers.IntegerField(help_text="Loci with an evaluator team.")
    can_manage = serializers.SerializerMethodField(
        help_text="Whether the caller may change its loci and teams."
    )
    windows = CycleWindowSerializer(source="phase_windows", many=True, read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "name",
            "year",
            "scheme",
            "scheme_label",
            "instrument",
            "owner_agency",
            "survey_weight",
            "min_respondents",
            "followup_deadline",
            "loci",
            "final_loci",
            "assigned_loci",
            "can_manage",
            "windows",
        ]

    def get_can_manage(self, cycle: Cycle) -> bool:
        return can_manage_cycle(self.context["request"].user, cycle)


class LociStatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class LociSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    unassigned = serializers.IntegerField(help_text="Loci without an evaluator team.")
    by_status = LociStatusCountSerializer(many=True)


class CycleDetailSerializer(CycleSerializer):
    summary = serializers.SerializerMethodField()

    class Meta(CycleSerializer.Meta):
        fields = [*CycleSerializer.Meta.fields, "summary"]

    @extend_schema_field(LociSummarySerializer)
    def get_summary(self, cycle: Cycle) -> dict:
        return LociSummarySerializer(sel.loci_summary(cycle)).data


class LocusUnitSerializer(serializers.ModelSerializer):
    agency = NamedRefSerializer()
    service_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ServiceUnit
        fields = ["id", "code", "name", "agency", "service_type"]


class TeamMemberSerializer(serializers.ModelSerializer):
    evaluator = serializers.IntegerField(source="evaluator_id")
    name = serializers.CharField(source="evaluator.display_name")
    agency = serializers.CharField(source="evaluator.agency.name", allow_null=True, default=None)

    class Meta:
        model = EvaluatorAssignment
        fields = ["evaluator", "name", "agency", "is_lead", "submitted_at"]


class LocusSerializer(serializers.ModelSerializer):
    unit = LocusUnitSerializer()
    status_label = serializers.CharField(source="get_status_display")
    team = TeamMemberSerializer(source="assignments", many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "unit", "status", "status_label", "team"]


class LociQuerySerializer(serializers.Serializer):
    """The filters of a cycle's loci, as on the cycle page."""

    status = serializers.ChoiceField(
        choices=AssessmentStatus.choices,
        required=False,
        allow_blank=True,
        help_text="Empty: every status.",
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=sel.SEARCH_MAX_LENGTH,
        help_text="Words of the unit's, agency's or province's name, or a unit code.",
    )
    unassigned = serializers.BooleanField(
        required=False, default=False, help_text="Only loci without an evaluator team."
    )


@extend_schema_field({"type": "integer", "minimum": 1})
class UnitField(serializers.PrimaryKeyRelatedField):
    """A service unit by id."""


class LocusAddSerializer(serializers.Serializer):
    unit = UnitField(
        queryset=ServiceUnit.objects.select_related("agency"),
        help_text="The service unit to make a locus of the cycle.",
        error_messages={"does_not_exist": _("Tidak ada unit dengan id {pk_value}.")},
    )

    def validate_unit(self, unit: ServiceUnit) -> ServiceUnit:
        if self.context["cycle"].assessments.filter(unit=unit).exists():
            raise serializers.ValidationError(
                _("%(unit)s sudah menjadi lokus periode ini.") % {"unit": unit.name}
            )
        return unit


# No maxItems: repeats count once, so [1, 1, 1, 1, 1, 1] is a team of one (Schemathesis found
# the schema refusing what the service accepts); the size rule is in the help text.
@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
        "minItems": services.TEAM_MIN,
    }
)
class TeamField(serializers.ManyRelatedField):
    """The evaluators of a team; its size is the service's rule (`team_shape_problems`),
    stated here for the schema."""


class LocusTeamSerializer(serializers.Serializer):
    """The team to set: its evaluators and their lead (may be left out for one evaluator)."""

    evaluators = TeamField(
        child_relation=serializers.PrimaryKeyRelatedField(
            queryset=sel.evaluator_pool(),
            error_messages={"does_not_exist": _("Tidak ada evaluator aktif dengan id {pk_value}.")},
        ),
        help_text="Ids of active people with the evaluator role (1–5; repeats count once).",
    )
    lead = serializers.PrimaryKeyRelatedField(
        queryset=sel.evaluator_pool(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("Tidak ada evaluator aktif dengan id {pk_value}.")},
    )

    def validate(self, data: dict) -> dict:
        data["evaluators"] = list({e.pk: e for e in data["evaluators"]}.values())
        problems = services.team_shape_problems(data["evaluators"], data["lead"])
        if problems:
            raise serializers.ValidationError({k: [v] for k, v in problems.items()})
        return data


class CycleFilter(django_filters.FilterSet):
    year = year_filter()
    scheme = choice_filter(Scheme.choices, "nasional, mandiri or khusus; empty: every scheme.")

    class Meta:
        model = Cycle
        fields = ["year", "scheme"]


# --- Views -----------------------------------------------------------------------------------


def _cycle(request, pk: int) -> Cycle:
    """The cycle if the person may see it (404 otherwise), as the pages find it."""
    return get_object_or_404(sel.cycle_of(request.user, pk))


def _require_manager(request, cycle: Cycle) -> None:
    if not can_manage_cycle(request.user, cycle):
        raise exceptions.PermissionDenied(_("Anda tidak menjalankan periode ini."))


def _cycles(user):
    return sel.cycle_list(user).prefetch_related("windows")


@extend_schema_view(
    get=extend_schema(
        responses={
            200: CycleSerializer(many=True),
            400: BAD_REQUEST,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: NO_PAGE,
        }
    )
)
class CycleList(generics.ListAPIView):
    """The cycles the person runs or oversees, newest first, with their phase windows."""

    permission_classes = [IsAuthenticated, CanListCycles]
    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    ordering_fields = ["year", "name"]

    def get_queryset(self):
        return _cycles(self.request.user)

    def paginate_queryset(self, queryset):
        return sel.with_windows(list(super().paginate_queryset(queryset)))


@extend_schema_view(
    get=extend_schema(
        responses={200: CycleDetailSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
    )
)
class CycleDetail(generics.RetrieveAPIView):
    """One cycle: its windows (with the loci given more time) and its loci per status."""

    serializer_class = CycleDetailSerializer

    def get_queryset(self):
        return _cycles(self.request.user)

    def get_object(self):
        return sel.with_windows([super().get_object()])[0]


class CycleLociMixin:
    """The views under /cycles/<cycle_id>/loci/: the cycle first (404 when not visible)."""

    def cycle(self) -> Cycle:
        if not hasattr(self, "visible_cycle"):
            self.visible_cycle = _cycle(self.request, self.kwargs["cycle_id"])
        return self.visible_cycle

    def locus(self) -> Assessment:
        return get_object_or_404(sel.cycle_loci_queryset(self.cycle()), pk=self.kwargs["locus_id"])


@extend_schema_view(
    get=extend_schema(
        parameters=[LociQuerySerializer],
        responses={200: LocusSerializer(many=True), **REFUSED},
    ),
    post=extend_schema(request=LocusAddSerializer, responses={201: LocusSerializer, **REFUSED}),
)
class LocusList(CycleLociMixin, generics.ListCreateAPIView):
    """GET: the cycle's loci with their teams, by unit name. POST: make a unit a locus (the
    cycle's manager; a Mandiri cycle takes its own agency's active units only)."""

    serializer_class = LocusSerializer
    filter_backends = []

    def get_queryset(self):
        query = LociQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return sel.cycle_loci_queryset(
            self.cycle(),
            status=query.validated_data.get("status", ""),
            search=query.validated_data.get("q", ""),
            unassigned=query.validated_data["unassigned"],
        )

    def create(self, request, *args, **kwargs):
        cycle = self.cycle()
        _require_manager(request, cycle)
        body = LocusAddSerializer(data=request.data, context={"cycle": cycle})
        body.is_valid(raise_exception=True)
        try:
            (added,) = services.loci_add(
                cycle=cycle, units=[body.validated_data["unit"]], by=request.user
            )
        except WorkflowError as exc:
            raise refused(exc, "unit") from exc
        locus = sel.cycle_loci_queryset(cycle).get(pk=added.pk)
        return Response(LocusSerializer(locus).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(responses={200: LocusSerializer, **REFUSED}),
    delete=extend_schema(responses={204: None, **REFUSED}),
)
class LocusDetail(CycleLociMixin, generics.RetrieveDestroyAPIView):
    """GET: one locus with its team. DELETE: take it out of the cycle (the cycle's manager;
    only a draft for which nothing has been saved)."""

    serializer_class = LocusSerializer

    def get_object(self):
        return self.locus()

    def destroy(self, request, *args, **kwargs):
        cycle = self.cycle()
        locus = self.locus()
        _require_manager(request, cycle)
        try:
            services.loci_remove(cycle=cycle, assessments=[locus], by=request.user)
        except WorkflowError as exc:
            raise refused(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        responses={200: TeamMemberSerializer(many=True), 401: ErrorSerializer, 404: ErrorSerializer}
    ),
    put=extend_schema(
        request=LocusTeamSerializer, responses={200: TeamMemberSerializer(many=True), **REFUSED}
    ),
)
class LocusTeam(CycleLociMixin, generics.GenericAPIView):
    """GET: a locus's evaluator team, lead first. PUT: set it (the cycle's manager; 1–5
    evaluators, in a Nasional cycle none of the unit's own agency; members who saved F-02
    work stay; no change once the locus is moderated). New members are told by mail."""

    serializer_class = LocusTeamSerializer
    queryset = Assessment.objects.none()  # names the model in the schema; see locus()
    pagination_class = None  # a team is one to five people
    filter_backends = []

    def team(self, locus: Assessment):
        return TeamMemberSerializer(locus.assignments.all(), many=True).data

    def get_object(self) -> Assessment:  # also for OPTIONS, which DRF answers with it
        return self.locus()

    def get(self, request, *args, **kwargs):
        return Response(self.team(self.locus()))

    def put(self, request, *args, **kwargs):
        cycle = self.cycle()
        locus = self.locus()
        _require_manager(request, cycle)
        body = LocusTeamSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.assignment_set(
                assessment=locus,
                evaluators=body.validated_data["evaluators"],
                lead=body.validated_data["lead"],
                by=request.user,
            )
        except WorkflowError as exc:
            raise refused(exc, "evaluators") from exc
        return Response(self.team(self.locus()))
