"""Test helpers for the follow-up register: final assessments whose evaluators wrote
recommendations, their items made by the real service, and a world per role."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from django.utils import timezone

from evaluations.models import (
    AssessmentStatus,
    EvaluatorAssignment,
    FinalLevel,
    FollowUpItem,
    FollowUpStatus,
    Indicator,
    Score,
)
from evaluations.services.followup import (
    FollowUpValues,
    followup_item_update,
    followup_items_create,
)
from tests import factories as f
from tests.base import PersonaTestCase

from . import f01_factories as ff


def finalized(assessment, levels: Mapping[int, int], *recommendations: Mapping[int, str], team=()):
    """Make `assessment` final with these final levels (indicator number → level), each
    evaluator's recommendations (one mapping per evaluator, the first leads), then its
    follow-up items through the service. Returns its items by indicator number."""
    indicators = {
        i.number: i for i in Indicator.objects.filter(instrument_id=assessment.cycle.instrument_id)
    }
    for position, texts in enumerate(recommendations):
        evaluator = team[position] if position < len(team) else f.make_evaluator()
        assignment, _ = EvaluatorAssignment.objects.get_or_create(
            assessment=assessment, evaluator=evaluator, defaults={"is_lead": position == 0}
        )
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
        for number, level in levels.items():
            Score.objects.update_or_create(
                assignment=assignment,
                indicator=indicators[number],
                defaults={"level": level, "recommendation": texts.get(number, "")},
            )
    FinalLevel.objects.bulk_create(
        FinalLevel(assessment=assessment, indicator=indicators[n], level=lv)
        for n, lv in levels.items()
    )
    assessment.status = AssessmentStatus.FINAL
    assessment.save(update_fields=["status"])
    followup_items_create(assessment=assessment)
    return {
        item.indicator.number: item
        for item in FollowUpItem.objects.filter(assessment=assessment).select_related("indicator")
    }


def values(item: FollowUpItem, **changes) -> FollowUpValues:
    """The item's current values with some changed."""
    return replace(FollowUpValues.of(item), **changes)


def record(item: FollowUpItem, by, *, files=(), **changes) -> FollowUpItem:
    """Save a follow-up through the service on the item's current version."""
    item.refresh_from_db()
    return followup_item_update(
        item=item, by=by, version=item.version, values=values(item, **changes), files=files
    )


def done(item: FollowUpItem, by) -> FollowUpItem:
    """Mark an item selesai with one small PDF."""
    return record(
        item, by, status=FollowUpStatus.DONE, files=[ff.upload("laporan.pdf", ff.PDF_BYTES)]
    )


LEVELS = {1: 2, 2: 3, 3: 5, 4: 1}
TEXTS = {1: "Tetapkan SP dengan SK.", 2: "Libatkan masyarakat.", 4: "Tinjau SP tiap tahun."}


class FollowUpWorld(PersonaTestCase):
    """The personas plus a finished 2023 Nasional cycle (follow-up deadline 30-06-2024) in
    which the operator's unit, Tanggamus' unit and Pemprov's DPMPTSP (the coordinator's
    agency) are final with three items each (indicators 1, 2 and 4)."""

    DEADLINE = dt.date(2024, 6, 30)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.finished = f.make_cycle(
            cls.instrument, year=2023, owner=cls.kemenpan, name="PEKPPP Nasional 2023"
        )
        cls.finished.followup_deadline = cls.DEADLINE
        cls.finished.save(update_fields=["followup_deadline"])
        cls.prov_operator = f.make_user(
            "operator-prov", agency=cls.pemprov, full_name="Operator DPMPTSP"
        )
        f.grant(cls.prov_operator, f.Role.UNIT_OPERATOR, unit=cls.prov_unit)
        cls.locus = f.make_assessment(cls.finished, cls.unit)
        cls.items = finalized(cls.locus, LEVELS, TEXTS, team=[cls.evaluator])
        cls.other_items = finalized(f.make_assessment(cls.finished, cls.other_unit), LEVELS, TEXTS)
        cls.prov_items = finalized(f.make_assessment(cls.finished, cls.prov_unit), LEVELS, TEXTS)
