"""The F-03 survey of the demo's current Nasional cycle, collected through the portal's own
survey services (as a service user and the demo operator would), so links, answers, the
scanned paper sheet, the audit entries and the recomputed results are exactly what the
portal makes.

- Disdukcapil Kabupaten Lampung Selatan (the demo operator's unit): a live public link, a few
  online answers and one paper sheet typed in by the operator with its scan, fewer than m;
- RSUD Bob Bazar Kalianda: exactly m online answers, so its survey counts.

A locus that already has responses (from an earlier run or from someone trying the demo) is
left as it is, and the services accept answers only inside the survey window: seeding as of
another day than today (`seed_demo(today=…)`) leaves the survey empty.
"""

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from evaluations.models import Assessment, Phase, SurveyResponse
from evaluations.selectors.rubric import instrument_survey_items
from evaluations.selectors.survey import live_link, survey_summary
from evaluations.selectors.windows import window_problem
from scoring.services.survey import (
    PROFILE_CHOICES,
    survey_answer,
    survey_link,
    survey_paper_enter,
)
from units.models import User

# The demo operator's locus: a few answers, short of m, one of them from paper.
OPERATOR_LOCUS = "1801-DISDUKCAPIL"
OPERATOR_ONLINE = 5
# A locus with exactly m answers (m of the cycle: 10 for 2022-A), so its survey counts.
COUNTED_LOCUS = "1801-RSUD"

SERVICES = {
    "disdukcapil": ("Perekaman KTP-el", "Akta kelahiran", "Kartu Keluarga", "Surat pindah"),
    "rsud": ("Rawat jalan", "Rawat inap", "Laboratorium", "Instalasi farmasi"),
}


@dataclass(frozen=True, slots=True)
class SurveyLocus:
    """One demo locus's survey after seeding."""

    unit: str
    link: str  # path of the live public link, "/s/<token>/"
    respondents: int  # valid responses
    online: int
    paper: int
    minimum: int  # m of the cycle
    counted: bool  # whether the survey enters the IPP once the levels are final


def _rng(*key: object) -> random.Random:
    # A str seed is hashed with SHA-512, so the stream does not depend on PYTHONHASHSEED.
    return random.Random(":".join(["pekppp-demo-survey", *map(str, key)]))


def _answers(rng: random.Random, items: int, liking: float) -> list[int]:
    mood = rng.gauss(0, 0.3)
    return [round(max(0.0, min(5.0, rng.gauss(liking + mood, 0.7)))) for _ in range(items)]


def _profile(rng: random.Random, service_type: str) -> dict[str, str]:
    # Everyone is asked; some leave a question blank (no profile question is required).
    profile = {key: rng.choice([*choices.values, ""]) for key, choices in PROFILE_CHOICES.items()}
    profile["service_used"] = rng.choice(SERVICES.get(service_type, ("",)))
    return profile


def sheet_png(answers: Sequence[int]) -> bytes:
    """A small "scan" of a paper F-03 sheet: 14 rows of six boxes, the chosen box filled."""
    image = Image.new("L", (200, 260), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 191, 22), outline=0)  # the title line
    for row, value in enumerate(answers):
        top = 34 + row * 16
        for column in range(6):
            left = 90 + column * 16
            box = (left, top, left + 10, top + 10)
            draw.rectangle(box, outline=0, fill=0 if column == value else 255)
        draw.line((10, top + 5, 80, top + 5), fill=96)  # the item's text
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _seed_locus(locus: Assessment, by: User, *, online: int, liking: float, paper: bool) -> None:
    if SurveyResponse.objects.filter(assessment=locus).exists():
        return
    link = survey_link(assessment=locus, by=by)
    items = len(instrument_survey_items(locus.cycle.instrument))
    rng = _rng(locus.cycle.year, locus.unit.code)
    service_type = locus.unit.service_type.code
    for _ in range(online):
        survey_answer(
            link=link,
            answers=_answers(rng, items, liking),
            profile=_profile(rng, service_type),
        )
    if paper:
        answers = _answers(rng, items, liking)
        survey_paper_enter(
            assessment=locus,
            answers=answers,
            profile=_profile(rng, service_type),
            sheet=ContentFile(sheet_png(answers), name="lembar-survei-kertas-1.png"),
            by=by,
        )


def survey_seed(*, loci: Sequence[Assessment], people: dict[str, User]) -> tuple[SurveyLocus, ...]:
    """Collect the demo survey of the current Nasional cycle's `loci` (units and cycle
    selected) through the survey services, where the window is open today; return the
    figures of the two demo loci."""
    by_code = {a.unit.code: a for a in loci}
    operator_locus, counted_locus = by_code[OPERATOR_LOCUS], by_code[COUNTED_LOCUS]
    if window_problem(operator_locus, Phase.SURVEY) is None:
        _seed_locus(
            operator_locus, people["operator"], online=OPERATOR_ONLINE, liking=3.9, paper=True
        )
        _seed_locus(
            counted_locus,
            people["admin"],
            online=counted_locus.cycle.effective_min_respondents,
            liking=3.6,
            paper=False,
        )
    return tuple(_figures(locus) for locus in (operator_locus, counted_locus))


def _figures(locus: Assessment) -> SurveyLocus:
    summary = survey_summary(locus)
    link = live_link(locus)
    return SurveyLocus(
        unit=locus.unit.name,
        link=str(link) if link else "",
        respondents=summary.respondents,
        online=summary.online,
        paper=summary.paper,
        minimum=summary.minimum,
        counted=summary.counted,
    )
