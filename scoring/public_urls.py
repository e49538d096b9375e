"""Public pages of published results (no log-in)."""

from django.urls import path

from . import views_public

app_name = "public"
urlpatterns = [
    path("hasil/", views_public.cycle_list, name="index"),
    path("hasil/<int:cycle_pk>/", views_public.cycle_overview, name="overview"),
    path("hasil/<int:cycle_pk>/peringkat/", views_public.cycle_ranking, name="ranking"),
    path("hasil/unit/<int:unit_pk>/", views_public.unit_detail, name="unit"),
]
