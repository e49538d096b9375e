from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifikasi/", views.notification_list, name="list"),
    path("notifikasi/<int:pk>/baca/", views.notification_read, name="read"),
    path("notifikasi/baca-semua/", views.notification_read_all, name="read_all"),
]
