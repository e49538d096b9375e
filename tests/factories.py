"""Plain factory functions for test data. Each returns saved objects with sensible defaults."""

import copy
import datetime as dt
import hashlib
import io
import itertools
import json
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from evaluations.models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    EvaluatorAssignment,
    Evidence,
    EvidenceRevision,
    InstrumentVersion,
    Phase,
    PhaseWindow,
    Scheme,
)
from evaluations.services import instrument_import
from scoring.models import Publication
from scoring.services.publication import cycle_publish
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

# The smallest file the evidence checks accept as a PDF.
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The golden scoring cases (domain §2–4), by id.
SCORING_CASES = {
    case["id"]: case
    for case in json.loads((Path(__file__).parent / "data" / "scoring_cases.json").read_text())[
        "cases"
    ]
}

ASPECTS = ("I", "II", "III", "IV", "V", "VI")

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


def shipped_instrument(code: str = "2022-A") -> InstrumentVersion:
    """Load the instruments shipped with the portal (`load_instruments`); the one of `code`."""
    call_command("load_instruments", stdout=io.StringIO())
    return InstrumentVersion.objects.get(code=code)


def golden_levels(case_id: str = "boundary-45050") -> dict[int, int]:
    """Indicator number → level of a golden scoring case (boundary-45050: IPP 4.51, A)."""
    return {int(n): lv for n, lv in SCORING_CASES[case_id]["levels"].items()}


def aspects(*values: str) -> dict[str, str]:
    """Aspect code → value, for the six aspects in order."""
    return dict(zip(ASPECTS, values, strict=True))


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


def make_evaluator(username: str | None = None, **fields: Any) -> User:
    """A person with the evaluator role (`fields` as for `make_user`, e.g. agency, full_name)."""
    user = make_user(username, **fields)
    grant(user, Role.EVALUATOR)
    return user


def make_publisher() -> User:
    """A ministry admin, who may publish any cycle."""
    user = make_user()
    grant(user, Role.MINISTRY_ADMIN)
    return user


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


def open_window(cycle: Cycle, phase: str, *, before: int = 10, after: int = 10) -> PhaseWindow:
    """Make a phase window of `cycle` run from `before` days ago to `after` days ahead."""
    today = timezone.localdate()
    window, _ = PhaseWindow.objects.update_or_create(
        cycle=cycle,
        phase=phase,
        defaults={
            "starts_on": today - dt.timedelta(days=before),
            "ends_on": today + dt.timedelta(days=after),
        },
    )
    return window


def close_window(cycle: Cycle, phase: str, *, days: int = 30) -> PhaseWindow:
    """Make a phase window of `cycle` run from `days` days ago to yesterday."""
    return open_window(cycle, phase, before=days, after=-1)


def make_assessment(cycle: Cycle | None = None, unit: ServiceUnit | None = None) -> Assessment:
    return Assessment.objects.create(cycle=cycle or make_cycle(), unit=unit or make_unit())


def assign(assessment: Assessment, evaluator: User, *, lead: bool = False) -> EvaluatorAssignment:
    return EvaluatorAssignment.objects.create(
        assessment=assessment, evaluator=evaluator, is_lead=lead
    )


def add_evidence(
    assessment: Assessment,
    indicator,
    by: User,
    *,
    content: bytes = EVIDENCE_PDF,
    content_type: str = "application/pdf",
    extension: str = ".pdf",
    title: str | None = None,
) -> EvidenceRevision:
    """One evidence document with one revision whose file lies in private storage."""
    evidence = Evidence.objects.create(
        assessment=assessment,
        indicator=indicator,
        title=title or f"Bukti indikator {indicator.number}",
        created_by=by,
    )
    revision = EvidenceRevision(
        evidence=evidence,
        number=1,
        original_name=f"bukti-{indicator.number}{extension}",
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )
    revision.file.save(f"bukti{extension}", ContentFile(content), save=False)
    revision.save()
    return revision


def publish(
    cycle: Cycle,
    by: User | None = None,
    *,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Publication:
    """Mark every locus of `cycle` final and publish it through the real service (a correction
    when `reason` is set), by `by` or a new ministry admin; `at` backdates the publication."""
    Assessment.objects.filter(cycle=cycle).update(status=AssessmentStatus.FINAL)
    publication = cycle_publish(cycle=cycle, user=by or make_publisher(), reason=reason)
    if at is not None:
        Publication.objects.filter(pk=publication.pk).update(published_at=at)
        publication.refresh_from_db()
    return publication


__all__ = ["PASSWORD", "Role"]
