"""Scored history for the demo: final levels and F-03 answers of the finished Nasional cycles
(2023 and 2022), and the results the scoring service computes from them.

Each unit gets a target IPP; its levels and answers are drawn around that target from a
`random.Random` seeded with the year and the unit code (never the global generator), then
nudged one level at a time until the engine puts the IPP within 0.10 of the target. So every
run, on every machine, writes the same rows, and a target in the middle of a grade band
always lands in that band. Results themselves are never written here: `results_recompute`
computes and stores them like for any real cycle.
"""

import datetime as dt
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from evaluations.instrument_spec import cycle_spec, instrument_plan
from evaluations.models import (
    Assessment,
    Cycle,
    EvaluatorAssignment,
    FinalLevel,
    Phase,
    SurveyChannel,
    SurveyResponse,
)
from scoring import engine
from scoring.models import Publication, Result
from scoring.services.publication import cycle_publish
from scoring.services.results import results_recompute

# PEKPPP.md §5: the national IPP published for 2023. The demo's 2023 targets average to it.
ANCHOR_YEAR = 2023
ANCHOR_IPP = Decimal("3.78")

# One unit per grade, each aimed at the middle of its band, so the 2023 ranking shows all nine.
PINNED_TARGETS: dict[str, Decimal] = {
    "IMIGRASI-BDL": Decimal("4.75"),  # A
    "18-DPMPTSP": Decimal("4.25"),  # A-
    "1801-DISDUKCAPIL": Decimal("3.75"),  # B: the demo operator's unit
    "1804-RSUD": Decimal("3.25"),  # B-
    "1808-DPMPTSP": Decimal("2.75"),  # C
    "1805-RSUD": Decimal("2.25"),  # C-
    "1811-DISDUKCAPIL": Decimal("1.75"),  # D
    "1812-DPMPTSP": Decimal("1.25"),  # E
    "1813-RSUD": Decimal("0.75"),  # F
}
# Units that collected fewer than m = 10 answers in every year they were a locus: the portal
# shows their IPP as the evaluator index alone ("survei tidak dihitung").
FEW_RESPONDENTS: dict[str, int] = {
    "1806-RSUD": 4,
    "1810-DISDUKCAPIL": 6,
    "1813-DPMPTSP": 7,
    "SKCK-POLRES-LAMSEL": 8,
}
# Finished years published by seeding, so the public pages have a history; the anchor year
# is left unpublished for an admin to publish in the browser.
PUBLISHED_YEARS = (2022,)
TOLERANCE = Decimal("0.10")  # how close to its target a unit's IPP is brought
MAX_NUDGES = 300


@dataclass(frozen=True, slots=True)
class LocusInputs:
    """What one locus was scored from: a level per scored indicator and the F-03 answers."""

    levels: dict[int, int]  # indicator number → final level
    answers: tuple[tuple[int, ...], ...]  # one row of item values per respondent
    channels: tuple[str, ...]  # SurveyChannel of each respondent
    submitted: tuple[dt.timedelta, ...]  # each answer's time after the survey window opens


@dataclass(frozen=True, slots=True)
class HistorySummary:
    """The demo's results: the anchor year's grade counts and national average."""

    year: int
    grades: tuple[tuple[str, int], ...]  # every grade of the instrument, best first
    national_ipp: Decimal  # mean IPP of the year's loci, rounded half-up
    results: int  # results stored over all scored cycles
    changed: int = field(default=0, compare=False)  # results this run created or changed


def _rng(*key: object) -> random.Random:
    # A str seed is hashed with SHA-512, so the stream does not depend on PYTHONHASHSEED.
    return random.Random(":".join(["pekppp-demo", *map(str, key)]))


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _two_places(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def ipp_targets(codes_by_year: Mapping[int, Sequence[str]]) -> dict[int, dict[str, Decimal]]:
    """The IPP each unit is aimed at, by year and unit code.

    Anchor year: the pinned targets, and for the other units a draw around 4.0 shifted so that
    all targets average ANCHOR_IPP. Earlier years: the unit's anchor target less a drawn
    yearly improvement, so most units rise towards 2023 and some fall.
    """
    codes = codes_by_year[ANCHOR_YEAR]
    drawn = {
        code: _two_places(_clamp(_rng(ANCHOR_YEAR, code, "target").gauss(4.0, 0.35), 2.6, 4.9))
        for code in codes
        if code not in PINNED_TARGETS
    }
    pinned = {code: PINNED_TARGETS[code] for code in codes if code in PINNED_TARGETS}
    shift = (ANCHOR_IPP * len(codes) - sum(pinned.values()) - sum(drawn.values())) / len(drawn)
    anchor = pinned | {
        code: _two_places(_clamp(float(t + shift), 0.6, 4.95)) for code, t in drawn.items()
    }
    targets = {ANCHOR_YEAR: anchor}
    for year, year_codes in codes_by_year.items():
        if year < ANCHOR_YEAR:
            targets[year] = {
                code: _two_places(
                    _clamp(
                        float(anchor[code])
                        - (ANCHOR_YEAR - year) * _rng(year, code, "target").gauss(0.15, 0.25),
                        0.3,
                        4.95,
                    )
                )
                for code in year_codes
            }
    return targets


def locus_inputs(
    spec: engine.InstrumentSpec, *, code: str, year: int, target: Decimal
) -> LocusInputs:
    """Levels and survey answers for one unit in one year whose IPP lies within TOLERANCE of
    `target` under `spec` (the cycle's σ and m). Pure: the same arguments give the same inputs.
    """
    rng = _rng(year, code, "inputs")
    centre = float(target)
    respondents = FEW_RESPONDENTS.get(code) or rng.randint(10, 20)
    # Users rate a unit a little differently from the evaluators, mostly a little higher.
    liking = _clamp(centre + rng.uniform(-0.2, 0.5), 0.3, 4.9)
    answers, channels, submitted = [], [], []
    for _ in range(respondents):
        mood = rng.gauss(0, 0.3)
        answers.append(
            tuple(
                round(_clamp(liking + mood + rng.gauss(0, 0.6), 0, 5))
                for _ in range(spec.survey_item_count)
            )
        )
        channels.append(SurveyChannel.ONLINE if rng.random() < 0.7 else SurveyChannel.PAPER)
        # Office hours within the three months of the survey window.
        submitted.append(
            dt.timedelta(
                days=rng.randrange(90), hours=8 + rng.randrange(8), minutes=rng.randrange(60)
            )
        )
    numbers = [i.number for i in spec.scored_indicators]
    levels = {n: round(_clamp(centre + rng.gauss(0, 0.8), 0, 5)) for n in numbers}
    for _ in range(MAX_NUDGES):
        ipp = engine.score(spec, levels, answers).ipp
        if abs(ipp - target) <= TOLERANCE:
            return LocusInputs(levels, tuple(answers), tuple(channels), tuple(submitted))
        step = 1 if ipp < target else -1
        movable = [n for n in numbers if 0 <= levels[n] + step <= 5]
        if not movable:
            break
        levels[rng.choice(movable)] += step
    raise ValueError(f"Target IPP {target} of {code} ({year}) is out of reach of its survey.")


@transaction.atomic
def history_seed(*, cycles: Sequence[tuple[Cycle, Sequence[Assessment]]]) -> HistorySummary:
    """Give the loci of finished cycles their final levels and F-03 answers, where they lack
    them, then compute and store their results with the scoring service.

    `cycles` pairs each cycle with its loci (units selected); one must be of ANCHOR_YEAR.
    Levels or answers already present are kept, so a second run writes nothing.
    """
    targets = ipp_targets({c.year: [a.unit.code for a in loci] for c, loci in cycles})
    for cycle, loci in cycles:
        _inputs_seed(cycle, loci, targets[cycle.year])
    report = results_recompute(assessments=Q(cycle__in=[c for c, _ in cycles]))
    if report.errors or report.incomplete:
        raise ValueError(f"Demo results incomplete: {report.errors or report.incomplete}")

    anchor = next(c for c, _ in cycles if c.year == ANCHOR_YEAR)
    ipps = list(Result.objects.filter(cycle=anchor).values_list("ipp", "grade"))
    per_grade = Counter(grade for _, grade in ipps)
    mean = Fraction(sum(ipp for ipp, _ in ipps)) / len(ipps)
    return HistorySummary(
        year=anchor.year,
        grades=tuple((b.grade, per_grade[b.grade]) for b in cycle_spec(anchor).grade_bands),
        national_ipp=engine.round_half_up(mean),
        results=Result.objects.filter(cycle__in=[c for c, _ in cycles]).count(),
        changed=len(report.changes),
    )


def _inputs_seed(cycle: Cycle, loci: Sequence[Assessment], targets: Mapping[str, Decimal]) -> None:
    spec = cycle_spec(cycle)
    plan = instrument_plan(cycle.instrument)
    present = set(
        FinalLevel.objects.filter(assessment__in=loci).values_list("assessment_id", "indicator_id")
    )
    surveyed = set(
        SurveyResponse.objects.filter(assessment__in=loci).values_list("assessment_id", flat=True)
    )
    wanted = len(spec.scored_indicators)
    levelled = Counter(assessment_id for assessment_id, _ in present)
    todo = [a for a in loci if levelled[a.pk] < wanted or a.pk not in surveyed]
    if not todo:
        return
    leads = dict(
        EvaluatorAssignment.objects.filter(assessment__in=todo, is_lead=True).values_list(
            "assessment_id", "evaluator_id"
        )
    )
    windows = {w.phase: w for w in cycle.windows.all()}
    survey_opens = timezone.make_aware(
        dt.datetime.combine(windows[Phase.SURVEY].starts_on, dt.time())
    )
    decided_at = timezone.make_aware(
        dt.datetime.combine(windows[Phase.MODERATION].ends_on, dt.time(15))
    )

    levels: list[FinalLevel] = []
    responses: list[SurveyResponse] = []
    submitted: list[dt.datetime] = []
    for assessment in todo:
        inputs = locus_inputs(
            spec, code=assessment.unit.code, year=cycle.year, target=targets[assessment.unit.code]
        )
        levels += [
            FinalLevel(
                assessment=assessment,
                indicator_id=plan.indicator_of[number],
                level=level,
                decided_by_id=leads.get(assessment.pk),
            )
            for number, level in inputs.levels.items()
            if (assessment.pk, plan.indicator_of[number]) not in present
        ]
        if assessment.pk not in surveyed:
            responses += [
                SurveyResponse(assessment=assessment, answers=list(answers), channel=channel)
                for answers, channel in zip(inputs.answers, inputs.channels, strict=True)
            ]
            submitted += [survey_opens + offset for offset in inputs.submitted]

    FinalLevel.objects.bulk_create(levels, ignore_conflicts=True)
    # `decided_at` and `submitted_at` are stamped "now" on insert; the history needs its own
    # dates, so they are set afterwards (only on the rows made by this run).
    FinalLevel.objects.filter(assessment__in=[a for a in todo if not levelled[a.pk]]).update(
        decided_at=decided_at
    )
    SurveyResponse.objects.bulk_create(responses)
    for response, at in zip(responses, submitted, strict=True):
        response.submitted_at = at
    SurveyResponse.objects.bulk_update(responses, ["submitted_at"], batch_size=500)


def history_publish(*, cycles: Sequence[Cycle], by) -> tuple[Publication, ...]:
    """Publish each cycle of PUBLISHED_YEARS among `cycles` that has no publication yet, as
    `by` (a ministry admin); a cycle already published keeps its revisions untouched.

    Returns the current publication of each of those cycles.
    """
    published = []
    for cycle in sorted(cycles, key=lambda c: c.year):
        if cycle.year not in PUBLISHED_YEARS:
            continue
        current = Publication.objects.filter(cycle=cycle, is_current=True).first()
        published.append(current or cycle_publish(cycle=cycle, user=by))
    return tuple(published)
