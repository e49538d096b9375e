"""Results written straight to the table, for ranking tests that need many of them fast."""

import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal

from evaluations.models import Assessment, Cycle
from scoring.models import Result
from tests.factories import ASPECTS
from units.models import RANKING_GROUP_OF_KIND, Agency, ServiceScope, ServiceType, ServiceUnit

_seq = itertools.count(1)

# The shipped grade table (domain §4), best first: (grade, lowest IPP, label).
GRADES = [
    ("A", Decimal("4.51"), "Pelayanan Prima"),
    ("A-", Decimal("4.01"), "Sangat Baik"),
    ("B", Decimal("3.51"), "Baik"),
    ("B-", Decimal("3.01"), "Baik (Dengan Catatan)"),
    ("C", Decimal("2.51"), "Cukup"),
    ("C-", Decimal("2.01"), "Cukup (Dengan Catatan)"),
    ("D", Decimal("1.51"), "Buruk"),
    ("E", Decimal("1.01"), "Sangat Buruk"),
    ("F", Decimal("0.00"), "Gagal"),
]


def grade_of(ipp: Decimal) -> tuple[str, str]:
    """(grade, label) of a 2-decimal IPP."""
    for grade, lowest, label in GRADES:
        if ipp >= lowest:
            return grade, label
    raise ValueError(f"IPP {ipp} below 0")


def result_for(
    assessment: Assessment,
    ipp: Decimal | str,
    grade: str | None = None,
    aspects: Mapping[str, str] | None = None,
    *,
    agency: Agency | None = None,
    service_type_id: int | None = None,
) -> Result:
    """An unsaved Result of `assessment` with the locus columns copied as the service does."""
    ipp = Decimal(ipp)
    label = (
        grade_of(ipp)[1]
        if grade is None
        else dict((g, lbl) for g, _, lbl in GRADES).get(grade, grade)
    )
    agency = agency or assessment.unit.agency
    return Result(
        assessment=assessment,
        cycle_id=assessment.cycle_id,
        ranking_group=RANKING_GROUP_OF_KIND[agency.kind],
        province_id=agency.province_id,
        service_type_id=service_type_id or assessment.unit.service_type_id,
        instrument_id=assessment.cycle.instrument_id,
        engine_version="test",
        aspects=dict(aspects) if aspects is not None else dict.fromkeys(ASPECTS, str(ipp)),
        evaluator_index=ipp,
        survey_reason="no_survey",  # as the engine says of a result without respondents
        ipp=ipp,
        grade=grade or grade_of(ipp)[0],
        grade_label=label,
        inputs={},
    )


def make_result(
    assessment: Assessment,
    ipp: Decimal | str,
    grade: str | None = None,
    aspects: Mapping[str, str] | None = None,
) -> Result:
    """A saved Result row for `assessment` (no engine run); grade and label follow the IPP
    unless given, every aspect equals the IPP unless `aspects` is given."""
    result = result_for(assessment, ipp, grade, aspects)
    result.save()
    return result


def make_ranked_units(
    cycle: Cycle,
    ipps: Iterable[Decimal | str],
    *,
    agency: Agency,
    service_type: ServiceType,
    prefix: str = "Unit",
    units: Iterable[ServiceUnit] | None = None,
) -> list[Result]:
    """One unit, locus and result per IPP in `ipps`, written with three bulk inserts.

    Units are named "<prefix> 0001", "<prefix> 0002", … in the order of `ipps`. Pass `units`
    (of `agency`) to evaluate existing units instead, e.g. the same units in an earlier cycle.
    """
    ipps = [Decimal(v) for v in ipps]
    if units is None:
        batch = next(_seq)
        units = ServiceUnit.objects.bulk_create(
            ServiceUnit(
                code=f"RANK{batch:04d}-{i:05d}",
                name=f"{prefix} {i + 1:04d}",
                agency=agency,
                service_type=service_type,
                scope=ServiceScope.ADMINISTRATIF,
            )
            for i in range(len(ipps))
        )
    units = list(units)
    assessments = Assessment.objects.bulk_create(Assessment(cycle=cycle, unit=u) for u in units)
    for a in assessments:
        a.cycle = cycle
    return Result.objects.bulk_create(
        result_for(a, ipp, agency=agency, service_type_id=u.service_type_id)
        for a, u, ipp in zip(assessments, units, ipps, strict=True)
    )
