"""The OpenAPI description of API v1: drf-spectacular's, plus the errors every operation can give.

`AutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds to each operation the error answers
that follow from how the view is built, so a view declares only what is its own (its 200, a
special 400 body, a 409 of its optimistic version):

- 400 `FieldErrors` when the operation takes a body or parameters (a message list per field,
  from DRF's validation and pekppp.api.exception_handler; `detail` when
  pekppp.request_checks refuses a control character in the path or query string); a 400 a
  view declares as a plain `Error` gets that shape too; 415 `Error` with a body;
- 401 `Error` when it authenticates (no or a wrong token);
- 403 `Error` when a permission class can refuse a signed-in person, or with session
  authentication (CSRF, an unverified second factor);
- 404 `Error` with path parameters (missing, or not visible to the caller) and on a paginated
  list (a page past the end);
- 409 `Conflict` for the methods named in the view's `conflict_methods`;
- 429 `Error` when the view is throttled.

A response the view declares itself (`@extend_schema(responses={400: …})`) is kept as it is.

Parameters are described as the portal reads them: a free string holds no control character
(pekppp.request_checks answers 400 first), and a filter of the view's `filterset_class`, or
DRF's ordering or search parameter, may be sent empty, which reads as "not filtered".
"""

from http import HTTPStatus

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, permissions
from rest_framework import filters as drf_filters
from rest_framework.authentication import SessionAuthentication

from .api import ConflictSerializer, ErrorSerializer

# Text pekppp.request_checks lets through in a path or query string: no C0 control character
# and no DEL.
PLAIN_TEXT = r"^[^\x00-\x1F\x7F]*$"
# The component of pekppp.api.ErrorSerializer.
ERROR_REF = {"$ref": "#/components/schemas/Error"}

# Permission classes that refuse nobody who is signed in: the refusal of an anonymous caller is
# the 401.
SIGNED_IN_IS_ENOUGH = (
    permissions.AllowAny,
    permissions.IsAuthenticated,
    permissions.IsAuthenticatedOrReadOnly,
)

FIELD_ERRORS = {
    "type": "object",
    "description": (
        "What is wrong with the request, in the request's language: a list of messages per "
        "field or query parameter (nested for nested fields), or `detail` when the request "
        "cannot be read at all."
    ),
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
    "example": {"page_size": ["Ukuran halaman harus bilangan bulat 1–500."]},
}


def _describe_parameter(parameter: dict, filters: frozenset[str]) -> None:
    schema = parameter.get("schema", {})
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & schema.keys():
        schema["pattern"] = PLAIN_TEXT
    if parameter["in"] == "query" and parameter["name"] in filters:
        parameter["allowEmptyValue"] = True


def _error(code: int, description: str, detail) -> OpenApiResponse:
    """An `Error` response whose example is DRF's own message, in the request's language."""
    example = OpenApiExample(HTTPStatus(code).phrase, value={"detail": str(detail)})
    return OpenApiResponse(ErrorSerializer, description, examples=[example])


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        filters = self._filter_names()
        for parameter in operation.get("parameters", ()):
            _describe_parameter(parameter, filters)
        responses = operation["responses"]
        for code, response in self._error_responses(operation).items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    response, code, media_types=["application/json"]
                )
        # DRF's validation answers 400 per field: a 400 declared as {"detail"} is too narrow.
        for media in responses.get("400", {}).get("content", {}).values():
            if media.get("schema") == ERROR_REF:
                media["schema"] = self._field_errors()
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _filter_names(self) -> frozenset[str]:
        """Query parameters read as "not filtered" when empty: the filters of the view's
        `filterset_class`, DRF's ordering and search parameters."""
        filterset = getattr(self.view, "filterset_class", None)
        names = set(filterset.base_filters) if filterset else set()
        for backend in self.get_filter_backends():
            if isinstance(backend(), drf_filters.OrderingFilter):
                names.add(backend.ordering_param)
            if isinstance(backend(), drf_filters.SearchFilter):
                names.add(backend.search_param)
        return frozenset(names)

    def _error_responses(self, operation) -> dict[str, OpenApiResponse]:
        view = self.view
        authenticators = view.get_authenticators()
        errors = {}
        if "requestBody" in operation or operation.get("parameters"):
            errors["400"] = OpenApiResponse(self._field_errors(), "Invalid input.")
        if "requestBody" in operation:
            errors["415"] = _error(
                415,
                "The body is not in a media type the operation reads.",
                exceptions.UnsupportedMediaType.default_detail.format(media_type="text/plain"),
            )
        if authenticators:
            errors["401"] = _error(
                401,
                "No credentials, or a token that is not valid.",
                exceptions.NotAuthenticated.default_detail,
            )
        if self._may_refuse(authenticators):
            errors["403"] = _error(
                403,
                "The caller may not do this (their role, the phase, CSRF).",
                exceptions.PermissionDenied.default_detail,
            )
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            errors["404"] = _error(
                404,
                "Not found, or not visible to the caller (or no such page).",
                exceptions.NotFound.default_detail,
            )
        if self.method in getattr(view, "conflict_methods", ()):
            errors["409"] = OpenApiResponse(
                ConflictSerializer, "Changed by someone else since the caller read it."
            )
        if view.get_throttles():
            errors["429"] = _error(
                429,
                "Too many requests; try again later (see Retry-After).",
                exceptions.Throttled.default_detail,
            )
        return errors

    def _may_refuse(self, authenticators) -> bool:
        if any(isinstance(a, SessionAuthentication) for a in authenticators):
            return True
        return any(not isinstance(p, SIGNED_IN_IS_ENOUGH) for p in self.view.get_permissions())

    def _field_errors(self) -> dict:
        component = ResolvedComponent(
            name="FieldErrors",
            type=ResolvedComponent.SCHEMA,
            object="FieldErrors",
            schema=FIELD_ERRORS,
        )
        self.registry.register_on_missing(component)
        return component.ref
