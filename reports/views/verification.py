"""The public certificate verification page, reached from a certificate's QR code."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reports.models import Certificate


@require_safe
def certificate_verify(request: HttpRequest, serial: str) -> HttpResponse:
    """Anyone may check a serial: valid ("SAH") or revoked, with the reason; 404 if unknown."""
    try:
        certificate = Certificate.objects.select_related("award", "cycle", "result").get(
            serial=serial
        )
    except Certificate.DoesNotExist:
        certificate = None
    return render(
        request,
        "reports/certificate_verify.html",
        {"serial": serial, "certificate": certificate},
        status=200 if certificate else 404,
    )
