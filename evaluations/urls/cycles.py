"""URLs of the cycles area (filled by its views)."""

urlpatterns: list = []
