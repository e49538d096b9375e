"""Validation and publication of a cycle: the validation report, exclusions, publishing and
corrections, and the figures of every published revision.

For whoever runs the cycle (`permissions.can_publish`): a cycle the person cannot see is a
404, one they see without running it a 403. A refusal (a pending locus, a missing reason)
comes back on the page as a list of messages and writes nothing; a success redirects with a
message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from evaluations.models import Cycle
from evaluations.notifications import publication_audience
from evaluations.selectors.cycles import cycle_of
from evaluations.views.confirm import Confirmation, confirm_page, confirmed

from ..forms import LocusExcludeForm, LocusIncludeForm, PublishForm
from ..models import Publication
from ..permissions import can_publish
from ..selectors import publication as sel
from ..services.publication import (
    PublicationError,
    cycle_publish,
    locus_exclude,
    locus_include,
    publication_problems,
)

DETAIL_TEMPLATE = "scoring/publication_detail.html"


def _publishable_cycle(request, pk: int) -> Cycle:
    cycle = get_object_or_404(cycle_of(request.user, pk))
    if not can_publish(request.user, cycle):
        raise PermissionDenied
    return cycle


def _form_problems(form) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def _detail(request, cycle: Cycle, *, problems=(), publish_form: PublishForm | None = None):
    overview = sel.publication_overview(cycle)
    if publish_form is None:
        publish_form = PublishForm(correction=overview.current is not None)
    context = {
        "cycle": cycle,
        "overview": overview,
        "publish_form": publish_form,
        "problems": list(problems),
    }
    return render(request, DETAIL_TEMPLATE, context)


@login_required
@require_safe
def publication_detail(request, pk: int):
    """The validation report, exclusions, the publish or correction form and the revisions."""
    return _detail(request, _publishable_cycle(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def publication_publish(request, pk: int):
    """Publish the cycle as its next revision once confirmed (`confirm=1`), first the
    confirmation page; a correction needs `alasan`."""
    cycle = _publishable_cycle(request, pk)
    correction = Publication.objects.filter(cycle=cycle).exists()
    # Bound even on a GET (no data): a first publication needs none, a correction a reason.
    form = PublishForm(request.POST, correction=correction)
    if not form.is_valid():
        return _detail(request, cycle, problems=_form_problems(form), publish_form=form)
    reason = form.cleaned_data["alasan"]
    if not confirmed(request):
        problems = publication_problems(cycle, reason)
        if problems:
            return _detail(request, cycle, problems=problems, publish_form=form)
        return confirm_page(
            request,
            _publish_confirmation(cycle, reason, correction),
            publication_audience(sel.publishable_unit_ids(cycle)),
        )
    try:
        publication = cycle_publish(cycle=cycle, user=request.user, reason=reason)
    except PublicationError as exc:
        return _detail(request, cycle, problems=exc.problems, publish_form=form)
    messages.success(
        request,
        _("Revisi %(revision)s dipublikasikan: %(count)s hasil.")
        % {"revision": publication.revision, "count": publication.result_count},
    )
    return redirect("scoring:publication_detail", cycle.pk)


def _publish_confirmation(cycle: Cycle, reason: str, correction: bool) -> Confirmation:
    final = sel.cycle_validation(cycle).final
    notes = [
        _("Publikasi membekukan setiap hasil; perubahan sesudahnya hanya lewat revisi koreksi.")
    ]
    if correction:
        notes.append(_("Alasan koreksi: %(reason)s") % {"reason": reason})
    return Confirmation(
        title=_("Terbitkan revisi koreksi?") if correction else _("Publikasikan hasil?"),
        subject=cycle.name,
        action=reverse("scoring:publication_publish", args=[cycle.pk]),
        button=_("Terbitkan revisi koreksi") if correction else _("Publikasikan hasil"),
        cancel=reverse("scoring:publication_detail", args=[cycle.pk]),
        frozen=[
            ngettext(
                "%(count)s hasil final: tingkat, indeks, predikat, peringkat, versi instrumen "
                "dan mesin.",
                "%(count)s hasil final: tingkat, indeks, predikat, peringkat, versi instrumen "
                "dan mesin.",
                final,
            )
            % {"count": final},
            _("Halaman hasil publik menampilkan revisi ini."),
        ],
        notes=notes,
        fields=[("alasan", reason)] if correction else [],
    )


@login_required
@require_POST
def publication_exclude(request, pk: int):
    """Leave the locus `lokus` out of the next revision, for the reason `alasan`."""
    cycle = _publishable_cycle(request, pk)
    form = LocusExcludeForm(request.POST, cycle=cycle)
    if not form.is_valid():
        return _detail(request, cycle, problems=_form_problems(form))
    assessment = form.cleaned_data["lokus"]
    try:
        locus_exclude(assessment=assessment, user=request.user, reason=form.cleaned_data["alasan"])
    except PublicationError as exc:
        return _detail(request, cycle, problems=exc.problems)
    messages.success(
        request, _("%(unit)s dikecualikan dari publikasi.") % {"unit": assessment.unit.name}
    )
    return redirect("scoring:publication_detail", cycle.pk)


@login_required
@require_POST
def publication_include(request, pk: int):
    """Take the excluded locus `lokus` back into the next revision."""
    cycle = _publishable_cycle(request, pk)
    form = LocusIncludeForm(request.POST, cycle=cycle)
    if not form.is_valid():
        return _detail(request, cycle, problems=_form_problems(form))
    assessment = form.cleaned_data["lokus"]
    locus_include(assessment=assessment, user=request.user)
    messages.success(
        request,
        _("Pengecualian %(unit)s dibatalkan; lokus ini kembali diperiksa pada validasi.")
        % {"unit": assessment.unit.name},
    )
    return redirect("scoring:publication_detail", cycle.pk)


@login_required
@require_safe
def publication_revision(request, pk: int, revision: int):
    """One revision's figures: the summary, results by national rank (`halaman`, 100 a page)
    and, for a correction, the units whose IPP or grade it changed."""
    cycle = _publishable_cycle(request, pk)
    publication, previous = sel.publication_revisions(cycle, revision)
    if publication is None:
        raise Http404
    context = {
        "cycle": cycle,
        "publication": publication,
        "previous": previous,
        "summary": sel.summary_table(publication.summary, _("Semua kelompok")),
        "results": sel.revision_results(publication, request.GET.get("halaman", 1)),
        "changes": sel.revision_changes(publication, previous) if previous else None,
    }
    return render(request, "scoring/publication_revision.html", context)
