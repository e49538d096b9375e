"""Two-factor log-in enforced in one place, for every page and the Django admin.

Until the session is verified (django-otp's `OTPMiddleware`, which runs before this one),
every view except those in EXEMPT_VIEWS/EXEMPT_NAMESPACES redirects
- to the code step, for a person who has a device: recorded in the session at log-in
  (`SESSION_KEY`), so ordinary requests spend no query on devices;
- to enrolment, while `OTP_REQUIRED` is on, for a person whose role requires a second
  factor (`second_factor_required`, read per request like every permission, from the roles
  the page reads anyway).
An API view (DRF) answers such a session 403 with {"detail": …} instead: a program cannot
follow a redirect to a code page. A request that sends a token (`Authorization: Token …`) is
left to DRF, which authenticates the token and never looks at the session.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.views import APIView

from .permissions import second_factor_required
from .selectors import has_second_factor

SESSION_KEY = "pekppp_second_factor"
VERIFY = "verify"

# Pages a person reaches before the second factor: signing in and out, the two-factor pages
# themselves, the language switch, the health check, the API's public description and
# everything public (the open data API included).
EXEMPT_VIEWS = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "healthz",
        "api-schema",
        "api-docs",
        "units:two_factor_verify",
        "units:two_factor_enrol",
        "reports:certificate_verify",
    }
)
EXEMPT_NAMESPACES = frozenset({"public", "opendata"})


def remember_second_factor(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: whether the new session owes a code (VERIFY or "")."""
    request.session[SESSION_KEY] = VERIFY if has_second_factor(user) else ""


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match.view_name in EXEMPT_VIEWS or EXEMPT_NAMESPACES.intersection(match.namespaces):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        state = request.session.get(SESSION_KEY)
        if state is None:  # a session from before two-factor log-in existed
            state = request.session[SESSION_KEY] = VERIFY if has_second_factor(user) else ""
        if state == VERIFY:
            target = "units:two_factor_verify"
        elif settings.OTP_REQUIRED and second_factor_required(user):
            target = "units:two_factor_enrol"
        else:
            return None
        if user.is_verified():
            return None
        if issubclass(getattr(view_func, "cls", object), APIView):
            return _api_refusal(request, target)
        return redirect_to_login(request.get_full_path(), reverse(target))


def _sends_token(request) -> bool:
    """Whether DRF's TokenAuthentication will take this request (its own test)."""
    keyword = get_authorization_header(request).split()[:1]
    return [word.lower() for word in keyword] == [TokenAuthentication.keyword.lower().encode()]


def _api_refusal(request, target: str) -> JsonResponse | None:
    """403 as JSON for an API call of a session that still owes its second factor."""
    if _sends_token(request):
        return None
    if target == "units:two_factor_verify":
        detail = _(
            "Sesi ini belum diverifikasi dengan kode dua langkah. Masukkan kode di portal, "
            "atau kirim token API (Authorization: Token …)."
        )
    else:
        detail = _(
            "Peran Anda mewajibkan verifikasi dua langkah. Aktifkan di portal, atau kirim "
            "token API (Authorization: Token …)."
        )
    return JsonResponse({"detail": detail}, status=403)
