"""Writes of the evaluations app: instrument versions in and out, cycles' loci."""

import json
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction

from .. import instrument_file
from ..instrument_file import InstrumentFileError
from ..models import Aspect, GradeBand, Indicator, InstrumentVersion, Level, SurveyItem

LoadOutcome = Literal["created", "replaced", "unchanged"]


def _canonical_checksum(data: dict[str, Any]) -> str:
    # Hash the canonical JSON, not the file bytes, so re-indenting a file is not a new version.
    return instrument_file.checksum(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    )


@transaction.atomic
def instrument_import(
    *, data: dict[str, Any], source: str = ""
) -> tuple[InstrumentVersion, LoadOutcome]:
    """Create or replace an instrument version from a validated document.

    A version already used by a cycle is never changed: its scores must stay recomputable.
    Loading the same document again changes nothing.
    """
    problems = instrument_file.validate(data)
    if problems:
        raise InstrumentFileError(problems, source)
    digest = _canonical_checksum(data)
    existing = InstrumentVersion.objects.filter(code=data["code"]).first()
    if existing is not None:
        if existing.checksum == digest:
            return existing, "unchanged"
        if existing.cycles.exists():
            raise InstrumentFileError(
                [
                    f"versi '{existing.code}' sudah dipakai periode evaluasi dan tidak dapat "
                    "diubah; impor sebagai versi baru dengan kode lain"
                ],
                source,
            )
        existing.delete()
    instrument = InstrumentVersion.objects.create(
        code=data["code"],
        name=data["name"],
        year=data["year"],
        variant=data.get("variant", ""),
        legal_basis=data.get("legal_basis", ""),
        description=data.get("description", ""),
        provisional=bool(data.get("provisional", False)),
        survey_weight=Decimal(str(data["survey_weight"])),
        min_respondents=data["min_respondents"],
        checksum=digest,
    )
    indicators: list[Indicator] = []
    level_texts: list[dict[str, str]] = []
    for order, a in enumerate(data["aspects"], start=1):
        aspect = Aspect.objects.create(
            instrument=instrument,
            code=a["code"],
            name=a["name"],
            weight=Decimal(str(a["weight"])),
            order=order,
        )
        for ind in a["indicators"]:
            indicators.append(
                _indicator(instrument, ind, aspect=aspect, weight=Decimal(str(ind["weight"])))
            )
            level_texts.append(ind["levels"])
    for ind in data.get("supplementary_indicators") or []:
        indicators.append(_indicator(instrument, ind, aspect=None, weight=Decimal(0)))
        level_texts.append(ind["levels"])
    Indicator.objects.bulk_create(indicators)
    Level.objects.bulk_create(
        Level(indicator=ind, value=int(value), description=text)
        for ind, texts in zip(indicators, level_texts, strict=True)
        for value, text in texts.items()
    )
    SurveyItem.objects.bulk_create(
        SurveyItem(instrument=instrument, number=item["number"], text=item["text"])
        for item in data["survey_items"]
    )
    GradeBand.objects.bulk_create(
        GradeBand(
            instrument=instrument,
            grade=b["grade"],
            min_ipp=Decimal(str(b["min"])),
            max_ipp=Decimal(str(b["max"])),
            label=b.get("label", ""),
        )
        for b in data["grade_bands"]
    )
    return instrument, "created" if existing is None else "replaced"


def _indicator(instrument, ind: dict[str, Any], *, aspect, weight: Decimal) -> Indicator:
    return Indicator(
        instrument=instrument,
        aspect=aspect,
        number=ind["number"],
        code=ind["code"],
        title=ind["title"],
        question=ind.get("question", ""),
        weight=weight,
        supplementary=aspect is None,
        evidence_guidance=ind.get("evidence_guidance", ""),
        evidence_required=bool(ind.get("evidence_required", aspect is not None)),
    )


def _plain(value: Decimal) -> str:
    """'17.000' → '17', '0.250' → '0.25': weights written back as they were written."""
    text = format(value.normalize(), "f")
    return text


def instrument_export(instrument: InstrumentVersion) -> dict[str, Any]:
    """The instrument as a document in the file format; importing it gives the same version."""
    indicators = list(instrument.indicators.prefetch_related("levels").order_by("number"))
    by_aspect: dict[int | None, list[Indicator]] = {}
    for ind in indicators:
        by_aspect.setdefault(ind.aspect_id, []).append(ind)

    def indicator_doc(ind: Indicator) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "number": ind.number,
            "code": ind.code,
            "title": ind.title,
            "question": ind.question,
        }
        if not ind.supplementary:
            doc["weight"] = _plain(ind.weight)
        doc["evidence_guidance"] = ind.evidence_guidance
        doc["evidence_required"] = ind.evidence_required
        doc["levels"] = {str(lv.value): lv.description for lv in ind.levels.all()}
        return doc

    return {
        "format": instrument_file.FORMAT_VERSION,
        "code": instrument.code,
        "name": instrument.name,
        "year": instrument.year,
        "variant": instrument.variant,
        "legal_basis": instrument.legal_basis,
        "description": instrument.description,
        "provisional": instrument.provisional,
        "survey_weight": _plain(instrument.survey_weight),
        "min_respondents": instrument.min_respondents,
        "grade_bands": [
            {"grade": b.grade, "min": str(b.min_ipp), "max": str(b.max_ipp), "label": b.label}
            for b in instrument.grade_bands.order_by("-max_ipp")
        ],
        "aspects": [
            {
                "code": a.code,
                "name": a.name,
                "weight": _plain(a.weight),
                "indicators": [indicator_doc(i) for i in by_aspect.get(a.pk, [])],
            }
            for a in instrument.aspects.order_by("order")
        ],
        "supplementary_indicators": [indicator_doc(i) for i in by_aspect.get(None, [])],
        "survey_items": [
            {"number": s.number, "text": s.text} for s in instrument.survey_items.order_by("number")
        ],
    }


def instrument_copy(
    *, instrument: InstrumentVersion, code: str, name: str, year: int
) -> InstrumentVersion:
    """Copy a version forward under a new code, as the start of next year's instrument."""
    if InstrumentVersion.objects.filter(code=code).exists():
        raise InstrumentFileError([f"kode versi '{code}' sudah ada"])
    data = instrument_export(instrument)
    data.update(code=code, name=name, year=year)
    copied, _ = instrument_import(data=data)
    return copied
