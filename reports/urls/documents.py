"""URLs: document jobs (a cycle's documents page, a locus's panel), downloads, and the
result letters addressed to the person's agencies."""

from django.urls import path

from ..views import documents as views

urlpatterns = [
    path("periode/<int:pk>/dokumen/", views.document_list, name="document_list"),
    path("periode/<int:pk>/dokumen/baru/", views.document_create, name="document_create"),
    path("penilaian/<int:pk>/dokumen/", views.assessment_documents, name="assessment_documents"),
    path(
        "penilaian/<int:pk>/dokumen/baru/",
        views.assessment_document_create,
        name="assessment_document_create",
    ),
    path("dokumen/<int:pk>/unduh/", views.document_download, name="document_download"),
    path("sertifikat/<int:pk>/unduh/", views.certificate_download, name="certificate_download"),
    path("surat-hasil/", views.result_letter_list, name="result_letter_list"),
    path(
        "surat-hasil/<int:pk>/unduh/", views.result_letter_download, name="result_letter_download"
    ),
]
