"""Reading and validating instrument data files (format: instruments/FORMAT.md).

Pure Python: the same validation serves the loader command, the admin import and the tests.
Every problem found is reported, each naming where it is, so a broken file can be fixed in
one pass.
"""

import hashlib
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

SHIPPED_DIR = Path(__file__).resolve().parent / "instruments"
FORMAT_VERSION = 1
LEVELS = tuple(str(v) for v in range(6))
INDICATOR_TAGS = ("K", "P", "T", "Ak", "As", "B")


class InstrumentFileError(ValueError):
    """A file that cannot become an instrument version; `problems` lists every reason."""

    def __init__(self, problems: list[str], source: str = ""):
        self.problems = tuple(problems)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "; ".join(self.problems))


def checksum(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse(raw: bytes | str, source: str = "") -> dict[str, Any]:
    """Decode JSON and validate it; raise InstrumentFileError listing every problem."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InstrumentFileError([f"bukan berkas JSON yang sah ({exc})"], source) from exc
    problems = validate(data)
    if problems:
        raise InstrumentFileError(problems, source)
    return data


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _check_indicator(ind: Any, where: str, problems: list[str], *, scored: bool) -> None:
    if not isinstance(ind, dict):
        problems.append(f"{where}: harus berupa objek")
        return
    for key in ("code", "title"):
        if not _text(ind.get(key)):
            problems.append(f"{where}: '{key}' wajib diisi")
    if scored:
        weight = _decimal(ind.get("weight"))
        if weight is None or weight <= 0:
            problems.append(f"{where}: bobot harus bilangan positif (ditulis {ind.get('weight')!r})")
    elif ind.get("weight") not in (None, "0", 0):
        problems.append(f"{where}: indikator tambahan tidak berbobot (bobot harus 0)")
    levels = ind.get("levels")
    if not isinstance(levels, dict):
        problems.append(f"{where}: 'levels' harus memuat tingkat 0 sampai 5")
        return
    missing = [lv for lv in LEVELS if not _text(levels.get(lv))]
    extra = sorted(set(levels) - set(LEVELS))
    if missing:
        problems.append(f"{where}: rubrik tingkat {', '.join(missing)} belum ada")
    if extra:
        problems.append(f"{where}: tingkat tidak dikenal {', '.join(extra)} (hanya 0–5)")


def validate(data: Any) -> list[str]:
    """Every problem of an instrument document, in reading order; empty when it is sound."""
    if not isinstance(data, dict):
        return ["isi berkas harus berupa objek JSON"]
    problems: list[str] = []
    if data.get("format") != FORMAT_VERSION:
        problems.append(f"'format' harus {FORMAT_VERSION}")
    for key in ("code", "name"):
        if not _text(data.get(key)):
            problems.append(f"'{key}' wajib diisi")
    if not isinstance(data.get("year"), int) or isinstance(data.get("year"), bool):
        problems.append("'year' harus bilangan bulat")
    sigma = _decimal(data.get("survey_weight"))
    if sigma is None or not (0 <= sigma <= 1):
        problems.append("'survey_weight' (σ) harus antara 0 dan 1")
    m = data.get("min_respondents")
    if not isinstance(m, int) or isinstance(m, bool) or m < 1:
        problems.append("'min_respondents' (m) harus bilangan bulat positif")

    numbers: dict[int, str] = {}
    codes: dict[str, str] = {}

    def register(ind: Any, where: str) -> None:
        if not isinstance(ind, dict):
            return
        number, code = ind.get("number"), ind.get("code")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            problems.append(f"{where}: nomor harus bilangan bulat positif")
        elif number in numbers:
            problems.append(f"{where}: nomor {number} sudah dipakai oleh {numbers[number]}")
        else:
            numbers[number] = where
        if isinstance(code, str) and code:
            if code in codes:
                problems.append(f"{where}: kode '{code}' sudah dipakai oleh {codes[code]}")
            else:
                codes[code] = where

    aspects = data.get("aspects")
    if not isinstance(aspects, list) or not aspects:
        problems.append("'aspects' harus berisi minimal satu aspek")
        aspects = []
    aspect_codes: set[str] = set()
    aspect_total = Decimal(0)
    for a_pos, aspect in enumerate(aspects, start=1):
        a_where = f"aspek ke-{a_pos}"
        if not isinstance(aspect, dict):
            problems.append(f"{a_where}: harus berupa objek")
            continue
        a_code = aspect.get("code")
        if _text(a_code):
            a_where = f"aspek {a_code}"
            if a_code in aspect_codes:
                problems.append(f"{a_where}: kode aspek ganda")
            aspect_codes.add(a_code)
        else:
            problems.append(f"{a_where}: 'code' wajib diisi")
        if not _text(aspect.get("name")):
            problems.append(f"{a_where}: 'name' wajib diisi")
        weight = _decimal(aspect.get("weight"))
        if weight is None or weight <= 0:
            problems.append(f"{a_where}: bobot harus bilangan positif (ditulis {aspect.get('weight')!r})")
        else:
            aspect_total += weight
        indicators = aspect.get("indicators")
        if not isinstance(indicators, list) or not indicators:
            problems.append(f"{a_where}: belum memiliki indikator")
            continue
        for ind in indicators:
            where = f"{a_where}, indikator {_label(ind)}"
            register(ind, where)
            _check_indicator(ind, where, problems, scored=True)
    if aspects and aspect_total != 100 and not any("bobot" in p and "aspek" in p for p in problems):
        problems.append(f"jumlah bobot aspek harus 100 (tertulis {aspect_total})")

    for ind in data.get("supplementary_indicators") or []:
        where = f"indikator tambahan {_label(ind)}"
        register(ind, where)
        _check_indicator(ind, where, problems, scored=False)

    items = data.get("survey_items")
    if not isinstance(items, list):
        problems.append("'survey_items' harus berupa daftar butir F-03")
    else:
        expected = 1
        for pos, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not _text(item.get("text")):
                problems.append(f"butir survei ke-{pos}: 'text' wajib diisi")
                continue
            if item.get("number") != expected:
                problems.append(f"butir survei ke-{pos}: nomor harus {expected}")
            expected += 1

    problems.extend(_check_bands(data.get("grade_bands")))
    return problems


def _label(ind: Any) -> str:
    if isinstance(ind, dict):
        return f"{ind.get('number', '?')} ({ind.get('code', '?')})"
    return "?"


def _check_bands(bands: Any) -> list[str]:
    if not isinstance(bands, list) or not bands:
        return ["'grade_bands' harus berisi tabel predikat"]
    problems = []
    parsed = []
    for pos, band in enumerate(bands, start=1):
        low = _decimal(band.get("min")) if isinstance(band, dict) else None
        high = _decimal(band.get("max")) if isinstance(band, dict) else None
        if low is None or high is None or low > high or not _text(band.get("grade")):
            problems.append(f"predikat ke-{pos}: 'grade', 'min' dan 'max' (min ≤ max) wajib diisi")
            continue
        parsed.append((low, high, band["grade"]))
    if problems:
        return problems
    parsed.sort()
    if parsed[0][0] != 0 or parsed[-1][1] != 5:
        problems.append("tabel predikat harus mencakup IPP 0,00 sampai 5,00")
    for (_, high, grade), (low, _, nxt) in zip(parsed, parsed[1:], strict=False):
        if low != high + Decimal("0.01"):
            problems.append(f"tabel predikat: ada celah atau tumpang tindih antara {grade} dan {nxt}")
    return problems


def shipped_files() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.json"))
