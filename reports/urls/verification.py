"""URLs: verification."""

urlpatterns = []
