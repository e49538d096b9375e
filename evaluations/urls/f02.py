"""URLs of the F-02 area: the evaluator's scoring page, autosave, submission, field visit."""

from django.urls import path

from ..views import f02

urlpatterns = [
    path("penilaian/<int:pk>/f02/", f02.f02_form, name="f02_form"),
    path(
        "penilaian/<int:pk>/f02/nilai/<int:indicator_id>/",
        f02.score_autosave,
        name="score_autosave",
    ),
    path("penilaian/<int:pk>/f02/serahkan/", f02.evaluator_submit, name="evaluator_submit"),
    path("penilaian/<int:pk>/kunjungan/", f02.field_visit, name="field_visit"),
    path("kunjungan/foto/<int:photo_id>/", f02.visit_photo_download, name="visit_photo_download"),
    path(
        "penilaian/<int:pk>/klarifikasi/",
        f02.clarification_request_form,
        name="clarification_request_form",
    ),
]
