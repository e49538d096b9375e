"""Routes of the evaluations API, mounted once under /api/v1/ as `evaluations_api`
(see pekppp/urls.py). Each area adds its own lines."""

from django.urls import path

from ..api import cycles, followup, instruments

api_patterns = [
    path("instruments/", instruments.InstrumentList.as_view(), name="instrument_list"),
    path(
        "instruments/<int:pk>/", instruments.InstrumentDetail.as_view(), name="instrument_detail"
    ),
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
]
