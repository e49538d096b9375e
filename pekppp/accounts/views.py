"""Password reset (Django's views, throttled and logged), the lock-out page, CSRF failures."""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import ngettext
from django.views.csrf import csrf_failure as django_csrf_failure

from units.forms import LoginForm

from . import throttle
from .audit import log_event, request_ip
from .forms import NewPasswordForm, ResetRequestForm


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, with at most PASSWORD_RESET_LIMIT requests per address and
    per client address in PASSWORD_RESET_WINDOW_MINUTES. A throttled request sends nothing
    and gets the same "sent" page, so the answer never tells whether an address is known."""

    form_class = ResetRequestForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
        # Both counters move on every request, so spreading them over addresses does not help.
        by_email = throttle.hit(
            "reset-email", email, limit=settings.PASSWORD_RESET_LIMIT, window=window
        )
        by_ip = throttle.hit(
            "reset-ip",
            request_ip(self.request) or "",
            limit=settings.PASSWORD_RESET_LIMIT_PER_IP,
            window=window,
        )
        throttled = not (by_email and by_ip)
        log_event(
            "password_reset_requested",
            self.request,
            level=logging.WARNING if throttled else logging.INFO,
            email=email,
            throttled=throttled,
        )
        if throttled:
            return HttpResponseRedirect(self.get_success_url())
        # Links in the email start with SITE_URL, not with the Host header of the request.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        log_event(
            "password_reset_completed",
            self.request,
            user_id=form.user.pk,
            username=form.user.get_username(),
        )
        return response


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the log-in page again, empty, with why and for how
    long, answered 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = ngettext(
        "Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini dari alamat Anda. "
        "Silakan coba lagi setelah %(minutes)d menit, atau atur ulang kata sandi Anda.",
        "Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini dari alamat Anda. "
        "Silakan coba lagi setelah %(minutes)d menit, atau atur ulang kata sandi Anda.",
        minutes,
    ) % {"minutes": minutes}
    # The log-in view's own context keeps its checked `next`.
    context = dict(getattr(original_response, "context_data", None) or {})
    context.update({"form": LoginForm(request), "locked_out": message})
    return render(request, "registration/login.html", context, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF failure page, with a security-log line naming the reason."""
    log_event(
        "csrf_failure",
        request,
        level=logging.WARNING,
        reason=reason,
        method=request.method,
        path=request.path,
    )
    request.security_logged = True
    return django_csrf_failure(request, reason=reason)
