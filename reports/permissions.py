"""Who may request and download documents and certificates. Views and services call these."""

from evaluations.models import Assessment, Cycle
from evaluations.permissions import can_manage_cycle, can_view_assessment, can_view_cycle
from units.permissions import can_view_agency, is_unit_member

from .models import Certificate, Document, DocumentKind, ResultLetter

# Documents of a whole cycle (every published unit): only for the people who run the cycle.
CYCLE_KINDS = frozenset(
    {
        DocumentKind.RANKED_REPORT_PDF,
        DocumentKind.RANKED_REPORT_XLSX,
        DocumentKind.CERTIFICATES,
        DocumentKind.RESULT_LETTERS,
    }
)
# Documents of one agency of a cycle: made by the people who run the cycle, also downloaded
# by the agency's coordinators and leadership.
AGENCY_KINDS = frozenset({DocumentKind.RESULT_LETTER})


def can_request_document(user, kind: str, cycle: Cycle, assessment: Assessment | None) -> bool:
    """Cycle documents, result letters and Berita Acara: whoever runs the cycle (admins; the
    owner's coordinators for Mandiri). A unit report card also: the unit's operators and
    leadership (whether the unit is published yet is checked by the service, not here)."""
    if can_manage_cycle(user, cycle):
        return True
    return (
        kind == DocumentKind.REPORT_CARD
        and assessment is not None
        and is_unit_member(user, assessment.unit)
    )


def can_see_document(user, document: Document) -> bool:
    """Whether `user` may know the document exists (else 404): people who see its cycle, for
    a per-assessment document the people who see that assessment, and for a result letter
    the agency's coordinators and leadership."""
    if can_view_cycle(user, document.cycle):
        return True
    if document.agency_id is not None and can_view_agency(user, document.agency):
        return True
    return document.assessment is not None and can_view_assessment(user, document.assessment)


def can_download_document(user, document: Document) -> bool:
    """Cycle managers get every document; a unit's operators and leadership get the unit's
    report card (which exists only for a published unit); an agency's coordinators and
    leadership get the agency's result letter."""
    if can_manage_cycle(user, document.cycle):
        return True
    if document.kind in AGENCY_KINDS:
        return document.agency_id is not None and can_view_agency(user, document.agency)
    return (
        document.kind == DocumentKind.REPORT_CARD
        and document.assessment is not None
        and is_unit_member(user, document.assessment.unit)
    )


def can_download_certificate(user, certificate: Certificate) -> bool:
    """Cycle managers, and the certified unit's own people while it is not revoked."""
    if can_manage_cycle(user, certificate.cycle):
        return True
    return not certificate.is_revoked and is_unit_member(user, certificate.unit)


def can_see_certificate(user, certificate: Certificate) -> bool:
    """Whether `user` may know the certificate exists (else 404)."""
    return can_view_cycle(user, certificate.cycle) or is_unit_member(user, certificate.unit)


def can_see_result_letter(user, letter: ResultLetter) -> bool:
    """Whether `user` may know the letter exists (else 404): people who see its cycle, and
    the agency's coordinators and leadership."""
    return can_view_cycle(user, letter.cycle) or can_view_agency(user, letter.agency)


def can_download_result_letter(user, letter: ResultLetter) -> bool:
    """The cycle's managers, and the coordinators and leadership of the agency addressed."""
    return can_manage_cycle(user, letter.cycle) or can_view_agency(user, letter.agency)
