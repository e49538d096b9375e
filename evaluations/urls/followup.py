"""URLs of the follow-up register (tindak lanjut): lists, items, evidence files, export."""

from django.urls import path

from ..views import followup as views

urlpatterns = [
    path("tindak-lanjut/", views.followup_list, name="followup_list"),
    path("tindak-lanjut/ekspor/", views.followup_export, name="followup_export"),
    path("tindak-lanjut/<int:pk>/", views.followup_detail, name="followup_detail"),
    path("tindak-lanjut/<int:pk>/ubah/", views.followup_update, name="followup_update"),
    path(
        "tindak-lanjut/berkas/<int:file_id>/",
        views.followup_file_download,
        name="followup_file_download",
    ),
    path(
        "tindak-lanjut/berkas/<int:file_id>/hapus/",
        views.followup_file_remove,
        name="followup_file_remove",
    ),
]
