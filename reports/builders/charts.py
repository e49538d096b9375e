"""Bar charts as inline SVG, drawn on the server: WeasyPrint runs no JavaScript.

The charts are plain and monochrome-friendly; every figure they show is also printed in a
table of the same document, so the SVG is decoration, not the only record.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import formats, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#1f5f99", "#9aa9b8")  # current figure, comparison (e.g. last cycle)


@dataclass(frozen=True)
class Bar:
    label: str
    # One value per series (e.g. this cycle and last cycle); None leaves that bar out.
    values: tuple[Decimal | int | None, ...]
    # What is printed at the end of each bar, already formatted ("4,79", "12").
    texts: tuple[str, ...]


def figure(value: Decimal | int | None) -> str:
    """A figure for text drawn inside a chart, written in the documents' language like the
    rest of the document (`render_pdf`): "4,79" and "1.234" in Bahasa Indonesia."""
    if value is None:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return formats.number_format(value, force_grouping=True)


def _n(value: float) -> str:
    """A coordinate with at most 2 decimals, so the SVG text is the same on every run."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def bar_chart(
    bars: Sequence[Bar],
    *,
    maximum: Decimal | int,
    title: str,
    legend: Sequence[str] = (),
    width: int = 520,
    label_width: int = 170,
    bar_height: int = 12,
) -> SafeString:
    """Horizontal bars from 0 to `maximum`, one row per `Bar`, one bar per series."""
    series = max((len(b.values) for b in bars), default=1)
    row = bar_height * series + 8
    top = 16 if legend else 4
    height = top + row * len(bars) + 4
    plot = width - label_width - 44
    scale = float(plot) / float(maximum or 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, name in enumerate(legend):
        x = label_width + i * 140
        parts.append(
            f'<rect x="{x}" y="2" width="10" height="8" fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{x + 14}" y="10" font-size="8">{escape(name)}</text>'
        )
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            f'<text x="{label_width - 6}" y="{_n(y + row / 2 + 2)}" font-size="8" '
            f'text-anchor="end">{escape(bar.label)}</text>'
        )
        for s, (value, text) in enumerate(zip(bar.values, bar.texts, strict=True)):
            if value is None:
                continue
            by = y + 4 + s * bar_height
            length = max(float(value) * scale, 0.0)
            parts.append(
                f'<rect x="{label_width}" y="{by}" width="{_n(length)}" '
                f'height="{bar_height - 2}" fill="{COLOURS[s % len(COLOURS)]}"/>'
                f'<text x="{_n(label_width + length + 3)}" y="{by + bar_height - 4}" '
                f'font-size="8">{escape(text)}</text>'
            )
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - 4}" '
        'stroke="#333" stroke-width="0.6"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
