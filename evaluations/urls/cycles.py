"""URLs of the cycles area: cycle set-up, loci, evaluator teams, workload, extensions."""

from django.urls import path

from ..views import cycles as views

urlpatterns = [
    path("periode/", views.cycle_list, name="cycle_list"),
    path("periode/baru/", views.cycle_create, name="cycle_create"),
    path("periode/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("periode/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("periode/<int:pk>/lokus/", views.loci_pick, name="loci_pick"),
    path("periode/<int:pk>/lokus/impor/", views.loci_import, name="loci_import"),
    # One locus's team is ?lokus=<assessment id>; without it, the loci and their teams.
    path("periode/<int:pk>/evaluator/", views.assignment_form, name="assignment_form"),
    path("periode/<int:pk>/beban/", views.workload, name="workload"),
    path("penilaian/<int:pk>/perpanjang/", views.phase_extend_form, name="phase_extend_form"),
]
