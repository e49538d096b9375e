"""Two-factor log-in enforced in one place, for every page and the Django admin.

At log-in the session records what the person still owes (`second_factor_state`): a code,
because they have a device; enrolment, because their role requires a second factor; or
nothing. Until the session is verified (django-otp's `OTPMiddleware`, which runs before this
one), every view except those in EXEMPT_VIEWS/EXEMPT_NAMESPACES redirects to the code or the
enrolment page. Enrolment is demanded only while `OTP_REQUIRED` is on; a code is always
asked of whoever has a device.

Recording the state at log-in keeps ordinary requests free of device queries.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .permissions import second_factor_required
from .selectors import has_second_factor

SESSION_KEY = "pekppp_second_factor"
VERIFY = "verify"
ENROL = "enrol"

# Pages a person reaches before the second factor: signing in and out, the two-factor pages
# themselves, the language switch, the health check and everything public.
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
EXEMPT_NAMESPACES = frozenset({"public"})


def second_factor_state(user) -> str:
    """VERIFY for a person with a confirmed device, ENROL for one whose role requires a
    second factor and who has none, "" for everyone else."""
    if has_second_factor(user):
        return VERIFY
    return ENROL if second_factor_required(user) else ""


def remember_second_factor(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: record what the new session owes (see the module)."""
    request.session[SESSION_KEY] = second_factor_state(user)


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
            state = request.session[SESSION_KEY] = second_factor_state(user)
        if not state or (state == ENROL and not settings.OTP_REQUIRED) or user.is_verified():
            return None
        target = "units:two_factor_verify" if state == VERIFY else "units:two_factor_enrol"
        return redirect_to_login(request.get_full_path(), reverse(target))
