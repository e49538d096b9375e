"""Cycle set-up pages: cycles and their windows, loci, evaluator teams, workload, extensions.

Who gets what: anonymous people are sent to log in; a cycle the person cannot see is a 404
(`selectors.cycles.cycle_of`); a cycle they can see but not run is a 403 on the pages that
change it. Refusals of the cycle's rules come back on the page, never as an error status.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from pekppp.lib.text import has_control_characters

from ..forms.cycles import (
    AssignmentForm,
    CycleForm,
    LociAddForm,
    LociFilterForm,
    LociImportForm,
    LociRemoveForm,
    PhaseExtensionForm,
    service_errors_to_form,
)
from ..models import Assessment, Cycle, Phase
from ..permissions import can_list_cycles, can_manage_cycle
from ..selectors import assessments_visible_to
from ..selectors import cycles as sel
from ..services import cycles as services
from ..services.workflow import WorkflowError, phase_extend

TEAM_USUAL_MIN = 2


def _require_cycle_role(user) -> None:
    if not can_list_cycles(user):
        raise PermissionDenied


def _visible_cycle(request, pk: int) -> Cycle:
    return get_object_or_404(sel.cycle_of(request.user, pk))


def _managed_cycle(request, pk: int) -> Cycle:
    cycle = _visible_cycle(request, pk)
    if not can_manage_cycle(request.user, cycle):
        raise PermissionDenied
    return cycle


@login_required
@require_safe
def cycle_list(request):
    """The cycles the person runs or oversees."""
    _require_cycle_role(request.user)
    rows = [(c, can_manage_cycle(request.user, c)) for c in sel.cycle_list(request.user)]
    return render(request, "evaluations/cycle_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request):
    """Open a cycle: admins any scheme, coordinators Mandiri cycles of their agency."""
    _require_cycle_role(request.user)
    form = CycleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            cycle = services.cycle_create(
                by=request.user,
                year=d["year"],
                scheme=d["scheme"],
                name=d["name"],
                instrument=d["instrument"],
                owner_agency=d["owner_agency"],
                windows=d["windows"],
                survey_weight=d["survey_weight"],
                min_respondents=d["min_respondents"],
            )
        except ValidationError as e:
            service_errors_to_form(form, e)
        else:
            messages.success(request, _("Periode “%(name)s” dibuka.") % {"name": cycle.name})
            return redirect("evaluations:cycle_detail", cycle.pk)
    return render(request, "evaluations/cycle_form.html", {"form": form, "cycle": None})


@login_required
@require_safe
def cycle_detail(request, pk: int):
    """A cycle: its windows, loci per status, and one page of loci with their teams."""
    cycle = _visible_cycle(request, pk)
    status = request.GET.get("status", "")
    search = request.GET.get("q", "")
    context = {
        "cycle": cycle,
        "can_manage": can_manage_cycle(request.user, cycle),
        "removable": True,
        "windows": sel.cycle_windows(cycle),
        "summary": sel.loci_summary(cycle),
        "loci": sel.cycle_loci(
            cycle,
            page=request.GET.get("halaman", 1),
            status=status,
            search=search,
            unassigned=request.GET.get("tanpa_tim") == "1",
            with_survey=True,
        ),
        "status": status,
        "search": search[: sel.SEARCH_MAX_LENGTH],
        "show_survey": True,
    }
    return render(request, "evaluations/cycle_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request, pk: int):
    cycle = _managed_cycle(request, pk)
    form = CycleForm(request.POST or None, user=request.user, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.cycle_update(
                cycle=cycle,
                by=request.user,
                name=d["name"],
                windows=d["windows"],
                survey_weight=d["survey_weight"],
                min_respondents=d["min_respondents"],
            )
        except ValidationError as e:
            service_errors_to_form(form, e)
        else:
            messages.success(request, _("Periode disimpan."))
            return redirect("evaluations:cycle_detail", cycle.pk)
    return render(request, "evaluations/cycle_form.html", {"form": form, "cycle": cycle})


def _loci_change(request, cycle: Cycle):
    """POST of loci_pick: add the ticked units, or (action=hapus) remove the ticked loci."""
    removing = request.POST.get("action") == "hapus"
    if removing:
        form = LociRemoveForm(request.POST, cycle=cycle)
    else:
        form = LociAddForm(request.POST, candidates=sel.candidate_units_queryset(cycle))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    try:
        if removing:
            n = services.loci_remove(
                cycle=cycle, assessments=form.cleaned_data["loci"], by=request.user
            )
            messages.success(
                request, ngettext("%(n)d lokus dihapus.", "%(n)d lokus dihapus.", n) % {"n": n}
            )
        else:
            added = services.loci_add(
                cycle=cycle, units=form.cleaned_data["units"], by=request.user
            )
            n = len(added)
            messages.success(
                request,
                ngettext(
                    "%(n)d unit ditambahkan sebagai lokus.",
                    "%(n)d unit ditambahkan sebagai lokus.",
                    n,
                )
                % {"n": n},
            )
    except WorkflowError as e:
        for problem in e.problems:
            messages.error(request, problem)


@login_required
@require_http_methods(["GET", "POST"])
def loci_pick(request, pk: int):
    """Pick loci from the list of units (filtered, 50 a page); POST adds or removes loci."""
    cycle = _managed_cycle(request, pk)
    if request.method == "POST":
        _loci_change(request, cycle)
        back = request.POST.get("next", "")
        if back.startswith("?") and not has_control_characters(back):
            return redirect(reverse("evaluations:loci_pick", args=[cycle.pk]) + back)
        if request.POST.get("action") == "hapus":
            return redirect("evaluations:cycle_detail", cycle.pk)
        return redirect("evaluations:loci_pick", cycle.pk)
    filters = LociFilterForm(request.GET or None, cycle=cycle)
    units = sel.candidate_units(cycle, filters.filters(), page=request.GET.get("halaman", 1))
    context = {"cycle": cycle, "filters": filters, "units": units}
    return render(request, "evaluations/loci_pick.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def loci_import(request, pk: int):
    """Add loci to this cycle from a CSV/XLSX file of unit codes; all rows or none."""
    cycle = _managed_cycle(request, pk)
    form = LociImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.loci_import(
            cycle=cycle,
            file_bytes=upload.read(),
            format=form.cleaned_data["format"],
            by=request.user,
        )
    context = {"cycle": cycle, "form": form, "report": report}
    return render(request, "evaluations/loci_import.html", context)


def _locus_of(request, cycle: Cycle) -> Assessment | None:
    raw = request.GET.get("lokus", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404  # a malformed id is a missing page, not a server error
    return get_object_or_404(
        cycle.assessments.select_related("unit", "unit__agency", "cycle"), pk=int(raw)
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_form(request, pk: int):
    """Without ?lokus=: the loci and their teams. With ?lokus=<id>: that locus's team."""
    cycle = _managed_cycle(request, pk)
    locus = _locus_of(request, cycle)
    if locus is None:
        if request.method == "POST":
            return redirect("evaluations:assignment_form", cycle.pk)
        loci = sel.cycle_loci(
            cycle,
            page=request.GET.get("halaman", 1),
            unassigned=request.GET.get("tanpa_tim") == "1",
        )
        context = {"cycle": cycle, "locus": None, "loci": loci}
        return render(request, "evaluations/assignment_form.html", context)
    locus.cycle = cycle
    form = AssignmentForm(request.POST or None, assessment=locus)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.assignment_set(
                assessment=locus,
                evaluators=list(form.cleaned_data["evaluators"]),
                lead=form.cleaned_data["lead"],
                by=request.user,
            )
        except WorkflowError as e:
            form.add_error("evaluators", list(e.problems))
        else:
            messages.success(request, _("Tim evaluator %(unit)s disimpan.") % {"unit": locus.unit})
            if len(team) < TEAM_USUAL_MIN:
                messages.warning(request, _("Tim hanya satu evaluator; biasanya 2–3 orang."))
            return redirect(reverse("evaluations:assignment_form", args=[cycle.pk]))
    context = {"cycle": cycle, "locus": locus, "form": form, "usual_min": TEAM_USUAL_MIN}
    return render(request, "evaluations/assignment_form.html", context)


@login_required
@require_safe
def workload(request, pk: int):
    """Assessments per evaluator of the cycle, heaviest first, with totals."""
    cycle = _visible_cycle(request, pk)
    context = {
        "cycle": cycle,
        "can_manage": can_manage_cycle(request.user, cycle),
        "workload": sel.cycle_workload(cycle),
    }
    return render(request, "evaluations/workload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def phase_extend_form(request, pk: int):
    """Give one unit more time in one phase, with a reason (admins and running coordinators)."""
    assessment = get_object_or_404(
        assessments_visible_to(request.user).select_related(
            "cycle", "cycle__owner_agency", "unit", "unit__agency"
        ),
        pk=pk,
    )
    if not can_manage_cycle(request.user, assessment.cycle):
        raise PermissionDenied
    form = PhaseExtensionForm(request.POST or None, initial={"phase": Phase.SELF_ASSESSMENT})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            phase_extend(
                assessment=assessment,
                phase=d["phase"],
                ends_on=d["ends_on"],
                reason=d["reason"],
                by=request.user,
            )
        except WorkflowError as e:
            form.add_error("ends_on", list(e.problems))
        else:
            messages.success(request, _("Jadwal diperpanjang."))
            return redirect("evaluations:phase_extend_form", assessment.pk)
    context = {
        "assessment": assessment,
        "form": form,
        "windows": sel.unit_windows(assessment),
        "extensions": sel.extensions_of(assessment),
    }
    return render(request, "evaluations/phase_extend_form.html", context)
