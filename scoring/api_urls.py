"""The scoring app's routes under /api/v1/."""

from django.urls import path

from . import api

app_name = "scoring_api"

urlpatterns = [
    path("simulasi/", api.SimulateView.as_view(), name="simulate"),
]
