"""URLs of the F-03 area for the unit: its survey page, paper sheets, voiding, a new link.
The public page `/s/<token>/` and the poster (`reports:survey_poster`) live elsewhere."""

from django.urls import path

from ..views import survey as views

urlpatterns = [
    path("penilaian/<int:pk>/survei/", views.survey_manage, name="survey_manage"),
    path("penilaian/<int:pk>/survei/kertas/", views.survey_paper_enter, name="survey_paper_enter"),
    path(
        "penilaian/<int:pk>/survei/kertas/<int:response_id>/batalkan/",
        views.survey_void,
        name="survey_void",
    ),
    path(
        "penilaian/<int:pk>/survei/tautan-baru/",
        views.survey_link_reissue,
        name="survey_link_reissue",
    ),
]
