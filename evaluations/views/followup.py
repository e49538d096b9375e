"""The follow-up register (tindak lanjut): each role's list with its monitoring, one item with
its history and evidence files, the unit's edit, downloads and the XLSX export.

Status codes: anonymous → login redirect; a person with no role that reads the register →
403 on the list and the export; an item or file the person cannot see → 404; one they see but
may not change (everyone but the unit's operators) → 403. A refused edit shows the item page
again with what is wrong (400); a save on a stale version shows both values (409).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pekppp.lib.spreadsheets import table_xlsx

from ..forms.followup import FollowUpForm, followup_query_from, form_initial
from ..models import FollowUpFile, FollowUpStatus
from ..permissions import can_edit_followup, can_list_followup
from ..selectors import followup as sel
from ..services import followup as services
from ..services.workflow import WorkflowError
from .files import private_file_response

LIST = "evaluations/followup_list.html"
DETAIL = "evaluations/followup_detail.html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _register_query(request):
    if not can_list_followup(request.user):
        raise PermissionDenied
    cycles = sel.followup_cycles(request.user)
    query, problems = followup_query_from(request.GET, cycles)
    return cycles, query, problems


@login_required
@require_safe
def followup_list(request):
    """The person's follow-up items and, for those who monitor, progress per unit, agency and
    province. GET: periode (a cycle id or "semua"), status, terlambat=1, halaman; a bad value
    is reported on the page and ignored."""
    cycles, query, problems = _register_query(request)
    page = sel.register_page(request.user, query, cycles)
    context = {
        "page": page,
        "problems": problems,
        "statuses": FollowUpStatus.choices,
        "params": urlencode(query.params),
    }
    return render(request, LIST, context)


@login_required
@require_safe
def followup_export(request):
    """The list the person sees (same filters, every page) as an XLSX file of text cells."""
    _cycles, query, problems = _register_query(request)
    items = sel.register_items(request.user, query)
    count = items.count()
    if problems or count > sel.EXPORT_MAX_ROWS:
        if count > sel.EXPORT_MAX_ROWS:
            problems.append(
                _(
                    "Daftar ini memuat %(n)s butir, lebih dari %(max)s yang dapat diekspor "
                    "sekaligus: pilih satu periode atau satu status."
                )
                % {"n": count, "max": sel.EXPORT_MAX_ROWS}
            )
        for problem in problems:
            messages.error(request, problem)
        return redirect(f"{reverse('evaluations:followup_list')}?{urlencode(query.params)}")
    headers, rows = sel.export_table(items)
    content = table_xlsx(headers, rows, title=_("Tindak lanjut"))
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="tindak-lanjut-{stamp}.xlsx"'
    return response


def _visible_item(request, pk: int):
    item = sel.followup_item(request.user, pk)
    if item is None:
        raise Http404
    return item


def _form(item, data=None, *, values=None, version=None) -> FollowUpForm:
    """The edit form of `item` (bound to `data` when given), showing `values` on `version`
    (default: the item's own)."""
    initial = form_initial(
        values or services.FollowUpValues.of(item),
        item.version if version is None else version,
    )
    return FollowUpForm(data, initial=initial, closed=item.status in sel.CLOSED_STATUSES)


def _render_item(request, item, *, form=None, conflict=None, problems=(), status=200):
    can_edit = can_edit_followup(request.user, item)
    if can_edit and form is None:
        form = _form(item)
    context = {
        "page": sel.item_page(item),
        "form": form,
        "can_edit": can_edit,
        "conflict": conflict,
        "problems": problems,
    }
    return render(request, DETAIL, context, status=status)


@login_required
@require_safe
def followup_detail(request, pk: int):
    """One item: the recommendation, the unit's follow-up (a form for its operators), the
    evidence files and the history of every change."""
    return _render_item(request, _visible_item(request, pk))


@login_required
@require_POST
def followup_update(request, pk: int):
    """The unit's operator saves the follow-up of one item, with new evidence files."""
    item = _visible_item(request, pk)
    if not can_edit_followup(request.user, item):
        raise PermissionDenied
    form = _form(item, request.POST)
    files = request.FILES.getlist("files")
    if not form.is_valid():
        return _render_item(request, item, form=form, status=400)
    try:
        services.followup_item_update(
            item=item,
            by=request.user,
            version=form.cleaned_data["version"],
            values=form.values(),
            files=files,
        )
    except services.FollowUpConflict as exc:
        # The form keeps the person's values on the saved version: saving again is a choice.
        retry = _form(exc.saved, values=exc.mine, version=exc.saved.version)
        return _render_item(
            request, exc.saved, form=retry, conflict=exc, problems=exc.problems, status=409
        )
    except WorkflowError as exc:
        return _render_item(request, item, form=form, problems=exc.problems, status=400)
    messages.success(request, _("Tindak lanjut tersimpan."))
    return redirect("evaluations:followup_detail", pk=item.pk)


def _visible_file(request, file_id: int) -> FollowUpFile:
    attachment = sel.followup_file(request.user, file_id)
    if attachment is None:
        raise Http404
    return attachment


@login_required
@require_safe
def followup_file_download(request, file_id: int):
    """An evidence file, for whoever may read its item; sent as the type checked at upload."""
    attachment = _visible_file(request, file_id)
    return private_file_response(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=False,
    )


@login_required
@require_POST
def followup_file_remove(request, file_id: int):
    """The unit's operator takes an evidence file off an open item (kept in the history)."""
    attachment = _visible_file(request, file_id)
    if not can_edit_followup(request.user, attachment.item):
        raise PermissionDenied
    try:
        services.followup_file_remove(attachment=attachment, by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s dihapus.") % {"name": attachment.original_name})
    return redirect("evaluations:followup_detail", pk=attachment.item_id)
