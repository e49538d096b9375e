"""URLs of the reports app: each area keeps its own list."""

from . import documents, verification

app_name = "reports"
urlpatterns = [*documents.urlpatterns, *verification.urlpatterns]
