"""The score simulator: try levels on an instrument and see what the engine makes of them.

Reads an instrument's aspects, indicators and level rubrics for the form in a constant
number of queries, and turns chosen levels (and, through the API, survey answers) into
display-ready values. Every number shown is produced here by the engine's
``round_half_up`` as a `Decimal`, which the page writes in the reader's language (4,51 or
4.51) and the API as a string ("4.51", scoring.api.SimulationSerializer); nothing is stored
and templates compute nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evaluations.instrument_spec import instrument_plan
from evaluations.models import Indicator, InstrumentVersion, Level
from pekppp.lib.text import has_control_characters

from . import engine
from .engine import ScoringInputError, round_half_up

DEFAULT_INSTRUMENT = "2022-A"


class UnknownInstrument(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class LevelOption:
    value: int
    text: str


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    number: int
    code: str
    title: str
    weight: Decimal  # the in-aspect weight, without decimals when whole (17, 5)
    levels: tuple[LevelOption, ...]  # always 0..5


@dataclass(frozen=True, slots=True)
class AspectGroup:
    code: str
    name: str
    weight: Decimal  # percent, e.g. 24
    indicators: tuple[IndicatorRow, ...]


@dataclass(frozen=True, slots=True)
class SimulatorSheet:
    """Everything the simulator page shows before any level is chosen."""

    instruments: tuple[InstrumentVersion, ...]  # for the version picker
    instrument: InstrumentVersion | None  # None only when no instrument is loaded at all
    aspects: tuple[AspectGroup, ...]
    indicator_count: int  # scored indicators
    survey_weight: Decimal | None  # σ, 2 decimals
    min_respondents: int  # m
    survey_weighted: bool  # σ > 0: the F-03 survey can move the IPP

    @property
    def code(self) -> str:
        return self.instrument.code if self.instrument else ""


@dataclass(frozen=True, slots=True)
class AspectResult:
    code: str
    name: str
    weight: Decimal
    index: Decimal


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    number: int
    code: str
    aspect: str
    level: int
    weight_share: Decimal  # 4 decimals
    contribution: Decimal  # 4 decimals


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """One simulated IPP, every number rounded for display. Field names are the API's
    (scoring.api.SimulationSerializer)."""

    instrument: str
    engine_version: str
    aspects: tuple[AspectResult, ...]
    evaluator_index: Decimal
    survey_index: Decimal | None
    survey_counted: bool
    survey_message: str
    respondents: int
    ipp: Decimal
    grade: str
    grade_label: str
    indicators: tuple[IndicatorResult, ...]


@dataclass(frozen=True, slots=True)
class SheetOutcome:
    """What the result panel shows for the levels chosen so far."""

    remaining: int  # scored indicators still without a valid level
    result: SimulationResult | None  # only once every scored indicator has a level
    problems: tuple[str, ...] = ()


def _plain(value: Decimal) -> Decimal:
    """A weight for reading: rounded half-up to 2 decimals, without decimals when whole."""
    rounded = round_half_up(value, 2)
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded


def _default(instruments: Sequence[InstrumentVersion]) -> InstrumentVersion | None:
    by_code = {i.code: i for i in instruments}
    if DEFAULT_INSTRUMENT in by_code:
        return by_code[DEFAULT_INSTRUMENT]
    # Instruments are ordered newest year first.
    settled = [i for i in instruments if not i.provisional]
    return (settled or list(instruments) or [None])[0]


def simulator_sheet(code: str | None = None) -> SimulatorSheet:
    """The instrument `code` (default: 2022-A, else the newest non-provisional version) with
    its aspects, scored indicators and level rubrics, in three queries whatever its size.

    Raises ``UnknownInstrument`` for a code that is not loaded.
    """
    instruments = tuple(InstrumentVersion.objects.order_by("-year", "code"))
    if code:
        instrument = next((i for i in instruments if i.code == code), None)
        if instrument is None:
            raise UnknownInstrument(code)
    else:
        instrument = _default(instruments)
    if instrument is None:
        return SimulatorSheet(instruments, None, (), 0, None, 0, False)

    indicators = list(
        Indicator.objects.filter(instrument=instrument, supplementary=False)
        .select_related("aspect")
        .order_by("aspect__order", "number")
    )
    rubrics: dict[int, dict[int, str]] = {}
    for indicator_id, value, text in Level.objects.filter(
        indicator__instrument=instrument, indicator__supplementary=False
    ).values_list("indicator_id", "value", "description"):
        rubrics.setdefault(indicator_id, {})[value] = text

    groups: dict[int, tuple[Any, list[IndicatorRow]]] = {}
    for ind in indicators:
        texts = rubrics.get(ind.pk, {})
        row = IndicatorRow(
            number=ind.number,
            code=ind.code,
            title=ind.title,
            weight=_plain(ind.weight),
            levels=tuple(
                LevelOption(v, texts.get(v, ""))
                for v in range(engine.MIN_LEVEL, engine.MAX_LEVEL + 1)
            ),
        )
        groups.setdefault(ind.aspect_id, (ind.aspect, []))[1].append(row)
    aspects = tuple(
        AspectGroup(a.code, a.name, _plain(a.weight), tuple(rows)) for a, rows in groups.values()
    )
    return SimulatorSheet(
        instruments=instruments,
        instrument=instrument,
        aspects=aspects,
        indicator_count=len(indicators),
        survey_weight=round_half_up(instrument.survey_weight, 2),
        min_respondents=instrument.min_respondents,
        survey_weighted=instrument.survey_weight > 0,
    )


def _result(breakdown: engine.Breakdown) -> SimulationResult:
    return SimulationResult(
        instrument=breakdown.instrument_code,
        engine_version=breakdown.engine_version,
        aspects=tuple(
            AspectResult(a.code, a.name, round_half_up(a.weight, 2), a.display)
            for a in breakdown.aspects
        ),
        evaluator_index=breakdown.evaluator_index_display,
        survey_index=breakdown.survey_index_display,
        survey_counted=breakdown.survey_counted,
        survey_message=breakdown.survey_message,
        respondents=breakdown.respondents,
        ipp=breakdown.ipp,
        grade=breakdown.grade,
        grade_label=breakdown.grade_label,
        indicators=tuple(
            IndicatorResult(
                number=i.number,
                code=i.code,
                aspect=i.aspect,
                level=i.level,
                weight_share=round_half_up(i.weight_share, 4),
                contribution=round_half_up(i.contribution, 4),
            )
            for i in breakdown.indicators
        ),
    )


def simulate(
    instrument: InstrumentVersion,
    levels: Mapping[Any, Any],
    survey: Sequence[Sequence[Any]] | None = None,
) -> SimulationResult:
    """Score `levels` (indicator number → level) and an optional survey (one list of item
    answers per respondent) with the instrument's own σ and m. Nothing is stored.

    Raises ``ScoringInputError`` with the engine's messages for any invalid input.
    """
    spec = instrument_plan(instrument).spec
    return _result(engine.score(spec, levels, survey))


def sheet_outcome(sheet: SimulatorSheet, levels: Mapping[int, int]) -> SheetOutcome:
    """The result panel for a partly or fully filled simulator form.

    Results appear only once every scored indicator has a level: an index over some of an
    aspect's indicators would not be the engine's number, so none is shown.
    """
    remaining = sum(1 for a in sheet.aspects for i in a.indicators if i.number not in levels)
    if remaining or sheet.instrument is None:
        return SheetOutcome(remaining=remaining, result=None)
    try:
        return SheetOutcome(remaining=0, result=simulate(sheet.instrument, levels))
    except ScoringInputError as exc:
        return SheetOutcome(remaining=0, result=None, problems=exc.problems)


_DIGITS = re.compile(r"[0-9]{1,6}")


def simulation_from_payload(data: Any) -> SimulationResult:
    """Simulate from an API request body:
    ``{"instrument": "2022-A", "levels": {"1": 3, …}, "survey": [[…], …] | null}``.

    Checks the shape here and leaves levels and answers to the engine, so the API answers
    with the same messages as every other scoring input. Raises ``ScoringInputError``.
    """
    if not isinstance(data, dict):
        raise ScoringInputError(
            ['Data permintaan harus berupa objek JSON: {"instrument": …, "levels": {…}}.']
        )
    problems = []
    code, levels, survey = data.get("instrument"), data.get("levels"), data.get("survey")
    instrument = None
    if not isinstance(code, str) or not code:
        problems.append('Kode instrumen ("instrument") wajib diisi, misalnya "2022-A".')
    else:
        # No code holds a control character, and PostgreSQL would refuse a NUL in the query.
        if not has_control_characters(code):
            instrument = InstrumentVersion.objects.filter(code=code).first()
        if instrument is None:
            known = ", ".join(
                InstrumentVersion.objects.order_by("code").values_list("code", flat=True)
            )
            problems.append(f"Instrumen {code!r} tidak dikenal. Instrumen yang tersedia: {known}.")
    if not isinstance(levels, dict):
        problems.append(
            '"levels" harus berupa objek {"nomor indikator": level}, misalnya {"1": 3}.'
        )
    if survey is not None and not isinstance(survey, list):
        problems.append(
            '"survey" harus berupa daftar jawaban responden (satu daftar per responden) atau null.'
        )
    if problems:
        raise ScoringInputError(problems)
    # JSON keys are strings; a key that is not a plain number is passed on as it is so the
    # engine names it in its "indikator tidak ada" message.
    by_number = {int(k) if _DIGITS.fullmatch(k) else k: v for k, v in levels.items()}
    return simulate(instrument, by_number, survey)
