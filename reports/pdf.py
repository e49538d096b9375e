"""The one way the portal makes a PDF: `render_pdf(template, context)`.

WeasyPrint's costly set-up is done once per process and reused by every document: the font
configuration, the parsed stylesheets and the URL fetcher. The fetcher serves only Django's
static files, so neither a template nor text that reaches one can make the server fetch a
remote address or read an arbitrary file. Output is deterministic: no dates in the metadata,
no file identifier and no time of rendering in the embedded fonts, so the same input gives
byte-identical files whichever font subsetter WeasyPrint finds (HarfBuzz-Subset or fontTools).
"""

import functools
import io
import logging
import mimetypes
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from fontTools.ttLib import TTFont
from pydyf import PDF, Stream
from pypdf import PdfWriter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

DEFAULT_STYLESHEETS = ("css/pdf/document.css",)
# Relative URLs in templates (`{% static %}` gives "/static/…") resolve against this base.
BASE_URL = "file:///"
# Written into every PDF instead of creation dates or random ids.
PDF_OPTIONS = {"pdf_identifier": False, "custom_metadata": False, "uncompressed_pdf": False}


class ResourceRefused(ValueError):
    """A PDF asked for a resource that is not one of the portal's static files."""


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT), *(Path(d) for d in settings.STATICFILES_DIRS)]
    return [Path(os.path.realpath(r)) for r in roots]


def static_path(url: str) -> Path:
    """The local file a PDF resource URL stands for, or ResourceRefused.

    Accepted: `STATIC_URL` addresses (resolved through the staticfiles finders) and `file:`
    paths inside STATIC_ROOT or a STATICFILES_DIRS folder. Everything else — http(s), data:,
    files elsewhere, paths escaping a static folder — is refused.
    """
    static_url = settings.STATIC_URL
    if "://" in static_url and url.startswith(static_url):
        relative = url[len(static_url) :]
    else:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"PDF resource refused (not a static file): {url[:100]}")
        path = unquote(parts.path)
        prefix = "/" + static_url.strip("/") + "/"
        if path.startswith(prefix):
            relative = path[len(prefix) :]
        else:
            real = Path(os.path.realpath(path))
            if any(real.is_relative_to(root) for root in _static_roots()) and real.is_file():
                return real
            raise ResourceRefused(f"PDF resource refused (outside static files): {path[:100]}")
    try:
        found = finders.find(unquote(relative.split("?")[0]))
    except SuspiciousFileOperation as error:
        raise ResourceRefused(f"PDF resource refused: {url[:100]}") from error
    if not found:
        raise ResourceRefused(f"PDF resource not found among static files: {url[:100]}")
    return Path(found)


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves static files and refuses everything else."""

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        try:
            path = static_path(url)
        except ResourceRefused:
            logger.warning("PDF resource refused: %s", url[:200])
            raise
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


@functools.cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def url_fetcher() -> StaticFilesFetcher:
    return StaticFilesFetcher()


@functools.cache
def stylesheet(name: str) -> CSS:
    """The parsed stylesheet at static path `name`, parsed once per process."""
    return CSS(
        filename=str(static_path(f"{BASE_URL}{settings.STATIC_URL.lstrip('/')}{name}")),
        font_config=font_config(),
        url_fetcher=url_fetcher(),
    )


def pin_font_dates(_document: Any, pdf: PDF) -> None:
    """WeasyPrint finisher: each embedded font's `head.modified` date becomes its `created` date.

    Without HarfBuzz-Subset (Debian's libharfbuzz-subset0) WeasyPrint subsets fonts with
    fontTools, which writes the time of saving into the font's `head` table; the same input
    rendered a second later then gives other bytes (and, compressed, a different file from
    the font on). HarfBuzz keeps the font file's own dates; fonts whose two dates already
    agree are left as they are.
    """
    for obj in pdf.objects:
        # Embedded font files, as the PDF format marks them: TrueType streams carry
        # /Length1, OpenType (CFF) ones /Subtype /OpenType.
        if not isinstance(obj, Stream) or not (
            "Length1" in obj.extra or obj.extra.get("Subtype") == "/OpenType"
        ):
            continue
        data = b"".join(obj.stream)
        if data[:4] == b"ttcf":  # a whole collection: WeasyPrint only embeds one unsubset
            continue
        font = TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False)
        head = font["head"]
        if head.modified == head.created:
            continue
        head.modified = head.created
        out = io.BytesIO()
        font.save(out)
        obj.stream = [out.getvalue()]
        if "Length1" in obj.extra:
            obj.extra["Length1"] = len(obj.stream[0])


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    target: str | os.PathLike | None = None,
    stylesheets: Sequence[str] = DEFAULT_STYLESHEETS,
) -> bytes | None:
    """Render a Django template to PDF: the bytes, or None once written to `target`.

    `stylesheets` are static paths (e.g. "css/pdf/certificate.css"), parsed once per process.
    Documents are written in the portal's language (Bahasa Indonesia) whatever the caller's.
    """
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, dict(context))
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())
    return document.write_pdf(
        target,
        finisher=pin_font_dates,
        stylesheets=[stylesheet(name) for name in stylesheets],
        font_config=font_config(),
        **PDF_OPTIONS,
    )


def css_string(text: str) -> SafeString:
    """`text` as a quoted CSS string, for page headers set in a template's <style> element.

    Everything but plain letters, digits and a few marks becomes a CSS escape, so no text
    can end the string, the rule or the <style> element.
    """
    safe = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in " .,:;()-/") else f"\\{ord(ch):x} "
        for ch in text
    )
    return mark_safe(f'"{safe}"')  # noqa: S308 - escaped above


def merge_pdfs(sources: Iterable[str | os.PathLike], target: str | os.PathLike) -> int:
    """Concatenate PDF files into `target` (deterministic: no ids, no dates); the page count."""
    writer = PdfWriter()
    for source in sources:
        writer.append(os.fspath(source))
    writer.add_metadata({"/Producer": "PEKPPP"})
    with open(target, "wb") as out:
        writer.write(out)
    return len(writer.pages)
