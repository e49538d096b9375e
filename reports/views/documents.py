"""Document jobs: the cycle's documents page, the locus panel, requests and downloads."""

import pathlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from evaluations import filetypes
from evaluations.models import Cycle
from evaluations.permissions import can_manage_cycle, can_view_cycle
from evaluations.selectors import assessments_visible_to
from evaluations.views.files import private_file_response
from pekppp.lib.htmx import wants_fragment
from pekppp.lib.text import has_control_characters
from units.permissions import roles_of

from .. import selectors
from ..forms import LetterAgencyForm
from ..models import DocumentKind, DocumentStatus
from ..permissions import (
    AGENCY_KINDS,
    CYCLE_KINDS,
    can_download_certificate,
    can_download_document,
    can_download_result_letter,
    can_request_document,
    can_see_certificate,
    can_see_document,
    can_see_result_letter,
)
from ..services.documents import DocumentError, document_request

LIST_TEMPLATE = "reports/document_list.html"
LETTERS_TEMPLATE = "reports/result_letter_list.html"
PANEL_TEMPLATE = "reports/document_panel.html"
CONTENT_TYPES = {
    ".pdf": filetypes.PDF.content_type,
    ".xlsx": filetypes.XLSX.content_type,
    ".zip": "application/zip",
}
LOCUS_KINDS = (DocumentKind.REPORT_CARD, DocumentKind.BERITA_ACARA)


def _managed_cycle(request, pk: int) -> Cycle:
    # Outsiders get 404; people who see the cycle but do not run it get 403.
    cycle = get_object_or_404(Cycle.objects.select_related("owner_agency"), pk=pk)
    if not can_view_cycle(request.user, cycle):
        raise Http404
    if not can_manage_cycle(request.user, cycle):
        raise PermissionDenied
    return cycle


def _request(request, **target) -> None:
    """Ask for the document; the outcome goes to the messages shown on the next page."""
    try:
        document = document_request(user=request.user, **target)
    except DocumentError as exc:
        messages.error(request, str(exc))
        return
    if document.status == DocumentStatus.DONE:
        messages.info(request, _("Dokumen ini sudah tersedia untuk diunduh."))
    else:
        messages.success(request, _("Dokumen sedang dibuat. Kemajuan tampil di bawah."))


def _back(request, default: str):
    target = request.POST.get("next", "")
    # An address, never a URL pattern name (redirect() would try to reverse "x" and fail), and
    # nothing a Location header cannot carry.
    if not has_control_characters(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


@login_required
@require_safe
def document_list(request, pk: int):
    """The cycle's document jobs with their progress, and the buttons to request the cycle's
    documents. An htmx request (the page polling while a job runs) gets only the job list."""
    cycle = _managed_cycle(request, pk)
    data = selectors.cycle_documents(cycle)
    if wants_fragment(request.headers):
        return render(request, f"{LIST_TEMPLATE}#jobs", {"data": data})
    context = {
        "data": data,
        "certificates": selectors.cycle_certificates(cycle, request.GET.get("halaman") or 1),
        "letters": selectors.cycle_result_letters(cycle, request.GET.get("halaman_surat") or 1),
        "letter_agencies": (
            selectors.publication_agencies(data.publication) if data.publication else []
        ),
        "kinds": [DocumentKind(k) for k in DocumentKind.values if k in CYCLE_KINDS],
    }
    return render(request, LIST_TEMPLATE, context)


@login_required
@require_POST
def document_create(request, pk: int):
    """Request (or retry) one of the cycle's documents: POST jenis = a cycle document kind,
    or the result letter with instansi = the agency it is addressed to."""
    cycle = _managed_cycle(request, pk)
    kind = request.POST.get("jenis", "")
    if kind in AGENCY_KINDS:
        form = LetterAgencyForm(request.POST, publication=selectors.current_publication(cycle))
        if form.is_valid():
            _request(request, kind=kind, cycle=cycle, agency=form.cleaned_data["instansi"])
        else:
            messages.error(request, form.errors["instansi"][0])
    elif kind in CYCLE_KINDS:
        _request(request, kind=kind, cycle=cycle)
    else:
        messages.error(request, _("Pilih jenis dokumen periode yang tersedia."))
    return redirect("reports:document_list", pk=cycle.pk)


def _locus(request, pk: int):
    assessment = get_object_or_404(
        assessments_visible_to(request.user).select_related("unit", "cycle"), pk=pk
    )
    user = request.user
    if not any(can_request_document(user, k, assessment.cycle, assessment) for k in LOCUS_KINDS):
        raise PermissionDenied
    return assessment


def _panel(request, assessment):
    data = selectors.assessment_documents(request.user, assessment)
    return render(request, PANEL_TEMPLATE, {"data": data})


@login_required
@require_safe
def assessment_documents(request, pk: int):
    """The locus page's documents panel (loaded and polled by htmx)."""
    return _panel(request, _locus(request, pk))


@login_required
@require_POST
def assessment_document_create(request, pk: int):
    """Request (or retry) the unit's report card or its Berita Acara: POST jenis."""
    assessment = _locus(request, pk)
    kind = request.POST.get("jenis", "")
    if kind not in LOCUS_KINDS:
        messages.error(request, _("Pilih jenis dokumen lokus yang tersedia."))
    else:
        _request(request, kind=kind, assessment=assessment)
    if wants_fragment(request.headers):
        return _panel(request, assessment)
    default = reverse("evaluations:assessment_detail", args=[assessment.pk]) + "#dokumen"
    return _back(request, default)


@login_required
@require_safe
def document_download(request, pk: int):
    """The finished document's file, to the people allowed to have it."""
    document = get_object_or_404(selectors.documents_for_download(), pk=pk)
    if not can_see_document(request.user, document):
        raise Http404
    if not can_download_document(request.user, document):
        raise PermissionDenied
    if document.status != DocumentStatus.DONE or not document.file:
        raise Http404
    suffix = pathlib.Path(document.filename).suffix.lower()
    return private_file_response(
        document.file,
        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
        filename=document.filename,
        inline=False,
    )


@login_required
@require_safe
def certificate_download(request, pk: int):
    """One unit's certificate PDF: cycle managers, and the unit's own people."""
    certificate = get_object_or_404(selectors.certificates_for_download(), pk=pk)
    if not can_see_certificate(request.user, certificate):
        raise Http404
    if not can_download_certificate(request.user, certificate):
        raise PermissionDenied
    if not certificate.file:
        raise Http404
    return private_file_response(
        certificate.file,
        content_type=filetypes.PDF.content_type,
        filename=f"sertifikat-{certificate.serial.replace('/', '-')}.pdf",
        inline=False,
    )


@login_required
@require_safe
def result_letter_list(request):
    """The result letters addressed to the person's agencies (every letter, for admins)."""
    roles = roles_of(request.user)
    if not (roles.ministry_admin or roles.coordinator_agencies or roles.leadership_agencies):
        raise PermissionDenied
    letters = selectors.result_letters_visible_to(request.user, request.GET.get("halaman") or 1)
    return render(request, LETTERS_TEMPLATE, {"letters": letters, "every": roles.ministry_admin})


@login_required
@require_safe
def result_letter_download(request, pk: int):
    """One agency's result letter: the cycle's managers, the agency's coordinators and
    leadership."""
    letter = get_object_or_404(selectors.result_letters_for_download(), pk=pk)
    if not can_see_result_letter(request.user, letter):
        raise Http404
    if not can_download_result_letter(request.user, letter):
        raise PermissionDenied
    if not letter.file:
        raise Http404
    return private_file_response(
        letter.file,
        content_type=filetypes.PDF.content_type,
        filename=f"surat-{letter.number.replace('/', '-')}.pdf",
        inline=False,
    )
