"""URLs: the printable F-03 poster of a locus (its survey page is evaluations')."""

from django.urls import path

from ..views import survey as views

urlpatterns = [
    path("penilaian/<int:pk>/survei/poster.pdf", views.survey_poster, name="survey_poster"),
]
