"""pekppp.lib.text: which characters count as control characters (no database needed)."""

from unittest import TestCase

from pekppp.lib.text import has_control_characters


class ControlCharactersTest(TestCase):
    def test_it_finds_c0_controls_and_del(self):
        cases = [
            ("", False, False),
            ("Disdukcapil — “Lampung” 100% <b>", False, False),
            ("a\x00b", True, True),
            ("\x1b[31m", True, True),
            ("\x7f", True, True),
            ("baris satu\nbaris dua\r\n\tdst", True, False),
            ("\x0b\x0c", True, True),
            ("\u200b\u202e", False, False),  # format characters are not C0 controls
        ]
        for value, anywhere, in_text in cases:
            with self.subTest(value=value):
                self.assertEqual(has_control_characters(value), anywhere)
                self.assertEqual(has_control_characters(value, multiline=True), in_text)
