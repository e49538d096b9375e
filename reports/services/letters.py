"""Result letters: numbering each agency's letter of a publication, storing its file.

A letter is numbered when it is first built and keeps its number and date on every rebuild
(its agency's own job or the cycle's bundle), so the same letter always carries the same
number. The sequence counts per cycle; a correction (a new publication) gives each agency a
new letter with the next number, and that letter names the one it replaces.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Cycle
from reports.models import ResultLetter
from scoring.models import Publication, PublishedResult

from .issuing import current_for_issue, file_save_checked

# "B" (biasa: an ordinary, not confidential letter), the sequence, the portal's code with the
# cycle's id (sequences are per cycle, so two cycles of one year never share a number), year.
NUMBER_FORMAT = "B/{sequence}/PEKPPP.{cycle}/{year}"


class LetterError(ValueError):
    """The letters cannot be issued from this publication (the message says why)."""


def letter_number(cycle: Cycle, sequence: int) -> str:
    return NUMBER_FORMAT.format(sequence=sequence, cycle=cycle.pk, year=cycle.year)


@transaction.atomic
def result_letters_issue(
    *, publication: Publication, agency_id: int | None = None
) -> list[ResultLetter]:
    """The letters of `publication` — of one agency, or of every agency with a unit in it —
    by number. A letter issued before keeps its number and date; a new one takes the cycle's
    next number (new ones in the order of province and agency name) and today's date."""
    publication = current_for_issue(publication, LetterError)
    cycle = publication.cycle
    # One numbering job per cycle at a time: two jobs never take the same number.
    list(Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk", flat=True))
    results = PublishedResult.objects.filter(publication=publication)
    if agency_id is not None:
        results = results.filter(agency_id=agency_id)
    agencies = list(
        results.values_list("agency_id", flat=True)
        .order_by("province_name", "agency_name", "agency_id")
        .distinct()
    )
    if not agencies:
        raise LetterError(_("Tidak ada unit instansi ini dalam publikasi hasil periode ini."))
    issued = set(
        ResultLetter.objects.filter(publication=publication).values_list("agency_id", flat=True)
    )
    sequence = ResultLetter.objects.filter(cycle=cycle).aggregate(last=Max("sequence"))["last"] or 0
    today = timezone.localdate()
    for agency in agencies:
        if agency in issued:
            continue
        sequence += 1
        ResultLetter.objects.create(
            cycle=cycle,
            publication=publication,
            agency_id=agency,
            sequence=sequence,
            number=letter_number(cycle, sequence),
            issued_on=today,
        )
        issued.add(agency)
    return list(
        ResultLetter.objects.filter(publication=publication, agency_id__in=agencies)
        .select_related("cycle__owner_agency", "publication__published_by", "agency")
        .order_by("sequence")
    )


def result_letter_file_save(*, letter: ResultLetter, content: bytes) -> bool:
    """Store a letter's PDF with its checksum, unless the stored file already has it."""
    return file_save_checked(instance=letter, content=content)
