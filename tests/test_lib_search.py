"""The terms of a name search: words AND-ed, each with its other spellings (no database)."""

from django.test import SimpleTestCase

from pekppp.lib.search import SHORT_NAMES, search_terms


class SearchTermsTests(SimpleTestCase):
    def test_it_splits_words_ignoring_case_spaces_and_separators(self):
        cases = [
            ("  Lampung   SELATAN ", (("lampung",), ("selatan",))),
            ("lampung, selatan; (metro)", (("lampung",), ("selatan",), ("metro",))),
            ("lampung lampung", (("lampung",),)),
            ("", ()),
            (" . , ; ", ()),
            ("H.M. Ryacudu", (("h.m.",), ("ryacudu",))),
        ]
        for search, terms in cases:
            with self.subTest(search=search):
                self.assertEqual(search_terms(search), terms)

    def test_it_adds_the_long_form_of_a_short_name(self):
        cases = [
            ("dukcapil", ("dukcapil", "kependudukan dan pencatatan sipil")),
            ("Disdukcapil", ("disdukcapil", "dinas kependudukan dan pencatatan sipil")),
            ("PTSP", ("ptsp", "pelayanan terpadu satu pintu")),
            ("rsud", ("rsud", "rumah sakit umum daerah")),
            ("samsat", ("samsat", "sistem administrasi manunggal satu atap")),
            ("puskesmas", ("puskesmas", "pusat kesehatan masyarakat")),
            ("Kab.", ("kab.", "kabupaten")),
        ]
        for search, spellings in cases:
            with self.subTest(search=search):
                self.assertEqual(search_terms(search), (spellings,))

    def test_it_reads_a_long_form_as_one_term_with_its_short_name(self):
        self.assertEqual(
            search_terms("Rumah Sakit Umum Daerah Metro"),
            (("rumah sakit umum daerah", "rsud"), ("metro",)),
        )
        self.assertEqual(
            search_terms("dinas kependudukan dan pencatatan sipil kabupaten lampung"),
            (
                ("dinas kependudukan dan pencatatan sipil", "disdukcapil"),
                ("kabupaten", "kab."),
                ("lampung",),
            ),
        )

    def test_it_leaves_out_spellings_a_substring_test_does_not_need(self):
        # "kab" is found in "Kab." and in "Kabupaten"; "rs" (not typed) would match "Universitas".
        self.assertEqual(search_terms("kab"), (("kab",),))
        self.assertEqual(search_terms("rumah sakit bob"), (("rumah sakit",), ("bob",)))
        self.assertEqual(search_terms("rs"), (("rs", "rumah sakit"),))

    def test_every_row_is_lower_case_with_the_short_form_first(self):
        for row in SHORT_NAMES:
            with self.subTest(row=row):
                self.assertEqual(row, tuple(s.lower() for s in row))
                self.assertLess(len(row[0]), len(row[1]))
                self.assertNotIn(" ", row[0])
