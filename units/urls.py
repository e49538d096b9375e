from django.urls import path

from . import views

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
]
