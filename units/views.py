"""A person's own account: two-factor log-in (authenticator app and recovery codes), their
API token, and the language they choose (remembered for their mails).

Which pages a person must pass before any other is decided by units/middleware.py; these
views only refuse what would weaken a device: replacing it, or seeing new recovery codes,
needs a session already verified with it.
"""

from base64 import b32encode
from textwrap import wrap

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from pekppp.lib.qr import qr_path

from .forms import AuthenticatorForm, SecondFactorForm
from .middleware import SESSION_KEY, VERIFY
from .permissions import second_factor_required
from .selectors import api_token_of, has_second_factor, second_factor_status
from .services import (
    api_token_create,
    api_token_revoke,
    person_language_set,
    recovery_codes_replace,
    second_factor_enrol,
    second_factor_verify,
)

# The secret offered on the enrolment page, kept until the first code confirms it, so that
# reloading the page does not change the QR code being scanned.
PENDING_KEY = "pekppp_totp_pending"


def _next_url(request) -> str:
    """Where to go after the second factor: the page asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request, device) -> None:
    django_otp.login(request, device)
    request.session[SESSION_KEY] = VERIFY
    # The session now carries more trust: give it a new key, as a log-in does.
    request.session.cycle_key()


@login_required
def two_factor_detail(request):
    """The person's two-factor status, with enrolment and new recovery codes."""
    user = request.user
    return render(
        request,
        "units/two_factor_detail.html",
        {
            "status": second_factor_status(user),
            "required": second_factor_required(user),
            "enforced": settings.OTP_REQUIRED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    """A QR code and the secret in text; the app's first code confirms it and the person
    receives their recovery codes, once."""
    user = request.user
    if not user.is_verified() and has_second_factor(user):
        # Someone with only the password must not swap the device for their own.
        return redirect(f"{resolve_url('units:two_factor_verify')}?next={request.path}")
    key = request.session.get(PENDING_KEY) or default_key()
    request.session[PENDING_KEY] = key
    form = AuthenticatorForm(request.POST or None)
    if form.is_valid():
        try:
            device, codes = second_factor_enrol(user=user, key=key, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[PENDING_KEY]
            _verified(request, device)
            return render(
                request, "units/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    pending = TOTPDevice(user=user, key=key)
    return render(
        request,
        "units/two_factor_enrol.html",
        {
            "form": form,
            "qr": qr_path(pending.config_url),
            "secret": " ".join(wrap(b32encode(pending.bin_key).decode(), 4)),
            "forced": settings.OTP_REQUIRED and second_factor_required(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The code step after the password: a code from the app or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not has_second_factor(user):
        # The device was removed (by an administrator) since the log-in.
        request.session[SESSION_KEY] = ""
        return redirect("units:two_factor")
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        try:
            device = second_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _(
                        "Anda masuk dengan kode pemulihan; kode itu tidak berlaku lagi. "
                        "Sisa kode pemulihan: %(left)d."
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request))
    return render(
        request,
        "units/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@login_required
@require_POST
def recovery_codes_create(request):
    """New recovery codes in place of the old ones, for a session verified with a device."""
    if not request.user.is_verified():
        return redirect("units:two_factor")
    codes = recovery_codes_replace(user=request.user)
    return render(
        request,
        "units/recovery_codes.html",
        {"codes": codes, "next": resolve_url("units:two_factor")},
    )


@login_required
@require_safe
def api_token_detail(request):
    """Whether the person has an API token (for `Authorization: Token …`), to create, replace
    or revoke it."""
    return render(request, "units/api_token.html", {"token": api_token_of(request.user)})


@login_required
@require_POST
def api_token_new(request):
    """A new token in place of any earlier one; its key is shown on this page only."""
    token = api_token_create(user=request.user)
    return render(request, "units/api_token.html", {"token": token, "key": token.key})


@login_required
@require_POST
def api_token_remove(request):
    if api_token_revoke(user=request.user):
        messages.success(request, _("Token API dicabut; program yang memakainya ditolak."))
    return redirect("units:api_token")


def language_set(request):
    """Django's `set_language` (cookie and redirect); a signed-in person's choice is also
    stored, so that the mails the portal sends them are written in it."""
    response = set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        person_language_set(user=request.user, language=language)
    return response
