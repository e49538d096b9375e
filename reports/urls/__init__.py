"""URLs of the reports app: each area keeps its own list."""

from . import documents, survey, verification

app_name = "reports"
urlpatterns = [*documents.urlpatterns, *survey.urlpatterns, *verification.urlpatterns]
