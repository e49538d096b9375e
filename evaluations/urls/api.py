"""Routes of the evaluations API, mounted once under /api/v1/ as `evaluations_api`
(see pekppp/urls.py). Each area adds its own lines."""

from django.urls import path

from ..api import assessments, cycles, followup, instruments

api_patterns = [
    path("instruments/", instruments.InstrumentList.as_view(), name="instrument_list"),
    path("instruments/<int:pk>/", instruments.InstrumentDetail.as_view(), name="instrument_detail"),
    path("cycles/", cycles.CycleList.as_view(), name="cycle_list"),
    path("cycles/<int:pk>/", cycles.CycleDetail.as_view(), name="cycle_detail"),
    path("cycles/<int:cycle_id>/loci/", cycles.LocusList.as_view(), name="locus_list"),
    path(
        "cycles/<int:cycle_id>/loci/<int:locus_id>/",
        cycles.LocusDetail.as_view(),
        name="locus_detail",
    ),
    path(
        "cycles/<int:cycle_id>/loci/<int:locus_id>/team/",
        cycles.LocusTeam.as_view(),
        name="locus_team",
    ),
    path("followup/", followup.FollowUpList.as_view(), name="followup_list"),
    path("followup/<int:pk>/", followup.FollowUpDetail.as_view(), name="followup_detail"),
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
