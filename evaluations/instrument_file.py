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


def _check_strings(
    obj: dict,
    where: str,
    limits: dict[str, int | None],
    problems: list[str],
    *,
    required: tuple[str, ...] = (),
) -> None:
    """Text fields must be text and fit the database columns they are stored in.

    `required` fields are already reported when empty; only their length is checked here.
    """
    prefix = f"{where}: " if where else ""
    for key, limit in limits.items():
        if key not in obj:
            continue
        value = obj[key]
        if not isinstance(value, str):
            if key not in required:
                problems.append(f"{prefix}'{key}' harus berupa teks")
        elif limit is not None and len(value) > limit:
            problems.append(f"{prefix}'{key}' melebihi {limit} karakter ({len(value)})")


def _check_flags(obj: dict, where: str, keys: tuple[str, ...], problems: list[str]) -> None:
    # bool("false") is True: a quoted flag would silently flip, so only true/false are accepted.
    prefix = f"{where}: " if where else ""
    for key in keys:
        if key in obj and not isinstance(obj[key], bool):
            problems.append(f"{prefix}'{key}' harus true atau false")


def _check_indicator(ind: Any, where: str, problems: list[str], *, scored: bool) -> None:
    if not isinstance(ind, dict):
        problems.append(f"{where}: harus berupa objek")
        return
    for key in ("code", "title"):
        if not _text(ind.get(key)):
            problems.append(f"{where}: '{key}' wajib diisi")
    _check_strings(
        ind,
        where,
        {"code": 32, "title": 300, "question": None, "evidence_guidance": None},
        problems,
        required=("code", "title"),
    )
    _check_flags(ind, where, ("evidence_required",), problems)
    if scored:
        weight = _decimal(ind.get("weight"))
        if weight is None or weight <= 0:
            problems.append(
                f"{where}: bobot harus bilangan positif (ditulis {ind.get('weight')!r})"
            )
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
    _check_strings(
        data,
        "",
        {"code": 32, "name": 200, "variant": 4, "legal_basis": 300, "description": None},
        problems,
        required=("code", "name"),
    )
    _check_flags(data, "", ("provisional",), problems)
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
    aspect_weight_unreadable = False
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
            problems.append(
                f"{a_where}: bobot harus bilangan positif (ditulis {aspect.get('weight')!r})"
            )
            aspect_weight_unreadable = True
        else:
            aspect_total += weight
        limits = {"code": 8, "name": 200}
        _check_strings(aspect, a_where, limits, problems, required=("code", "name"))
        indicators = aspect.get("indicators")
        if not isinstance(indicators, list) or not indicators:
            problems.append(f"{a_where}: belum memiliki indikator")
            continue
        for ind in indicators:
            where = f"{a_where}, indikator {_label(ind)}"
            register(ind, where)
            _check_indicator(ind, where, problems, scored=True)
    # An unreadable aspect weight already explains a wrong total; do not report it twice.
    if aspects and aspect_total != 100 and not aspect_weight_unreadable:
        problems.append(f"jumlah bobot aspek harus 100 (tertulis {aspect_total})")

    for ind in data.get("supplementary_indicators") or []:
        where = f"indikator tambahan {_label(ind)}"
        register(ind, where)
        _check_indicator(ind, where, problems, scored=False)

    items = data.get("survey_items")
    if not isinstance(items, list):
        problems.append("'survey_items' harus berupa daftar butir F-03")
    else:
        # Numbered 1..n: item k must say k. (Counting only the sound items made one item
        # without text shift every later number and report each of them as wrong.)
        for pos, item in enumerate(items, start=1):
            where = f"butir survei ke-{pos}"
            if not isinstance(item, dict):
                problems.append(f"{where}: 'text' wajib diisi")
                continue
            if not _text(item.get("text")):
                problems.append(f"{where}: 'text' wajib diisi")
            if item.get("number") != pos:
                problems.append(f"{where}: nomor harus {pos}")
            _check_strings(item, where, {"text": 300}, problems, required=("text",))

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
        _check_strings(
            band, f"predikat ke-{pos}", {"grade": 2, "label": 60}, problems, required=("grade",)
        )
    grades = [grade for _, _, grade in parsed]
    for grade in sorted({g for g in grades if grades.count(g) > 1}):
        problems.append(f"tabel predikat: predikat {grade} ditulis lebih dari sekali")
    if problems:
        return problems
    parsed.sort()
    if parsed[0][0] != 0 or parsed[-1][1] != 5:
        problems.append("tabel predikat harus mencakup IPP 0,00 sampai 5,00")
    for (_, high, grade), (low, _, nxt) in zip(parsed, parsed[1:], strict=False):
        if low != high + Decimal("0.01"):
            problems.append(
                f"tabel predikat: ada celah atau tumpang tindih antara {grade} dan {nxt}"
            )
    return problems


def shipped_files() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.json"))
