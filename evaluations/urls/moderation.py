"""URLs of the moderation area: the assessment hub, pleno (final levels) and finalising."""

from django.urls import path

from ..views import moderation

urlpatterns: list = [
    path("penilaian/<int:pk>/", moderation.assessment_detail, name="assessment_detail"),
    path("penilaian/<int:pk>/moderasi/", moderation.moderation_form, name="moderation_form"),
    path("penilaian/<int:pk>/final/", moderation.assessment_finalize, name="assessment_finalize"),
]
