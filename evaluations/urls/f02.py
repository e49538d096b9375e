"""URLs of the f02 area (filled by its views)."""

urlpatterns: list = []
