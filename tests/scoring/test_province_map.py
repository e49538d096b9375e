"""The public overview's province map: the vendored outlines, the shading and links, the
provinces created after the outlines, and the command that builds the outlines."""

import gzip
import io
import json
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from scoring.selectors import province_map as pm
from tests import factories as f
from units.models import AgencyKind

from .public_factories import PublicPagesTestCase, make_scored_unit, table

SHAPE = re.compile(
    r'(?:<a href="(?P<href>[^"]*)" aria-label="(?P<label>[^"]*)">)?'
    r'<path class="(?P<cls>[^"]+)" data-kode="(?P<iso>[^"]+)" d="[^"]+">'
    r"<title>(?P<title>[^<]*)</title>"
)


def shapes(response) -> dict[str, dict[str, str | None]]:
    """Each drawn province by ISO code: its class, link, link label and title."""
    found = [m.groupdict() for m in SHAPE.finditer(response.content.decode())]
    return {s["iso"]: s for s in found}


def points(path: str) -> list[list[tuple[int, int]]]:
    """The absolute points of each ring of an `M x y l dx dy … z` path."""
    rings = []
    for x, y, steps in re.findall(r"M(-?\d+) (-?\d+)l([^z]*)z", path):
        ring = [(int(x), int(y))]
        numbers = [int(n) for n in re.findall(r"-?\d+", steps)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            ring.append((ring[-1][0] + dx, ring[-1][1] + dy))
        rings.append(ring)
    return rings


class OutlinesTest(SimpleTestCase):
    def test_the_vendored_outlines_are_light_and_match_the_table(self):
        data = pm.ASSET.read_bytes()
        self.assertLessEqual(len(data), 150_000)
        self.assertLessEqual(len(gzip.compress(data)), 20_000)
        width, height, paths = pm.outlines()
        self.assertEqual((width, height), (1000, 366))
        self.assertEqual(set(paths), set(pm.SHAPES))
        self.assertEqual(len(paths), 33)
        for iso, path in paths.items():
            rings = points(path)
            self.assertTrue(rings, iso)
            for ring in rings:
                self.assertTrue(all(0 <= x <= width and 0 <= y <= height for x, y in ring), iso)
        # 38 provinces, each drawn once: the 33 outlines and the five created later.
        codes = [code for main, later in pm.SHAPES.values() for code in (main, *later)]
        self.assertEqual(len(codes), 38)
        self.assertEqual(len(set(codes)), 38)

    def test_it_shades_by_the_classes_of_the_legend(self):
        cases = [(None, 0), ("0.00", 1), ("2.50", 1), ("2.51", 2), ("3.00", 2), ("3.01", 3)]
        cases += [("4.50", 5), ("4.51", 6), ("5.00", 6)]
        for value, shade in cases:
            with self.subTest(value=value):
                ipp = None if value is None else Decimal(value)
                self.assertEqual(pm._shade(ipp, pm.IPP_STEPS), shade)
        legend = pm._legend(pm.SHARE_STEPS, Decimal(1), Decimal(100))
        self.assertEqual(
            [(s.shade, s.low, s.high) for s in legend],
            [(1, 0, 24), (2, 25, 49), (3, 50, 74), (4, 75, 100)],
        )
        self.assertEqual(
            [pm._shade(Decimal(v), pm.SHARE_STEPS) for v in (0, 24, 25, 75)], [1, 1, 2, 4]
        )


class OverviewMapTest(PublicPagesTestCase):
    """Lampung: four units, 15.50 / 4 = 3.875 → 3.88, one of them A (25 %); Jawa Barat: one
    unit, 2.90, none A or A- (0 %); no other province has units."""

    def setUp(self):
        cache.clear()

    def url(self, **query):
        base = reverse("public:overview", args=[self.cycle.pk])
        return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    def test_it_draws_33_provinces_shaded_by_average_ipp(self):
        drawn = shapes(self.client.get(self.url()))
        self.assertEqual(len(drawn), 33)
        ranking = reverse("public:ranking", args=[self.cycle.pk])
        self.assertEqual(drawn["ID-LA"]["cls"], "peta-ipp-4")  # 3.51–4.00
        self.assertEqual(drawn["ID-LA"]["href"], f"{ranking}?provinsi=18")
        title = "Lampung: rata-rata IPP 3,88; 4 unit, 25% berpredikat A/A-"
        self.assertEqual(drawn["ID-LA"]["title"], title)
        self.assertEqual(drawn["ID-LA"]["label"], title)
        self.assertEqual(drawn["ID-JB"]["cls"], "peta-ipp-2")  # 2.51–3.00
        self.assertEqual(drawn["ID-JB"]["href"], f"{ranking}?provinsi=32")
        others = {iso: s for iso, s in drawn.items() if iso not in ("ID-LA", "ID-JB")}
        self.assertEqual({s["cls"] for s in others.values()}, {"peta-ipp-0"})
        self.assertEqual({s["href"] for s in others.values()}, {None})
        # Aceh is named: units migration 0003 ships the 38 provinces.
        self.assertEqual(others["ID-AC"]["title"], "Aceh: tidak ada unit dalam publikasi ini")

    def test_it_shades_by_the_share_of_a_and_a_minus_units(self):
        response = self.client.get(self.url(peta="a"))
        drawn = shapes(response)
        self.assertEqual(drawn["ID-LA"]["cls"], "peta-a-2")  # 25–49 %
        self.assertEqual(drawn["ID-JB"]["cls"], "peta-a-1")  # 0–24 %
        self.assertContains(response, 'href="?peta=a#provinsi"', 0)
        self.assertContains(response, 'aria-current="true">Porsi unit berpredikat A/A-</a>')
        legend = re.findall(
            r'<span class="peta-kotak peta-a-\d"[^>]*></span>\s*([^<]+)</li>',
            response.content.decode(),
        )
        self.assertEqual(
            [t.strip() for t in legend], ["0–24%", "25–49%", "50–74%", "75–100%", "tidak ada unit"]
        )

    def test_the_table_beside_has_the_same_figures_and_links(self):
        response = self.client.get(self.url())
        self.assertEqual(
            table(response, "tabel-provinsi"),
            [
                ["Provinsi", "Unit", "Rata-rata IPP", "A/A-"],
                ["Jawa Barat", "1", "2,90", "0%"],
                ["Lampung", "4", "3,88", "25%"],
            ],
        )

    def test_a_province_links_to_its_filtered_ranking(self):
        href = shapes(self.client.get(self.url()))["ID-LA"]["href"]
        response = self.client.get(href)
        self.assertEqual(response.status_code, 200)
        for name in ("DPMPTSP Provinsi Lampung", "Disdukcapil Lampung Selatan",
                     "Disdukcapil Tanggamus", "Disdukcapil Pesawaran"):  # fmt: skip
            self.assertContains(response, name)
        self.assertNotContains(response, "Disdukcapil Kota Bandung")
        self.assertNotContains(response, "Direktorat Layanan KemenX")

    def test_the_figures_are_read_once_then_cached(self):
        # the current publications (ETag), publication, province figures, province names
        with self.assertNumQueries(4):
            self.client.get(self.url())
        with self.assertNumQueries(2):
            self.client.get(self.url(peta="a"))

    def test_it_writes_numbers_as_the_language_does(self):
        response = self.client.get(self.url(), HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(
            shapes(response)["ID-LA"]["title"],
            "Lampung: average IPP 3.88; 4 units, 25% graded A/A-",
        )
        self.assertContains(response, "3.51–4.00")


class LaterProvincesTest(TestCase):
    """Provinces created after the outlines are drawn within the province they came from."""

    @classmethod
    def setUpTestData(cls):
        names = {"64": "Kalimantan Timur", "65": "Kalimantan Utara", "91": "Papua",
                 "92": "Papua Barat", "93": "Papua Selatan", "94": "Papua Tengah",
                 "95": "Papua Pegunungan", "96": "Papua Barat Daya"}  # fmt: skip
        provinces = {code: f.make_province(name, code) for code, name in names.items()}
        stype = f.make_service_type("disdukcapil", "Disdukcapil")
        cls.cycle = f.make_cycle(f.make_instrument("PETA-UJI"), year=2023)

        def unit(code: str, name: str, ipp: str):
            agency = f.make_agency(f"Kabupaten {name}", AgencyKind.KABUPATEN, provinces[code])
            make_scored_unit(cls.cycle, agency, f"Disdukcapil {name}", ipp, service_type=stype)

        unit("91", "Jayapura", "4.00")
        unit("93", "Merauke", "3.01")
        unit("95", "Jayawijaya", "3.00")  # Papua: 10.01 / 3 = 3.3366… → 3.34
        unit("96", "Sorong", "4.60")  # Papua Barat itself has no unit
        f.publish(cls.cycle, f.make_publisher())

    def setUp(self):
        cache.clear()

    def test_a_shape_shows_all_its_provinces_together(self):
        response = self.client.get(reverse("public:overview", args=[self.cycle.pk]))
        drawn = shapes(response)
        ranking = reverse("public:ranking", args=[self.cycle.pk])
        papua = drawn["ID-PA"]
        self.assertEqual(papua["cls"], "peta-ipp-3")
        self.assertEqual(
            papua["title"],
            "Papua (dengan Papua Selatan, Papua Tengah, Papua Pegunungan): "
            "rata-rata IPP 3,34; 3 unit, 0% berpredikat A/A-",
        )
        self.assertEqual(papua["href"], f"{ranking}?provinsi=91")
        west = drawn["ID-PB"]
        self.assertEqual(west["cls"], "peta-ipp-6")
        self.assertEqual(west["href"], f"{ranking}?provinsi=96")  # the one with units
        self.assertTrue(west["title"].startswith("Papua Barat (dengan Papua Barat Daya): "))
        self.assertEqual(drawn["ID-KI"]["cls"], "peta-ipp-0")
        self.assertContains(
            response,
            "Papua Selatan, Papua Tengah, Papua Pegunungan digambar di dalam batas Papua;",
        )
        self.assertContains(response, "Kalimantan Utara digambar di dalam batas Kalimantan Timur;")
        # The table keeps each province apart.
        self.assertEqual(
            table(response, "tabel-provinsi")[1:],
            [
                ["Papua", "1", "4,00", "0%"],
                ["Papua Barat Daya", "1", "4,60", "100%"],
                ["Papua Pegunungan", "1", "3,00", "0%"],
                ["Papua Selatan", "1", "3,01", "0%"],
            ],
        )


class BuildCommandTest(SimpleTestCase):
    """Two provinces sharing a border, and the source's `ID-LA` holding two provinces."""

    def feature(self, code: str, *polygons) -> dict:
        return {
            "type": "Feature",
            "properties": {"country_a2": "ID", "region_code": code},
            "geometry": {"type": "MultiPolygon", "coordinates": [[ring] for ring in polygons]},
        }

    def test_it_keeps_shared_borders_shared_and_puts_the_source_right(self):
        border = [[101.0, 0.0 + i / 10] for i in range(11)]  # collinear: simplified away
        west = [[100.0, 0.0], *border, [100.0, 1.0], [100.0, 0.0]]
        east = [*border[::-1], [102.0, 0.0], [102.0, 1.0], [101.0, 1.0]]
        lampung = [[104.0, -5.0], [105.0, -5.0], [105.0, -4.0], [104.0, -5.0]]
        malut = [[125.0, 1.0], [126.0, 1.0], [126.0, 2.0], [125.0, 1.0]]
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for code, polygons in (
                ("ID-JR", [west]),
                ("ID-JT", [east]),
                ("ID-LA", [lampung, malut]),
            ):
                (folder / f"{code}.json").write_text(json.dumps(self.feature(code, *polygons)))
            output = folder / "out.json"
            call_command(
                "build_province_map", str(folder), "--output", str(output), stdout=io.StringIO()
            )
            asset = json.loads(output.read_text())
        self.assertEqual(sorted(asset["shapes"]), ["ID-JB", "ID-JT", "ID-LA", "ID-MU"])
        self.assertEqual(asset["width"], 1000)
        jb, jt = points(asset["shapes"]["ID-JB"])[0], points(asset["shapes"]["ID-JT"])[0]
        self.assertEqual(len(jb), 4)  # a square again: the border's inner points are gone
        self.assertEqual(len(jt), 4)
        self.assertEqual(len(set(jb) & set(jt)), 2)  # both ends of the border, the same points
        self.assertLess(max(x for x, _y in points(asset["shapes"]["ID-LA"])[0]), 200)
        self.assertGreater(min(x for x, _y in points(asset["shapes"]["ID-MU"])[0]), 800)
