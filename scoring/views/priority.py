"""Priority coaching pages: a cycle's list of priority units (proposal, confirmation, removal,
units added by hand) and one unit's coaching sessions with their attachments.

Who gets what (`permissions.priority_access`): a person with no access to the list → 404
(so is a cycle not yet published for those who do not oversee it, and a unit not on their
list); the cycle's manager changes the list (403 for the other readers); the manager and the
unit's agency coordinators record coaching (403 for the others). A refusal comes back on the
page with every problem named and stores nothing; a success redirects with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from evaluations import filetypes
from evaluations.models import Cycle, GradeBand
from evaluations.services.workflow import WorkflowError
from evaluations.views.files import private_file_response
from units.models import ServiceUnit

from ..forms import (
    CoachingFileForm,
    CoachingSessionForm,
    PriorityProposeForm,
    PriorityUnitForm,
    form_problems,
)
from ..models import CoachingFile, CoachingSession, PriorityUnit
from ..permissions import PriorityAccess, priority_access
from ..selectors import priority as sel
from ..services import priority as services

LIST_TEMPLATE = "scoring/priority_list.html"
UNIT_TEMPLATE = "scoring/priority_coaching.html"


def _list_access(request, pk: int):
    """The cycle, the person's access to its list and its current publication, or 404."""
    cycle = get_object_or_404(Cycle.objects.select_related("owner_agency", "instrument"), pk=pk)
    access = priority_access(request.user, cycle)
    if access is None:
        raise Http404
    publication = sel.current_publication(cycle)
    if publication is None and not access.whole:
        raise Http404
    return cycle, access, publication


def _managed(request, pk: int):
    cycle, access, publication = _list_access(request, pk)
    if not access.manage:
        raise PermissionDenied
    return cycle, access, publication


def _grades(publication) -> list[tuple[str, str]]:
    if publication is None:
        return []
    bands = GradeBand.objects.filter(instrument_id=publication.instrument_id).order_by("-max_ipp")
    return [(b.grade, f"{b.grade} · {b.label}") for b in bands]


def _render_list(request, cycle, access: PriorityAccess, publication, *, problems=(), form=None):
    search = request.GET.get("q", "")
    context = {
        "cycle": cycle,
        "access": access,
        "listing": sel.priority_list(
            cycle,
            access,
            publication=publication,
            status=request.GET.get("status", ""),
            page=request.GET.get("halaman", 1),
        ),
        "problems": list(problems),
        "search": search[: sel.SEARCH_MAX_LENGTH],
    }
    if access.manage and publication is not None:
        context["propose_form"] = form or PriorityProposeForm(grades=_grades(publication))
        context["candidates"] = sel.priority_candidates(cycle, publication, search)
    return render(request, LIST_TEMPLATE, context)


def _back_to_list(cycle: Cycle):
    return redirect("scoring:priority_list", cycle.pk)


@login_required
@require_safe
def priority_list(request, pk: int):
    """The cycle's priority units with their figures, coaching and follow-up; for the
    manager also the proposal, the decisions and the search for units to add
    (`q`; filters `status`, `halaman`)."""
    cycle, access, publication = _list_access(request, pk)
    return _render_list(request, cycle, access, publication)


@login_required
@require_POST
def priority_propose(request, pk: int):
    """Propose the units below `predikat` or in the bottom `porsi` % of their group."""
    cycle, access, publication = _managed(request, pk)
    form = PriorityProposeForm(request.POST, grades=_grades(publication))
    if not form.is_valid():
        return _render_list(
            request, cycle, access, publication, problems=form_problems(form), form=form
        )
    try:
        proposal = services.priority_propose(
            cycle=cycle,
            by=request.user,
            max_grade=form.cleaned_data["predikat"],
            bottom_share=form.share(),
        )
    except WorkflowError as exc:
        return _render_list(request, cycle, access, publication, problems=exc.problems, form=form)
    text = ngettext(
        "%(n)d unit baru diusulkan.", "%(n)d unit baru diusulkan.", len(proposal.added)
    ) % {"n": len(proposal.added)}
    if proposal.already:
        text += " " + _("%(n)d sudah ada dalam daftar.") % {"n": proposal.already}
    if proposal.kept_off:
        text += " " + _("%(n)d pernah dikeluarkan dari daftar dan tidak diusulkan lagi.") % {
            "n": proposal.kept_off
        }
    messages.success(request, text)
    return _back_to_list(cycle)


def _unit_form(request, cycle: Cycle, *, reason: bool, units=None) -> PriorityUnitForm:
    if units is None:
        units = ServiceUnit.objects.filter(
            pk__in=PriorityUnit.objects.filter(cycle=cycle).values("unit")
        )
    return PriorityUnitForm(request.POST, units=units, reason=reason)


@login_required
@require_POST
def priority_confirm(request, pk: int):
    """Confirm the proposal of `unit`, or with `semua=1` every pending proposal."""
    cycle, access, publication = _managed(request, pk)
    units = None
    if request.POST.get("semua") != "1":
        form = _unit_form(request, cycle, reason=False)
        if not form.is_valid():
            return _render_list(request, cycle, access, publication, problems=form_problems(form))
        units = [form.cleaned_data["unit"].pk]
    try:
        count = services.priority_confirm(cycle=cycle, by=request.user, units=units)
    except WorkflowError as exc:
        return _render_list(request, cycle, access, publication, problems=exc.problems)
    messages.success(
        request,
        ngettext("%(n)d unit ditetapkan.", "%(n)d unit ditetapkan.", count) % {"n": count},
    )
    return _back_to_list(cycle)


@login_required
@require_POST
def priority_remove(request, pk: int):
    """Take `unit` off the list for `alasan`."""
    cycle, access, publication = _managed(request, pk)
    form = _unit_form(request, cycle, reason=True)
    if not form.is_valid():
        return _render_list(request, cycle, access, publication, problems=form_problems(form))
    unit = form.cleaned_data["unit"]
    try:
        services.priority_remove(
            cycle=cycle, unit=unit, by=request.user, reason=form.cleaned_data["alasan"]
        )
    except WorkflowError as exc:
        return _render_list(request, cycle, access, publication, problems=exc.problems)
    messages.success(request, _("%(unit)s dikeluarkan dari daftar.") % {"unit": unit.name})
    return _back_to_list(cycle)


@login_required
@require_POST
def priority_add(request, pk: int):
    """Add the locus unit `unit` to the list by hand, confirmed, for `alasan`."""
    cycle, access, publication = _managed(request, pk)
    loci = ServiceUnit.objects.filter(pk__in=cycle.assessments.values("unit"))
    form = _unit_form(request, cycle, reason=True, units=loci)
    if not form.is_valid():
        return _render_list(request, cycle, access, publication, problems=form_problems(form))
    unit = form.cleaned_data["unit"]
    try:
        services.priority_add(
            cycle=cycle, unit=unit, by=request.user, reason=form.cleaned_data["alasan"]
        )
    except WorkflowError as exc:
        return _render_list(request, cycle, access, publication, problems=exc.problems)
    messages.success(
        request, _("%(unit)s ditambahkan ke daftar dan ditetapkan.") % {"unit": unit.name}
    )
    return _back_to_list(cycle)


# --- One unit's coaching -------------------------------------------------------------------


def _priority(request, pk: int, unit_id: int):
    """The unit's row on the list, the person's access and the publication, or 404."""
    cycle, access, publication = _list_access(request, pk)
    priority = sel.priority_unit_of(cycle, unit_id)
    if priority is None or not access.sees(priority):
        raise Http404
    return priority, access, publication


def _render_unit(request, priority, access, publication, *, form=None, problems=(), status=200):
    coaches = access.coaches(priority) and priority.confirmed_at is not None
    if form is None and coaches:
        form = CoachingSessionForm()
    context = {
        "cycle": priority.cycle,
        "access": access,
        "page": sel.coaching_page(priority, publication),
        "coaches": coaches,
        "form": form,
        "file_form": CoachingFileForm() if coaches else None,
        "problems": list(problems),
    }
    return render(request, UNIT_TEMPLATE, context, status=status)


def _back_to_unit(priority: PriorityUnit, anchor: str = ""):
    url = reverse("scoring:coaching_page", args=[priority.cycle_id, priority.unit_id])
    return redirect(url + anchor)


@login_required
@require_safe
def coaching_page(request, pk: int, unit_id: int):
    """A priority unit's figures, follow-up and coaching sessions; the form for its coaches."""
    return _render_unit(request, *_priority(request, pk, unit_id))


@login_required
@require_POST
def coaching_session_create(request, pk: int, unit_id: int):
    """Record a session (`held_on`, `mode`, `people`, `topics`, `notes`, `lampiran`)."""
    priority, access, publication = _priority(request, pk, unit_id)
    if not access.coaches(priority):
        raise PermissionDenied
    form = CoachingSessionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_unit(
            request, priority, access, publication, form=form, problems=form_problems(form)
        )
    data = form.cleaned_data
    try:
        session = services.coaching_session_record(
            priority=priority,
            held_on=data["held_on"],
            mode=data["mode"],
            people=data["people"],
            topics=data["topics"],
            notes=data["notes"],
            files=[data["lampiran"]] if data["lampiran"] else [],
            by=request.user,
        )
    except WorkflowError as exc:
        return _render_unit(
            request, priority, access, publication, form=form, problems=exc.problems
        )
    messages.success(
        request,
        _("Sesi pendampingan %(date)s tersimpan.")
        % {"date": date_format(session.held_on, "d-m-Y")},
    )
    return _back_to_unit(priority, f"#sesi-{session.pk}")


@login_required
@require_POST
def coaching_file_upload(request, pk: int, unit_id: int, session_id: int):
    """Attach one more file (`lampiran`) to a session."""
    priority, access, publication = _priority(request, pk, unit_id)
    session = get_object_or_404(
        CoachingSession, pk=session_id, cycle=priority.cycle_id, unit=priority.unit_id
    )
    if not access.coaches(priority):
        raise PermissionDenied
    form = CoachingFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_unit(request, priority, access, publication, problems=form_problems(form))
    try:
        attachment = services.coaching_file_add(
            session=session, file=form.cleaned_data["lampiran"], by=request.user
        )
    except WorkflowError as exc:
        return _render_unit(request, priority, access, publication, problems=exc.problems)
    messages.success(request, _("%(name)s dilampirkan.") % {"name": attachment.original_name})
    return _back_to_unit(priority, f"#sesi-{session.pk}")


@login_required
@require_safe
def coaching_file_download(request, pk: int, unit_id: int, file_id: int):
    """An attachment, for whoever reads the unit's coaching page."""
    priority, _access, _publication = _priority(request, pk, unit_id)
    attachment = get_object_or_404(
        CoachingFile, pk=file_id, session__cycle=priority.cycle_id, session__unit=priority.unit_id
    )
    return private_file_response(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=request.GET.get("inline") == "1"
        and attachment.content_type in filetypes.INLINE_CONTENT_TYPES,
    )
