"""Award certificates: issue serials, render one PDF per certificate, bundle the cycle's.

Each certificate is its own one-page WeasyPrint document (the stylesheet, fonts and fetcher
are shared across them by `render_pdf`), stored on the certificate with its checksum; the
bundle concatenates them with pypdf. Rendering is deterministic, so a rerun writes nothing
new: a file whose checksum already matches is left as it is.
"""

import pathlib

import qrcode
import qrcode.constants
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.models import Certificate, Document, DocumentKind
from reports.pdf import merge_pdfs, render_pdf
from reports.services.certificates import (
    CertificateError,
    certificate_file_save,
    certificates_issue,
)

from . import BUILDERS, BuildError, Built, ProgressFn
from .common import document_publication, filename

STYLESHEETS = ("css/pdf/certificate.css",)
QR_MASK = 0


def verification_url(serial: str) -> str:
    """The absolute address of a certificate's public verification page (what the QR holds)."""
    return settings.SITE_URL + reverse("reports:certificate_verify", kwargs={"serial": serial})


def qr_svg(data: str) -> SafeString:
    """A QR code of `data` as an inline <svg>: each run of dark modules in a row is one
    stroked line of a single path, so WeasyPrint parses a few hundred path commands rather
    than the thousands of one square per module (qrcode's SVG factories).

    The mask pattern is fixed: any mask gives a valid code, and trying all eight to pick the
    "best" took longer than drawing the rest of the certificate.
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK
    )
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}.5h{x - start}")
            else:
                x += 1
    size = len(matrix)
    return mark_safe(  # noqa: S308 - numbers only
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
        f'<path d="{"".join(runs)}" stroke="#000" stroke-width="1" fill="none"/></svg>'
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate's one-page PDF (needs `award`, `cycle` and `result` loaded)."""
    url = verification_url(certificate.serial)
    result = certificate.result
    return render_pdf(
        "reports/pdf/certificate.html",
        {
            "award": certificate.award.title,
            "unit": certificate.unit_name,
            "agency": result.agency_name,
            "cycle": certificate.cycle.name,
            "grade": certificate.grade,
            "grade_label": result.grade_label,
            "ipp": result.ipp,
            "serial": certificate.serial,
            "issued_on": certificate.issued_on,
            "qr": qr_svg(url),
            "verify_url": url,
        },
        stylesheets=STYLESHEETS,
    )


def build_certificates(document: Document, progress: ProgressFn, workdir: pathlib.Path) -> Built:
    publication = document_publication(document)
    try:
        certificates = certificates_issue(publication=publication)
    except CertificateError as error:
        raise BuildError(str(error)) from error
    if not certificates:
        raise BuildError(_("Tidak ada unit yang memenuhi syarat penghargaan pada publikasi ini."))
    total = len(certificates) + 1
    parts = workdir / "certificates"
    parts.mkdir(parents=True, exist_ok=True)
    files = []
    for number, certificate in enumerate(certificates, start=1):
        content = certificate_pdf(certificate)
        certificate_file_save(certificate=certificate, content=content)
        path = parts / f"{number:05d}.pdf"
        path.write_bytes(content)
        files.append(path)
        progress(number, total)
    target = workdir / "sertifikat.pdf"
    merge_pdfs(files, target)
    for path in files:
        path.unlink()
    progress(total, total)
    return Built(
        filename("sertifikat", publication.cycle, "pdf", revision=publication.revision), target
    )


BUILDERS[DocumentKind.CERTIFICATES] = build_certificates
