"""URLs of the f01 area (filled by its views)."""

urlpatterns: list = []
