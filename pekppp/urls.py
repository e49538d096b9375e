from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from evaluations import urls as evaluations_urls
from evaluations.urls.api import api_patterns as evaluations_api_patterns
from scoring.urls import moderation_patterns, opendata_patterns
from units.forms import LoginForm
from units.urls import api_patterns as units_api_patterns
from units.views import language_set

from .views import healthz, home

# Swagger UI draws its icons as data: images and sets style attributes from its script; the
# rest of the portal's policy stays as it is.
api_docs = csp_override(
    {
        **settings.SECURE_CSP,
        "img-src": [CSP.SELF, "data:"],
        "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    }
)(SpectacularSwaggerSplitView.as_view(template_name="api_docs.html", url_name="api-schema"))

# Unknown URLs under /api/ answer JSON like the API's own 404s; elsewhere the portal's page.
handler404 = "pekppp.views.page_not_found"

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
    path("", include("pekppp.accounts.urls")),
    # Django's set_language, which also stores a signed-in person's choice for their mails.
    path("i18n/setlang/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("", include("units.urls")),
    path("api/v1/", include((units_api_patterns, "units_api"))),
    path("", include("notifications.urls")),
    # Moderation stores the result, so its views are scoring's, but it is a step of the
    # assessment pages and keeps their namespace (evaluations may not import scoring).
    path(
        "",
        include(([*evaluations_urls.urlpatterns, *moderation_patterns], evaluations_urls.app_name)),
    ),
    path("", include("scoring.urls")),
    path("", include("reports.urls")),
    path("api/v1/", include((evaluations_api_patterns, "evaluations_api"))),
    # Open data of published results: anonymous, read only (scoring/api.py).
    path("api/v1/", include((opendata_patterns, "opendata"))),
    # The OpenAPI 3 description of /api/v1/ and its Swagger UI (vendored, no outside host).
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
]
