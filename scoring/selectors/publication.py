"""Reads of the publication workflow: what stands in the way of publishing a cycle
(`cycle_validation`, which `services.publication.cycle_publish` also enforces), the validation
page with its exclusions and revisions, one revision's figures and what a correction changed,
and a unit's own published result.

Each function costs a fixed number of queries whatever the number of loci or results.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from evaluations.models import Assessment, AssessmentStatus, Cycle
from units.models import RankingGroup

from ..models import Exclusion, Publication, PublishedResult

PENDING_SHOWN = 100
RESULTS_PAGE_SIZE = 100
CHANGES_SHOWN = 500


@dataclass(frozen=True)
class ValidationReport:
    loci: int
    final: int
    excluded: int
    # Loci that are neither final (with a result) nor excluded: (assessment id, unit, status).
    pending: tuple[tuple[int, str, str], ...]

    @property
    def is_valid(self) -> bool:
        return self.loci > 0 and not self.pending and self.final > 0


def cycle_validation(cycle: Cycle) -> ValidationReport:
    """Whether every locus of `cycle` is final with a result, or excluded with a reason."""
    rows = list(
        Assessment.objects.filter(cycle=cycle)
        .order_by("unit__name")
        .values_list("pk", "unit__name", "status", "exclusion__pk", "result__pk")
    )
    labels = dict(AssessmentStatus.choices)
    pending = []
    final = excluded = 0
    for pk, unit_name, status, exclusion, result in rows:
        if exclusion is not None:
            excluded += 1
        elif status == AssessmentStatus.FINAL and result is not None:
            final += 1
        else:
            pending.append((pk, unit_name, str(labels.get(status, status))))
    return ValidationReport(loci=len(rows), final=final, excluded=excluded, pending=tuple(pending))


def publishable_unit_ids(cycle: Cycle) -> QuerySet:
    """The units whose results the next revision of `cycle` would publish (final with a
    result, not excluded), as a subquery of ids: whom the publication will tell."""
    return Assessment.objects.filter(
        cycle=cycle,
        status=AssessmentStatus.FINAL,
        result__isnull=False,
        exclusion__isnull=True,
    ).values("unit_id")


@dataclass(frozen=True, slots=True)
class PublicationOverview:
    """What the publication page of a cycle shows."""

    report: ValidationReport
    pending: tuple[tuple[int, str, str], ...]  # the first PENDING_SHOWN of `report.pending`
    exclusions: tuple[Exclusion, ...]
    revisions: tuple[Publication, ...]  # newest first

    @property
    def pending_hidden(self) -> int:
        return len(self.report.pending) - len(self.pending)

    @property
    def current(self) -> Publication | None:
        return next((p for p in self.revisions if p.is_current), None)


def publication_overview(cycle: Cycle) -> PublicationOverview:
    """The validation report of `cycle`, its exclusions (with who and why) and every published
    revision (three queries)."""
    report = cycle_validation(cycle)
    exclusions = (
        Exclusion.objects.filter(assessment__cycle=cycle)
        .select_related("assessment__unit", "assessment__cycle", "excluded_by")
        .order_by("assessment__unit__name", "pk")
    )
    revisions = (
        Publication.objects.filter(cycle=cycle)
        .select_related("published_by")
        .order_by("-revision")
        .defer("summary")
    )
    return PublicationOverview(
        report=report,
        pending=report.pending[:PENDING_SHOWN],
        exclusions=tuple(exclusions),
        revisions=tuple(revisions),
    )


@dataclass(frozen=True, slots=True)
class SummaryRow:
    label: str
    count: int
    ipp: Decimal | None
    grades: tuple[int, ...]  # in `SummaryTable.grades` order
    aspects: tuple[Decimal | None, ...]  # in `SummaryTable.aspects` order


@dataclass(frozen=True, slots=True)
class SummaryTable:
    """A publication's stored summary laid out as tables: one row per group, then the nation."""

    aspects: tuple[tuple[str, str], ...]  # (code, name)
    grades: tuple[tuple[str, str], ...]  # (grade, label), best first
    groups: tuple[SummaryRow, ...]
    national: SummaryRow


def summary_table(summary: Mapping[str, Any], national_label: str) -> SummaryTable:
    """The figures of `Publication.summary` (see `services.publication.publication_summary`)."""
    aspects = tuple((a["code"], a["name"]) for a in summary["aspects"])
    grades = tuple((g["grade"], g["label"]) for g in summary["grades"])
    labels = dict(RankingGroup.choices)

    def row(label: str, block: Mapping[str, Any]) -> SummaryRow:
        return SummaryRow(
            label=label,
            count=block["count"],
            ipp=_number(block["ipp"]),
            grades=tuple(block["grades"].get(grade, 0) for grade, _label in grades),
            aspects=tuple(_number(block["aspects"].get(code)) for code, _name in aspects),
        )

    return SummaryTable(
        aspects=aspects,
        grades=grades,
        groups=tuple(row(str(labels.get(g["group"], g["group"])), g) for g in summary["groups"]),
        national=row(national_label, summary["national"]),
    )


def _number(value: str | None) -> Decimal | None:
    # The summary keeps exact figures as strings ("4.51"); pages show them as numbers.
    return None if value is None else Decimal(value)


def publication_revisions(
    cycle: Cycle, revision: int
) -> tuple[Publication | None, Publication | None]:
    """Revision `revision` of `cycle` and the one before it (None where absent): one query."""
    found = {
        p.revision: p
        # Two exact lookups, not `__in`: Django finds nothing for a number beyond the
        # database's integers with `=`, where SQLite's driver fails on it in a list.
        for p in Publication.objects.filter(
            Q(revision=revision) | Q(revision=revision - 1), cycle=cycle
        ).select_related("published_by", "instrument")
    }
    return found.get(revision), found.get(revision - 1)


def revision_results(publication: Publication, page: str | int = 1) -> Page:
    """One page (RESULTS_PAGE_SIZE) of a revision's results by national rank (two queries)."""
    rows = PublishedResult.objects.filter(publication=publication).order_by(
        "rank_national", "unit_name", "pk"
    )
    return Paginator(rows, RESULTS_PAGE_SIZE).get_page(page)


@dataclass(frozen=True, slots=True)
class UnitChange:
    unit_name: str
    agency_name: str
    old_ipp: Decimal | None  # None: not in the previous revision
    old_grade: str
    new_ipp: Decimal | None  # None: left out of this revision
    new_grade: str


@dataclass(frozen=True, slots=True)
class RevisionChanges:
    rows: tuple[UnitChange, ...]  # at most CHANGES_SHOWN, by unit name
    more: bool  # more changes than shown


def revision_changes(publication: Publication, previous: Publication) -> RevisionChanges:
    """The units whose IPP or grade differ between `previous` and `publication`, including
    units added to or left out of the correction (two queries)."""
    before = PublishedResult.objects.filter(publication=previous, unit=OuterRef("unit"))
    changed = (
        PublishedResult.objects.filter(publication=publication)
        .annotate(
            old_ipp=Subquery(before.values("ipp")[:1]),
            old_grade=Subquery(before.values("grade")[:1]),
        )
        .filter(Q(old_ipp__isnull=True) | ~Q(old_ipp=F("ipp")) | ~Q(old_grade=F("grade")))
        .order_by("unit_name", "pk")
        .values_list("unit_name", "agency_name", "old_ipp", "old_grade", "ipp", "grade")
    )
    dropped = (
        PublishedResult.objects.filter(publication=previous)
        .exclude(unit__in=PublishedResult.objects.filter(publication=publication).values("unit"))
        .order_by("unit_name", "pk")
        .values_list("unit_name", "agency_name", "ipp", "grade")
    )
    rows = [
        UnitChange(name, agency, _decimal(old_ipp), old_grade or "", ipp, grade)
        for name, agency, old_ipp, old_grade, ipp, grade in changed[: CHANGES_SHOWN + 1]
    ]
    rows += [
        UnitChange(name, agency, ipp, grade, None, "")
        for name, agency, ipp, grade in dropped[: CHANGES_SHOWN + 1]
    ]
    rows.sort(key=lambda c: c.unit_name.lower())
    return RevisionChanges(rows=tuple(rows[:CHANGES_SHOWN]), more=len(rows) > CHANGES_SHOWN)


def _decimal(value) -> Decimal | None:
    # A subquery's decimal comes back untyped on SQLite (a float): 2 decimals recover it.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def with_published_result(assessments: QuerySet, limit: int) -> list:
    """The first `limit` of `assessments`, each with its unit's figures in the current
    publication of its cycle (`published_ipp`, `published_grade`, `published_grade_label`;
    None while the cycle is unpublished or the locus was left out). Subqueries of the same
    query: no extra query."""
    current = PublishedResult.objects.filter(
        publication__cycle=OuterRef("cycle"),
        publication__is_current=True,
        unit=OuterRef("unit"),
    )
    rows = list(
        assessments.annotate(
            published_ipp=Subquery(current.values("ipp")[:1]),
            published_grade=Subquery(current.values("grade")[:1]),
            published_grade_label=Subquery(current.values("grade_label")[:1]),
        )[:limit]
    )
    for row in rows:
        row.published_ipp = _decimal(row.published_ipp)
    return rows
