import io
import itertools
import logging
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.test import SimpleTestCase, override_settings
from pypdf import PdfReader

from reports.pdf import ResourceRefused, css_string, merge_pdfs, render_pdf, url_fetcher

STATIC = Path(settings.BASE_DIR) / "static"
# A template that asks for a static stylesheet and image, a remote image and a local file.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "probe.html": (
                            "{% load static %}<html><head>"
                            '<link rel="stylesheet" href="{% static "css/pdf/document.css" %}">'
                            "</head><body><h1>Uji {{ word }}</h1><p>IPP {{ ipp }}</p>"
                            '<img src="{% static "favicon.svg" %}">'
                            '<img src="http://example.com/x.png">'
                            '<img src="file:///etc/passwd"></body></html>'
                        )
                    },
                )
            ]
        },
    }
]


class StaticFilesFetcherTest(SimpleTestCase):
    def test_it_refuses_remote_and_arbitrary_addresses(self):
        for url in (
            "http://example.com/x.png",
            "https://example.com/x.css",
            "file:///etc/passwd",
            "file://evil.example.com/static/favicon.svg",
            "data:text/plain,halo",
            "ftp://example.com/x",
            "file:///static/../../etc/passwd",
            f"file://{STATIC}/../pekppp/settings.py",
        ):
            with self.subTest(url=url), self.assertRaises(ResourceRefused):
                url_fetcher().fetch(url)

    def test_it_serves_static_files_by_url_and_by_path(self):
        css = (STATIC / "css/pdf/document.css").read_bytes()
        for url in ("file:///static/css/pdf/document.css", f"file://{STATIC}/css/pdf/document.css"):
            with self.subTest(url=url):
                response = url_fetcher().fetch(url)
                self.assertEqual(response.read(), css)
                self.assertEqual(response.content_type, "text/css")
        self.assertEqual(
            url_fetcher().fetch("file:///static/favicon.svg").content_type, "image/svg+xml"
        )


@override_settings(TEMPLATES=TEMPLATES)
class RenderPdfTest(SimpleTestCase):
    def render(self, **context) -> bytes:
        with self.assertLogs("reports.pdf", logging.WARNING) as logs:
            content = render_pdf("probe.html", {"word": "dokumen", "ipp": "4,51", **context})
        self.assertEqual(
            [r.getMessage() for r in logs.records],
            [
                "PDF resource refused: http://example.com/x.png",
                "PDF resource refused: file:///etc/passwd",
            ],
        )
        return content

    def test_it_renders_text_that_reads_back(self):
        text = PdfReader(io.BytesIO(self.render())).pages[0].extract_text()
        self.assertIn("Uji dokumen", text)
        self.assertIn("IPP 4,51", text)

    def test_it_gives_identical_bytes_for_identical_input(self):
        first, second = self.render(), self.render()
        self.assertEqual(first, second)
        reader = PdfReader(io.BytesIO(first))
        self.assertNotIn("/CreationDate", reader.metadata)
        self.assertNotIn("/ModDate", reader.metadata)
        self.assertNotIn("/ID", reader.trailer)

    def test_it_gives_identical_bytes_with_the_fonttools_subsetter_a_second_later(self):
        # A machine without libharfbuzz-subset0: WeasyPrint subsets the fonts with fontTools,
        # which stamps the time of saving into each font; the clock moves on between renders.
        clock = itertools.count(3_900_000_000)
        with (
            mock.patch("weasyprint.pdf.fonts.harfbuzz_subset", None),
            mock.patch(
                "fontTools.ttLib.tables._h_e_a_d.timestampNow", side_effect=lambda: next(clock)
            ),
            self.assertLogs("weasyprint", logging.WARNING) as logs,
        ):
            first, second = self.render(), self.render()
        self.assertIn("Using fontTools instead of HarfBuzz-Subset", "\n".join(logs.output))
        self.assertEqual(first, second)

    def test_it_writes_to_a_target_file(self):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "a.pdf"
        with self.assertLogs("reports.pdf", logging.WARNING):
            self.assertIsNone(render_pdf("probe.html", {"word": "berkas"}, target=path))
        self.assertIn("Uji berkas", PdfReader(path).pages[0].extract_text())

    def test_it_merges_files_deterministically(self):
        directory = Path(self.enterContext(tempfile.TemporaryDirectory()))
        parts = []
        for word in ("satu", "dua"):
            parts.append(directory / f"{word}.pdf")
            parts[-1].write_bytes(self.render(word=word))
        self.assertEqual(merge_pdfs(parts, directory / "a.pdf"), 2)
        merge_pdfs(parts, directory / "b.pdf")
        self.assertEqual((directory / "a.pdf").read_bytes(), (directory / "b.pdf").read_bytes())
        pages = [p.extract_text() for p in PdfReader(directory / "a.pdf").pages]
        self.assertIn("Uji satu", pages[0])
        self.assertIn("Uji dua", pages[1])


class CssStringTest(SimpleTestCase):
    def test_it_escapes_everything_that_could_end_the_string_or_the_style(self):
        self.assertEqual(css_string("Laporan 2023"), '"Laporan 2023"')
        self.assertEqual(css_string('a"b</style>\\'), '"a\\22 b\\3c /style\\3e \\5c "')
