"""URLs: verification.

A serial contains slashes ("PEKPPP/2023/N/00017"), so the route takes them as they are:
/verifikasi/PEKPPP/2023/N/00017/ — the address the certificate's QR code holds.
"""

from django.urls import path

from reports.views import verification

urlpatterns = [
    path(
        "verifikasi/<path:serial>/",
        verification.certificate_verify,
        name="certificate_verify",
    ),
]
