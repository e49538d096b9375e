"""An instrument version as the scoring engine sees it: the engine's frozen specs, read from
the instrument models once per process.

It lives with the instrument models so that every app may build specs (the F-02 page's
running score, scoring's results, the simulator) while imports between apps keep flowing one
way: evaluations → the pure `scoring.engine`, never the rest of scoring.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from scoring import engine

from .models import Cycle, InstrumentVersion

# Instrument versions never change once loaded under a checksum, so their specs can be kept
# for the life of the process. Keyed by (pk, checksum): a replaced unused version is re-read.
_SPECS: dict[tuple[int, str], "InstrumentPlan"] = {}


@dataclass(frozen=True)
class InstrumentPlan:
    spec: engine.InstrumentSpec
    number_of: Mapping[int, int]  # indicator id → indicator number
    indicator_of: Mapping[int, int]  # indicator number → indicator id


def instrument_plan(instrument: InstrumentVersion) -> InstrumentPlan:
    """The engine's view of an instrument version (cached per process)."""
    key = (instrument.pk, instrument.checksum)
    plan = _SPECS.get(key)
    if plan is None:
        indicators = list(instrument.indicators.select_related("aspect").order_by("number"))
        spec = engine.InstrumentSpec(
            code=instrument.code,
            aspects=tuple(
                engine.AspectSpec(a.code, a.name, a.weight)
                for a in instrument.aspects.order_by("order")
            ),
            indicators=tuple(
                engine.IndicatorSpec(
                    i.number, i.code, i.aspect.code if i.aspect else None, i.weight, i.supplementary
                )
                for i in indicators
            ),
            survey_item_count=instrument.survey_items.count(),
            survey_weight=instrument.survey_weight,
            min_respondents=instrument.min_respondents,
            grade_bands=tuple(
                engine.GradeBand(b.grade, b.min_ipp, b.max_ipp, b.label)
                for b in instrument.grade_bands.order_by("-max_ipp")
            ),
        )
        plan = InstrumentPlan(
            spec=spec,
            number_of={i.pk: i.number for i in indicators},
            indicator_of={i.number: i.pk for i in indicators},
        )
        _SPECS[key] = plan
    return plan


def cycle_spec(cycle: Cycle) -> engine.InstrumentSpec:
    """The instrument spec with the cycle's own σ and m, where it overrides them."""
    return instrument_plan(cycle.instrument).spec.with_survey_settings(
        cycle.survey_weight, cycle.min_respondents
    )
