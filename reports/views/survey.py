"""The printable F-03 poster of a locus, made in the request (one page)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from evaluations import filetypes
from evaluations.models import Phase
from evaluations.permissions import can_run_survey
from evaluations.selectors.rubric import instrument_survey_items
from evaluations.selectors.survey import live_link, survey_assessments
from evaluations.selectors.windows import window_of
from scoring.services.survey import survey_link

from ..builders.survey_poster import survey_poster_pdf


@login_required
@require_safe
def survey_poster(request, pk: int):
    """The A4 poster with the QR code of the locus's live survey link: for the people who run
    the survey (the unit's operators, the cycle's manager). Outsiders get 404, others who
    see the locus 403. Signed-in responses are `Cache-Control: private, no-store`
    (pekppp.accounts.middleware)."""
    assessment = get_object_or_404(survey_assessments(request.user), pk=pk)
    if not can_run_survey(request.user, assessment):
        raise PermissionDenied
    link = live_link(assessment) or survey_link(assessment=assessment, by=request.user)
    window = window_of(assessment, Phase.SURVEY)
    pdf = survey_poster_pdf(
        assessment,
        link,
        items=len(instrument_survey_items(assessment.cycle.instrument)),
        closes_on=window[1] if window else None,
    )
    response = HttpResponse(pdf, content_type=filetypes.PDF.content_type)
    name = f"poster-survei-{slugify(assessment.unit.name)[:80] or assessment.pk}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
