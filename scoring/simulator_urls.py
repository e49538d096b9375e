from django.urls import path

from . import simulator_views

app_name = "simulator"

urlpatterns = [
    path("simulasi/", simulator_views.simulator_page, name="page"),
]
