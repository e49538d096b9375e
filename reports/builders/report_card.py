"""Laporan Hasil Evaluasi: one unit's published result, with last cycle's figures beside it.

Figures come from the publication (never the live result); notes and recommendations from
the evaluators' F-02 scores, and the reasons from the final levels of the assessment.
"""

import pathlib
from collections import defaultdict

from django.utils.translation import gettext as _

from evaluations.models import Aspect, Assessment, FinalLevel, Indicator, Level, Score
from reports.models import Document, DocumentKind
from reports.pdf import css_string, render_pdf
from scoring.models import PublishedResult

from . import BUILDERS, BuildError, Built, ProgressFn
from .charts import Bar, bar_chart, figure
from .common import (
    GROUP_LABELS,
    decimal,
    document_assessment,
    document_publication,
    filename,
    group_counts,
    plain_weight,
    previous_result,
    published_on,
    survey_note,
)


def _remarks(assessment: Assessment, indicators: dict[int, Indicator]) -> list[dict]:
    """Per indicator (in number order): the final level's reason and each evaluator's note and
    recommendation, leaving out indicators with nothing written."""
    reasons = dict(
        FinalLevel.objects.filter(assessment=assessment)
        .exclude(reason="")
        .values_list("indicator_id", "reason")
    )
    notes: dict[int, list[dict]] = defaultdict(list)
    scores = (
        Score.objects.filter(assignment__assessment=assessment)
        .exclude(note="", recommendation="")
        .select_related("assignment__evaluator")
        .order_by("-assignment__is_lead", "assignment__evaluator__username", "pk")
    )
    for s in scores:
        notes[s.indicator_id].append(
            {
                "evaluator": s.assignment.evaluator.display_name,
                "note": s.note.strip(),
                "recommendation": s.recommendation.strip(),
            }
        )
    return [
        {
            "number": i.number,
            "title": i.title,
            "reason": reasons.get(pk, "").strip(),
            "notes": notes.get(pk, []),
        }
        for pk, i in sorted(indicators.items(), key=lambda item: item[1].number)
        if reasons.get(pk, "").strip() or notes.get(pk)
    ]


def build_report_card(document: Document, progress: ProgressFn, workdir: pathlib.Path) -> Built:
    assessment = document_assessment(document)
    publication = document_publication(document)
    cycle = publication.cycle
    progress(0, 3)
    result = PublishedResult.objects.filter(
        publication=publication, unit_id=assessment.unit_id
    ).first()
    if result is None:
        raise BuildError(_("Unit ini tidak termasuk dalam publikasi hasil periode ini."))
    previous = previous_result(assessment.unit_id, cycle)
    comparable = previous is not None and previous.publication.instrument_id == (
        publication.instrument_id
    )
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(instrument_id=publication.instrument_id).order_by(
            "number"
        )
    }
    rubric = {
        (indicator_id, value): text
        for indicator_id, value, text in Level.objects.filter(
            indicator__instrument_id=publication.instrument_id
        ).values_list("indicator_id", "value", "description")
    }
    progress(1, 3)

    def row(i: Indicator) -> dict:
        level = result.levels.get(str(i.number))
        return {
            "number": i.number,
            "code": i.code,
            "title": i.title,
            "level": level,
            "level_text": rubric.get((i.pk, level), ""),
            "previous": previous.levels.get(str(i.number)) if comparable else None,
        }

    by_aspect: dict[int, list[dict]] = defaultdict(list)
    for i in indicators.values():
        if i.aspect_id is not None:
            by_aspect[i.aspect_id].append(row(i))
    aspects = []
    for a in Aspect.objects.filter(instrument_id=publication.instrument_id).order_by("order"):
        aspects.append(
            {
                "code": a.code,
                "name": a.name,
                "weight": plain_weight(a.weight),
                "value": decimal(result.aspects.get(a.code)),
                "previous": decimal(previous.aspects.get(a.code)) if previous else None,
                "indicators": by_aspect[a.pk],
            }
        )
    legend = [str(cycle.year)] + ([str(previous.publication.cycle.year)] if previous else [])
    chart = bar_chart(
        [
            Bar(
                f"{a['code']}. {a['name']}",
                (a["value"], a["previous"]) if previous else (a["value"],),
                tuple(
                    figure(v) for v in ((a["value"], a["previous"]) if previous else (a["value"],))
                ),
            )
            for a in aspects
        ],
        maximum=5,
        title=_("Indeks per aspek"),
        legend=legend if previous else (),
        label_width=200,
    )
    context = {
        "cycle": cycle,
        "publication": publication,
        "published_on": published_on(publication),
        "result": result,
        "previous": previous,
        "group_label": GROUP_LABELS.get(result.ranking_group, result.ranking_group),
        "group_count": group_counts(publication).get(result.ranking_group, 0),
        "survey_note": survey_note(result.survey_reason) if result.survey_reason else "",
        "aspects": aspects,
        "aspect_chart": chart,
        "supplementary": [row(i) for i in indicators.values() if i.aspect_id is None],
        "remarks": _remarks(assessment, indicators),
        "page_header": css_string(f"{_('Laporan Hasil Evaluasi')} · {result.unit_name}"),
    }
    progress(2, 3)
    target = workdir / "laporan-hasil-evaluasi.pdf"
    render_pdf("reports/pdf/report_card.html", context, target=target)
    progress(3, 3)
    return Built(
        filename(
            "laporan-hasil-evaluasi",
            cycle,
            "pdf",
            revision=publication.revision,
            extra=result.unit_name,
        ),
        target,
    )


BUILDERS[DocumentKind.REPORT_CARD] = build_report_card
