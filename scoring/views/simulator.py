"""The score simulator page (its JSON twin is scoring.api.SimulateView)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from .. import simulator
from ..forms import SimulatorForm
from ..permissions import can_use_simulator

TEMPLATE = "scoring/simulator.html"


@login_required
def simulator_page(request):
    """Pick levels, see aspect indices, IPP and grade.

    GET shows an empty sheet. POST scores the levels chosen so far; htmx requests get just
    the result panel (or the whole sheet after "fill all"), other requests the full page.
    """
    if not can_use_simulator(request.user):
        raise PermissionDenied
    params = request.POST if request.method == "POST" else request.GET
    try:
        sheet = simulator.simulator_sheet(params.get("instrument"))
    except simulator.UnknownInstrument:
        raise Http404("Instrumen tidak dikenal.") from None

    fragment = ""
    if request.method == "POST":
        form = SimulatorForm(sheet, data=request.POST)
        if request.POST.get("action") == "fill":
            form = form.prefilled()
            fragment = "#sheet"
        else:
            fragment = "#result"
    else:
        form = SimulatorForm(sheet)
    outcome = simulator.sheet_outcome(sheet, form.levels())

    template = TEMPLATE + fragment if request.headers.get("HX-Request") else TEMPLATE
    response = render(request, template, {"sheet": sheet, "form": form, "outcome": outcome})
    patch_vary_headers(response, ["HX-Request"])
    return response
