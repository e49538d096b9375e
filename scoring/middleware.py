"""The portal's own copy of the anonymous public pages (/hasil/), served before the rest of the
middleware walks CSRF, authentication, the session clocks, the second factor and django-axes.

Key: what the public sees (`selectors.public.public_state`: the current publication of every
published cycle, one query), the language, page or htmx fragment, PUBLIC_CACHE_VERSION and the
path with its query. A correction is a new publication, so the first request after it misses
and renders the new revision: nothing to invalidate, nothing to forget. Only answers the views
mark as shareable are kept (`views.public.public_page`): a 200 that set no cookie, to a visitor
with no session or message cookie, never a name search or a page with a refused filter (their
addresses are unbounded). A copy answers conditional requests (304) as the view would.

Why not Django's per-site cache middleware: its key is the URL and the raw values of the
request headers named in `Vary`, and these pages vary on `Cookie` (the language cookie), so
every visitor with any cookie would get a copy of their own; nor can it tell a new revision.
"""

import hashlib
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from pekppp.lib.htmx import wants_fragment

from .selectors.public import PublicState, public_state

Middleware = Callable[[HttpRequest], HttpResponse]


def request_state(request: HttpRequest) -> PublicState:
    """`public_state()`, read once per request (the cache and the view's ETag share it)."""
    state = getattr(request, "_public_state", None)
    if state is None:
        state = request._public_state = public_state()
    return state


def page_variant(request: HttpRequest) -> str:
    """The representation a public page answers with, as a short hash: the publications shown,
    the language, whole page or htmx fragment, and the release. A page's ETag."""
    parts = (
        request_state(request).revisions,
        translation.get_language() or "",
        "fragment" if wants_fragment(request.headers) else "page",
        settings.PUBLIC_CACHE_VERSION,
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


@cache
def _public_prefix() -> str:
    return reverse("public:index")


def _eligible(request: HttpRequest) -> bool:
    """An anonymous read of a public page: no session (a signed-in person's pages carry their
    name and menu) and no message waiting to be shown."""
    return (
        settings.PUBLIC_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and request.path.startswith(_public_prefix())
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and getattr(response, "shareable", False)
        and not response.streaming
        and not response.cookies
        # A page that used the CSP nonce would carry this request's nonce to everyone.
        and not get_nonce(request)
    )


def public_page_cache(get_response: Middleware) -> Middleware:
    """Answers an eligible request from the "public" cache, or keeps what the views answer."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not _eligible(request):
            return get_response(request)
        request.get_host()  # ALLOWED_HOSTS, checked before anything is answered
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = f"page:{page_variant(request)}:{path}"
        store = caches["public"]
        response = store.get(key)
        if response is not None:
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified")),
                response=response,
            )
        response = get_response(request)
        if _storable(request, response):
            store.set(key, response, settings.PUBLIC_CACHE_SECONDS)
        return response

    return middleware
