"""followup_progress: counts per unit in one query, the percentage rule, overdue."""

import datetime as dt
from decimal import Decimal

from evaluations.models import FollowUpItem, FollowUpStatus
from evaluations.selectors.followup import FollowUpProgress, followup_progress, progress_sum
from tests import factories as f
from tests.base import PersonaTestCase

TODAY = dt.date(2025, 6, 1)


def items(assessment, *rows):
    """One item per (status, target date) on the first indicators of the instrument."""
    indicators = assessment.cycle.instrument.indicators.order_by("number")
    for indicator, (status, target) in zip(indicators, rows, strict=False):
        FollowUpItem.objects.create(
            assessment=assessment,
            unit=assessment.unit,
            indicator=indicator,
            level=2,
            recommendation=f"Rekomendasi {indicator.number}",
            status=status,
            status_reason="Tidak ada anggaran" if status == FollowUpStatus.NOT_POSSIBLE else "",
            target_date=target,
        )


class FollowUpProgressTests(PersonaTestCase):
    def test_it_counts_per_unit_with_percent_of_all_items(self):
        past, future = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=30)
        S = FollowUpStatus
        items(
            self.assessment,
            (S.DONE, past),
            (S.IN_PROGRESS, past),  # overdue
            (S.NOT_STARTED, TODAY),  # due today: not overdue yet
            (S.NOT_POSSIBLE, past),  # closed: not overdue
            (S.NOT_STARTED, None),
            (S.DONE, future),
        )
        items(self.other_assessment, (S.NOT_STARTED, past))
        with self.assertNumQueries(1):
            progress = followup_progress(
                [self.unit.pk, self.other_unit.pk, self.prov_unit.pk], today=TODAY
            )
        self.assertEqual(progress[self.unit.pk], FollowUpProgress(6, 2, 1, 1))
        self.assertEqual(progress[self.unit.pk].percent, Decimal("33.3"))
        self.assertEqual(progress[self.other_unit.pk], FollowUpProgress(1, 0, 0, 1))
        self.assertEqual(progress[self.other_unit.pk].percent, Decimal("0.0"))
        self.assertEqual(progress[self.prov_unit.pk], FollowUpProgress())
        self.assertIsNone(progress[self.prov_unit.pk].percent)
        total = progress_sum(progress.values())
        self.assertEqual(total, FollowUpProgress(7, 2, 1, 2))
        self.assertEqual(total.percent, Decimal("28.6"))

    def test_it_limits_to_one_cycle(self):
        later = f.make_cycle(self.instrument, year=2025, owner=self.kemenpan)
        items(self.assessment, (FollowUpStatus.DONE, None))
        items(f.make_assessment(later, self.unit), (FollowUpStatus.NOT_STARTED, None))
        units = type(self.unit).objects.filter(pk=self.unit.pk)
        self.assertEqual(followup_progress(units, later, today=TODAY)[self.unit.pk].total, 1)
        self.assertEqual(followup_progress(units, later.pk, today=TODAY)[self.unit.pk].done, 0)
        self.assertEqual(followup_progress(units, today=TODAY)[self.unit.pk].total, 2)
