from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from evaluations.views.home import home
from units.forms import LoginForm

from .views import healthz

admin.site.site_header = "Portal PEKPPP — Administrasi"
admin.site.site_title = "Portal PEKPPP"

urlpatterns = [
    path("", home, name="home"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("", include("evaluations.urls")),
    path("", include("scoring.simulator_urls")),
    path("", include("scoring.urls")),
    path("", include("scoring.public_urls")),
    path("", include("reports.urls")),
    path("api/v1/", include("scoring.api_urls")),
]
