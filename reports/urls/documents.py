"""URLs: documents."""

urlpatterns = []
