"""Serving private files (evidence, visit photos) once a view has checked who may see them."""

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control

from .. import filetypes


def private_file_response(
    stored, *, content_type: str, filename: str, inline: bool
) -> FileResponse:
    """The stored file with the type checked at upload, never one guessed from the name.

    The name sent ends in an extension of that type (`filetypes.download_name`): a PDF
    uploaded as `laporan.html` is saved as `laporan.html.pdf`, so a saved copy opens as what it
    is. Django builds Content-Disposition (quoted when plain ASCII, else filename*=utf-8''…
    percent-encoded), so quotes, newlines and non-ASCII names cannot break the header.
    """
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filetypes.download_name(filename, content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline and content_type == filetypes.PDF.content_type:
        # No `sandbox` here: Chrome refuses to start its PDF viewer in a sandboxed document,
        # which would leave the F-02 preview blank. The bytes were checked to be a PDF on
        # upload and nosniff pins the type, so this response can only render as a PDF.
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'self'"
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"  # the F-02 page may frame the preview
    patch_cache_control(response, private=True, max_age=3600)
    return response
