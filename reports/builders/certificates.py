"""Award certificates: issue serials, render one PDF per certificate, bundle the cycle's.

Each certificate is its own one-page WeasyPrint document (the stylesheet, fonts and fetcher
are shared across them by `render_pdf`), stored on the certificate with its checksum; the
bundle concatenates them with pypdf. Rendering is deterministic, so a rerun writes nothing
new: a file whose checksum already matches is left as it is.
"""

import pathlib

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from pekppp.lib.qr import qr_path
from reports.models import Certificate, Document, DocumentKind
from reports.pdf import render_pdf
from reports.services.certificates import (
    CertificateError,
    certificate_file_save,
    certificates_issue,
)

from . import BUILDERS, BuildError, Built, ProgressFn
from .common import document_publication, filename, pdf_bundle

STYLESHEETS = ("css/pdf/certificate.css",)
# One mask for every certificate's QR code: trying all eight took longer than the rest of the page.
QR_MASK = 0


def verification_url(serial: str) -> str:
    """The absolute address of a certificate's public verification page (what the QR holds)."""
    return settings.SITE_URL + reverse("reports:certificate_verify", kwargs={"serial": serial})


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
            "qr": qr_path(url, mask_pattern=QR_MASK),
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

    def render(certificate: Certificate) -> bytes:
        content = certificate_pdf(certificate)
        certificate_file_save(certificate=certificate, content=content)
        return content

    target = pdf_bundle(certificates, render, workdir, progress, "sertifikat.pdf")
    return Built(
        filename("sertifikat", publication.cycle, "pdf", revision=publication.revision), target
    )


BUILDERS[DocumentKind.CERTIFICATES] = build_certificates
