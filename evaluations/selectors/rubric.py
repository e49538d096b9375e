"""An instrument version's rubric, read once per process and shared by every page request.

An instrument version does not change once a cycle uses it, and any re-import stamps
`loaded_at`, so (pk, checksum, loaded_at) names one rubric for good. Data only: the pages
render it (templates/evaluations/f02_form.html).
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from ..models import Indicator, InstrumentVersion, Level, SurveyItem


@dataclass(frozen=True)
class RubricIndicator:
    indicator: Indicator  # with its aspect; shared between requests: read only
    levels: tuple[Level, ...]  # 0 to 5


_RUBRICS: dict[tuple, tuple[RubricIndicator, ...]] = {}
_SURVEY_ITEMS: dict[tuple, tuple[SurveyItem, ...]] = {}


def instrument_rubric(instrument: InstrumentVersion) -> tuple[RubricIndicator, ...]:
    """Every indicator of `instrument` by number, with its aspect and levels (two queries the
    first time in a process, none after)."""
    key = (instrument.pk, instrument.checksum, instrument.loaded_at)
    rubric = _RUBRICS.get(key)
    if rubric is None:
        indicators = (
            Indicator.objects.filter(instrument_id=instrument.pk)
            .select_related("aspect")
            .prefetch_related(Prefetch("levels", queryset=Level.objects.order_by("value")))
            .order_by("number")
        )
        rubric = tuple(RubricIndicator(ind, tuple(ind.levels.all())) for ind in indicators)
        _RUBRICS[key] = rubric
    return rubric


def instrument_survey_items(instrument: InstrumentVersion) -> tuple[SurveyItem, ...]:
    """The F-03 items of `instrument` by number (one query the first time in a process)."""
    key = (instrument.pk, instrument.checksum, instrument.loaded_at)
    items = _SURVEY_ITEMS.get(key)
    if items is None:
        items = tuple(SurveyItem.objects.filter(instrument_id=instrument.pk).order_by("number"))
        _SURVEY_ITEMS[key] = items
    return items


def rubric_cache_clear() -> None:
    _RUBRICS.clear()
    _SURVEY_ITEMS.clear()
