"""Berita Acara: the formal record of one final assessment, for the team and the unit to sign.

It needs no publication: it states the assessment's own result as it stands when final.
"""

import datetime as dt
import pathlib
from collections import defaultdict

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import (
    Aspect,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    EvaluatorAssignment,
    FinalLevel,
)
from reports.models import Document, DocumentKind
from reports.pdf import css_string, render_pdf
from scoring.models import Result

from . import BUILDERS, BuildError, Built, ProgressFn
from .common import decimal, document_assessment, filename, plain_weight, survey_note


def finalised_on(assessment) -> dt.date | None:
    """When the assessment became final (its audit history), else when its final levels were
    last set: a date that stays the same however often the record is printed."""
    at = (
        AuditEntry.objects.filter(
            assessment=assessment,
            action=AuditAction.STATUS,
            new=str(AssessmentStatus.FINAL.label),
        ).aggregate(at=Max("at"))["at"]
        or FinalLevel.objects.filter(assessment=assessment).aggregate(at=Max("decided_at"))["at"]
    )
    return timezone.localdate(at) if at else None


def build_berita_acara(document: Document, progress: ProgressFn, workdir: pathlib.Path) -> Built:
    assessment = document_assessment(document)
    if assessment.status != AssessmentStatus.FINAL:
        raise BuildError(_("Berita Acara hanya dapat dibuat untuk lokus yang sudah final."))
    result = (
        Result.objects.select_related("province", "assessment__unit__agency", "service_type")
        .filter(assessment=assessment)
        .first()
    )
    if result is None:
        raise BuildError(_("Hasil penilaian lokus ini belum tersimpan."))
    progress(0, 2)
    cycle = assessment.cycle
    levels: dict[int, list[dict]] = defaultdict(list)
    for final in (
        FinalLevel.objects.filter(assessment=assessment)
        .select_related("indicator")
        .order_by("indicator__number")
    ):
        levels[final.indicator.aspect_id].append(
            {
                "number": final.indicator.number,
                "code": final.indicator.code,
                "title": final.indicator.title,
                "level": final.level,
            }
        )
    aspects = [
        {
            "code": a.code,
            "name": a.name,
            "weight": plain_weight(a.weight),
            "value": decimal(result.aspects.get(a.code)),
            "indicators": levels[a.pk],
        }
        for a in Aspect.objects.filter(instrument_id=cycle.instrument_id).order_by("order")
    ]
    team = [
        {
            "name": a.evaluator.display_name,
            "nip": a.evaluator.nip,
            "role": _("Ketua Tim") if a.is_lead else _("Anggota"),
        }
        for a in EvaluatorAssignment.objects.filter(assessment=assessment)
        .select_related("evaluator")
        .order_by("-is_lead", "evaluator__username")
    ]
    unit = assessment.unit
    context = {
        "cycle": cycle,
        "unit": unit,
        "agency": result.assessment.unit.agency,
        "province": result.province,
        "service_type": result.service_type,
        "result": result,
        "survey_note": survey_note(result.survey_reason) if result.survey_reason else "",
        "date": finalised_on(assessment),
        "aspects": aspects,
        "supplementary": levels[None],
        "team": team,
        "page_header": css_string(f"{_('Berita Acara')} · {unit.name} · {cycle.name}"),
    }
    progress(1, 2)
    target = workdir / "berita-acara.pdf"
    render_pdf("reports/pdf/berita_acara.html", context, target=target)
    progress(2, 2)
    return Built(filename("berita-acara", cycle, "pdf", extra=unit.name), target)


BUILDERS[DocumentKind.BERITA_ACARA] = build_berita_acara
