"""Validation and publication of a cycle: the immutable snapshot the public and documents read.

`cycle_publish` refuses what `selectors.publication.cycle_validation` reports, and freezes every
final, non-excluded result into a new `Publication` revision, with ranks and the national
summary computed once. Nothing here ever updates a published row: a correction is a new
revision with a reason, and the previous one stays (no longer current).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Aspect, Assessment, AssessmentStatus, Cycle, GradeBand
from evaluations.notifications import notify_publication
from evaluations.permissions import can_manage_cycle
from units.models import RankingGroup

from ..engine import round_half_up
from ..models import Exclusion, Publication, PublishedResult, Result
from ..selectors.publication import cycle_validation
from ..tasks import opendata_files_build

TOP_UNITS = 10
# A refusal names at most this many pending loci; the publication page lists them all.
PROBLEMS_LISTED = 20
_BATCH = 2000


class PublicationError(ValueError):
    """Publishing (or excluding) was refused; `problems` say why, one line each."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@transaction.atomic
def locus_exclude(*, assessment: Assessment, user, reason: str) -> Exclusion:
    """Leave a locus out of the cycle's publication (from the next revision on)."""
    if not can_manage_cycle(user, assessment.cycle):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise PublicationError([_("Alasan pengecualian wajib diisi.")])
    # Serialised with `cycle_publish`: a publication sees an exclusion whole or not at all.
    _lock(assessment.cycle)
    exclusion, _created = Exclusion.objects.update_or_create(
        assessment=assessment, defaults={"reason": reason, "excluded_by": user}
    )
    return exclusion


@transaction.atomic
def locus_include(*, assessment: Assessment, user) -> None:
    """Take a locus back into the cycle's publication (from the next revision on)."""
    if not can_manage_cycle(user, assessment.cycle):
        raise PermissionDenied
    _lock(assessment.cycle)
    Exclusion.objects.filter(assessment=assessment).delete()


def _lock(cycle: Cycle) -> Cycle:
    """The cycle's row, locked until the transaction ends (publishing and exclusions queue)."""
    return Cycle.objects.select_for_update().get(pk=cycle.pk)


def competition_ranks(values: Sequence[Decimal]) -> list[int]:
    """Ranks of `values` sorted from best to worst, ties sharing a rank ("1, 2, 2, 4")."""
    ranks: list[int] = []
    for position, value in enumerate(values, start=1):
        if position > 1 and value == values[position - 2]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position)
    return ranks


def _average(values: Iterable[Decimal]) -> str | None:
    values = list(values)
    if not values:
        return None
    return str(round_half_up(sum((Fraction(v) for v in values), Fraction(0)) / len(values)))


def publication_summary(
    rows: Sequence[PublishedResult],
    aspects: Sequence[tuple[str, str]],
    bands: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """National figures of a publication, as JSON: exact averages rounded half-up once.

    `rows` are sorted by national rank. Grades are listed in the instrument's band order
    (best first), with any grade outside the bands appended.
    """
    grades = [code for code, _label in bands]
    grades += sorted({r.grade for r in rows} - set(grades))
    band_label = dict(bands)

    def distribution(members: Sequence[PublishedResult]) -> dict[str, int]:
        counts = dict.fromkeys(grades, 0)
        for r in members:
            counts[r.grade] += 1
        return counts

    def block(members: Sequence[PublishedResult]) -> dict[str, Any]:
        return {
            "count": len(members),
            "ipp": _average(r.ipp for r in members),
            "grades": distribution(members),
            "aspects": {
                code: _average(Decimal(r.aspects[code]) for r in members if code in r.aspects)
                for code, _name in aspects
            },
        }

    by_group: dict[str, list[PublishedResult]] = defaultdict(list)
    by_province: dict[int, list[PublishedResult]] = defaultdict(list)
    for r in rows:
        by_group[r.ranking_group].append(r)
        if r.province_id is not None:
            by_province[r.province_id].append(r)
    provinces = sorted(by_province.values(), key=lambda members: members[0].province_name)
    return {
        "aspects": [{"code": code, "name": name} for code, name in aspects],
        "grades": [{"grade": g, "label": band_label.get(g, g)} for g in grades],
        "national": block(rows),
        "groups": [
            {"group": value, **block(by_group[value])}
            for value, _label in RankingGroup.choices
            if value in by_group
        ],
        "provinces": [
            {
                "id": members[0].province_id,
                "name": members[0].province_name,
                "count": len(members),
                "ipp": _average(r.ipp for r in members),
            }
            for members in provinces
        ],
        "top": [
            {
                "unit": r.unit_id,
                "unit_name": r.unit_name,
                "agency_name": r.agency_name,
                "group": r.ranking_group,
                "ipp": str(r.ipp),
                "grade": r.grade,
                "rank": r.rank_national,
            }
            for r in rows[:TOP_UNITS]
        ],
    }


def assign_ranks(rows: list[PublishedResult]) -> None:
    """Set the three ranks of every row; `rows` must be sorted by IPP, best first."""
    for r, rank in zip(rows, competition_ranks([r.ipp for r in rows]), strict=True):
        r.rank_national = rank
    for attr, field in (("ranking_group", "rank"), ("service_type_id", "rank_service_type")):
        members: dict[Any, list[PublishedResult]] = defaultdict(list)
        for r in rows:
            members[getattr(r, attr)].append(r)
        for group in members.values():
            ranks = competition_ranks([r.ipp for r in group])
            for r, rank in zip(group, ranks, strict=True):
                setattr(r, field, rank)


def _survey_settings(cycle: Cycle, rows: Sequence[PublishedResult]) -> dict[str, Any]:
    """The cycle's σ and m when it is published (the instrument's unless the cycle overrides
    them), and how many of the published units had their survey counted: what the public
    pages and the ranked report need to say why a survey did not count."""
    return {
        "weight": str(cycle.effective_survey_weight),
        "min_respondents": cycle.effective_min_respondents,
        "counted": sum(1 for r in rows if r.survey_index is not None),
    }


def publication_problems(cycle: Cycle, reason: str = "") -> list[str]:
    """Why `cycle` cannot be published now with `reason` (empty when it can): a pending
    locus, no final result, a correction without a reason. Reads only; the confirmation page
    asks this first."""
    report = cycle_validation(cycle)
    problems = [
        _("%(unit)s belum final (status: %(status)s) dan tidak dikecualikan.")
        % {"unit": unit, "status": status}
        for _pk, unit, status in report.pending[:PROBLEMS_LISTED]
    ]
    if len(report.pending) > PROBLEMS_LISTED:
        problems.append(
            _("… dan %(count)s lokus lain belum final dan tidak dikecualikan.")
            % {"count": len(report.pending) - PROBLEMS_LISTED}
        )
    if not report.final:
        problems.append(_("Tidak ada hasil final untuk dipublikasikan."))
    if not reason.strip() and Publication.objects.filter(cycle=cycle).exists():
        problems.append(_("Publikasi ulang (koreksi) wajib disertai alasan."))
    return problems


@transaction.atomic
def cycle_publish(*, cycle: Cycle, user, reason: str = "") -> Publication:
    """Publish `cycle`'s results as a new revision; the first publication needs no reason,
    every correction does. Refused (PublicationError) while a locus is pending."""
    if not can_manage_cycle(user, cycle):
        raise PermissionDenied
    # Two publishes of one cycle queue here: the second sees the first's revision.
    cycle = _lock(cycle)
    problems = publication_problems(cycle, reason)
    if problems:
        raise PublicationError(problems)
    reason = reason.strip()
    previous = Publication.objects.filter(cycle=cycle).order_by("-revision").first()
    results = (
        Result.objects.filter(
            assessment__cycle=cycle,
            assessment__status=AssessmentStatus.FINAL,
            assessment__exclusion__isnull=True,
        )
        .select_related("assessment__unit__agency", "assessment__unit__service_type", "province")
        .order_by("-ipp", "assessment__unit__name", "pk")
    )
    engine_versions = set(results.order_by().values_list("engine_version", flat=True).distinct())
    if len(engine_versions) > 1:
        # A publication records one engine version: mixed ones mean a recompute was skipped.
        raise PublicationError(
            [
                _(
                    "Hasil periode ini dihitung dengan versi mesin yang berbeda (%(versions)s); "
                    "hitung ulang hasil periode (recompute_scores) sebelum publikasi."
                )
                % {"versions": ", ".join(sorted(engine_versions))}
            ]
        )
    rows: list[PublishedResult] = []
    for r in results.iterator(chunk_size=_BATCH):
        rows.append(
            PublishedResult(
                assessment_id=r.assessment_id,
                unit_id=r.assessment.unit_id,
                unit_name=r.assessment.unit.name,
                agency_id=r.assessment.unit.agency_id,
                agency_name=r.assessment.unit.agency.name,
                province_id=r.province_id,
                province_name=r.province.name if r.province else "",
                service_type_id=r.service_type_id,
                service_type_name=r.assessment.unit.service_type.name,
                ranking_group=r.ranking_group,
                aspects=r.aspects,
                levels=r.inputs.get("levels", {}),
                evaluator_index=r.evaluator_index,
                respondents=r.respondents,
                survey_index=r.survey_index,
                survey_reason=r.survey_reason,
                ipp=r.ipp,
                grade=r.grade,
                grade_label=r.grade_label,
            )
        )
    assign_ranks(rows)
    aspects = list(
        Aspect.objects.filter(instrument_id=cycle.instrument_id)
        .order_by("order")
        .values_list("code", "name")
    )
    bands = list(
        GradeBand.objects.filter(instrument_id=cycle.instrument_id)
        .order_by("-max_ipp")
        .values_list("grade", "label")
    )
    if previous is not None:
        Publication.objects.filter(cycle=cycle, is_current=True).update(is_current=False)
    publication = Publication.objects.create(
        cycle=cycle,
        revision=(previous.revision + 1) if previous else 1,
        reason=reason,
        is_current=True,
        published_by=user,
        published_at=timezone.now(),
        instrument_id=cycle.instrument_id,
        engine_version=next(iter(engine_versions), ""),
        result_count=len(rows),
        summary=publication_summary(rows, aspects, bands)
        | {"survey": _survey_settings(cycle, rows)},
    )
    for r in rows:
        r.publication = publication
    PublishedResult.objects.bulk_create(rows, batch_size=_BATCH)
    notify_publication(
        cycle=cycle,
        revision=publication.revision,
        reason=reason,
        unit_ids=[r.unit_id for r in rows],
    )
    # The open data files of the revision, ready before the public asks (scoring/tasks.py).
    transaction.on_commit(partial(opendata_files_build.delay, publication.pk))
    return publication
