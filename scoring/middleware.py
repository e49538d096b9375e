"""The portal's own copy of the anonymous public pages (/hasil/), served before the rest of the
middleware walks CSRF, authentication, the session clocks, the second factor and django-axes.

A copy is found by language, page or htmx fragment, gzip or not, PUBLIC_CACHE_VERSION and the
path with its query, and is used only while the publications it was rendered from are the
current ones (`selectors.public.cached_public_state`: kept in the same cache, refreshed by
`cycle_publish` when it commits). One round trip to the cache fetches both. A correction is a
new publication, so the first request after it renders the new revision: nothing to
invalidate. Only answers the views mark as shareable are kept (`views.public.public_page`): a
200 that set no cookie, to a visitor with no session or message cookie, never a name search or
a page with a refused filter (their addresses are unbounded). A copy answers conditional
requests (304) as the view would.

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
from django.middleware.gzip import re_accepts_gzip
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from pekppp.lib.htmx import wants_fragment

from .selectors.public import STATE_KEY, PublicState, cached_public_state, public_state

Middleware = Callable[[HttpRequest], HttpResponse]


def request_state(request: HttpRequest) -> PublicState:
    """The current publications, read once per request (the copy and the view's ETag share
    them): from the cache while the portal keeps copies, else from the database."""
    state = getattr(request, "_public_state", None)
    if state is None:
        state = cached_public_state() if settings.PUBLIC_CACHE_SECONDS > 0 else public_state()
        request._public_state = state
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
        representation = "|".join(
            (
                translation.get_language() or "",
                "fragment" if wants_fragment(request.headers) else "page",
                # gzip_page's test, so a compressed copy goes only to those who accept it
                "gzip"
                if re_accepts_gzip.search(request.headers.get("Accept-Encoding", ""))
                else "",
                settings.PUBLIC_CACHE_VERSION,
                request.get_full_path(),
            )
        )
        key = "page:" + hashlib.sha256(representation.encode()).hexdigest()
        store = caches["public"]
        found = store.get_many([STATE_KEY, key])
        state = found.get(STATE_KEY) or cached_public_state()
        request._public_state = state
        copy = found.get(key)
        if copy is not None and copy[0] == state.revisions:
            response = copy[1]
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified")),
                response=response,
            )
        response = get_response(request)
        if _storable(request, response):
            store.set(key, (state.revisions, response), settings.PUBLIC_CACHE_SECONDS)
        return response

    return middleware
