"""Routes of the evaluations API, mounted once under /api/v1/ as `evaluations_api`
(see pekppp/urls.py). Each area adds its own lines."""

from django.urls import path

from ..api import assessments

api_patterns = [
    # Assessments (loci): read as on the pages; writes through the pages' services.
    path("assessments/", assessments.AssessmentList.as_view(), name="assessment_list"),
    path("assessments/<int:pk>/", assessments.AssessmentDetail.as_view(), name="assessment_detail"),
    path("assessments/<int:pk>/f01/", assessments.F01View.as_view(), name="assessment_f01"),
    path(
        "assessments/<int:pk>/f01/<int:indicator_id>/",
        assessments.F01AnswerView.as_view(),
        name="assessment_f01_answer",
    ),
    path(
        "assessments/<int:pk>/f01/<int:indicator_id>/evidence/",
        assessments.EvidenceUploadView.as_view(),
        name="assessment_evidence_upload",
    ),
    path("assessments/<int:pk>/f02/", assessments.F02View.as_view(), name="assessment_f02"),
    path(
        "assessments/<int:pk>/f02/<int:indicator_id>/",
        assessments.F02ScoreView.as_view(),
        name="assessment_f02_score",
    ),
    path(
        "assessments/<int:pk>/final/",
        assessments.FinalLevelsView.as_view(),
        name="assessment_final",
    ),
]
