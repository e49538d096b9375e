"""Public pages of published results: no log-in, current publications only.

A cycle without a current publication, or a unit without a published result, is a 404 on
every page, for everyone.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from pekppp.lib.htmx import wants_fragment

from ..forms import ranking_query_from
from ..models import Publication
from ..selectors import public as selectors
from ..selectors.province_map import province_map

RANKING_TEMPLATE = "scoring/public/ranking.html"


def _publication_or_404(cycle_pk: int) -> Publication:
    publication = selectors.current_publication(cycle_pk)
    if publication is None:
        raise Http404
    return publication


@require_safe
def cycle_list(request):
    """The published cycles, newest first; the newest one's figures shown prominently."""
    publications = selectors.published_cycles()
    return render(
        request,
        "scoring/public/cycle_list.html",
        {"latest": publications[0] if publications else None, "publications": publications},
    )


@require_safe
def cycle_overview(request, cycle_pk: int):
    """National figures of a published cycle, with charts and the same figures as tables,
    and the province map (`?peta=a`: shaded by the share of A/A- units, else by IPP)."""
    publication = _publication_or_404(cycle_pk)
    return render(
        request,
        "scoring/public/cycle_overview.html",
        {
            "overview": selectors.publication_overview(publication),
            "province_map": province_map(publication, request.GET.get("peta", "")),
        },
    )


@require_safe
def cycle_ranking(request, cycle_pk: int):
    """The published ranking of a cycle, filtered and searched; htmx gets only the table."""
    publication = _publication_or_404(cycle_pk)
    query, problems = ranking_query_from(request.GET)
    ranking = selectors.public_ranking(publication, query)
    table_only = wants_fragment(request.headers)
    template = f"{RANKING_TEMPLATE}#ranking-table" if table_only else RANKING_TEMPLATE
    response = render(
        request,
        template,
        {
            "ranking": ranking,
            "cycle": publication.cycle,
            "problems": [*problems, *ranking.problems],
        },
    )
    # The same address answers with a whole page or a table: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def unit_detail(request, unit_pk: int):
    """A unit's published figures in every published cycle, newest first."""
    history = selectors.unit_history(unit_pk)
    if history is None:
        raise Http404
    return render(request, "scoring/public/unit_detail.html", {"history": history})
