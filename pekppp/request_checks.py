"""Requests refused before any view runs: control characters in the path or the query string.

Every view reads its query parameters and path segments as it likes (filters, searches, a
certificate serial), and PostgreSQL answers a NUL in any of them with an error, so one check
here answers 400 for all of them, before a session or a query is spent. Form fields are
checked where they are read: by Django's forms (ProhibitNullCharactersValidator) or by the
services that take text from a view (`pekppp.lib.text`).
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .lib.text import has_control_characters


class ControlCharactersMiddleware:
    """400 for a request whose path, or any query parameter name or value, holds a C0 control
    character or DEL (after percent-decoding, so `?q=%00` and `/verifikasi/%00/` are caught);
    plain text for pages, {"detail": …} under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_characters(request.path) or any(
            has_control_characters(name) or any(has_control_characters(v) for v in values)
            for name, values in request.GET.lists()
        ):
            message = _(
                "Permintaan ditolak: alamat atau parameternya memuat karakter kendali "
                "(misalnya NUL) yang tidak diizinkan."
            )
            if request.path.startswith("/api/"):
                # The API's errors are JSON, as pekppp.api.ErrorSerializer describes them.
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
