"""Virus scan of uploads through ClamAV's daemon, when CLAMD_SOCKET or CLAMD_HOST is set.

The scan runs before a file is stored, inside the upload request: a file that is not known to
be clean never reaches storage, so no download view has to know about scanning. When clamd
cannot be reached the upload is refused (fail closed), not stored for a later scan.
"""

import logging

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from pekppp.lib.clamd import Clamd, ClamdError

logger = logging.getLogger(__name__)


def scanner() -> Clamd | None:
    """The configured clamd, or None when uploads are not scanned."""
    if not (settings.CLAMD_SOCKET or settings.CLAMD_HOST):
        return None
    return Clamd(
        socket_path=settings.CLAMD_SOCKET,
        host=settings.CLAMD_HOST,
        port=settings.CLAMD_PORT,
        timeout=settings.CLAMD_TIMEOUT,
    )


def upload_problem(file: File) -> str | None:
    """Why an upload may not be stored (a virus, or no scanner to ask), or None."""
    clamd = scanner()
    if clamd is None:
        return None
    try:
        found = clamd.scan(file.chunks())
    except ClamdError as exc:
        logger.error("virus scan unavailable, upload refused: %s", exc)
        return _(
            "Pemindai virus sedang tidak dapat dihubungi, sehingga berkas belum dapat diterima. "
            "Silakan coba lagi beberapa saat lagi."
        )
    finally:
        file.seek(0)
    if found:
        logger.warning("virus scan: %s found in an upload, refused", found)
        return _("Berkas ditolak: pemindai virus menemukan %(signature)s.") % {"signature": found}
    return None
