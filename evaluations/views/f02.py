"""F-02: the evaluator's scoring page, its autosave, submission, clarification and field visit.

Autosave responses (htmx): 200 with the row's "saved" fragment (new version inside) and, when
the level changed, the refreshed running panel swapped out of band, so one request does
both; or 409 with a fragment holding the conflict (both values) or the refusal message. The
F-02 page tells htmx to swap 409 responses (an htmx:beforeSwap listener in f02_form.html), so
the status code stays honest for any other client. Without htmx the form posts normally and
gets a redirect back to the page with a message.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms import FieldVisitForm
from ..models import VISIT_STATUSES, Assessment, FieldVisitPhoto, Indicator, Phase
from ..notifications import managers_audience
from ..permissions import assignment_of, can_view_assessment, can_view_visit_photos
from ..selectors import assessments_visible_to
from ..selectors import f02 as selectors_f02
from ..selectors.windows import window_problem
from ..services import f02 as f02_services
from ..services.clarifications import clarification_request
from ..services.workflow import WorkflowError
from .confirm import Confirmation, confirm_page, confirmed
from .files import private_file_response

PAGE = "evaluations/f02_form.html"
VISIT_PAGE = "evaluations/field_visit_form.html"


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _fragment(name: str, context: dict, *, status: int = 200) -> HttpResponse:
    """An autosave fragment of the page, rendered without the request's context processors:
    a fragment has no use for them."""
    return HttpResponse(render_to_string(f"{PAGE}#{name}", context), status=status)


def own_assignment(user, pk: int):
    """The assessment and the person's assignment on it: 404 for someone who cannot see the
    assessment, 403 for someone who can but is not one of its evaluators. Shared with the
    API (evaluations/api/assessments.py)."""
    mine = selectors_f02.own_assignment(user=user, assessment_id=pk)
    if mine is None:
        get_object_or_404(assessments_visible_to(user), pk=pk)
        raise PermissionDenied(_("Hanya evaluator yang ditugaskan yang dapat membuka F-02."))
    return mine.assessment, mine


def _render_page(request, assessment, assignment, *, problems=(), clarify=None):
    page = selectors_f02.f02_page(assessment=assessment, assignment=assignment)
    if page.missing_score_ids and page.editable:
        f02_services.scores_ensure(assignment, page.missing_score_ids)
    # After the "changed since you last looked" marks are computed from the old time.
    f02_services.assignment_mark_viewed(assignment=assignment)
    if clarify:
        for group in page.groups:
            for row in group.rows:
                row.clarify_checked = row.indicator.pk in clarify["checked"]
                row.clarify_question = clarify["questions"].get(row.indicator.pk, "")
    context = {
        "page": page,
        "assessment": assessment,
        "running": page.running,
        "problems": problems,
    }
    return render(request, PAGE, context)


@login_required
@require_GET
def f02_form(request, pk: int):
    """The scoring page."""
    assessment, assignment = own_assignment(request.user, pk)
    return _render_page(request, assessment, assignment)


def score_row(user, pk: int, indicator_id: int):
    """The person's Score row for an autosave (the page's and the API's): one query in the
    common case; otherwise decide 404/403, or create the row."""
    score = selectors_f02.score_for_autosave(user=user, assessment_id=pk, indicator_id=indicator_id)
    return score or _score_without_fast_path(user, pk, indicator_id)


def _score_without_fast_path(user, pk: int, indicator_id: int):
    """The autosave row when the one-query path found none: decide 404/403, or create it."""
    assessment = get_object_or_404(assessments_visible_to(user).select_related("cycle"), pk=pk)
    assignment = assignment_of(user, assessment)
    if assignment is None:
        raise PermissionDenied(_("Hanya evaluator yang ditugaskan yang dapat menilai."))
    get_object_or_404(
        Indicator,
        pk=indicator_id,
        instrument_id=assessment.cycle.instrument_id,
        supplementary=False,
    )
    f02_services.scores_ensure(assignment, [indicator_id])
    score = selectors_f02.score_for_autosave(user=user, assessment_id=pk, indicator_id=indicator_id)
    if score is None:
        raise Http404
    return score


@login_required
@require_POST
def score_autosave(request, pk: int, indicator_id: int):
    """Save one indicator's level, note and recommendation. A level change answers with the
    refreshed running panel too (out of band): the person, the row, the window, the UPDATE
    with its audit INSERT, the levels for the panel."""
    score = score_row(request.user, pk, indicator_id)
    try:
        posted_version = int(request.POST.get("version", ""))
        version = int(request.POST.get("keep_version") or posted_version)
    except ValueError:
        return HttpResponseBadRequest(_("Versi tidak valid."))
    mine = {
        "level": request.POST.get("level", ""),
        "note": request.POST.get("note", ""),
        "recommendation": request.POST.get("recommendation", ""),
    }
    context = {
        "assessment_pk": pk,
        "indicator": score.indicator,
        "posted_version": posted_version,
        "mine": mine,
    }
    page_url = reverse("evaluations:f02_form", args=[pk]) + f"#indikator-{score.indicator.number}"
    try:
        saved = f02_services.score_autosave(score=score, version=version, by=request.user, **mine)
    except f02_services.ScoreConflict as exc:
        if not _is_htmx(request):
            messages.error(request, _conflict_message(mine, exc.current))
            return redirect(page_url)
        context |= {"current": exc.current, "saved_by": request.user.display_name}
        return _fragment("conflict", context, status=409)
    except WorkflowError as exc:
        if not _is_htmx(request):
            messages.error(request, " ".join(exc.problems))
            return redirect(page_url)
        return _fragment("refused", context | {"problems": exc.problems}, status=409)
    if not _is_htmx(request):
        messages.success(
            request, _("Nilai indikator %(n)s tersimpan.") % {"n": score.indicator.number}
        )
        return redirect(page_url)
    running = None
    if saved.level_changed:
        running = selectors_f02.f02_running(assignment=score.assignment)
    return _fragment("autosaved", {"score": score, "running": running})


def _conflict_message(mine: dict, current) -> str:
    return _(
        "Nilai tidak disimpan karena telah diubah di tempat lain. Nilai Anda: tingkat "
        "%(mine)s. Nilai tersimpan: tingkat %(saved)s."
    ) % {
        "mine": mine["level"] or "—",
        "saved": "—" if current.level is None else current.level,
    }


@login_required
@require_http_methods(["GET", "POST"])
def evaluator_submit(request, pk: int):
    """Hand in this evaluator's F-02 once confirmed (`confirm=1`); first the confirmation
    page, or the page with the list of what is missing."""
    assessment, assignment = own_assignment(request.user, pk)
    try:
        if not confirmed(request):
            f02_services.submission_check(assignment, request.user)
            return _submit_confirmation(request, assessment, assignment)
        f02_services.evaluator_submit(assignment=assignment, by=request.user)
    except WorkflowError as exc:
        return _render_page(request, assessment, assignment, problems=exc.problems)
    messages.success(request, _("F-02 Anda telah diserahkan. Tingkat tim kini dapat Anda lihat."))
    return redirect("evaluations:f02_form", pk=pk)


def _submit_confirmation(request, assessment, assignment):
    pending = selectors_f02.teammates_pending(assignment)
    pk = assessment.pk
    confirmation = Confirmation(
        title=_("Serahkan F-02?"),
        subject=f"{assessment.unit.name} · {assessment.cycle.name}",
        action=reverse("evaluations:evaluator_submit", args=[pk]),
        button=_("Serahkan F-02"),
        cancel=reverse("evaluations:f02_form", args=[pk]),
        frozen=[
            _("Tingkat, catatan dan rekomendasi Anda pada setiap indikator."),
            _("Catatan dan foto kunjungan lapangan Anda."),
        ],
        nobody_told=_(
            "Belum ada yang diberi tahu: moderator diberi tahu setelah evaluator lain "
            "menyerahkan F-02 (%(names)s)."
        )
        % {"names": ", ".join(pending)},
        notes=[_("Setelah diserahkan, tingkat evaluator lain dalam tim dapat Anda lihat.")],
    )
    audiences = [] if pending else [managers_audience(assessment.cycle)]
    return confirm_page(request, confirmation, audiences)


@login_required
@require_POST
def clarification_request_form(request, pk: int):
    """Return the ticked indicators to the unit, each with its question."""
    assessment, assignment = own_assignment(request.user, pk)
    ids = {int(v) for v in request.POST.getlist("indicator") if v.isdigit()}
    indicators = Indicator.objects.filter(
        pk__in=ids, instrument_id=assessment.cycle.instrument_id, supplementary=False
    ).order_by("number")
    items = [(ind, request.POST.get(f"question-{ind.pk}", "")) for ind in indicators]
    try:
        if assignment.submitted_at is not None:
            raise WorkflowError(_("F-02 Anda sudah diserahkan; klarifikasi tidak dapat diminta."))
        clarification_request(assessment=assessment, by=request.user, items=items)
    except WorkflowError as exc:
        clarify = {
            "checked": {ind.pk for ind, _q in items},
            "questions": {ind.pk: q for ind, q in items},
        }
        return _render_page(request, assessment, assignment, problems=exc.problems, clarify=clarify)
    messages.success(
        request,
        _("Permintaan klarifikasi untuk %(n)s indikator telah dikirim ke unit.")
        % {"n": len(items)},
    )
    return redirect("evaluations:f02_form", pk=pk)


# --- Field visit ------------------------------------------------------------------------------


def _visit_lock_reason(assessment: Assessment, assignment) -> str:
    if assignment.submitted_at is not None:
        return _("F-02 Anda sudah diserahkan; catatan kunjungan hanya dapat dibaca.")
    if assessment.status not in VISIT_STATUSES:
        return _("Status penilaian adalah “%(status)s”.") % {
            "status": assessment.get_status_display()
        }
    return window_problem(assessment, Phase.EVALUATION) or ""


@login_required
@require_http_methods(["GET", "POST"])
def field_visit(request, pk: int):
    """The evaluator's field visit: date, people met, observations and photos."""
    assessment, assignment = own_assignment(request.user, pk)
    visit = selectors_f02.field_visit_of(assignment)
    problems: tuple[str, ...] = ()
    if request.method == "POST":
        form = FieldVisitForm(request.POST)
        if form.is_valid():
            try:
                f02_services.field_visit_save(
                    assignment=assignment,
                    date=form.cleaned_data["visit_date"],
                    people_met=form.cleaned_data["people_met"],
                    observations=form.cleaned_data["observations"],
                    photos=request.FILES.getlist("photos"),
                    by=request.user,
                )
            except WorkflowError as exc:
                problems = exc.problems
            else:
                messages.success(request, _("Catatan kunjungan lapangan tersimpan."))
                return redirect("evaluations:field_visit", pk=pk)
        else:
            problems = form.problems()
        values = request.POST
    else:
        values = {
            "visit_date": visit.visit_date.isoformat() if visit else "",
            "people_met": visit.people_met if visit else "",
            "observations": visit.observations if visit else "",
        }
    context = {
        "assessment": assessment,
        "visit": visit,
        "values": values,
        "problems": problems,
        "lock_reason": _visit_lock_reason(assessment, assignment),
        "max_mb": settings.EVIDENCE_MAX_FILE_MB,
    }
    return render(request, VISIT_PAGE, context)


@login_required
@require_GET
def visit_photo_download(request, photo_id: int):
    """One field-visit photo, inline, to the people who may see it.

    404 for someone who cannot see the assessment at all, 403 for someone who can (the unit,
    leadership) but is not one of the people the visit record is for.
    """
    photo = get_object_or_404(
        FieldVisitPhoto.objects.select_related(
            "visit__assignment__assessment__cycle", "visit__assignment__assessment__unit"
        ),
        pk=photo_id,
    )
    assessment = photo.visit.assignment.assessment
    if not can_view_assessment(request.user, assessment):
        raise Http404
    if not can_view_visit_photos(request.user, assessment):
        raise PermissionDenied
    return private_file_response(
        photo.file, content_type=photo.content_type, filename=photo.original_name, inline=True
    )
