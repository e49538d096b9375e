"""The scoring engine's only door to the database: results computed from final levels and
survey responses, stored with everything needed to recompute. The specs the engine reads come
from `evaluations.instrument_spec`."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from evaluations.instrument_spec import cycle_spec, instrument_plan
from evaluations.models import Assessment, Cycle, FinalLevel, SurveyResponse

from .. import engine
from ..models import Result


def result_fields(breakdown: engine.Breakdown, inputs: dict[str, Any]) -> dict[str, Any]:
    """The stored columns of a result, from the engine's breakdown."""
    return {
        "engine_version": breakdown.engine_version,
        "aspects": {a.code: str(a.display) for a in breakdown.aspects},
        "evaluator_index": breakdown.evaluator_index_display,
        "respondents": breakdown.respondents,
        "survey_index": breakdown.survey_index_display,
        "survey_reason": breakdown.survey_reason,
        "ipp": breakdown.ipp,
        "grade": breakdown.grade,
        "grade_label": breakdown.grade_label,
        "inputs": inputs,
    }


# Columns compared to decide whether a recomputed result changed.
_COMPARED = (
    "engine_version",
    "aspects",
    "evaluator_index",
    "respondents",
    "survey_index",
    "survey_reason",
    "ipp",
    "grade",
    "instrument_id",
    "ranking_group",
    "province_id",
    "service_type_id",
)


# Written by the upsert: what is compared (as field names), plus what follows from it.
_UPSERTED = [
    *(name.removesuffix("_id") for name in _COMPARED),
    "cycle",
    "grade_label",
    "inputs",
    "computed_at",
]


@dataclass(frozen=True)
class ResultChange:
    assessment_id: int
    unit: str
    before: tuple[Decimal, str] | None  # (ipp, grade) or None when it had no result
    after: tuple[Decimal, str] | None  # None when the result was removed


@dataclass
class RecomputeReport:
    assessments: int = 0
    computed: int = 0
    unchanged: int = 0
    incomplete: int = 0
    changes: list[ResultChange] = field(default_factory=list)
    errors: list[tuple[int, str, tuple[str, ...]]] = field(
        default_factory=list
    )  # (id, unit, problems)


def results_recompute(*, assessments: Q | None = None) -> RecomputeReport:
    """Recompute the results of the assessments matching `assessments` (all when None).

    Reads final levels and survey answers in bulk, scores each complete assessment with the
    engine, and upserts only the results that changed; a result whose assessment is no
    longer complete is removed. Constant queries whatever the number of assessments.
    """
    scope = Assessment.objects.filter(assessments or Q())
    report = RecomputeReport()
    loci = {
        row[0]: row
        for row in scope.order_by().values_list(
            "id",
            "cycle_id",
            "unit__name",
            "unit__agency__ranking_group",
            "unit__agency__province_id",
            "unit__service_type_id",
        )
    }
    report.assessments = len(loci)
    if not loci:
        return report
    cycles = {
        c.pk: c
        for c in Cycle.objects.filter(pk__in={r[1] for r in loci.values()}).select_related(
            "instrument"
        )
    }
    specs = {pk: cycle_spec(c) for pk, c in cycles.items()}
    plans = {pk: instrument_plan(c.instrument) for pk, c in cycles.items()}

    levels: dict[int, dict[int, int]] = {pk: {} for pk in loci}
    for assessment_id, indicator_id, level in (
        FinalLevel.objects.filter(assessment__in=scope)
        .values_list("assessment_id", "indicator_id", "level")
        .iterator(chunk_size=20_000)
    ):
        number = plans[loci[assessment_id][1]].number_of[indicator_id]
        levels[assessment_id][number] = level
    surveys: dict[int, list[list[int]]] = {}
    for assessment_id, answers in (
        SurveyResponse.objects.valid()
        .filter(assessment__in=scope)
        .order_by("pk")
        .values_list("assessment_id", "answers")
        .iterator(chunk_size=20_000)
    ):
        surveys.setdefault(assessment_id, []).append(answers)
    existing = {
        row["assessment_id"]: row
        for row in Result.objects.filter(assessment__in=scope).values(
            "id", "assessment_id", *_COMPARED
        )
    }

    upserts: list[Result] = []
    stale: list[int] = []
    for assessment_id, (
        _,
        cycle_id,
        unit_name,
        group,
        province_id,
        service_type_id,
    ) in loci.items():
        spec = specs[cycle_id]
        given = levels[assessment_id]
        old = existing.get(assessment_id)
        before = (old["ipp"], old["grade"]) if old else None
        if any(ind.number not in given for ind in spec.scored_indicators):
            report.incomplete += 1
            if old:
                stale.append(old["id"])
                report.changes.append(ResultChange(assessment_id, unit_name, before, None))
            continue
        survey = surveys.get(assessment_id)
        try:
            breakdown = engine.score(spec, given, survey)
        except engine.ScoringInputError as exc:
            report.errors.append((assessment_id, unit_name, exc.problems))
            continue
        inputs = {
            "levels": {str(n): lv for n, lv in sorted(given.items())},
            "survey": survey,
            "survey_weight": str(spec.survey_weight),
            "min_respondents": spec.min_respondents,
        }
        values = result_fields(breakdown, inputs) | {
            "instrument_id": cycles[cycle_id].instrument_id,
            "ranking_group": group,
            "province_id": province_id,
            "service_type_id": service_type_id,
        }
        report.computed += 1
        if old and all(old[name] == values[name] for name in _COMPARED):
            report.unchanged += 1
            continue
        upserts.append(Result(assessment_id=assessment_id, cycle_id=cycle_id, **values))
        report.changes.append(
            ResultChange(assessment_id, unit_name, before, (values["ipp"], values["grade"]))
        )

    with transaction.atomic():
        if stale:
            Result.objects.filter(pk__in=stale).delete()
        Result.objects.bulk_create(
            upserts,
            batch_size=2_000,
            update_conflicts=True,
            unique_fields=["assessment"],
            update_fields=_UPSERTED,
        )
    return report


class FinalLevelError(ValueError):
    """Levels or stored inputs the engine refuses; `problems` lists each one."""

    def __init__(self, problems: list[str] | tuple[str, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(problems))


def result_refresh(*, assessment: Assessment) -> Result | None:
    """Bring one assessment's stored result up to date; None while it is incomplete.

    Raises FinalLevelError when the engine refuses the stored inputs, so a caller inside a
    transaction rolls back rather than keeping levels whose result could not be computed.
    """
    report = results_recompute(assessments=Q(pk=assessment.pk))
    if report.errors:
        raise FinalLevelError(report.errors[0][2])
    return Result.objects.filter(assessment=assessment).first()


@transaction.atomic
def final_levels_save(
    *,
    assessment: Assessment,
    levels: Mapping[int, int],
    by=None,
    reason: str = "",
    reasons: Mapping[int, str] | None = None,
) -> Result | None:
    """Record final levels (by indicator number) and update the stored result with them.

    Each level is stored with its own entry of `reasons` when given, else with `reason`.
    Both happen in one transaction: a result never reflects levels that were not saved.
    """
    plan = instrument_plan(assessment.cycle.instrument)
    problems = []
    for number, level in levels.items():
        if number not in plan.indicator_of:
            problems.append(f"Indikator nomor {number} tidak ada dalam instrumen {plan.spec.code}.")
        elif not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 5:
            problems.append(f"Level indikator {number} harus bilangan bulat 0–5, bukan {level!r}.")
    if problems:
        raise FinalLevelError(problems)
    for number, level in levels.items():
        FinalLevel.objects.update_or_create(
            assessment=assessment,
            indicator_id=plan.indicator_of[number],
            defaults={
                "level": level,
                "decided_by": by,
                "reason": (reasons or {}).get(number, reason),
            },
        )
    return result_refresh(assessment=assessment)
