"""Public pages of published results (no log-in)."""

app_name = "public"
urlpatterns = []
