"""URLs of the assessment hub. Its moderation (`moderation_form`) and finalising
(`assessment_finalize`) routes are scoring's views, added to this namespace in `pekppp/urls.py`."""

from django.urls import path

from ..views import hub

urlpatterns: list = [
    path("penilaian/<int:pk>/", hub.assessment_detail, name="assessment_detail"),
]
