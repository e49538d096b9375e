"""Open data of a published cycle: the data page (what the data is, its licence and data
dictionary, the files) and each revision's CSV and XLSX file.

A revision's files never change: they are public for a year and `immutable`, with an ETag
and Last-Modified for revalidation. A cycle that was never published is a 404 for everyone.
"""

from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from ..models import Publication
from ..selectors import opendata

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILE_MAX_AGE = 365 * 24 * 60 * 60
RETRY_AFTER = 30  # seconds: a large XLSX takes tens of seconds to build


@require_safe
def data_page(request, cycle_pk: int):
    """The open data of a published cycle: licence, dictionary, every revision's files."""
    revisions = opendata.published_revisions(cycle_pk)
    if not revisions:
        raise Http404
    current = next(p for p in revisions if p.is_current)
    return render(
        request,
        "scoring/public/data.html",
        {
            "cycle": current.cycle,
            "current": current,
            "revisions": revisions,
            "columns": opendata.columns(current),
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL.format(language=get_language()),
        },
    )


def _revision(request, cycle_pk: int, revision: int, fmt: str) -> Publication | None:
    """The revision asked for, read once per request (ETag, Last-Modified and the file)."""
    if not hasattr(request, "opendata_publication"):
        request.opendata_publication = opendata.published_revision(cycle_pk, revision)
    return request.opendata_publication


def _etag(request, cycle_pk: int, revision: int, fmt: str) -> str | None:
    publication = _revision(request, cycle_pk, revision, fmt)
    return None if publication is None else opendata.file_etag(publication, fmt)


def _modified(request, cycle_pk: int, revision: int, fmt: str):
    publication = _revision(request, cycle_pk, revision, fmt)
    return None if publication is None else publication.published_at


def _long_lived(view):
    """The file (or a 304) is public for a year and immutable; an answer that is not the file
    (a 503 while it is being built) carries no validator and is stored nowhere."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=FILE_MAX_AGE, immutable=True)
        else:
            del response["ETag"]
            del response["Last-Modified"]
            patch_cache_control(response, no_store=True)
        return response

    return wrapped


@require_safe
@_long_lived
@condition(etag_func=_etag, last_modified_func=_modified)
def data_file(request, cycle_pk: int, revision: int, fmt: str):
    """Revision `revision` of a cycle's published results as a CSV or XLSX file."""
    publication = _revision(request, cycle_pk, revision, fmt)
    if publication is None:
        raise Http404
    content = opendata.published_file(publication, fmt)
    if content is None:  # being built by another request or the publication's job
        response = HttpResponse(
            _("Berkas sedang disiapkan. Coba lagi sebentar lagi."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{opendata.file_name(publication, fmt)}"'
    )
    return response
