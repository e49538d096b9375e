"""F-03 for the unit: its survey page (public link, window, figures), paper sheets typed in and
voided, and a new public link.

Who gets what: anonymous → log-in; a person who cannot see the locus → 404; everyone who can
see it reads the page; the unit's operators type in and void paper sheets, they and the
cycle's manager issue a new link (403 for the rest). A refusal (form errors, a file the
checks refuse, a closed window) comes back on the page with every problem named; nothing is
stored. The printable poster is the reports app's (`reports:survey_poster`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from evaluations.forms.survey import PaperSurveyForm, SurveyVoidForm
from evaluations.models import Assessment, SurveyResponse
from evaluations.permissions import can_run_survey, is_operator_of
from evaluations.selectors import survey as selectors
from evaluations.selectors.rubric import instrument_survey_items
from evaluations.services.workflow import WorkflowError

from ..services import survey as services

PAGE = "scoring/survey_manage.html"


def _locus(request, pk: int) -> Assessment:
    return get_object_or_404(selectors.survey_assessments(request.user), pk=pk)


def _back(assessment: Assessment, anchor: str):
    return redirect(reverse("evaluations:survey_manage", args=[assessment.pk]) + anchor)


def _render(request, assessment: Assessment, *, form=None, problems=(), void=None):
    """The page; `form`, `problems` and `void` carry a refused paper sheet or voiding back."""
    user = request.user
    can_run = can_run_survey(user, assessment)
    link = selectors.live_link(assessment)
    if link is None and can_run:
        link = services.survey_link(assessment=assessment, by=user)
    page = selectors.survey_page(
        assessment, link=link, is_operator=is_operator_of(user, assessment), can_run=can_run
    )
    if form is None and page.can_enter:
        form = PaperSurveyForm(items=page.items)
    context = {"page": page, "summary": page.summary, "form": form, "problems": problems}
    return render(request, PAGE, context | {"void": void or {}})


@login_required
@require_safe
def survey_manage(request, pk: int):
    """The locus's survey: full for its operators, read-only for the others who see it."""
    return _render(request, _locus(request, pk))


@login_required
@require_POST
def survey_paper_enter(request, pk: int):
    """One paper respondent typed in, with the scanned sheet: all stored, or nothing."""
    assessment = _locus(request, pk)
    if not is_operator_of(request.user, assessment):
        raise PermissionDenied
    items = instrument_survey_items(assessment.cycle.instrument)
    form = PaperSurveyForm(request.POST, request.FILES, items=items)
    if not form.is_valid():
        return _render(request, assessment, form=form, problems=form.problems())
    try:
        response = services.survey_paper_enter(
            assessment=assessment,
            answers=form.answers(),
            profile=form.profile(),
            sheet=form.cleaned_data["sheet"],
            by=request.user,
        )
    except WorkflowError as exc:
        return _render(request, assessment, form=form, problems=exc.problems)
    messages.success(
        request, _("Isian kertas #%(pk)d tersimpan dan dihitung.") % {"pk": response.pk}
    )
    return _back(assessment, "#kertas")


@login_required
@require_POST
def survey_void(request, pk: int, response_id: int):
    """Void a typed-in paper sheet with a reason; it stays on record and stops counting."""
    assessment = _locus(request, pk)
    response = get_object_or_404(SurveyResponse, pk=response_id, assessment=assessment)
    if not is_operator_of(request.user, assessment):
        raise PermissionDenied
    form = SurveyVoidForm(request.POST)
    if form.is_valid():
        try:
            services.survey_void(
                response=response, reason=form.cleaned_data["reason"], by=request.user
            )
        except WorkflowError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Isian kertas #%(pk)d dibatalkan.") % {"pk": response.pk})
            return _back(assessment, "#kertas")
    else:
        problems = [error for errors in form.errors.values() for error in errors]
    void = {"id": response.pk, "problems": problems, "reason": form.data.get("reason", "")}
    return _render(request, assessment, void=void)


@login_required
@require_POST
def survey_link_reissue(request, pk: int):
    """A new public link; the old one and the posters printed with it stop working."""
    assessment = _locus(request, pk)
    services.survey_link_reissue(assessment=assessment, by=request.user)
    messages.success(
        request,
        _(
            "Tautan survei baru diterbitkan. Tautan lama dan poster yang sudah dicetak tidak "
            "berlaku lagi: cetak dan pasang poster yang baru."
        ),
    )
    return _back(assessment, "#tautan")
