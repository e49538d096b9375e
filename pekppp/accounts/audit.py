"""The security log (`pekppp.security`): one structured line per authentication event or
denied request, written by `pekppp.lib.jsonlog.UtcJsonFormatter` (see LOGGING in settings).

Log-in, failed log-in and log-out come from Django's signals, lock-outs from django-axes';
password reset, session expiry and denials are logged where they happen. Passwords never
reach this log: Django's `user_login_failed` already masks every credential but the user name.
"""

import logging
from time import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from pekppp.lib.client_ip import client_ip

logger = logging.getLogger("pekppp.security")

# Session keys: when the person signed in and when a request of theirs was last seen (epoch s).
LOGIN_AT = "_auth_login_at"
SEEN_AT = "_auth_seen_at"
# Long values (paths, typed user names) are cut: a log line stays a line.
MAX_FIELD = 200


def request_ip(request: HttpRequest | None) -> str | None:
    """The client's address (also django-axes' AXES_CLIENT_IP_CALLABLE): REMOTE_ADDR, or
    X-Forwarded-For as written by the TRUSTED_PROXY_COUNT proxies in front of the portal."""
    if request is None:
        return None
    return client_ip(request.META, settings.TRUSTED_PROXY_COUNT)


def log_event(
    event: str, request: HttpRequest | None = None, *, level: int = logging.INFO, **fields
) -> None:
    """Write one security event with the request's address and the signed-in person, if any."""
    line: dict = {}
    if request is not None:
        line["ip"] = request_ip(request)
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            line["user_id"] = user.pk
            line["username"] = user.get_username()
    for key, value in fields.items():
        line[key] = value[:MAX_FIELD] if isinstance(value, str) else value
    logger.log(level, event, extra={"fields": line})


@receiver(user_logged_in, dispatch_uid="pekppp.security.logged_in")
def on_logged_in(sender, request, user, **kwargs) -> None:
    # The session's clock starts here (see middleware.session_lifetime).
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time())
        session[LOGIN_AT] = now
        session[SEEN_AT] = now
    log_event("login_succeeded", request, user_id=user.pk, username=user.get_username())


@receiver(user_login_failed, dispatch_uid="pekppp.security.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = credentials.get("username") or ""
    log_event("login_failed", request, level=logging.WARNING, username=str(username))


@receiver(user_locked_out, dispatch_uid="pekppp.security.locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    log_event("login_locked_out", request, level=logging.WARNING, username=str(username or ""))


@receiver(user_logged_out, dispatch_uid="pekppp.security.logged_out")
def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    log_event("logged_out", request, user_id=user.pk, username=user.get_username())
