"""Issuing award certificates from a publication: serials that never change, revocations.

One certificate per (cycle, unit, award), however often issuance runs: a rerun reuses the
serial and refreshes the figures from the current publication. A correction that drops a unit
from an award's list revokes its certificate with a reason; the row and its serial stay, so
the verification page can say the certificate was revoked and why.
"""

import re
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Cycle
from reports.models import Award, Certificate
from scoring.models import Publication, PublishedResult

from .issuing import current_for_issue, file_save_checked

SERIAL_PREFIX = "PEKPPP"
_SEQUENCE = re.compile(r"/(\d+)$")


class CertificateError(ValueError):
    """Certificates cannot be issued from this publication (the message says why)."""


def serial_prefix(cycle: Cycle) -> str:
    """ "PEKPPP/2023/N/": the year and the scheme's initial (Nasional, Mandiri, Khusus)."""
    return f"{SERIAL_PREFIX}/{cycle.year}/{cycle.scheme[:1].upper()}/"


def award_qualifies(award: Award, result: PublishedResult) -> bool:
    """Whether a published result earns the award. An award with both rules asks for both:
    a grade in `grades` and a rank within its group of at most `top_per_group`."""
    if award.grades and result.grade not in award.grades:
        return False
    if award.top_per_group is not None and result.rank > award.top_per_group:
        return False
    return True


def _next_sequence(prefix: str) -> int:
    serials = Certificate.objects.filter(serial__startswith=prefix).values_list("serial", flat=True)
    numbers = [int(m.group(1)) for s in serials if (m := _SEQUENCE.search(s))]
    return max(numbers, default=0) + 1


@transaction.atomic
def certificates_issue(*, publication: Publication) -> list[Certificate]:
    """Issue (or refresh) the certificates of every active award from `publication`, and revoke
    those whose unit no longer qualifies. Returns the cycle's valid certificates by serial.

    Serials are "PEKPPP/<year>/<scheme initial>/<sequence>", the sequence counting up across
    the cycles sharing the prefix; new ones are numbered by award, then national rank.
    """
    publication = current_for_issue(publication, CertificateError)
    cycle = publication.cycle
    # Cycles sharing a serial prefix are locked together, so two jobs never pick one number.
    list(
        Cycle.objects.select_for_update()
        .filter(year=cycle.year, scheme=cycle.scheme)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    issued_on = timezone.localdate(publication.published_at)
    prefix = serial_prefix(cycle)
    sequence = _next_sequence(prefix)
    results = list(
        PublishedResult.objects.filter(publication=publication).order_by(
            "rank_national", "unit_name", "pk"
        )
    )
    existing = {
        (c.award_id, c.unit_id): c
        for c in Certificate.objects.filter(cycle=cycle).select_related("result")
    }
    now = timezone.now()
    qualifying: set[tuple[int, int]] = set()
    awards = list(Award.objects.filter(is_active=True).order_by("code"))
    for award in awards:
        for result in results:
            if not award_qualifies(award, result):
                continue
            key = (award.pk, result.unit_id)
            qualifying.add(key)
            certificate = existing.get(key)
            if certificate is None:
                Certificate.objects.create(
                    serial=f"{prefix}{sequence:05d}",
                    cycle=cycle,
                    unit_id=result.unit_id,
                    award=award,
                    result=result,
                    unit_name=result.unit_name,
                    grade=result.grade,
                    issued_on=issued_on,
                )
                sequence += 1
            else:
                _refresh(certificate, result, issued_on)
    # A deactivated award issues nothing new; the certificates it already gave stay valid.
    active = {award.pk for award in awards}
    for key, certificate in existing.items():
        if key not in qualifying and not certificate.is_revoked and key[0] in active:
            certificate.revoked_at = now
            certificate.revoked_reason = _revocation_reason(publication)
            certificate.save(update_fields=["revoked_at", "revoked_reason"])
    return list(
        Certificate.objects.filter(cycle=cycle, revoked_at__isnull=True)
        .select_related("award", "cycle", "result")
        .order_by("serial")
    )


def _refresh(certificate: Certificate, result: PublishedResult, issued_on) -> None:
    """Point a still-qualifying certificate at the current figures; a changed figure (or a
    revoked certificate coming back) is a re-issue, dated by the new publication."""
    old = certificate.result
    changed = (
        certificate.is_revoked
        or certificate.grade != result.grade
        or certificate.unit_name != result.unit_name
        or old.ipp != result.ipp
        or old.agency_name != result.agency_name
    )
    fields: Sequence[str] = ["result"]
    certificate.result = result
    if changed:
        certificate.grade = result.grade
        certificate.unit_name = result.unit_name
        certificate.issued_on = issued_on
        certificate.revoked_at = None
        certificate.revoked_reason = ""
        fields = ["result", "grade", "unit_name", "issued_on", "revoked_at", "revoked_reason"]
    if certificate.result_id != old.pk or changed:
        certificate.save(update_fields=fields)


def _revocation_reason(publication: Publication) -> str:
    reason = _(
        "Unit tidak lagi memenuhi syarat penghargaan pada publikasi revisi %(revision)s."
    ) % {"revision": publication.revision}
    if publication.reason:
        reason = f"{reason} {_('Alasan koreksi')}: {publication.reason}"
    return reason


def certificate_file_save(*, certificate: Certificate, content: bytes) -> bool:
    """Store a certificate's PDF with its checksum, unless the stored file already has it.
    Returns whether anything was written."""
    return file_save_checked(instance=certificate, content=content)
