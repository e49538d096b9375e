"""pekppp/lib/page_weight.py: no Django needed, so no database either."""

import gzip
from unittest import TestCase

from pekppp.lib.page_weight import (
    Asset,
    gzip_size,
    nginx_gzip_level,
    page_assets,
    referenced_assets,
    stylesheet_urls,
)

PAGE = """<!doctype html><html><head>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/css/a.css">
<link rel="canonical" href="/s/x/">
<link rel="stylesheet" href="/static/css/a.css">
<script src="/static/js/x.js" defer></script>
</head><body><a href="/elsewhere/">a link is not fetched</a><img src="/static/i.png" alt=""></body>
</html>"""


class PageWeightTest(TestCase):
    def test_it_reads_the_compression_level_nginx_uses(self):
        self.assertEqual(nginx_gzip_level("http {\n    gzip on;\n}"), 1)
        self.assertEqual(nginx_gzip_level("http {\n    gzip on;\n    gzip_comp_level 6;\n}"), 6)
        self.assertEqual(nginx_gzip_level("# gzip_comp_level 9;\n"), 1)

    def test_it_measures_what_goes_over_the_wire(self):
        data = b"<p>halo</p>" * 1000
        size = gzip_size(data, 1)
        self.assertLess(size, len(data) // 10)
        self.assertEqual(gzip.decompress(gzip.compress(data, 1, mtime=0)), data)
        self.assertEqual(size, gzip_size(data, 1))

    def test_it_lists_the_assets_a_page_makes_a_browser_fetch_once_each(self):
        self.assertEqual(
            referenced_assets(PAGE),
            ["/static/favicon.svg", "/static/css/a.css", "/static/js/x.js", "/static/i.png"],
        )

    def test_it_follows_stylesheets_into_their_fonts_and_images(self):
        css = (
            '@import "b.css"; @font-face { src: url(../fonts/f.woff2) format("woff2"); }'
            ".x { background: url('data:image/png;base64,AAAA'); } .y { background: url(/i.svg) }"
        )
        self.assertEqual(stylesheet_urls(css), ["b.css", "../fonts/f.woff2", "/i.svg"])
        files = {
            "/static/css/a.css": css.encode(),
            "/static/css/b.css": b"p{}",
            "/static/fonts/f.woff2": b"\0" * 100,
            "/i.svg": b"<svg/>",
        }
        assets = page_assets('<link rel="stylesheet" href="/static/css/a.css">', files.get, 1)
        self.assertEqual([a.url for a in assets], list(files))
        self.assertEqual(assets[2], Asset("/static/fonts/f.woff2", 100, gzip_size(b"\0" * 100, 1)))
