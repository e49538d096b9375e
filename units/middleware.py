"""Two-factor log-in enforced in one place, for every page and the Django admin.

Until the session is verified (django-otp's `OTPMiddleware`, which runs before this one),
every view except those in EXEMPT_VIEWS/EXEMPT_NAMESPACES redirects
- to the code step, for a person who has a device: recorded in the session at log-in
  (`SESSION_KEY`), so ordinary requests spend no query on devices;
- to enrolment, while `OTP_REQUIRED` is on, for a person whose role requires a second
  factor (`second_factor_required`, read per request like every permission, from the roles
  the page reads anyway).
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .permissions import second_factor_required
from .selectors import has_second_factor

SESSION_KEY = "pekppp_second_factor"
VERIFY = "verify"

# Pages a person reaches before the second factor: signing in and out, the two-factor pages
# themselves, the language switch, the health check and everything public (the open data API
# included).
EXEMPT_VIEWS = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "healthz",
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
        return redirect_to_login(request.get_full_path(), reverse(target))
