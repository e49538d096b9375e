from django.urls import path

from . import views, views_publication

app_name = "scoring"

urlpatterns = [
    path("peringkat/", views.ranking_list, name="ranking_list"),
    path("peringkat/<int:cycle_id>/", views.ranking_detail, name="ranking_detail"),
    # Validation and publication of a cycle, for whoever runs it.
    path(
        "periode/<int:pk>/publikasi/",
        views_publication.publication_detail,
        name="publication_detail",
    ),
    path(
        "periode/<int:pk>/publikasi/terbitkan/",
        views_publication.publication_publish,
        name="publication_publish",
    ),
    path(
        "periode/<int:pk>/publikasi/kecualikan/",
        views_publication.publication_exclude,
        name="publication_exclude",
    ),
    path(
        "periode/<int:pk>/publikasi/sertakan/",
        views_publication.publication_include,
        name="publication_include",
    ),
    path(
        "periode/<int:pk>/publikasi/<int:revision>/",
        views_publication.publication_revision,
        name="publication_revision",
    ),
]
