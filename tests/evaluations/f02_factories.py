"""Test helpers for F-02: statuses, answers, levels and images."""

import struct
import zlib

from django.urls import reverse
from django.utils import timezone

from evaluations.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    EvaluatorAssignment,
    Indicator,
    Phase,
    Score,
)
from tests import factories as f
from tests.base import PersonaTestCase

Status = AssessmentStatus


def set_status(assessment: Assessment, status: str) -> Assessment:
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.status = status
    return assessment


def scored_indicators(instrument) -> list[Indicator]:
    return list(instrument.indicators.filter(supplementary=False).order_by("number"))


def give_levels(assignment, levels: dict[int, int], *, recommendation: str = "Perbaiki.", note=""):
    """Set this evaluator's levels by indicator number (rows created as needed)."""
    by_number = {i.number: i for i in assignment.assessment.cycle.instrument.indicators.all()}
    for number, level in levels.items():
        Score.objects.update_or_create(
            assignment=assignment,
            indicator=by_number[number],
            defaults={
                "level": level,
                "note": note,
                "recommendation": "" if level == 5 else recommendation,
                "updated_at": timezone.now(),
            },
        )


def give_answers(assessment, by, indicators, *, level: int = 4) -> list[Answer]:
    now = timezone.now()
    return Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            indicator=ind,
            claimed_level=level,
            explanation=f"Penjelasan unit untuk indikator {ind.number}",
            updated_by=by,
            updated_at=now,
        )
        for ind in indicators
    )


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class F02TestCase(PersonaTestCase):
    """The persona world with the evaluation window open and F-01 submitted; two evaluators."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.EVALUATION)
        f.open_window(cls.cycle, Phase.CLARIFICATION)
        set_status(cls.assessment, Status.SUBMITTED)
        cls.indicators = scored_indicators(cls.instrument)
        cls.assignment = EvaluatorAssignment.objects.get(
            assessment=cls.assessment, evaluator=cls.evaluator
        )
        cls.evaluator2 = f.make_evaluator(
            "evaluator-2", agency=cls.kemenpan, full_name="Evaluator Kedua"
        )
        cls.assignment2 = f.assign(cls.assessment, cls.evaluator2)
        cls.stranger = f.make_evaluator("evaluator-lain", full_name="Evaluator Lain")

    def page_url(self, assessment=None):
        return reverse("evaluations:f02_form", args=[(assessment or self.assessment).pk])

    def post_score(
        self,
        indicator,
        *,
        version,
        level="",
        note="",
        recommendation="",
        htmx=True,
        client=None,
        **extra,
    ):
        data = {"version": version, "level": level, "note": note, "recommendation": recommendation}
        headers = {"HX-Request": "true"} if htmx else {}
        return (client or self.client).post(
            reverse("evaluations:score_autosave", args=[self.assessment.pk, indicator.pk]),
            data | extra,
            headers=headers,
        )

    def score(self, indicator, assignment=None) -> Score:
        return Score.objects.get(assignment=assignment or self.assignment, indicator=indicator)

    def fill_all(self, assignment, level=4, note=""):
        give_levels(assignment, {i.number: level for i in self.indicators}, note=note)
