from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("peringkat/", views.ranking_list, name="ranking_list"),
    path("peringkat/<int:cycle_id>/", views.ranking_detail, name="ranking_detail"),
]
