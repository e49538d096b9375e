"""Every route of the scoring app, each area under its own namespace. This module has no
`app_name`, so `scoring:`, `public:`, `simulator:` and `scoring_api:` stay top-level names;
`opendata_patterns` are mounted by `pekppp/urls.py`."""

from django.urls import include, path

from . import api
from .views import (
    moderation,
    opendata,
    priority,
    public,
    publication,
    rankings,
    simulator,
    survey,
    survey_public,
)

# Rankings of live results, and the validation and publication of a cycle.
scoring_patterns = [
    path("peringkat/", rankings.ranking_list, name="ranking_list"),
    path("peringkat/<int:cycle_id>/", rankings.ranking_detail, name="ranking_detail"),
    path("periode/<int:pk>/publikasi/", publication.publication_detail, name="publication_detail"),
    path(
        "periode/<int:pk>/publikasi/terbitkan/",
        publication.publication_publish,
        name="publication_publish",
    ),
    path(
        "periode/<int:pk>/publikasi/kecualikan/",
        publication.publication_exclude,
        name="publication_exclude",
    ),
    path(
        "periode/<int:pk>/publikasi/sertakan/",
        publication.publication_include,
        name="publication_include",
    ),
    path(
        "periode/<int:pk>/publikasi/<int:revision>/",
        publication.publication_revision,
        name="publication_revision",
    ),
    # Priority coaching after publication: the list and its decisions, a unit's coaching.
    path("periode/<int:pk>/prioritas/", priority.priority_list, name="priority_list"),
    path("periode/<int:pk>/prioritas/usulkan/", priority.priority_propose, name="priority_propose"),
    path(
        "periode/<int:pk>/prioritas/tetapkan/", priority.priority_confirm, name="priority_confirm"
    ),
    path("periode/<int:pk>/prioritas/keluarkan/", priority.priority_remove, name="priority_remove"),
    path("periode/<int:pk>/prioritas/tambah/", priority.priority_add, name="priority_add"),
    path(
        "periode/<int:pk>/prioritas/<int:unit_id>/pendampingan/",
        priority.coaching_page,
        name="coaching_page",
    ),
    path(
        "periode/<int:pk>/prioritas/<int:unit_id>/pendampingan/baru/",
        priority.coaching_session_create,
        name="coaching_session_create",
    ),
    path(
        "periode/<int:pk>/prioritas/<int:unit_id>/pendampingan/<int:session_id>/lampiran/",
        priority.coaching_file_upload,
        name="coaching_file_upload",
    ),
    path(
        "periode/<int:pk>/prioritas/<int:unit_id>/pendampingan/lampiran/<int:file_id>/",
        priority.coaching_file_download,
        name="coaching_file_download",
    ),
]

# Moderation and finalising: scoring's views (they store the result) named in the
# `evaluations:` namespace of the assessment pages they belong to, so `pekppp/urls.py` mounts
# them with `evaluations.urls` rather than here.
moderation_patterns = [
    path("penilaian/<int:pk>/moderasi/", moderation.moderation_form, name="moderation_form"),
    path(
        "penilaian/<int:pk>/moderasi/<int:number>/",
        moderation.moderation_decide_one,
        name="moderation_decide_one",
    ),
    path("penilaian/<int:pk>/final/", moderation.assessment_finalize, name="assessment_finalize"),
    # F-03 for the unit (its survey page, paper sheets, voiding, a new link): the writes
    # refresh the stored result, so they are scoring's too.
    path("penilaian/<int:pk>/survei/", survey.survey_manage, name="survey_manage"),
    path("penilaian/<int:pk>/survei/kertas/", survey.survey_paper_enter, name="survey_paper_enter"),
    path(
        "penilaian/<int:pk>/survei/kertas/<int:response_id>/batalkan/",
        survey.survey_void,
        name="survey_void",
    ),
    path(
        "penilaian/<int:pk>/survei/tautan-baru/",
        survey.survey_link_reissue,
        name="survey_link_reissue",
    ),
]

# Public pages (no log-in): published results, and the survey of a locus.
public_patterns = [
    path("hasil/", public.cycle_list, name="index"),
    path("hasil/<int:cycle_pk>/", public.cycle_overview, name="overview"),
    path("hasil/<int:cycle_pk>/peringkat/", public.cycle_ranking, name="ranking"),
    path("hasil/unit/<int:unit_pk>/", public.unit_detail, name="unit"),
    # Open data of a published cycle: the data page, and each revision's files.
    path("hasil/<int:cycle_pk>/data/", opendata.data_page, name="data"),
    path(
        "hasil/<int:cycle_pk>/data/r<int:revision>.csv",
        opendata.data_file,
        {"fmt": "csv"},
        name="data_csv",
    ),
    path(
        "hasil/<int:cycle_pk>/data/r<int:revision>.xlsx",
        opendata.data_file,
        {"fmt": "xlsx"},
        name="data_xlsx",
    ),
    # F-03 for the service user, from the QR code of the unit's poster.
    path("s/<str:token>/", survey_public.survey_page, name="survey"),
    path("s/<str:token>/terima-kasih/", survey_public.survey_thanks, name="survey_thanks"),
]

simulator_patterns = [
    path("simulasi/", simulator.simulator_page, name="page"),
]

# DRF views of `api.py`, under /api/v1/.
api_patterns = [
    path("simulasi/", api.SimulateView.as_view(), name="simulate"),
    path("results/", api.ResultList.as_view(), name="result_list"),
    path("results/<int:pk>/", api.ResultDetail.as_view(), name="result_detail"),
]

# Open data of published results under /api/v1/ (anonymous): `pekppp/urls.py` mounts them in
# the `opendata` namespace.
opendata_patterns = [
    path("published/", api.PublishedCycleList.as_view(), name="cycles"),
    path("published/<int:cycle_pk>/results/", api.PublishedResultList.as_view(), name="results"),
]

urlpatterns = [
    path("", include((simulator_patterns, "simulator"))),
    path("", include((scoring_patterns, "scoring"))),
    path("", include((public_patterns, "public"))),
    path("api/v1/", include((api_patterns, "scoring_api"))),
]
