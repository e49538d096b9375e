"""PEKPPP scoring engine (PEKPPP.md §4), free of Django so it can be tested and re-run anywhere.

Frozen specs go in, a frozen ``Breakdown`` comes out. All arithmetic is exact
(``Fraction``); weights arrive as ``Decimal``. Floats are refused at the door because
a float turns an exact 4.505 into 4.50 and publishes an "A" unit as "A-". Nothing is
rounded until display, and every display value goes through ``round_half_up``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import gcd
from typing import Any

# Stored with every result: bump it whenever a rule change could alter a published number.
ENGINE_VERSION = "1"
MIN_LEVEL, MAX_LEVEL = 0, 5


class ScoringInputError(ValueError):
    """All problems found in one scoring input, raised together so a form can list them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


def round_half_up(value: Fraction | Decimal, places: int = 2) -> Decimal:
    """The single rounding rule of the portal: half away from zero, exact, on any rational."""
    if isinstance(value, float | bool) or not isinstance(value, Fraction | Decimal | int):
        raise TypeError(f"round_half_up needs a Fraction or Decimal, got {type(value).__name__}")
    numerator, denominator = value.as_integer_ratio()
    # floor(|x|·10^p + 1/2) in integers: (2·|n|·10^p + d) // 2d
    units = (2 * abs(numerator) * 10**places + denominator) // (2 * denominator)
    return Decimal(-units if numerator < 0 else units).scaleb(-places)


@dataclass(frozen=True, slots=True)
class AspectSpec:
    code: str
    name: str
    weight: Decimal


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    number: int
    code: str
    aspect: str | None  # None for supplementary indicators
    weight: Decimal
    supplementary: bool = False


@dataclass(frozen=True, slots=True)
class GradeBand:
    grade: str
    min_ipp: Decimal  # inclusive, 2 decimals
    max_ipp: Decimal  # inclusive, 2 decimals
    label: str


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    """One instrument version, reduced to what scoring needs."""

    code: str
    aspects: tuple[AspectSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    survey_item_count: int
    survey_weight: Decimal  # sigma
    min_respondents: int  # m
    grade_bands: tuple[GradeBand, ...]
    # Derived once per spec: scoring thousands of assessments must not redo the weight sums.
    plan: tuple[_AspectPlan, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Checked here so that hand-built specs and cycle overrides are sound too; a weight
        # total of 0 would otherwise surface later as a ZeroDivisionError mid-scoring.
        sigma = self.survey_weight
        if not isinstance(sigma, Decimal) or not 0 <= sigma <= 1:
            raise ValueError(f"survey_weight must be a Decimal within 0..1, got {sigma!r}")
        if not _is_int(self.min_respondents) or self.min_respondents < 0:
            raise ValueError(f"min_respondents must be an int >= 0, got {self.min_respondents!r}")
        if len({i.number for i in self.indicators}) != len(self.indicators):
            raise ValueError(f"instrument {self.code}: indicator numbers must be unique")
        if {i.aspect for i in self.scored_indicators} - {a.code for a in self.aspects}:
            raise ValueError(f"instrument {self.code}: an indicator names an unknown aspect")
        totals = [_total(i.weight for i in self.members(a.code)) for a in self.aspects]
        if _total(a.weight for a in self.aspects) <= 0 or min(totals, default=0) <= 0:
            raise ValueError(f"instrument {self.code}: weights must total more than 0")
        object.__setattr__(self, "plan", _plan(self))

    @property
    def scored_indicators(self) -> tuple[IndicatorSpec, ...]:
        return tuple(i for i in self.indicators if not i.supplementary)

    def members(self, aspect_code: str) -> tuple[IndicatorSpec, ...]:
        """The scored indicators of one aspect, in instrument order."""
        return tuple(i for i in self.scored_indicators if i.aspect == aspect_code)

    def with_survey_settings(
        self, sigma: Decimal | None = None, m: int | None = None
    ) -> InstrumentSpec:
        """A copy carrying a cycle's own survey weight and/or minimum respondents."""
        return dataclasses.replace(
            self,
            survey_weight=self.survey_weight if sigma is None else sigma,
            min_respondents=self.min_respondents if m is None else m,
        )


@dataclass(frozen=True, slots=True)
class _AspectPlan:
    """One aspect's weights as integers over a common denominator.

    A_a = Σ w_i·s_i / Σ w_i and each w_i is scaled to an integer n_i, so the aspect index is
    one exact Fraction(Σ n_i·s_i, Σ n_i) instead of a sum of thirty Fractions.
    """

    aspect: AspectSpec
    share: Fraction  # W_a / ΣW
    members: tuple[tuple[IndicatorSpec, int, Fraction], ...]  # (indicator, n_i, n_i / Σn)
    denominator: int  # Σ n_i


def _plan(spec: InstrumentSpec) -> tuple[_AspectPlan, ...]:
    total_aspect_weight = _total(a.weight for a in spec.aspects)
    plans = []
    for aspect in spec.aspects:
        members = spec.members(aspect.code)
        weights = [Fraction(i.weight) for i in members]
        scale = 1
        for w in weights:
            scale = scale * w.denominator // gcd(scale, w.denominator)
        numerators = [int(w * scale) for w in weights]
        denominator = sum(numerators)
        plans.append(
            _AspectPlan(
                aspect=aspect,
                share=Fraction(aspect.weight) / total_aspect_weight,
                members=tuple(
                    (ind, n, Fraction(n, denominator))
                    for ind, n in zip(members, numerators, strict=True)
                ),
                denominator=denominator,
            )
        )
    return tuple(plans)


def _total(weights: Iterable[Decimal]) -> Fraction:
    return Fraction(sum(weights, Decimal(0)))


def _is_int(value: Any) -> bool:
    # bool is an int subclass in Python, but True is not a level.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_level(value: Any) -> bool:
    return _is_int(value) and MIN_LEVEL <= value <= MAX_LEVEL


def _exact(value: Any, what: str) -> Decimal:
    """Weights are JSON strings (or ints) so they stay exact; a JSON float would not."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{what} must be a string or an integer, got {value!r}")
    return Decimal(value)


def instrument_from_dict(data: Mapping[str, Any]) -> InstrumentSpec:
    """Read an instrument file (evaluations/instruments/FORMAT.md) into a spec."""
    aspects, indicators = [], []
    for a in data["aspects"]:
        aspects.append(AspectSpec(a["code"], a["name"], _exact(a["weight"], f"aspect {a['code']}")))
        for i in a["indicators"]:
            weight = _exact(i["weight"], f"indicator {i['number']} weight")
            indicators.append(IndicatorSpec(i["number"], i["code"], a["code"], weight))
    for i in data.get("supplementary_indicators", []):
        indicators.append(IndicatorSpec(i["number"], i["code"], None, Decimal(0), True))
    bands = tuple(
        GradeBand(
            b["grade"], _exact(b["min"], "band min"), _exact(b["max"], "band max"), b["label"]
        )
        for b in data["grade_bands"]
    )
    return InstrumentSpec(
        code=data["code"],
        aspects=tuple(aspects),
        indicators=tuple(indicators),
        survey_item_count=len(data.get("survey_items", [])),
        survey_weight=_exact(data["survey_weight"], "survey_weight"),
        min_respondents=data["min_respondents"],
        grade_bands=bands,
    )


@dataclass(frozen=True, slots=True)
class IndicatorScore:
    number: int
    code: str
    aspect: str
    level: int
    weight_share: Fraction  # w_i / sum of weights in the aspect

    @property
    def contribution(self) -> Fraction:
        """weight_share × level: this indicator's part of the aspect index."""
        return self.weight_share * self.level


@dataclass(frozen=True, slots=True)
class AspectScore:
    code: str
    name: str
    weight: Decimal
    index: Fraction
    display: Decimal


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Everything a result page, a report or an audit needs to explain one IPP."""

    instrument_code: str
    engine_version: str
    survey_weight: Decimal  # the sigma and m actually applied (after any cycle override)
    min_respondents: int
    indicators: tuple[IndicatorScore, ...]
    aspects: tuple[AspectScore, ...]
    evaluator_index: Fraction
    evaluator_index_display: Decimal
    respondents: int
    survey_mean: Fraction | None  # exact mean whenever there are respondents, counted or not
    survey_index: Fraction | None  # only when the survey counts
    survey_index_display: Decimal | None
    survey_counted: bool
    survey_reason: str  # "" when counted
    survey_message: str
    ipp_exact: Fraction
    ipp: Decimal
    grade: str
    grade_label: str

    def aspect(self, code: str) -> AspectScore:
        """One aspect's score by code ("I" … "VI"); KeyError when there is none."""
        return {a.code: a for a in self.aspects}[code]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly snapshot: display values as "x.xx", exact values as "p/q"."""

        def plain(value: Any) -> Any:
            if isinstance(value, Fraction):
                return f"{value.numerator}/{value.denominator}"
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            if isinstance(value, IndicatorScore):
                fields = dataclasses.asdict(value) | {"contribution": value.contribution}
                return {name: plain(v) for name, v in fields.items()}
            if dataclasses.is_dataclass(value):
                return {
                    f.name: plain(getattr(value, f.name))
                    for f in dataclasses.fields(value)
                    if f.name != "plan"
                }
            return value

        return plain(self)


def _input_problems(
    instrument: InstrumentSpec,
    levels: Mapping[int, int],
    survey: Sequence[Sequence[int]] | None,
) -> list[str]:
    problems: list[str] = []
    by_number = {i.number: i for i in instrument.indicators}
    for ind in instrument.scored_indicators:
        if ind.number not in levels:
            problems.append(f"Indikator {ind.number} ({ind.code}) belum diberi level.")
    for number, level in levels.items():
        ind = by_number.get(number) if _is_int(number) else None
        if ind is None:
            problems.append(
                f"Indikator nomor {number!r} tidak ada dalam instrumen {instrument.code}."
            )
        elif not _is_level(level):
            problems.append(
                f"Level indikator {ind.number} ({ind.code}) harus bilangan bulat 0–5, "
                f"bukan {level!r}."
            )
    expected = instrument.survey_item_count
    if survey and expected == 0:
        problems.append(f"Instrumen {instrument.code} tidak memiliki butir survei.")
        return problems
    for pos, answers in enumerate(survey or (), start=1):
        if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
            problems.append(f"Responden ke-{pos}: jawaban harus berupa daftar {expected} butir.")
            continue
        if len(answers) != expected:
            problems.append(
                f"Responden ke-{pos} mengisi {len(answers)} butir; seharusnya {expected} butir."
            )
        for item, answer in enumerate(answers, start=1):
            if not _is_level(answer):
                problems.append(
                    f"Responden ke-{pos}, butir {item}: jawaban harus bilangan bulat 0–5, "
                    f"bukan {answer!r}."
                )
    return problems


_ONLY_E = "IPP = indeks evaluator."


def _survey_status(instrument: InstrumentSpec, respondents: int) -> tuple[bool, str, str]:
    """Whether the survey counts, with a reason code and an Indonesian message for the UI."""
    if instrument.survey_weight == 0:
        return False, "survey_weight_zero", "Bobot survei 0; " + _ONLY_E
    if respondents == 0:
        return False, "no_survey", "Tidak ada data survei; " + _ONLY_E
    if respondents < instrument.min_respondents:
        minimum = instrument.min_respondents
        message = f"Jumlah responden {respondents} kurang dari minimum {minimum}; " + _ONLY_E
        return False, "too_few_respondents", message
    return True, "", f"Survei dihitung: {respondents} responden."


def score(
    instrument: InstrumentSpec,
    levels: Mapping[int, int],
    survey: Sequence[Sequence[int]] | None,
) -> Breakdown:
    """Compute the IPP of one assessment (PEKPPP.md §4) exactly.

    ``levels`` maps indicator number to level; supplementary indicators may be given
    (they are validated) but never scored. ``survey`` holds one list of item answers per
    respondent. Aspect weights are normalised by their total, W_a / ΣW, which is the
    W_a / 100 of §4 when they sum to 100 (as both shipped instruments do); in-aspect
    weights are normalised the same way so 2017's integer points work unchanged.
    Raises ``ScoringInputError`` listing every problem at once.
    """
    problems = _input_problems(instrument, levels, survey)
    if problems:
        raise ScoringInputError(problems)

    indicator_scores: list[IndicatorScore] = []
    aspect_scores: list[AspectScore] = []
    evaluator_index = Fraction(0)
    for plan in instrument.plan:
        aspect = plan.aspect
        weighted_sum = 0
        for ind, n, share in plan.members:
            level = levels[ind.number]
            weighted_sum += n * level
            indicator_scores.append(IndicatorScore(ind.number, ind.code, aspect.code, level, share))
        index = Fraction(weighted_sum, plan.denominator)
        aspect_scores.append(
            AspectScore(aspect.code, aspect.name, aspect.weight, index, round_half_up(index))
        )
        evaluator_index += plan.share * index

    respondents = list(survey or ())
    survey_mean = None
    if respondents:
        # §4: S is the mean of the respondents' means R_r. Every respondent answered the same
        # number of items (validated above), so that equals all answers over items × people.
        answers = sum(sum(r) for r in respondents)
        survey_mean = Fraction(answers, instrument.survey_item_count * len(respondents))
    counted, reason, message = _survey_status(instrument, len(respondents))

    if counted and survey_mean is not None:
        sigma = Fraction(instrument.survey_weight)
        ipp_exact = (1 - sigma) * evaluator_index + sigma * survey_mean
    else:
        ipp_exact = evaluator_index
    ipp = round_half_up(ipp_exact)
    band = next((b for b in instrument.grade_bands if b.min_ipp <= ipp <= b.max_ipp), None)
    if band is None:
        raise ScoringInputError(
            [f"Instrumen {instrument.code} tidak memiliki rentang predikat untuk IPP {ipp}."]
        )

    survey_index = survey_mean if counted else None
    return Breakdown(
        instrument_code=instrument.code,
        engine_version=ENGINE_VERSION,
        survey_weight=instrument.survey_weight,
        min_respondents=instrument.min_respondents,
        indicators=tuple(indicator_scores),
        aspects=tuple(aspect_scores),
        evaluator_index=evaluator_index,
        evaluator_index_display=round_half_up(evaluator_index),
        respondents=len(respondents),
        survey_mean=survey_mean,
        survey_index=survey_index,
        survey_index_display=None if survey_index is None else round_half_up(survey_index),
        survey_counted=counted,
        survey_reason=reason,
        survey_message=message,
        ipp_exact=ipp_exact,
        ipp=ipp,
        grade=band.grade,
        grade_label=band.label,
    )


def score_case(instrument: InstrumentSpec, case: Mapping[str, Any]) -> dict[str, Any]:
    """Score a golden-format case and answer in the shape of its ``expected`` block plus id."""
    levels = {int(number): level for number, level in case["levels"].items()}
    result = score(instrument, levels, case["survey"])
    survey_index = result.survey_index_display
    return {
        "id": case["id"],
        "aspects": {a.code: str(a.display) for a in result.aspects},
        "evaluator_index": str(result.evaluator_index_display),
        "survey_index": None if survey_index is None else str(survey_index),
        "ipp": str(result.ipp),
        "grade": result.grade,
    }
