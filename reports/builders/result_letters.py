"""Result letters ("Penyampaian Hasil Evaluasi"): one per agency, and the cycle's bundle.

Each letter is its own WeasyPrint document (like a certificate), stored on its
`ResultLetter` with its checksum; the bundle concatenates the cycle's letters in number order.
Figures come from the publication; the main recommendations per unit are the follow-up items
of its final assessment, lowest final level first.
"""

import pathlib
from collections import defaultdict

from django.conf import settings
from django.utils.translation import gettext as _

from evaluations.models import FollowUpItem
from reports.models import Document, DocumentKind, ResultLetter
from reports.pdf import render_pdf
from reports.services.letters import LetterError, result_letter_file_save, result_letters_issue
from scoring.models import PublishedResult

from . import BUILDERS, BuildError, Built, ProgressFn
from .common import (
    GROUP_LABELS,
    document_publication,
    filename,
    group_counts,
    pdf_bundle,
    published_on,
)

STYLESHEETS = ("css/pdf/result_letter.css",)
# The recommendations a letter lists per unit; the rest are in the unit's follow-up register.
RECOMMENDATIONS_PER_UNIT = 5


def _recommendations(assessment_ids: list[int]) -> dict[int, list[FollowUpItem]]:
    """Each assessment's follow-up items, lowest final level first, then by indicator."""
    items: dict[int, list[FollowUpItem]] = defaultdict(list)
    for item in (
        FollowUpItem.objects.filter(assessment_id__in=assessment_ids)
        .select_related("indicator")
        .order_by("assessment_id", "level", "indicator__number", "pk")
    ):
        items[item.assessment_id].append(item)
    return items


def _earlier_letter(letter: ResultLetter) -> ResultLetter | None:
    """The agency's letter of the cycle's previous publication, which this one replaces."""
    return (
        ResultLetter.objects.filter(
            cycle_id=letter.cycle_id,
            agency_id=letter.agency_id,
            publication__revision__lt=letter.publication.revision,
        )
        .order_by("-publication__revision")
        .first()
    )


def letter_context(letter: ResultLetter) -> dict:
    """What the letter prints (needs `cycle__owner_agency`, `publication__published_by` and
    `agency` loaded)."""
    publication, cycle = letter.publication, letter.cycle
    results = list(
        PublishedResult.objects.filter(
            publication=publication, agency_id=letter.agency_id
        ).order_by("rank", "unit_name", "pk")
    )
    counts = group_counts(publication)
    recommendations = _recommendations([r.assessment_id for r in results if r.assessment_id])
    units = []
    for r in results:
        items = recommendations.get(r.assessment_id, [])
        units.append(
            {
                "result": r,
                "group": GROUP_LABELS.get(r.ranking_group, r.ranking_group),
                "group_count": counts.get(r.ranking_group, 0),
                "recommendations": items[:RECOMMENDATIONS_PER_UNIT],
                "more": max(0, len(items) - RECOMMENDATIONS_PER_UNIT),
            }
        )
    agency_name = results[0].agency_name if results else letter.agency.name
    owner = cycle.owner_agency
    signer = publication.published_by
    return {
        "letter": letter,
        "cycle": cycle,
        "publication": publication,
        "published_on": published_on(publication),
        "issuer": owner.name,
        "issuer_head": owner.head_title or _("Pimpinan %(agency)s") % {"agency": owner.name},
        "agency_name": agency_name,
        "addressee": letter.agency.head_title or _("Pimpinan %(agency)s") % {"agency": agency_name},
        "units": units,
        "deadline": cycle.followup_deadline,
        "signer": {"name": signer.display_name, "nip": signer.nip},
        "replaces": _earlier_letter(letter),
        "site_url": settings.SITE_URL,
    }


def letter_pdf(letter: ResultLetter) -> bytes:
    return render_pdf(
        "reports/pdf/result_letter.html", letter_context(letter), stylesheets=STYLESHEETS
    )


def _issued(document: Document, agency_id: int | None) -> list[ResultLetter]:
    try:
        return result_letters_issue(publication=document_publication(document), agency_id=agency_id)
    except LetterError as error:
        raise BuildError(str(error)) from error


def build_result_letter(document: Document, progress: ProgressFn, workdir: pathlib.Path) -> Built:
    if document.agency_id is None:
        raise BuildError(_("Surat penyampaian hasil memerlukan instansi tujuan."))
    progress(0, 1)
    (letter,) = _issued(document, document.agency_id)
    content = letter_pdf(letter)
    result_letter_file_save(letter=letter, content=content)
    target = workdir / "surat-hasil.pdf"
    target.write_bytes(content)
    progress(1, 1)
    publication = letter.publication
    return Built(
        filename(
            "surat-hasil",
            publication.cycle,
            "pdf",
            revision=publication.revision,
            extra=letter.agency.name,
        ),
        target,
    )


def build_result_letters(document: Document, progress: ProgressFn, workdir: pathlib.Path) -> Built:
    letters = _issued(document, None)

    def render(letter: ResultLetter) -> bytes:
        content = letter_pdf(letter)
        result_letter_file_save(letter=letter, content=content)
        return content

    target = pdf_bundle(letters, render, workdir, progress, "surat-hasil.pdf")
    publication = letters[0].publication
    return Built(
        filename("surat-hasil", publication.cycle, "pdf", revision=publication.revision), target
    )


BUILDERS[DocumentKind.RESULT_LETTER] = build_result_letter
BUILDERS[DocumentKind.RESULT_LETTERS] = build_result_letters
