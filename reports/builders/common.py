"""What several builders read: the document's publication, dates, names of files."""

import datetime as dt
import pathlib
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from evaluations.models import Assessment, Cycle
from reports.models import Document
from reports.pdf import merge_pdfs
from scoring.models import Publication, PublishedResult
from units.models import RankingGroup

from . import BuildError, ProgressFn

GROUP_LABELS = dict(RankingGroup.choices)


def document_publication(document: Document) -> Publication:
    """The publication a document is built from: the one it names, else the cycle's current."""
    if document.publication_id is not None:
        return Publication.objects.select_related("cycle", "instrument").get(
            pk=document.publication_id
        )
    publication = (
        Publication.objects.select_related("cycle", "instrument")
        .filter(cycle_id=document.cycle_id, is_current=True)
        .first()
    )
    if publication is None:
        raise BuildError(_("Hasil periode ini belum dipublikasikan."))
    return publication


def document_assessment(document: Document) -> Assessment:
    """The assessment (locus) a unit document is about."""
    if document.assessment_id is None:
        raise BuildError(_("Dokumen ini memerlukan lokus (unit yang dievaluasi)."))
    return Assessment.objects.select_related("unit", "cycle").get(pk=document.assessment_id)


def plain_weight(weight: Decimal) -> Decimal:
    """24.000 → 24, 12.500 → 12.5: weights as people write them."""
    return weight.quantize(Decimal(1)) if weight == weight.to_integral() else weight.normalize()


def group_counts(publication: Publication) -> dict[str, int]:
    """How many units each ranking group of the publication has ("1 of N" in documents)."""
    return {g["group"]: g["count"] for g in publication.summary.get("groups", [])}


def pdf_bundle[T](
    items: Sequence[T],
    render: Callable[[T], bytes],
    workdir: pathlib.Path,
    progress: ProgressFn,
    name: str,
) -> pathlib.Path:
    """One PDF of `items` in order: each rendered on its own by `render` (which may also store
    it), then concatenated into `workdir/name`. Progress counts each item, then the merge."""
    total = len(items) + 1
    parts = workdir / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    files = []
    for number, item in enumerate(items, start=1):
        path = parts / f"{number:05d}.pdf"
        path.write_bytes(render(item))
        files.append(path)
        progress(number, total)
    target = workdir / name
    merge_pdfs(files, target)
    for path in files:
        path.unlink()
    progress(total, total)
    return target


def published_on(publication: Publication) -> dt.date:
    """The date printed on documents of a publication (never "today": reruns stay identical)."""
    return timezone.localdate(publication.published_at)


def previous_result(unit_id: int, cycle: Cycle) -> PublishedResult | None:
    """The unit's figures in the most recent earlier-year current publication, if any."""
    return (
        PublishedResult.objects.select_related("publication__cycle")
        .filter(
            unit_id=unit_id, publication__is_current=True, publication__cycle__year__lt=cycle.year
        )
        .order_by("-publication__cycle__year", "-publication__published_at", "-pk")
        .first()
    )


def filename(
    prefix: str, cycle: Cycle, extension: str, *, revision: int = 1, extra: str = ""
) -> str:
    """A download name like "peringkat-pekppp-nasional-2023.pdf" ("-revisi-2" for corrections)."""
    parts = [prefix, slugify(cycle.name)]
    if extra:
        parts.append(slugify(extra))
    if revision > 1:
        parts.append(f"revisi-{revision}")
    return "-".join(p for p in parts if p) + f".{extension}"


def decimal(value: str | Decimal | None) -> Decimal | None:
    """A published figure ("4.79" in JSON) as a Decimal, which templates print localised."""
    if value is None or value == "":
        return None
    return Decimal(value)


def survey_note(reason: str) -> str:
    """Why the survey did not count, in words (the engine stores a code)."""
    notes = {
        "survey_weight_zero": _("Bobot survei 0: IPP = indeks evaluator."),
        "no_survey": _("Tidak ada data survei: IPP = indeks evaluator."),
        "too_few_respondents": _("Responden kurang dari minimum: IPP = indeks evaluator."),
    }
    return notes.get(reason, reason)
