"""The proposal rule of priority coaching, without a database: grades at or below a grade,
the bottom share of a ranking group (rounded down, ties at the cut taken whole)."""

from decimal import Decimal

from django.test import SimpleTestCase

from evaluations.services.workflow import WorkflowError
from scoring.models import PriorityBasis
from scoring.services.priority import Standing, bottom_cut, grades_at_or_below, proposal_basis

BANDS = [
    ("A", Decimal("5.00")),
    ("A-", Decimal("4.50")),
    ("B", Decimal("4.00")),
    ("B-", Decimal("3.50")),
    ("C", Decimal("3.00")),
    ("C-", Decimal("2.50")),
    ("D", Decimal("2.00")),
    ("E", Decimal("1.50")),
    ("F", Decimal("1.00")),
]


class GradesTest(SimpleTestCase):
    def test_it_takes_the_grade_and_every_lower_one(self):
        self.assertEqual(grades_at_or_below(BANDS, "C-"), {"C-", "D", "E", "F"})
        self.assertEqual(grades_at_or_below(BANDS, "C"), {"C", "C-", "D", "E", "F"})
        self.assertEqual(grades_at_or_below(BANDS, "F"), {"F"})

    def test_it_names_the_grades_there_are_for_an_unknown_one(self):
        with self.assertRaises(WorkflowError) as caught:
            grades_at_or_below(BANDS, "Z")
        self.assertEqual(
            caught.exception.problems,
            (
                "Predikat “Z” tidak ada dalam tabel predikat instrumen: pilih salah satu dari "
                "A, A-, B, B-, C, C-, D, E, F.",
            ),
        )


class BottomShareTest(SimpleTestCase):
    def test_it_rounds_the_share_of_the_group_down(self):
        self.assertIsNone(bottom_cut(list(range(1, 10)), Decimal("0.10")))  # 0.9 of a unit
        self.assertEqual(bottom_cut(list(range(1, 11)), Decimal("0.10")), 10)
        self.assertEqual(bottom_cut(list(range(1, 20)), Decimal("0.10")), 19)  # 1.9: one
        self.assertEqual(bottom_cut(list(range(1, 21)), Decimal("0.10")), 19)
        self.assertIsNone(bottom_cut([1], Decimal("0.5")))
        self.assertIsNone(bottom_cut(list(range(1, 101)), Decimal("0")))

    def test_it_takes_every_unit_tied_at_the_cut(self):
        ranks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]
        self.assertEqual(bottom_cut(ranks, Decimal("0.10")), 9)  # both ninths
        ranks = [1, 2, 3, 4, 5, 6, 7, 7, 7, 10]
        self.assertEqual(bottom_cut(ranks, Decimal("0.20")), 7)  # four units, not two

    def test_it_gives_the_grade_as_the_reason_when_both_hold(self):
        standings = [Standing(n, "kabkota", n, "B") for n in range(1, 10)]
        standings.append(Standing(10, "kabkota", 10, "D"))
        standings += [Standing(20 + n, "provinsi", n, "A") for n in range(1, 11)]
        basis = proposal_basis(
            standings, low_grades=frozenset({"C-", "D", "E", "F"}), share=Decimal("0.10")
        )
        self.assertEqual(basis, {10: PriorityBasis.GRADE, 30: PriorityBasis.BOTTOM_SHARE})
