"""Models of the evaluations app, one module per area."""

from .audit import AuditAction, AuditEntry, PhaseExtension
from .cycles import (
    SCORING_STATUSES,
    VISIT_STATUSES,
    Assessment,
    AssessmentStatus,
    Cycle,
    EvaluatorAssignment,
    FinalLevel,
    Phase,
    PhaseWindow,
    Scheme,
)
from .evidence import Evidence, EvidenceRevision, StoredFile
from .f01 import Answer, Submission
from .f02 import Clarification, ClarificationStatus, FieldVisit, FieldVisitPhoto, Score
from .followup import FollowUpChange, FollowUpFile, FollowUpItem, FollowUpStatus
from .instruments import Aspect, GradeBand, Indicator, InstrumentVersion, Level, SurveyItem
from .survey import (
    AgeBand,
    Education,
    Gender,
    Occupation,
    SurveyChannel,
    SurveyLink,
    SurveyResponse,
    new_survey_token,
)

__all__ = [
    "FollowUpChange",
    "FollowUpFile",
    "FollowUpItem",
    "FollowUpStatus",
    "Answer",
    "AuditAction",
    "AuditEntry",
    "Clarification",
    "ClarificationStatus",
    "Evidence",
    "EvidenceRevision",
    "FieldVisit",
    "FieldVisitPhoto",
    "PhaseExtension",
    "Score",
    "StoredFile",
    "Submission",
    "Aspect",
    "Assessment",
    "AssessmentStatus",
    "Cycle",
    "EvaluatorAssignment",
    "FinalLevel",
    "GradeBand",
    "Indicator",
    "InstrumentVersion",
    "Level",
    "Phase",
    "PhaseWindow",
    "SCORING_STATUSES",
    "Scheme",
    "SurveyChannel",
    "SurveyItem",
    "SurveyResponse",
    "SurveyLink",
    "AgeBand",
    "Education",
    "Gender",
    "Occupation",
    "new_survey_token",
    "VISIT_STATUSES",
]
