"""An instrument version's rubric, read once per process and shared by every page request.

An instrument version does not change once a cycle uses it, and any re-import stamps
`loaded_at`, so (pk, checksum, loaded_at) names one rubric for good. Each indicator carries
its levels and the HTML of its level choices, escaped once here instead of on every render.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Indicator, InstrumentVersion, Level


@dataclass(frozen=True)
class LevelChoice:
    value: int
    # The radio input split around where " checked" goes.
    before: str
    after: str


@dataclass(frozen=True)
class RubricIndicator:
    indicator: Indicator  # with its aspect; shared between requests: read only
    levels: tuple[Level, ...]
    choices: tuple[LevelChoice, ...]
    rubric_list: SafeString  # the levels as an <ol> (for indicators nobody scores)
    # "<n>. <title> <code>…</code>" and the question paragraph ("" without one), escaped
    heading: SafeString
    question: SafeString

    def level_inputs(self, checked: int | None) -> SafeString:
        """The level radios with `checked` selected (escaped when the rubric was read)."""
        return SafeString(  # only escaped text and fixed markup; not mark_safe: no lazy check
            "".join(
                c.before + (" checked" if c.value == checked else "") + c.after
                for c in self.choices
            )
        )


_RUBRICS: dict[tuple, tuple[RubricIndicator, ...]] = {}


def _choice(level: Level) -> LevelChoice:
    value = int(level.value)
    return LevelChoice(
        value=value,
        before=f'<label class="f02-level"><input type="radio" name="level" value="{value}"',
        after=f"> <b>{value}</b> <span>{escape(level.description)}</span></label>",
    )


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
        rubric = tuple(
            RubricIndicator(
                indicator=ind,
                levels=tuple(ind.levels.all()),
                choices=tuple(_choice(level) for level in ind.levels.all()),
                rubric_list=mark_safe(  # noqa: S308 - escaped descriptions in fixed markup
                    '<ol class="f02-rubric" start="0">'
                    + "".join(f"<li>{escape(lv.description)}</li>" for lv in ind.levels.all())
                    + "</ol>"
                ),
                heading=SafeString(
                    f"{ind.number}. {escape(ind.title)} <code>{escape(ind.code)}</code>"
                ),
                question=SafeString(
                    f'<p class="f02-question">{escape(ind.question)}</p>' if ind.question else ""
                ),
            )
            for ind in indicators
        )
        _RUBRICS[key] = rubric
    return rubric


def rubric_cache_clear() -> None:
    _RUBRICS.clear()
