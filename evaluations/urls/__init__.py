"""URLs of the evaluations app: each area keeps its own list."""

from . import cycles, f01, f02, followup, hub

app_name = "evaluations"
urlpatterns = [
    *cycles.urlpatterns,
    *f01.urlpatterns,
    *f02.urlpatterns,
    *followup.urlpatterns,
    *hub.urlpatterns,
]
