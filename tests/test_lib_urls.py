from django.test import SimpleTestCase
from django.urls import reverse

from pekppp.lib.urls import int_url, int_url_maker


class IntUrlTest(SimpleTestCase):
    def test_it_gives_what_reverse_gives(self):
        cases = [
            ("evaluations:f02_form", (7,)),
            ("evaluations:f02_form", (123456,)),
            ("evaluations:score_autosave", (15, 9)),
            ("evaluations:score_autosave", (9, 15)),
            ("evaluations:evidence_download", (1,)),
            ("home", ()),
        ]
        for name, args in cases:
            with self.subTest(name=name, args=args):
                self.assertEqual(int_url(name, *args), reverse(name, args=args))

    def test_a_maker_gives_what_reverse_gives_for_each_call(self):
        save = int_url_maker("evaluations:score_autosave", 2)
        for args in [(1, 2), (15, 9), (123456, 7)]:
            with self.subTest(args=args):
                self.assertEqual(save(*args), reverse("evaluations:score_autosave", args=args))
        with self.assertRaises(ValueError):
            save(1)  # one integer short
