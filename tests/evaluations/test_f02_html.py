"""views/f02_rows: its shortcuts give exactly what Django's own helpers give."""

from decimal import Decimal

from django.template.defaultfilters import filesizeformat, floatformat
from django.test import SimpleTestCase
from django.utils import html as django_html
from django.utils.translation import override

from evaluations.views import f02_rows


class F02HtmlHelpersTest(SimpleTestCase):
    def test_linebreaks_is_djangos_with_autoescape(self):
        texts = [
            "",
            "satu baris",
            "baris 1\nbaris 2",
            "paragraf 1\n\nparagraf 2\n\n\n\nparagraf 3",
            "windows\r\nbaris\r\n\r\nparagraf\rlama",
            "<script>alert('x')</script> & \"kutip\"\n\n<b>tebal</b>",
            "\n\nawal dan akhir kosong\n\n",
        ]
        for text in texts:
            with self.subTest(text=text):
                self.assertEqual(
                    f02_rows.linebreaks(text), django_html.linebreaks(text, autoescape=True)
                )

    def test_file_size_is_djangos_filesizeformat_in_both_languages(self):
        sizes = [0, 1, 1023, 1024, 1025, 1536, 10_239, 10_240, 99_999, 1_048_575, 1_048_576]
        sizes += [5 * 1024**2 + 1, 1024**3 - 1, 3 * 1024**3, 2 * 1024**4, 7 * 1024**5, 1024**6]
        for language in ("id", "en"):
            with override(language):
                labels = f02_rows._labels()
                for size in sizes:
                    with self.subTest(language=language, size=size):
                        self.assertEqual(f02_rows.file_size(size, labels), filesizeformat(size))
        with override("id"):
            self.assertEqual(f02_rows.file_size(1536, f02_rows._labels()), "1,5\xa0KB")
            # Sizes below 1 KB are remembered per language: English above does not leak here.
            self.assertEqual(f02_rows.file_size(1, f02_rows._labels()), filesizeformat(1))
        with override("en"):
            self.assertEqual(f02_rows.file_size(1, f02_rows._labels()), "1\xa0byte")

    def test_aspect_weight_label_follows_the_language(self):
        for language, weight, shown in [
            ("id", Decimal("12.500"), "bobot 12,500%"),
            ("en", Decimal("12.500"), "weight 12.500%"),
            ("id", Decimal("25"), "bobot 25%"),
            ("id", Decimal("12.500"), "bobot 12,500%"),  # again, after English: remembered apart
        ]:
            with self.subTest(language=language, weight=weight), override(language):
                labels = f02_rows._labels()
                self.assertEqual(f02_rows._weight(labels.language, weight), shown)
                self.assertEqual(shown, labels.weight % {"weight": floatformat(weight, "-3")})
