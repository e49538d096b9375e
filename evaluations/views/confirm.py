"""The confirmation step of an irreversible action (submit F-01, hand in F-02, finalise,
publish), server-side and without JavaScript.

The action's own URL asks first: a GET, or a POST without `confirm=1`, renders
`templates/confirm.html` saying what will be frozen and who will be told; its button posts
the same fields again with `confirm=1`, and only that POST performs the action. Any button that
posts to the action URL (the F-01 page has two) therefore gets the same question.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from notifications.selectors import Audience, AudienceLine, audience_lines

TEMPLATE = "confirm.html"


def confirmed(request: HttpRequest) -> bool:
    """Whether this request is the confirmed POST that performs the action."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


@dataclass(frozen=True)
class Confirmation:
    title: str  # the question, e.g. "Ajukan F-01?"
    subject: str  # what it is about, e.g. the unit and the cycle
    action: str  # the URL the confirmed POST goes to
    button: str  # the confirm button's text (the action's own name)
    cancel: str  # where "Batal" leads back to
    frozen: Sequence[str]  # what can no longer be changed afterwards
    told: Sequence[AudienceLine] = ()
    nobody_told: str = ""  # said instead of the list when nobody is told (and why)
    notes: Sequence[str] = ()
    fields: Sequence[tuple[str, str]] = field(default_factory=tuple)  # posted again


def confirm_page(
    request: HttpRequest, confirmation: Confirmation, audiences: Sequence[Audience] = ()
) -> HttpResponse:
    """The confirmation page; `audiences` are read into `told` here (a few names per group)."""
    if audiences:
        confirmation = replace(confirmation, told=audience_lines(audiences))
    return render(request, TEMPLATE, {"c": confirmation})
