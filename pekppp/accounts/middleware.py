"""Session lifetimes, no caching of signed-in pages, and a log line for each denied request."""

import logging
from collections.abc import Callable
from time import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .audit import LOGIN_AT, SEEN_AT, log_event

Middleware = Callable[[HttpRequest], HttpResponse]

# Activity is written to the session at most this often (seconds): the sessions are written
# through to the database, and an autosave every few seconds should not write it each time.
# The idle timeout is therefore exact to within this interval.
SEEN_RESOLUTION = 60


def session_lifetime(get_response: Middleware) -> Middleware:
    """Signs out a session idle for SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS.

    A disabled account needs nothing here: ModelBackend's `get_user` refuses inactive users,
    so their next request is already anonymous.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = int(time())
            # A session from before these keys existed starts its clocks now.
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.setdefault(SEEN_AT, now)
            if now - seen_at > settings.SESSION_IDLE_SECONDS:
                expire(request, "idle")
            elif now - login_at > settings.SESSION_MAX_SECONDS:
                expire(request, "absolute")
            elif now - seen_at >= SEEN_RESOLUTION:
                session[SEEN_AT] = now
        return get_response(request)

    return middleware


def expire(request: HttpRequest, reason: str) -> None:
    log_event("session_expired", request, reason=reason)
    logout(request)
    messages.info(request, _("Sesi Anda telah berakhir. Silakan masuk kembali."))


def signed_in_no_store(get_response: Middleware) -> Middleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person: their pages
    and files must not stay in a shared computer's browser cache or a proxy. Static files are
    answered by WhiteNoise before this runs; anonymous responses keep their own headers."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
            del response["Expires"]
        return response

    return middleware


def denied_requests_log(get_response: Middleware) -> Middleware:
    """A security-log line for every 403, and for every 404 answered to a signed-in person
    (the portal answers 404 to objects outside a person's reach). CSRF failures are logged
    by `views.csrf_failure` with their reason instead."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        status = response.status_code
        if getattr(request, "security_logged", False):
            return response
        if status == 403 or (status == 404 and request.user.is_authenticated):
            log_event(
                "request_denied",
                request,
                level=logging.WARNING,
                status=status,
                method=request.method,
                path=request.path,
            )
        return response

    return middleware
