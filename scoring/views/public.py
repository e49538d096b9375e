"""Public pages of published results: no log-in, current publications only.

A cycle without a current publication, or a unit without a published result, is a 404 on
every page, for everyone. Anonymous visitors' answers are cacheable (`public_page`).
"""

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_safe

from pekppp.lib.htmx import wants_fragment

from ..forms import ranking_query_from
from ..middleware import page_variant, request_state
from ..models import Publication
from ..selectors import public as selectors
from ..selectors.province_map import province_map

RANKING_TEMPLATE = "scoring/public/ranking.html"

# The page's language comes from the language cookie, else from Accept-Language.
LANGUAGE_SOURCES = ("Accept-Language", "Cookie")


def _etag(request, *args, **kwargs) -> str:
    return f'"{page_variant(request)}"'


def _last_modified(request, *args, **kwargs):
    return request_state(request).last_modified


def public_page(max_age: str):
    """For anonymous visitors: an ETag and Last-Modified from the current publications, so a
    conditional GET is answered 304 before the view runs; `Cache-Control: public` with the
    setting `max_age` names for browsers and PUBLIC_SHARED_MAX_AGE for shared caches; `Vary`
    on the language's two sources; and the answer may be kept by the portal's public cache
    (`scoring.middleware`) unless the view set `response.shareable = False`. A signed-in
    person's page carries their name and menu: it stays private (`signed_in_no_store`)."""

    def decorator(view):
        conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

        # Compressed here rather than only by the proxy: the copies kept by the portal and by
        # nginx are then a ninth of the size, and nginx serves them without compressing each
        # time. An anonymous page holds no secret for BREACH to guess (no CSRF token), and
        # Django's gzip pads against it anyway. The ETag turns weak, as the encoding differs.
        @gzip_page
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            response = conditional(request, *args, **kwargs)
            patch_cache_control(
                response,
                public=True,
                max_age=getattr(settings, max_age),
                s_maxage=settings.PUBLIC_SHARED_MAX_AGE,
            )
            patch_vary_headers(response, LANGUAGE_SOURCES)
            if not hasattr(response, "shareable"):
                response.shareable = True
            return response

        return wrapper

    return decorator


def _publication_or_404(cycle_pk: int) -> Publication:
    publication = selectors.current_publication(cycle_pk)
    if publication is None:
        raise Http404
    return publication


@require_safe
@public_page("PUBLIC_INDEX_MAX_AGE")
def cycle_list(request):
    """The published cycles, newest first; the newest one's figures shown prominently."""
    publications = selectors.published_cycles()
    return render(
        request,
        "scoring/public/cycle_list.html",
        {"latest": publications[0] if publications else None, "publications": publications},
    )


@require_safe
@public_page("PUBLIC_PAGE_MAX_AGE")
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
@public_page("PUBLIC_PAGE_MAX_AGE")
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
    # The same address answers with a whole page or a table (htmx restoring its history asks
    # for the whole page): caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    # Searches and refused filters have addresses without end: not kept by the portal.
    response.shareable = not (query.search or problems or ranking.problems)
    return response


@require_safe
@public_page("PUBLIC_PAGE_MAX_AGE")
def unit_detail(request, unit_pk: int):
    """A unit's published figures in every published cycle, newest first."""
    history = selectors.unit_history(unit_pk)
    if history is None:
        raise Http404
    return render(request, "scoring/public/unit_detail.html", {"history": history})
