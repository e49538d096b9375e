"""Plain factory functions for test data. Each returns saved objects with sensible defaults."""

import copy
import datetime as dt
import itertools
from typing import Any

from evaluations.models import Assessment, Cycle, EvaluatorAssignment, Phase, PhaseWindow, Scheme
from evaluations.services import instrument_import
from units.models import (
    Agency,
    AgencyKind,
    Province,
    Role,
    RoleAssignment,
    ServiceScope,
    ServiceType,
    ServiceUnit,
    User,
)

_seq = itertools.count(1)

PASSWORD = "rahasia-uji-123"

# The 2022-A weights (domain §2), the backbone of a small but valid instrument document.
WEIGHTS_2022 = {
    "I": ("Kebijakan Pelayanan", "24", ["17", "14", "7", "14", "10", "17", "7", "7", "7"]),
    "II": ("Profesionalisme SDM", "25", ["10", "20", "20", "20", "30"]),
    "III": ("Sarana Prasarana", "18", ["15", "23", "20", "20", "11", "11"]),
    "IV": ("Sistem Informasi Pelayanan Publik", "11", ["30", "20", "20", "30"]),
    "V": ("Konsultasi dan Pengaduan", "10", ["20", "25", "25", "30"]),
    "VI": ("Inovasi", "12", ["50", "50"]),
}


def _levels(prefix: str) -> dict[str, str]:
    return {str(v): f"{prefix}: tingkat {v}" for v in range(6)}


def instrument_document(code: str = "UJI-1", **overrides: Any) -> dict[str, Any]:
    """A valid instrument document with the 2022-A structure and placeholder texts."""
    number = itertools.count(1)
    aspects = []
    for a_code, (name, weight, weights) in WEIGHTS_2022.items():
        indicators = []
        for w in weights:
            n = next(number)
            indicators.append(
                {
                    "number": n,
                    "code": f"{n}.x.K",
                    "title": f"Indikator {n}",
                    "question": f"Pertanyaan {n}",
                    "weight": w,
                    "evidence_guidance": "Dokumen pendukung",
                    "evidence_required": True,
                    "levels": _levels(f"Indikator {n}"),
                }
            )
        aspects.append({"code": a_code, "name": name, "weight": weight, "indicators": indicators})
    doc = {
        "format": 1,
        "code": code,
        "name": f"Instrumen uji {code}",
        "year": 2022,
        "variant": "A",
        "legal_basis": "",
        "description": "",
        "provisional": False,
        "survey_weight": "0.25",
        "min_respondents": 10,
        "grade_bands": [
            {"grade": g, "min": lo, "max": hi, "label": label}
            for g, lo, hi, label in [
                ("A", "4.51", "5.00", "Pelayanan Prima"),
                ("A-", "4.01", "4.50", "Sangat Baik"),
                ("B", "3.51", "4.00", "Baik"),
                ("B-", "3.01", "3.50", "Baik (Dengan Catatan)"),
                ("C", "2.51", "3.00", "Cukup"),
                ("C-", "2.01", "2.50", "Cukup (Dengan Catatan)"),
                ("D", "1.51", "2.00", "Buruk"),
                ("E", "1.01", "1.50", "Sangat Buruk"),
                ("F", "0.00", "1.00", "Gagal"),
            ]
        ],
        "aspects": aspects,
        "supplementary_indicators": [
            {
                "number": 31,
                "code": "tambahan",
                "title": "Sistem antrean",
                "question": "",
                "evidence_guidance": "",
                "evidence_required": False,
                "levels": _levels("Antrean"),
            }
        ],
        "survey_items": [{"number": i, "text": f"Butir {i}"} for i in range(1, 15)],
    }
    doc.update(copy.deepcopy(overrides))
    return doc


def make_instrument(code: str = "UJI-1", **overrides: Any):
    instrument, _ = instrument_import(data=instrument_document(code, **overrides))
    return instrument


def make_province(name: str = "Lampung", code: str = "18") -> Province:
    return Province.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_agency(
    name: str | None = None,
    kind: str = AgencyKind.KABUPATEN,
    province: Province | None = None,
    code: str | None = None,
) -> Agency:
    n = next(_seq)
    if province is None and kind in (AgencyKind.PROVINSI, AgencyKind.KABUPATEN, AgencyKind.KOTA):
        province = make_province()
    return Agency.objects.create(
        code=code or f"AG{n:05d}", name=name or f"Instansi {n}", kind=kind, province=province
    )


def make_service_type(code: str = "disdukcapil", name: str = "Disdukcapil") -> ServiceType:
    return ServiceType.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_unit(
    agency: Agency | None = None, name: str | None = None, service_type: ServiceType | None = None
) -> ServiceUnit:
    n = next(_seq)
    return ServiceUnit.objects.create(
        code=f"UPP{n:06d}",
        name=name or f"Unit {n}",
        agency=agency or make_agency(),
        service_type=service_type or make_service_type(),
        scope=ServiceScope.ADMINISTRATIF,
    )


def make_user(username: str | None = None, *, agency: Agency | None = None, **fields: Any) -> User:
    username = username or f"user{next(_seq)}"
    user = User.objects.create_user(username=username, password=PASSWORD, agency=agency, **fields)
    return user


def grant(
    user: User, role: str, *, agency: Agency | None = None, unit: ServiceUnit | None = None
) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=role, agency=agency, unit=unit)


def make_cycle(
    instrument=None,
    *,
    year: int = 2024,
    scheme: str = Scheme.NASIONAL,
    owner: Agency | None = None,
    name: str | None = None,
) -> Cycle:
    cycle = Cycle.objects.create(
        year=year,
        scheme=scheme,
        name=name or f"PEKPPP {scheme.title()} {year} #{next(_seq)}",
        instrument=instrument or make_instrument(f"UJI-{next(_seq)}"),
        owner_agency=owner or make_agency(kind=AgencyKind.KEMENTERIAN),
    )
    start = dt.date(year, 3, 1)
    for offset, phase in enumerate(Phase.values):
        PhaseWindow.objects.create(
            cycle=cycle,
            phase=phase,
            starts_on=start + dt.timedelta(days=30 * offset),
            ends_on=start + dt.timedelta(days=30 * offset + 29),
        )
    return cycle


def make_assessment(cycle: Cycle | None = None, unit: ServiceUnit | None = None) -> Assessment:
    return Assessment.objects.create(cycle=cycle or make_cycle(), unit=unit or make_unit())


def assign(assessment: Assessment, evaluator: User, *, lead: bool = False) -> EvaluatorAssignment:
    return EvaluatorAssignment.objects.create(
        assessment=assessment, evaluator=evaluator, is_lead=lead
    )


__all__ = ["PASSWORD", "Role"]
