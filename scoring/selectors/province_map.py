"""The public overview's province map: a publication's figures per province, drawn on the
vendored Natural Earth outlines (`static/vendor/indonesia-provinces/`, built by
`manage.py build_province_map`).

The outlines are those of 2011: 33 shapes. Provinces created later are drawn within the
province they were split from (`SHAPES`), and such a shape shows the figures of all its
provinces together. Figures come from the publication's frozen rows (two queries), cached
under the publication: a publication never changes (a correction is a new one).
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum

from units.models import Province

from ..engine import round_half_up
from ..models import Publication, PublishedResult

ASSET = Path(settings.BASE_DIR) / "static" / "vendor" / "indonesia-provinces" / "provinces.json"

# Shape (ISO 3166-2, as in the asset) → the province code (Kemendagri/BPS) it is drawn for,
# then the codes of provinces created later inside its outline.
SHAPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ID-AC": ("11", ()),
    "ID-SU": ("12", ()),
    "ID-SB": ("13", ()),
    "ID-RI": ("14", ()),
    "ID-JA": ("15", ()),
    "ID-SS": ("16", ()),
    "ID-BE": ("17", ()),
    "ID-LA": ("18", ()),
    "ID-BB": ("19", ()),
    "ID-KR": ("21", ()),
    "ID-JK": ("31", ()),
    "ID-JB": ("32", ()),
    "ID-JT": ("33", ()),
    "ID-YO": ("34", ()),
    "ID-JI": ("35", ()),
    "ID-BT": ("36", ()),
    "ID-BA": ("51", ()),
    "ID-NB": ("52", ()),
    "ID-NT": ("53", ()),
    "ID-KB": ("61", ()),
    "ID-KT": ("62", ()),
    "ID-KS": ("63", ()),
    "ID-KI": ("64", ("65",)),  # Kalimantan Utara (2012)
    "ID-SA": ("71", ()),
    "ID-ST": ("72", ()),
    "ID-SN": ("73", ()),
    "ID-SG": ("74", ()),
    "ID-GO": ("75", ()),
    "ID-SR": ("76", ()),
    "ID-MA": ("81", ()),
    "ID-MU": ("82", ()),
    "ID-PA": ("91", ("93", "94", "95")),  # Papua Selatan, Tengah, Pegunungan (2022)
    "ID-PB": ("92", ("96",)),  # Papua Barat Daya (2022)
}

# Grades whose share the second map shows.
TOP_GRADES = ("A", "A-")
# Shading steps: the lower bound of each class above the first. IPP steps follow the grade
# bands of the 2022 instrument (C- and below, C, B-, B, A-, A); shares are in percent.
IPP_STEPS = tuple(Decimal(s) for s in ("2.51", "3.01", "3.51", "4.01", "4.51"))
SHARE_STEPS = (Decimal(25), Decimal(50), Decimal(75))
MEASURES = ("ipp", "a")  # `?peta=` values; the first is the default
CACHE_SECONDS = 24 * 60 * 60


@memoize
def outlines() -> tuple[int, int, dict[str, str]]:
    """The asset's view box width, height and path data per shape (read once per process)."""
    asset = json.loads(ASSET.read_text())
    return asset["width"], asset["height"], asset["shapes"]


@dataclass(frozen=True, slots=True)
class ProvinceRow:
    """One province of the publication, for the table beside the map."""

    code: str
    name: str  # as published
    count: int
    ipp: Decimal
    top_share: Decimal  # percent of units graded A or A-, whole numbers


@dataclass(frozen=True, slots=True)
class MapShape:
    iso: str
    path: str
    name: str  # the province drawn; "" when its province is not in the database
    later: tuple[str, ...]  # names of provinces drawn within it
    link_code: str  # province code for the ranking filter; "" when it has no units
    count: int
    ipp: Decimal | None
    top_share: Decimal | None
    shade: int  # 0: no units; else 1 … len(steps) + 1 of the measure shown


@dataclass(frozen=True, slots=True)
class LegendStep:
    shade: int
    low: Decimal
    high: Decimal


@dataclass(frozen=True, slots=True)
class ProvinceMap:
    measure: str  # "ipp" or "a"
    width: int
    height: int
    shapes: tuple[MapShape, ...]
    legend: tuple[LegendStep, ...]
    rows: tuple[ProvinceRow, ...]  # every province with published units, by name
    splits: tuple[MapShape, ...]  # shapes that hold provinces created later


@dataclass(frozen=True, slots=True)
class _Figures:
    name: str
    count: int
    ipp_sum: Decimal
    top: int


def _province_figures(publication: Publication) -> tuple[dict[str, _Figures], dict[str, str]]:
    """Per province code: its published units' figures; and the names of the mapped
    provinces (two queries, cached under the publication)."""
    key = f"scoring:province-map:{publication.pk}:{publication.published_at.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    figures = {
        row["province__code"]: _Figures(
            row["province_name"], row["count"], row["ipp_sum"], row["top"]
        )
        for row in PublishedResult.objects.filter(publication=publication, province__isnull=False)
        .values("province__code", "province_name")
        .annotate(
            count=Count("pk"), ipp_sum=Sum("ipp"), top=Count("pk", filter=Q(grade__in=TOP_GRADES))
        )
        .order_by()
    }
    codes = {code for main, later in SHAPES.values() for code in (main, *later)}
    names = dict(Province.objects.filter(code__in=codes).values_list("code", "name"))
    cache.set(key, (figures, names), timeout=CACHE_SECONDS)
    return figures, names


def _shade(value: Decimal | None, steps: tuple[Decimal, ...]) -> int:
    return 0 if value is None else 1 + sum(value >= step for step in steps)


def _legend(steps: tuple[Decimal, ...], unit: Decimal, top: Decimal) -> tuple[LegendStep, ...]:
    """The classes from 0 to `top` between the steps; `unit` is a figure's smallest step."""
    lows = (Decimal(0), *steps)
    highs = (*(step - unit for step in steps), top)
    return tuple(
        LegendStep(i + 1, low, high) for i, (low, high) in enumerate(zip(lows, highs, strict=True))
    )


def _share(top: int, count: int) -> Decimal:
    return round_half_up(Fraction(100 * top, count), 0)


def province_map(publication: Publication, measure: str) -> ProvinceMap:
    """The map of `publication` shaded by average IPP (`measure` "ipp") or by the share of
    units graded A or A- ("a"); an unknown measure is the first."""
    if measure not in MEASURES:
        measure = MEASURES[0]
    figures, names = _province_figures(publication)
    width, height, paths = outlines()
    steps = IPP_STEPS if measure == "ipp" else SHARE_STEPS
    shapes = []
    for iso, (main, later) in SHAPES.items():
        present = [(code, figures[code]) for code in (main, *later) if code in figures]
        count = sum(f.count for _code, f in present)
        ipp = share = None
        if count:
            ipp = round_half_up(Fraction(sum(f.ipp_sum for _c, f in present)) / count)
            share = _share(sum(f.top for _code, f in present), count)
        shapes.append(
            MapShape(
                iso=iso,
                path=paths[iso],
                name=figures[main].name if main in figures else names.get(main, ""),
                later=tuple(names.get(code, code) for code in later),
                link_code=present[0][0] if present else "",
                count=count,
                ipp=ipp,
                top_share=share,
                shade=_shade(ipp if measure == "ipp" else share, steps),
            )
        )
    rows = sorted(
        (
            ProvinceRow(
                code,
                f.name,
                f.count,
                round_half_up(Fraction(f.ipp_sum) / f.count),
                _share(f.top, f.count),
            )
            for code, f in figures.items()
        ),
        key=lambda row: row.name,
    )
    return ProvinceMap(
        measure=measure,
        width=width,
        height=height,
        shapes=tuple(shapes),
        legend=(
            _legend(IPP_STEPS, Decimal("0.01"), Decimal("5.00"))
            if measure == "ipp"
            else _legend(SHARE_STEPS, Decimal(1), Decimal(100))
        ),
        rows=tuple(rows),
        splits=tuple(s for s in shapes if s.later),
    )
