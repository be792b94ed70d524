"""A world map of scans by country, drawn on the server as SVG.

The shapes are world-atlas's TopoJSON of Natural Earth's 1:110m countries (analytics/geodata/,
from the npm registry, no CDN at run time), projected with the Equal Earth projection (an
equal-area projection: a country's share of ink matches its share of land, unlike Mercator's
giant Greenland). The outlines are decoded and projected once per process; each report only
picks a fill per country.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from analytics.labels import country_names

GEODATA = Path(__file__).parent / "geodata"
WIDTH = 960
# Equal Earth constants (Šavrič, Patterson, Jenny 2018).
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
# Lightest to darkest: one step per fifth of the busiest country's scans (ratio, not rank, so
# two countries with the same scans get the same colour).
STEPS = ["#e0e7ff", "#a5b4fc", "#818cf8", "#6366f1", "#4338ca"]
NO_SCANS = "#eef0f5"
BORDER = "#ffffff"


def _equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


# The projection's extent (longitude ±180, latitude ±90), for the SVG's frame.
_X_MAX = _equal_earth(180, 0)[0]
_Y_MAX = _equal_earth(0, 90)[1]
SCALE = WIDTH / (2 * _X_MAX)
# The frame stops short of the poles: Antarctica is left out and nothing else lies beyond.
TOP = round((_Y_MAX - _equal_earth(0, 84)[1]) * SCALE)
HEIGHT = round((_Y_MAX - _equal_earth(0, -57)[1]) * SCALE) - TOP


def _to_svg(lon: float, lat: float) -> tuple[float, float]:
    x, y = _equal_earth(lon, lat)
    return (x + _X_MAX) * SCALE, (_Y_MAX - y) * SCALE


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs (quantised, delta-encoded) -> lists of (lon, lat)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        # A negative index is the arc ~index walked backwards; arcs share their end points.
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def _unwrapped(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the antimeridian (Fiji, Russia's far east), made continuous and cut
    there into its western and eastern parts."""
    out = [ring[0]]
    for lon, lat in ring[1:]:
        previous = out[-1][0]
        while lon - previous > 180:
            lon -= 360
        while lon - previous < -180:
            lon += 360
        out.append((lon, lat))
    if max(lon for lon, _ in out) > 180:
        return [_clip(out, 180, keep_below=True), _shift(_clip(out, 180, keep_below=False), -360)]
    if min(lon for lon, _ in out) < -180:
        return [_clip(out, -180, keep_below=False), _shift(_clip(out, -180, keep_below=True), 360)]
    return [out]


def _shift(ring, by: float):
    return [(lon + by, lat) for lon, lat in ring]


def _clip(ring, meridian: float, *, keep_below: bool):
    """Sutherland-Hodgman against one meridian: the part of the ring west (keep_below) or east
    of it, closed along it."""

    def inside(point):
        return point[0] <= meridian if keep_below else point[0] >= meridian

    def crossing(a, b):
        t = (meridian - a[0]) / (b[0] - a[0])
        return (meridian, a[1] + t * (b[1] - a[1]))

    out = []
    for index, current in enumerate(ring):
        previous = ring[index - 1]
        if inside(current):
            if not inside(previous):
                out.append(crossing(previous, current))
            out.append(current)
        elif inside(previous):
            out.append(crossing(previous, current))
    return out


def _path(rings) -> str:
    parts = []
    for part in (piece for ring in rings for piece in _unwrapped(ring)):
        projected = [_to_svg(lon, lat) for lon, lat in part]
        coords = []
        last = None
        for x, y in projected:
            point = (round(x, 1), round(y, 1))
            if point != last:
                coords.append(f"{point[0]:g},{point[1]:g}")
                last = point
        if len(coords) >= 3:
            parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


@dataclass(frozen=True)
class Shape:
    code: str  # ISO 3166-1 alpha-2
    name: str
    path: str  # SVG path data in a WIDTH x HEIGHT frame


@cache
def shapes() -> tuple[Shape, ...]:
    """Every country the atlas draws, with its alpha-2 code and English name."""
    topology = json.loads((GEODATA / "countries-110m.json").read_text())
    numeric_to_alpha2 = {
        numeric: alpha2
        for alpha2, _alpha3, numeric, *_ in json.loads(
            (GEODATA / "iso-3166-codes.json").read_text()
        )
    }
    arcs = _decode_arcs(topology)
    names = country_names()
    out = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = numeric_to_alpha2.get(geometry.get("id", ""))
        if not code or code == "AQ" or geometry["type"] not in ("Polygon", "MultiPolygon"):
            # Disputed areas without an ISO code (N. Cyprus, Somaliland, Kosovo) and
            # Antarctica, where nobody scans a poster and which would take a fifth of the map.
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        out.append(Shape(code, names.get(code, geometry["properties"]["name"]), _path(rings)))
    return tuple(out)


def fill_for(scans: int, busiest: int) -> str:
    if scans <= 0 or busiest <= 0:
        return NO_SCANS
    step = min(len(STEPS) - 1, math.ceil(scans / busiest * len(STEPS)) - 1)
    return STEPS[step]


def world_map_svg(counts: dict[str, int], *, title: str = "Scans by country") -> str:
    """The map for {alpha-2: scans}; countries without scans are drawn in grey. Each country
    carries a <title> (its name and scans) for pointer users; the table beside the map is the
    alternative for everyone else."""
    busiest = max(counts.values(), default=0)
    drawn = []
    for shape in shapes():
        scans = counts.get(shape.code, 0)
        label = f"{shape.name}: {scans} scan{'s' if scans != 1 else ''}"
        drawn.append(
            f'<path d="{shape.path}" fill="{fill_for(scans, busiest)}" data-country="{shape.code}">'
            f"<title>{escape(label)}</title></path>"
        )
    return (
        f'<svg class="world-map" viewBox="0 {TOP} {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(title)}" stroke="{BORDER}" stroke-width="0.5" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(drawn) + "</svg>"
    )


def legend(busiest: int) -> list[tuple[str, str]]:
    """(colour, "up to N scans") per step, for the key under the map."""
    if busiest <= 0:
        return []
    steps = []
    for index, colour in enumerate(STEPS):
        top = math.floor(busiest * (index + 1) / len(STEPS))
        low = math.floor(busiest * index / len(STEPS)) + 1
        if top >= low:
            steps.append((colour, f"{low}–{top}" if top > low else f"{top}"))
    return steps
