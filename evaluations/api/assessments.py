"""Assessments in API v1: list and detail, F-01 with evidence metadata, the caller's own
F-02, final levels; writes of an F-01 answer, an evidence upload and an F-02 level.

Every view calls what the pages call: `assessments_visible_to` / `hub_assessments` for who
sees what; `operator_assessment` and `autosave_row` (views/f01.py), `own_assignment` and
`score_row` (views/f02.py) for 404 against 403; the predicates of permissions.py; the
selectors `f01_page`, `f02_page`, `moderation_table` and `phase_windows`; the services
`answer_autosave`, `evidence_upload` and `score_autosave`, with their status and phase-window
checks and optimistic versions.

Status codes: 401 anonymous; 404 an assessment the caller cannot see, an indicator not of its
instrument, an id beyond the database's range; 403 a member without the right, with the
page's reason; 400 bad input, a message per field (api/errors.py; a file the evidence checks
refuse: under `file`); 409 when the state of the assessment stands in the way, either a stale
`version` (`{"detail", "yours", "current"}`: re-read, then decide) or a refusal by the status
flow or a phase window (`{"detail", "problems"}`, the page's messages: F-01 submitted, window
closed, F-02 handed in) — the pages answer a refused autosave with 409 too, and a client
can tell "fix the request" (400) from "the assessment is not open for this now" (409).
"""

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, parsers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from pekppp.api import Conflict, ConflictSerializer, ErrorSerializer

from ..models import Answer, AssessmentStatus, Indicator
from ..permissions import (
    assignment_of,
    can_moderate,
    can_read_f01,
    can_view_final_levels,
    is_operator_of,
)
from ..selectors import assessments_visible_to
from ..selectors import f01 as selectors_f01
from ..selectors import f02 as selectors_f02
from ..selectors.moderation import hub_assessments, moderation_table, phase_windows
from ..services import evidence as evidence_services
from ..services import f02 as f02_services
from ..services.f01 import answer_autosave
from ..services.workflow import WorkflowError
from ..views.f01 import autosave_row, operator_assessment
from ..views.f02 import own_assignment, score_row
from . import assessment_serializers as s
from . import filters
from .errors import BAD_REQUEST, NO_PAGE, refused

TAGS = ["assessments"]


class Refused(exceptions.APIException):
    """409: the status flow or a phase window refuses the write; the page's messages."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"

    def __init__(self, error: WorkflowError):
        super().__init__({"detail": str(error), "problems": list(error.problems)})


class BoundedIds:
    """An id in the path beyond the database's integer range names nothing: 404, checked
    after authentication (SQLite raises OverflowError when such a number reaches a query)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if any(isinstance(v, int) and v > filters.ID_MAX for v in kwargs.values()):
            raise exceptions.NotFound()


# --- schema: the answers every endpoint shares -------------------------------------------------

UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="No token or session.")
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="The caller cannot see this assessment (or indicator)."
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description="The caller sees the assessment but lacks the right."
)
WRITE_CONFLICT = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="AssessmentWriteConflict",
        serializers=[ConflictSerializer, s.RefusalSerializer],
        resource_type_field_name=None,
    ),
    description="Either the row changed since `version` was read (nothing written; `yours` "
    "is what was sent, `current` what is stored now), or the status flow or a phase window "
    "refuses the write (`problems`: the page's messages).",
)
READ_ERRORS = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}
WRITE_ERRORS = {400: BAD_REQUEST, **READ_ERRORS, 409: WRITE_CONFLICT}


# --- list and detail ------------------------------------------------------------------------


class AssessmentFilter(django_filters.FilterSet):
    cycle = filters.id_filter("cycle_id", "Cycle id.")
    unit = filters.id_filter("unit_id", "Service unit id.")
    agency = filters.id_filter("unit__agency_id", "The unit's agency id.")
    status = filters.choice_filter(AssessmentStatus.choices, "Status of the assessment.")


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Assessments the caller may open",
        description="The loci the caller sees on the portal's pages (admins: all; "
        "coordinators: their agency's cycles and units; leadership: their agency's units; "
        "operators: their units; evaluators: their assignments). Others get an empty list.",
        responses={
            200: s.AssessmentSerializer(many=True),
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            404: NO_PAGE,
        },
    )
)
class AssessmentList(BoundedIds, generics.ListAPIView):
    serializer_class = s.AssessmentSerializer
    filterset_class = AssessmentFilter
    ordering_fields = ["id", "status", "updated_at", "unit_name", "cycle_year"]
    ordering = ["-cycle_year", "unit_name", "id"]

    def get_queryset(self):
        return (
            assessments_visible_to(self.request.user)
            .select_related("cycle", "unit", "unit__agency")
            .annotate(unit_name=F("unit__name"), cycle_year=F("cycle__year"))
        )


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="One assessment: status, phase windows, the caller's rights",
        responses={200: s.AssessmentDetailSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
)
class AssessmentDetail(BoundedIds, generics.RetrieveAPIView):
    serializer_class = s.AssessmentDetailSerializer

    def get_queryset(self):
        return hub_assessments(self.request.user)

    def get_object(self):
        assessment = super().get_object()
        user = self.request.user
        assessment.windows = phase_windows(assessment)
        assessment.rights = {
            "f01_read": can_read_f01(user, assessment),
            "f01_write": is_operator_of(user, assessment),
            "f02": assignment_of(user, assessment) is not None,
            "moderate": can_moderate(user, assessment),
            "final_levels": can_view_final_levels(user, assessment),
        }
        return assessment


# --- F-01 -----------------------------------------------------------------------------------


class F01View(BoundedIds, APIView):
    @extend_schema(
        tags=TAGS,
        summary="The unit's F-01: answers and evidence metadata",
        description="Read by the unit's operators, the cycle's moderators and, once the unit "
        "has submitted it, the assigned evaluators. Evidence: file names, types, sizes, "
        "SHA-256 and virus-scan status, never the bytes.",
        responses={200: s.F01Serializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        assessment = get_object_or_404(selectors_f01.f01_assessments(request.user), pk=pk)
        if not can_read_f01(request.user, assessment):
            raise PermissionDenied(
                _(
                    "F-01 dapat dibuka oleh operator unit, pengelola periode, dan evaluator "
                    "yang ditugaskan setelah unit mengajukannya."
                )
            )
        page = selectors_f01.f01_page(assessment)
        for row in page.rows():
            if row.answer is None:  # created (version 0) by the first save
                row.answer = Answer(assessment=assessment, indicator=row.indicator, version=0)
        return Response(s.F01Serializer(page).data)


class F01AnswerView(BoundedIds, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Save one F-01 answer (the unit's operator)",
        description="The claimed level and explanation of one indicator, as the page's "
        "autosave: while F-01 is a draft within the self-assessment window, or for an "
        "indicator under clarification within the clarification window. `version` is the "
        "one read; if someone saved since, nothing is written and 409 shows both.",
        request=s.F01AnswerWriteSerializer,
        responses={200: s.AnswerSerializer, **WRITE_ERRORS},
    )
    def put(self, request, pk: int, indicator_id: int):
        answer = autosave_row(request.user, pk, indicator_id)
        serializer = s.F01AnswerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        yours = serializer.validated_data
        try:
            outcome = answer_autosave(
                answer=answer,
                gate=selectors_f01.autosave_gate(answer),
                by=request.user,
                version=yours["version"],
                claimed_level=yours["claimed_level"],
                explanation=yours["explanation"],
            )
        except WorkflowError as exc:
            raise Refused(exc) from exc
        if not outcome.saved:
            raise Conflict(
                _("Jawaban indikator %(n)s sudah diubah orang lain; periksa lalu simpan lagi.")
                % {"n": answer.indicator.number},
                yours=dict(yours),
                current=s.AnswerSerializer(outcome.answer).data,
            )
        return Response(s.AnswerSerializer(outcome.answer).data)


class EvidenceUploadView(BoundedIds, APIView):
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(
        tags=TAGS,
        summary="Upload one evidence file to an indicator (the unit's operator)",
        description="The page's checks: per-file and per-assessment size limits, the type by "
        "content (PDF without active content, JPEG/PNG within the pixel limit, DOCX, XLSX), "
        "the virus scan when configured; a refused file is a 400 under `file`, nothing "
        "stored. Closed window or submitted F-01: 409.",
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={201: s.EvidenceSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int, indicator_id: int):
        assessment = operator_assessment(request.user, pk)
        indicator = get_object_or_404(
            Indicator, pk=indicator_id, instrument_id=assessment.cycle.instrument_id
        )
        serializer = s.EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The service's own gate first, so that a closed window is a 409 and every other
        # refusal of the service below is about the file.
        problem = selectors_f01.f01_gate(assessment).problem(indicator.pk)
        if problem:
            raise Refused(WorkflowError(problem))
        upload = serializer.validated_data["file"]
        try:
            evidence = evidence_services.evidence_upload(
                assessment=assessment,
                indicator=indicator,
                file=upload,
                title=serializer.validated_data["title"],
                by=request.user,
            )
        except WorkflowError as exc:
            raise refused(exc, "file") from exc
        revision = evidence.revisions.select_related("uploaded_by").get()
        item = selectors_f01.EvidenceItem(evidence, revision, [revision], 1)
        return Response(s.EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


# --- F-02 -----------------------------------------------------------------------------------


class F02View(BoundedIds, APIView):
    @extend_schema(
        tags=TAGS,
        summary="The caller's own F-02 (an assigned evaluator)",
        description="The caller's levels, notes and recommendations, whether they can still "
        "change them and why not, and the running result. Never another evaluator's levels "
        "(blind scoring). Reading here does not mark the unit's changes as seen.",
        responses={200: s.F02Serializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        assessment, assignment = own_assignment(request.user, pk)
        page = selectors_f02.f02_page(assessment=assessment, assignment=assignment)
        rows = [row for group in page.groups for row in group.rows if row.score is not None]
        data = {
            "assessment": assessment,
            "assignment": assignment,
            "editable": page.editable,
            "lock_reason": page.lock_reason,
            "running": page.running,
            "scores": rows,
        }
        return Response(s.F02Serializer(data).data)


class F02ScoreView(BoundedIds, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Save one F-02 level (the assigned evaluator)",
        description="Level, note and recommendation of one scored indicator, as the page's "
        "autosave: before the caller hands in F-02, while the assessment is submitted or in "
        "evaluation and the evaluation window is open. `version` is the one read; if the row "
        "changed since, nothing is written and 409 shows both.",
        request=s.ScoreWriteSerializer,
        responses={200: s.ScoreSerializer, **WRITE_ERRORS},
    )
    def put(self, request, pk: int, indicator_id: int):
        score = score_row(request.user, pk, indicator_id)
        serializer = s.ScoreWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        yours = serializer.validated_data
        try:
            f02_services.score_autosave(
                score=score,
                version=yours["version"],
                level=yours["level"],
                note=yours["note"],
                recommendation=yours["recommendation"],
                by=request.user,
            )
        except f02_services.ScoreConflict as exc:
            raise Conflict(
                str(exc),
                yours=dict(yours),
                current=s.ScoreSerializer(
                    {"indicator": score.indicator, "score": exc.current}
                ).data,
            ) from exc
        except WorkflowError as exc:
            raise Refused(exc) from exc
        return Response(s.ScoreSerializer({"indicator": score.indicator, "score": score}).data)


# --- final levels ---------------------------------------------------------------------------


class FinalLevelsView(BoundedIds, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Final levels per indicator",
        description="The moderators see them while they decide them; once the assessment is "
        "final, everyone who sees it.",
        responses={200: s.FinalLevelsSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        assessment = get_object_or_404(hub_assessments(request.user), pk=pk)
        if not can_view_final_levels(request.user, assessment):
            raise PermissionDenied(
                _("Tingkat final per indikator dapat dilihat setelah penilaian final.")
            )
        table = moderation_table(assessment)
        data = {
            "assessment": assessment,
            "complete": all(row.final_level is not None for row in table.rows),
            "rows": table.rows,
        }
        return Response(s.FinalLevelsSerializer(data).data)
