"""URLs of the moderation area (filled by its views)."""

urlpatterns: list = []
