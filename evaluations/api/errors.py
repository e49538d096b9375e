"""How the evaluations API answers a refusal, and how the schema says so.

A 400 is `{"<field>": ["message", …]}` (pekppp.api's exception handler and DRF both give
lists), with `detail` for the request as a whole; a 401/403/404 is `{"detail": "…"}`."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions

from pekppp.api import ErrorSerializer

from ..services.workflow import WorkflowError

BAD_REQUEST = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {
            # a list per field; DRF tells a body it cannot parse in one `detail` string
            "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
        },
    },
    description="The messages per field at fault (`detail`: the request as a whole), in the "
    "request's language.",
)
NO_PAGE = OpenApiResponse(ErrorSerializer, description="No such page (`?page=`).")


def refused(exc: WorkflowError, field: str = "detail") -> exceptions.ValidationError:
    """A rule of the status flow or the cycle refused the change: its messages as a 400 on
    `field`."""
    return exceptions.ValidationError({field: list(exc.problems)})
