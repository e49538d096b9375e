"""The phase-window rule on plain values, without a database."""

import datetime as dt
from pathlib import Path

from django.test import SimpleTestCase

from evaluations import rules
from evaluations.rules import window_from, window_message, window_open

D = dt.date
START, END = D(2024, 3, 1), D(2024, 3, 30)


class WindowFromTest(SimpleTestCase):
    def test_it_takes_the_later_of_the_cycles_end_and_the_units_extension(self):
        cases = [
            # starts, ends, extended -> window
            (START, END, None, (START, END)),
            (START, END, D(2024, 4, 7), (START, D(2024, 4, 7))),
            (START, END, END, (START, END)),
            (START, END, D(2024, 3, 10), (START, END)),  # an extension never shortens it
            (None, END, D(2024, 4, 7), None),  # the cycle has no dates for the phase
            (START, None, None, None),
            (None, None, None, None),
        ]
        for starts, ends, extended, expected in cases:
            with self.subTest(starts=starts, ends=ends, extended=extended):
                self.assertEqual(window_from(starts, ends, extended), expected)


class WindowMessageTest(SimpleTestCase):
    def test_it_says_why_a_phase_is_not_open_or_nothing_when_it_is(self):
        label = "Evaluasi (F-02)"
        cases = [
            # window, on -> message (None: open)
            ((START, END), START, None),
            ((START, END), D(2024, 3, 15), None),
            ((START, END), END, None),  # the last day counts
            ((START, END), D(2024, 2, 29), "Tahap Evaluasi (F-02) baru dibuka pada 01-03-2024."),
            ((START, END), D(2024, 3, 31), "Tahap Evaluasi (F-02) sudah ditutup pada 30-03-2024."),
            (
                None,
                D(2024, 3, 15),
                "Jadwal tahap Evaluasi (F-02) belum ditetapkan untuk periode ini.",
            ),
        ]
        for window, on, expected in cases:
            with self.subTest(window=window, on=on):
                self.assertEqual(window_message(label, window, on), expected)
                self.assertEqual(window_open(window, on), expected is None)

    def test_an_extended_window_is_open_after_the_cycles_end(self):
        window = window_from(START, END, D(2024, 4, 7))
        self.assertIsNone(window_message("Klarifikasi", window, D(2024, 4, 7)))
        self.assertIn("sudah ditutup pada 07-04-2024", window_message("X", window, D(2024, 4, 8)))


class RulesModuleTest(SimpleTestCase):
    def test_it_imports_neither_the_database_nor_the_models(self):
        imports = [
            line
            for line in Path(rules.__file__).read_text().splitlines()
            if line.startswith(("import ", "from "))
        ]
        self.assertFalse([line for line in imports if "django.db" in line or "models" in line])
