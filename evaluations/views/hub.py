"""The assessment hub: a locus's status, phase windows, team, stored result and history.

Its moderation and finalising buttons lead to scoring's moderation views (they store the
result), which keep their `evaluations:` URL names.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..selectors.moderation import assessment_hub, hub_assessments


@login_required
@require_safe
def assessment_detail(request, pk: int):
    """Status, phase windows, the links of the viewer's role, the result and the history."""
    assessment = get_object_or_404(hub_assessments(request.user), pk=pk)
    hub = assessment_hub(request.user, assessment, page=request.GET.get("halaman") or 1)
    return render(request, "evaluations/assessment_detail.html", {"hub": hub, "a": assessment})
