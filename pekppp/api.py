"""What every API v1 endpoint shares: paging, throttling by address, errors as JSON.

The apps' endpoints (units/api.py, evaluations/api/, scoring/api.py) are DRF views over the
same selectors, services and permission predicates as the pages; this module only holds the
framework settings they have in common (see REST_FRAMEWORK in settings.py).
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from pekppp.accounts.audit import request_ip

MAX_PAGE_SIZE = 500


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (1–500, 50 by default); a bad page size is a 400, not a
    silent fallback to the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = _("Halaman tidak ada.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Ukuran halaman harus bilangan bulat 1–%(max)d.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_page_number(self, request, paginator):
        """The page asked for: a whole number from 1 (or "last"); anything else is a 400. A
        page past the last one stays DRF's 404."""
        number = super().get_page_number(request, paginator)
        try:
            valid = number in self.last_page_strings or int(number) >= 1
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("Nomor halaman harus bilangan bulat mulai 1.")]}
            )
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting too deep for Python's parser refused as bad JSON (400).

    `json.loads` recurses once per level of `[` or `{` and raises RecursionError (not the
    ValueError DRF turns into a 400) at about a thousand levels; no request of this API nests
    more than three.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("Data JSON bersarang terlalu dalam.")) from exc


class AnonThrottle(AnonRateThrottle):
    """Anonymous requests counted per client address, as the log-in lock-out counts them
    (X-Forwarded-For only as written by the TRUSTED_PROXY_COUNT proxies)."""

    def get_ident(self, request):
        return request_ip(request) or ""


class Conflict(exceptions.APIException):
    """409: the value was changed by someone else since the caller read it. The body carries
    both: what the caller sent and what is stored now."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Data sudah diubah orang lain sejak Anda membacanya.")
    default_code = "conflict"

    def __init__(self, detail=None, *, yours=None, current=None):
        super().__init__(detail)
        self.yours = yours
        self.current = current


def exception_handler(exc, context):
    """DRF's handler, plus: a Django ValidationError from a service is a 400 with a message per
    field; a Conflict keeps both values. Messages are in the request's language (LocaleMiddleware
    has activated it)."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            detail = {"detail": [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # The page's reason when it gave one ("Hanya evaluator yang ditugaskan …").
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, Conflict):
        response.data = {"detail": str(exc.detail), "yours": exc.yours, "current": exc.current}
    return response


class ErrorSerializer(serializers.Serializer):
    """An error that is not about a field: {"detail": "…"}."""

    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    yours = serializers.JSONField(help_text="What the request sent.")
    current = serializers.JSONField(help_text="What is stored now.")


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's `ordering` (an unknown field is a 400 naming it, unlike DRF's, which
    ignores it), with the primary key last so that pages never overlap on ties."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value in EMPTY_VALUES:
            return qs
        return qs.order_by(*qs.query.order_by, "pk")
