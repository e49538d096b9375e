"""An instrument version's rubric, read once per process and shared by every page request.

An instrument version does not change once a cycle uses it, and any re-import stamps
`loaded_at`, so (pk, checksum, loaded_at) names one rubric for good. Data only: the pages
render it (templates/evaluations/f02_form.html).
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from ..models import Indicator, InstrumentVersion, Level


@dataclass(frozen=True)
class RubricIndicator:
    indicator: Indicator  # with its aspect; shared between requests: read only
    levels: tuple[Level, ...]  # 0 to 5


_RUBRICS: dict[tuple, tuple[RubricIndicator, ...]] = {}


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


def rubric_cache_clear() -> None:
    _RUBRICS.clear()
