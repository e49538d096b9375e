"""URLs of the F-01 area: the unit's self-assessment, evidence and clarification answers."""

from django.urls import path

from ..views import f01 as views

urlpatterns: list = [
    path("penilaian/<int:pk>/f01/", views.f01_form, name="f01_form"),
    path(
        "penilaian/<int:pk>/f01/jawaban/<int:indicator_id>/",
        views.answer_autosave,
        name="answer_autosave",
    ),
    path("penilaian/<int:pk>/f01/ajukan/", views.assessment_submit, name="assessment_submit"),
    path(
        "penilaian/<int:pk>/bukti/<int:indicator_id>/unggah/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("bukti/<int:evidence_id>/ganti/", views.evidence_replace, name="evidence_replace"),
    path("bukti/<int:evidence_id>/hapus/", views.evidence_remove, name="evidence_remove"),
    path("bukti/revisi/<int:revision_id>/", views.evidence_download, name="evidence_download"),
    path("penilaian/<int:pk>/bukti/bawa/", views.evidence_carry_over, name="evidence_carry_over"),
    path("klarifikasi/<int:pk>/jawab/", views.clarification_answer, name="clarification_answer"),
]
