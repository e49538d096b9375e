"""pekppp/lib/htmx.py: no Django needed, so no database either."""

from unittest import TestCase

from pekppp.lib.htmx import wants_fragment


class WantsFragmentTest(TestCase):
    def test_it_reads_the_htmx_headers(self):
        cases = [
            ({}, False),
            ({"HX-Request": "true"}, True),
            ({"HX-Request": "false"}, False),
            # htmx restoring a page from its history needs the whole page
            ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
        ]
        for headers, expected in cases:
            with self.subTest(headers=headers):
                self.assertIs(wants_fragment(headers), expected)
