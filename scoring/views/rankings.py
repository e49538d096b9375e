"""Ranking pages: the cycles a person may rank, and one cycle's ranking."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from evaluations.models import Cycle
from pekppp.lib.htmx import wants_fragment
from units.permissions import roles_of

from ..forms import ranking_query_from
from ..permissions import can_view_ranking
from ..selectors import rankings as selectors
from ..selectors.leadership import agency_published_results

DETAIL_TEMPLATE = "scoring/ranking_detail.html"


@login_required
@require_safe
def ranking_list(request):
    """The cycles with results whose ranking the person may see (none for most roles), and
    for a coordinator or leader their agency's units in every published ranking."""
    cycles = list(selectors.ranking_cycles_visible_to(request.user))
    roles = roles_of(request.user)
    published = agency_published_results(roles.coordinator_agencies | roles.leadership_agencies)
    return render(request, "scoring/ranking_list.html", {"cycles": cycles, "published": published})


@login_required
@require_safe
def ranking_detail(request, cycle_id: int):
    """A cycle's ranking, filtered by group, service type, province, grade and unit name.

    GET parameters: kelompok, jenis, provinsi, predikat, q, halaman. A bad value is reported
    on the page and ignored. An htmx request gets only the table.
    """
    cycle = get_object_or_404(Cycle.objects.select_related("owner_agency"), pk=cycle_id)
    if not can_view_ranking(request.user, cycle):
        raise Http404
    query, problems = ranking_query_from(request.GET)
    table_only = wants_fragment(request.headers)
    ranking = selectors.cycle_ranking(
        cycle, query, viewer=request.user, with_summary=not table_only
    )
    context = {
        "cycle": cycle,
        "ranking": ranking,
        "query": query,
        "problems": [*problems, *ranking.problems],
    }
    template = f"{DETAIL_TEMPLATE}#ranking-table" if table_only else DETAIL_TEMPLATE
    response = render(request, template, context)
    # The same address answers with a whole page or a table: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
