from django.urls import path

from . import api, views

app_name = "units"

urlpatterns = [
    path("akun/dua-langkah/", views.two_factor_detail, name="two_factor"),
    path("akun/dua-langkah/aktifkan/", views.two_factor_enrol, name="two_factor_enrol"),
    path("akun/dua-langkah/verifikasi/", views.two_factor_verify, name="two_factor_verify"),
    path(
        "akun/dua-langkah/kode-pemulihan/",
        views.recovery_codes_create,
        name="recovery_codes_create",
    ),
    # The person's API token: see it, create or replace it (POST), revoke it (POST).
    path("akun/token/", views.api_token_detail, name="api_token"),
    path("akun/token/baru/", views.api_token_new, name="api_token_create"),
    path("akun/token/cabut/", views.api_token_remove, name="api_token_revoke"),
]

# DRF views of `api.py`, mounted under /api/v1/ by pekppp/urls.py (namespace `units_api`).
api_patterns = [
    path("agencies/", api.AgencyList.as_view(), name="agency_list"),
    path("agencies/<int:pk>/", api.AgencyDetail.as_view(), name="agency_detail"),
    path("units/", api.UnitList.as_view(), name="unit_list"),
    path("units/<int:pk>/", api.UnitDetail.as_view(), name="unit_detail"),
]
