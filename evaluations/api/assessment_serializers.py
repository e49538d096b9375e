"""What the assessments API (assessments.py) answers and accepts.

Reads are drawn from the pages' own selectors (`f01_page`, `f02_page`, `moderation_table`,
`phase_windows`); writes are checked here only for their shape (types, 0–5, lengths, control
characters through the services' own `require_plain_text`), then go to the pages' services.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Assessment, EvidenceRevision, Phase, Scheme
from ..services.f01 import MAX_EXPLANATION
from ..services.workflow import WorkflowError, require_plain_text
from .cycles import NamedRefSerializer

MAX_VERSION = 2**31 - 1  # a version beyond any stored one is simply stale, not a 500

# --- references -----------------------------------------------------------------------------


class CycleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    scheme = serializers.ChoiceField(choices=Scheme.choices)


class UnitRefSerializer(NamedRefSerializer):
    agency = NamedRefSerializer()


class IndicatorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


# --- assessments ----------------------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    """A locus: one unit in one cycle, with its status in the flow draft → submitted → in
    evaluation → (clarification) → moderated → final."""

    cycle = CycleRefSerializer()
    unit = UnitRefSerializer()
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Assessment
        fields = ["id", "cycle", "unit", "status", "status_label", "updated_at"]


class WindowSerializer(serializers.Serializer):
    """A phase window of the cycle as it holds for this unit (its extensions included)."""

    phase = serializers.ChoiceField(choices=Phase.choices)
    label = serializers.CharField(source="phase.label")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(source="effective_end")
    is_open = serializers.BooleanField()


class RightsSerializer(serializers.Serializer):
    """What the caller may do with this assessment (the pages' predicates)."""

    f01_read = serializers.BooleanField(help_text="GET …/f01/")
    f01_write = serializers.BooleanField(
        help_text="The unit's operator: PUT …/f01/<indicator>/ and evidence uploads (within "
        "the self-assessment or clarification window)."
    )
    f02 = serializers.BooleanField(help_text="An assigned evaluator: …/f02/.")
    moderate = serializers.BooleanField()
    final_levels = serializers.BooleanField(help_text="GET …/final/")


class AssessmentDetailSerializer(AssessmentSerializer):
    windows = WindowSerializer(many=True)
    rights = RightsSerializer()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "windows", "rights"]


# --- F-01 -----------------------------------------------------------------------------------

SCAN_STATUSES = {
    True: "clean",  # ClamAV found nothing before it was stored
    False: "not_scanned",  # stored while no scanner was configured
    None: "unknown",  # stored before the portal recorded it
}


class RevisionSerializer(serializers.ModelSerializer):
    """One stored file of a document: metadata only; the bytes through `download_url` (the
    portal's download, behind the same permission check, for a logged-in browser)."""

    uploaded_by = serializers.CharField(source="uploaded_by.display_name")
    scan_status = serializers.SerializerMethodField(
        help_text="clean: ClamAV found nothing before the file was stored (a file it flags is "
        "never stored); not_scanned: stored while no scanner was configured; unknown: stored "
        "before this was recorded."
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceRevision
        fields = [
            "id",
            "number",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "uploaded_by",
            "scan_status",
            "download_url",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=sorted(SCAN_STATUSES.values())))
    def get_scan_status(self, revision) -> str:
        return SCAN_STATUSES[revision.virus_scanned]

    def get_download_url(self, revision) -> str:
        return reverse("evaluations:evidence_download", args=[revision.pk])


class EvidenceSerializer(serializers.Serializer):
    """One evidence document of an indicator with its revisions, newest first."""

    id = serializers.IntegerField(source="evidence.pk")
    title = serializers.CharField(source="evidence.title")
    carried_from = serializers.IntegerField(
        source="evidence.carried_from_id",
        allow_null=True,
        help_text="The document of the previous cycle it was carried over from.",
    )
    created_at = serializers.DateTimeField(source="evidence.created_at")
    revisions = RevisionSerializer(many=True)


class AnswerSerializer(serializers.Serializer):
    """An F-01 answer as stored; `version` is what a PUT sends back."""

    claimed_level = serializers.IntegerField(allow_null=True, min_value=0, max_value=5)
    explanation = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(
        source="updated_by.display_name", allow_null=True, default=None
    )


class F01IndicatorSerializer(serializers.Serializer):
    """One indicator of F-01 (a row of the page)."""

    indicator = IndicatorRefSerializer()
    supplementary = serializers.BooleanField(source="indicator.supplementary")
    evidence_required = serializers.BooleanField(source="indicator.evidence_required")
    answer = AnswerSerializer()
    editable = serializers.BooleanField()
    problem = serializers.CharField(
        allow_null=True, help_text="Why the unit cannot change it now (null when it can)."
    )
    evidence = EvidenceSerializer(many=True)


class MissingSerializer(serializers.Serializer):
    indicator_id = serializers.IntegerField()
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["level", "evidence"])
    what = serializers.CharField()


class F01Serializer(serializers.Serializer):
    """The unit's F-01 as its page shows it."""

    assessment = serializers.IntegerField(source="assessment.pk")
    status = serializers.CharField(source="assessment.status")
    editable = serializers.BooleanField(source="editable_any")
    locked_reason = serializers.CharField(allow_null=True)
    answered = serializers.IntegerField()
    required = serializers.IntegerField()
    evidence_needed = serializers.IntegerField()
    evidence_present = serializers.IntegerField()
    missing = MissingSerializer(
        many=True, help_text="What keeps F-01 from being submitted (while it is a draft)."
    )
    indicators = F01IndicatorSerializer(many=True, source="rows")


def _plain_text(label, value: str) -> str:
    """The services' own check for control characters, as a field error."""
    try:
        require_plain_text((str(label), value))
    except WorkflowError as exc:
        raise serializers.ValidationError(list(exc.problems)) from exc
    return value


class F01AnswerWriteSerializer(serializers.Serializer):
    """PUT …/f01/<indicator>/: the whole answer, with the version it was read at."""

    claimed_level = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=5, help_text="0–5, or null for none."
    )
    explanation = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=MAX_EXPLANATION
    )
    version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)

    def validate_explanation(self, value: str) -> str:
        # As the page stores it: browsers send CRLF, the answer keeps LF.
        return _plain_text(_("Penjelasan"), value.replace("\r\n", "\n"))


class EvidenceUploadSerializer(serializers.Serializer):
    """POST …/f01/<indicator>/evidence/ (multipart): one file, checked as on the page."""

    file = serializers.FileField(
        help_text="PDF (without active content), JPEG/PNG, DOCX or XLSX, judged by content."
    )
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=255, default="", trim_whitespace=True
    )

    def validate_title(self, value: str) -> str:
        return _plain_text(_("Judul"), value)


# --- F-02 -----------------------------------------------------------------------------------


class ScoreSerializer(serializers.Serializer):
    """The caller's own level of one indicator (a row of the page); `version` is what a PUT
    sends back."""

    indicator = IndicatorRefSerializer()
    level = serializers.IntegerField(source="score.level", allow_null=True)
    note = serializers.CharField(source="score.note", allow_blank=True)
    recommendation = serializers.CharField(source="score.recommendation", allow_blank=True)
    version = serializers.IntegerField(source="score.version")
    updated_at = serializers.DateTimeField(source="score.updated_at", allow_null=True)


class RunningSerializer(serializers.Serializer):
    """The running result of the caller's levels: the engine's numbers once all are set."""

    total = serializers.IntegerField()
    scored = serializers.IntegerField()
    remaining = serializers.IntegerField()
    ipp = serializers.DecimalField(
        source="result.ipp", max_digits=6, decimal_places=2, allow_null=True, default=None
    )
    grade = serializers.CharField(source="result.grade", allow_null=True, default=None)


class F02Serializer(serializers.Serializer):
    """The caller's F-02 (blind scoring: never another evaluator's levels)."""

    assessment = serializers.IntegerField(source="assessment.pk")
    status = serializers.CharField(source="assessment.status")
    is_lead = serializers.BooleanField(source="assignment.is_lead")
    submitted_at = serializers.DateTimeField(source="assignment.submitted_at", allow_null=True)
    editable = serializers.BooleanField()
    lock_reason = serializers.CharField(allow_blank=True)
    running = RunningSerializer()
    scores = ScoreSerializer(many=True)


class ScoreWriteSerializer(serializers.Serializer):
    """PUT …/f02/<indicator>/: the whole row, with the version it was read at."""

    level = serializers.IntegerField(
        allow_null=True, min_value=0, max_value=5, help_text="0–5, or null for none."
    )
    note = serializers.CharField(allow_blank=True, trim_whitespace=False)
    recommendation = serializers.CharField(allow_blank=True, trim_whitespace=False)
    version = serializers.IntegerField(min_value=0, max_value=MAX_VERSION)

    def validate_note(self, value: str) -> str:
        return _plain_text(_("Catatan"), value)

    def validate_recommendation(self, value: str) -> str:
        return _plain_text(_("Rekomendasi"), value)


# --- final levels ---------------------------------------------------------------------------


class FinalLevelSerializer(serializers.Serializer):
    indicator = IndicatorRefSerializer()
    level = serializers.IntegerField(source="final_level", allow_null=True)
    reason = serializers.CharField(source="final_reason", allow_blank=True)
    decided_by = serializers.CharField(source="final_by", allow_blank=True)
    decided_at = serializers.DateTimeField(source="final_at", allow_null=True)


class FinalLevelsSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(source="assessment.pk")
    status = serializers.CharField(source="assessment.status")
    complete = serializers.BooleanField(help_text="Every scored indicator has its final level.")
    indicators = FinalLevelSerializer(many=True, source="rows")


class RefusalSerializer(serializers.Serializer):
    """409: refused by the status flow or a phase window, with the page's messages."""

    detail = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())
