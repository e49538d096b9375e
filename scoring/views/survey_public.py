"""F-03 for the service user: the public survey at `/s/<token>/`, no log-in, met on a phone
through the QR code of the unit's poster.

Three steps, plain HTML forms and no JavaScript: the consent notice (UU 27/2022), the items
and the optional profile questions (`?setuju=1`, the answers sent with `setuju=1` again), and
the thank-you page `/s/<token>/terima-kasih/`. The link and the survey window are checked here
so the page can say so before anyone starts; `survey_answer` checks both again under the locus
lock. Each browser answers a locus once (a signed cookie, set when the answers are stored);
POSTs are counted per client address and per link in hourly windows of Django's cache.

Status codes: 200 for the pages; 404 for an unknown or revoked link; 400 when the answers are
refused (the form again, every item named, the choices kept) or consent is missing; 409 when
this browser answered already or the window is not open; 429 over a limit. Nothing is stored
on any of them.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from evaluations.forms.survey import SurveyForm
from evaluations.models import SurveyLink
from evaluations.selectors.rubric import instrument_survey_items
from evaluations.selectors.survey import link_by_token, survey_window
from evaluations.services.workflow import WorkflowError
from pekppp.lib.client_ip import client_ip
from pekppp.lib.throttle import count

from ..services.survey import survey_answer

CONSENT = "scoring/public/survey/consent.html"
FORM = "scoring/public/survey/form.html"
THANKS = "scoring/public/survey/thanks.html"
NOTICE = "scoring/public/survey/notice.html"

# The consent step's value, in the address (?setuju=1) and sent again with the answers.
AGREED = "1"
# "This browser answered this locus": one signed cookie per locus, sent only to survey pages.
# Per locus rather than per link, so a reissued link (a new poster) does not invite a second
# answer from the same browser.
COOKIE_SALT = "pekppp.survey.answered"
COOKIE_PATH = "/s/"
COOKIE_MAX_AGE = 365 * 24 * 3600
RATE_WINDOW = 3600  # seconds; the limits in settings are per hour


def _cookie_name(link: SurveyLink) -> str:
    return f"f03_{link.assessment_id}"


def _answered(request: HttpRequest, link: SurveyLink) -> bool:
    """Whether this browser's cookie says it answered the locus; a tampered one counts as
    absent."""
    value = request.get_signed_cookie(_cookie_name(link), default=None, salt=COOKIE_SALT)
    return value == str(link.assessment_id)


def _within(scope: str, key: str, limit: int, bucket: int) -> bool:
    """Count one POST for `key` in this hour's window; False once more than `limit` came."""
    digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]
    return count(cache, f"survey-rate:{scope}:{digest}:{bucket}", window=RATE_WINDOW) <= limit


def _rate_limited(request: HttpRequest, token: str) -> int | None:
    """None while this POST is within both limits, else the seconds until the window ends.
    Both counters count every POST, so a flood from one address also uses up its link's."""
    now = time.time()
    bucket = int(now // RATE_WINDOW)
    address = client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or "unknown"
    by_address = _within("address", address, settings.SURVEY_RATE_PER_ADDRESS, bucket)
    by_token = _within("token", token, settings.SURVEY_RATE_PER_TOKEN, bucket)
    if by_address and by_token:
        return None
    return int((bucket + 1) * RATE_WINDOW - now) + 1


def _page(request, template: str, link: SurveyLink | None, status: int = 200, **context):
    """A page of the survey in the light public frame. Its language comes from the cookie or
    the browser, and it holds a CSRF token: never kept by a shared cache, and no cache may
    serve it for another language."""
    if link is not None:
        context.setdefault("next_url", reverse("public:survey", args=[link.token]))
    response = render(request, template, {"link": link, **context}, status=status)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _form_page(request, link, form: SurveyForm, *, problems=(), status: int = 200):
    here = reverse("public:survey", args=[link.token])
    return _page(
        request,
        FORM,
        link,
        status,
        form=form,
        problems=problems,
        agreed=AGREED,
        next_url=f"{here}?setuju={AGREED}",
    )


def _not_open(request, link, window, status: int):
    return _page(request, NOTICE, link, status, kind=window.state, window=window)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    """The consent notice, then (`?setuju=1`) the items; a POST stores the answers."""
    if request.method == "POST":
        return _submit(request, token)
    link = link_by_token(token)
    if link is None:
        return _page(request, NOTICE, None, 404, kind="invalid")
    if _answered(request, link):
        return _page(request, NOTICE, link, kind="answered")
    window = survey_window(link.assessment)
    if not window.is_open:
        return _not_open(request, link, window, 200)
    if request.GET.get("setuju") != AGREED:
        return _page(request, CONSENT, link, window=window, agreed=AGREED)
    items = instrument_survey_items(link.assessment.cycle.instrument)
    return _form_page(request, link, SurveyForm(items=items))


def _submit(request: HttpRequest, token: str) -> HttpResponse:
    retry_after = _rate_limited(request, token)
    if retry_after is not None:
        response = _page(request, NOTICE, None, 429, kind="limited")
        response["Retry-After"] = str(retry_after)
        return response
    link = link_by_token(token)
    if link is None:
        return _page(request, NOTICE, None, 404, kind="invalid")
    if _answered(request, link):
        return _page(request, NOTICE, link, 409, kind="answered")
    window = survey_window(link.assessment)
    if not window.is_open:
        return _not_open(request, link, window, 409)
    if request.POST.get("setuju") != AGREED:
        return _page(request, CONSENT, link, 400, window=window, agreed=AGREED, refused=True)
    form = SurveyForm(request.POST, items=instrument_survey_items(link.assessment.cycle.instrument))
    if not form.is_valid():
        return _form_page(request, link, form, status=400)
    try:
        survey_answer(link=link, answers=form.answers(), profile=form.profile())
    except WorkflowError as refused:
        return _form_page(request, link, form, problems=refused.problems, status=400)
    response = redirect("public:survey_thanks", token=link.token)
    response.status_code = 303
    response.set_signed_cookie(
        _cookie_name(link),
        str(link.assessment_id),
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@never_cache
@require_safe
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The thank-you page; without this browser's answer, back to the survey."""
    link = link_by_token(token)
    if link is None:
        return _page(request, NOTICE, None, 404, kind="invalid")
    if not _answered(request, link):
        return redirect("public:survey", token=link.token)
    return _page(request, THANKS, link, next_url=reverse("public:survey_thanks", args=[link.token]))
