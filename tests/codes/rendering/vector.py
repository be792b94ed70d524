"""Rasterise the engine's own SVG and PDF output so tests can decode vector files with zxing.

Only the subset our writers emit is understood (paths, rects, solid fills, a shading clipped
by a path); that is the point: it proves the vector geometry itself scans, not a browser's
interpretation of it. Holes are contours running anticlockwise, as in the writers.
"""

import math
import re
import xml.etree.ElementTree as ET
import zlib

from PIL import Image, ImageDraw

_TOKEN = re.compile(r"[MmLlHhVvAaQqCcZz]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")


def _arc_points(x0, y0, r, large, sweep, x1, y1, steps=12):
    # Our writers only emit arcs of at most 180 degrees with rx == ry.
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = (x1 - x0) / 2, (y1 - y0) / 2
    half = math.hypot(dx, dy)
    r = max(r, half)
    h = math.sqrt(max(r * r - half * half, 0))
    ux, uy = (-dy / half, dx / half) if half else (0, 0)
    sign = 1 if large != sweep else -1
    cx, cy = mx + sign * h * ux, my + sign * h * uy
    a0 = math.atan2(y0 - cy, x0 - cx)
    a1 = math.atan2(y1 - cy, x1 - cx)
    delta = a1 - a0
    if sweep and delta < 0:
        delta += 2 * math.pi
    if not sweep and delta > 0:
        delta -= 2 * math.pi
    return [
        (cx + r * math.cos(a0 + delta * i / steps), cy + r * math.sin(a0 + delta * i / steps))
        for i in range(1, steps + 1)
    ]


def _bezier(p0, p1, p2, p3, steps=8):
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        out.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return out


def svg_path_polygons(d: str) -> list[list[tuple[float, float]]]:
    tokens = _TOKEN.findall(d)
    polys: list[list[tuple[float, float]]] = []
    i, cmd = 0, None
    x = y = 0.0

    def nums(k):
        nonlocal i
        vals = [float(t) for t in tokens[i : i + k]]
        i += k
        return vals

    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
        rel = cmd.islower()
        c = cmd.upper()
        if c == "Z":
            if polys and polys[-1]:
                x, y = polys[-1][0]
            continue
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if c == "M":
            px, py = nums(2)
            x, y = ox + px, oy + py
            polys.append([(x, y)])
            cmd = "l" if rel else "L"
            continue
        pts: list[tuple[float, float]]
        if c == "L":
            px, py = nums(2)
            pts = [(ox + px, oy + py)]
        elif c == "H":
            (px,) = nums(1)
            pts = [((x if rel else 0) + px, y)]
        elif c == "V":
            (py,) = nums(1)
            pts = [(x, (y if rel else 0) + py)]
        elif c == "A":
            r, _, _, large, sweep, px, py = nums(7)
            pts = _arc_points(x, y, r, int(large), int(sweep), ox + px, oy + py)
        elif c == "Q":
            qx, qy, px, py = nums(4)
            q = (ox + qx, oy + qy)
            end = (ox + px, oy + py)
            c1 = (x + 2 / 3 * (q[0] - x), y + 2 / 3 * (q[1] - y))
            c2 = (end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1]))
            pts = _bezier((x, y), c1, c2, end)
        else:  # C
            x1, y1, x2, y2, px, py = nums(6)
            pts = _bezier((x, y), (ox + x1, oy + y1), (ox + x2, oy + y2), (ox + px, oy + py))
        polys[-1].extend(pts)
        x, y = pts[-1]
    return [p for p in polys if len(p) > 2]


def _signed_area(poly):
    return sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True)
    )


def _fill_polys(canvas, polys, color, k, ss=3):
    mask = Image.new("L", (canvas.width * ss, canvas.height * ss), 0)
    draw = ImageDraw.Draw(mask)
    # Our writers put each hole right after its outline, so drawing in document order
    # (outline fills, hole clears) equals non-zero filling.
    for poly in polys:
        pts = [(px * k * ss, py * k * ss) for px, py in poly]
        draw.polygon(pts, fill=0 if _signed_area(poly) < 0 else 255)
    canvas.paste(color, (0, 0, *canvas.size), mask.resize(canvas.size, Image.Resampling.BOX))


def _color(value: str | None, gradients: dict) -> tuple[int, int, int]:
    if value is None or value.startswith("url("):
        stop = gradients.get(value[5:-1]) if value else None
        value = stop or "#000000"
    value = value.lstrip("#")
    return tuple(int(value[j : j + 2], 16) for j in (0, 2, 4))


def rasterize_svg(svg: bytes, scale: float = 8) -> Image.Image:
    """Pixels for our SVG at ``scale`` px per viewBox unit (a module)."""
    root = ET.fromstring(svg)  # noqa: S314 - our own writer's output, not user input
    _, _, w, h = (float(v) for v in root.get("viewBox").split())
    canvas = Image.new("RGB", (round(w * scale), round(h * scale)), (255, 255, 255))
    ns = "{http://www.w3.org/2000/svg}"
    # A gradient is drawn with its start colour: enough to decode, which is all we test here.
    gradients = {
        g.get("id"): g.find(f"{ns}stop").get("stop-color")
        for g in root.iter()
        if g.tag in (f"{ns}linearGradient", f"{ns}radialGradient")
    }
    for el in root:
        if el.tag == f"{ns}rect":
            rect = [
                (0, 0),
                (float(el.get("width")), 0),
                (float(el.get("width")), float(el.get("height"))),
                (0, float(el.get("height"))),
            ]
            _fill_polys(canvas, [rect], _color(el.get("fill"), gradients), scale)
        elif el.tag == f"{ns}path":
            _fill_polys(
                canvas, svg_path_polygons(el.get("d")), _color(el.get("fill"), gradients), scale
            )
    return canvas


def pdf_content(pdf: bytes) -> tuple[str, tuple[float, float]]:
    """The first page's decompressed content stream and its MediaBox size."""
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    contents = int(re.search(rb"/Contents (\d+) 0 R", pdf).group(1))
    obj = re.search(rb"\n%d 0 obj\n<<(.*?)>>\nstream\n" % contents, pdf, re.S)
    length = int(re.search(rb"/Length (\d+)", obj.group(1)).group(1))
    data = pdf[obj.end() : obj.end() + length]
    return zlib.decompress(data).decode(), (float(box.group(1)), float(box.group(2)))


def rasterize_pdf(pdf: bytes, px_per_pt: float = 4) -> Image.Image:
    content, (w, h) = pdf_content(pdf)
    canvas = Image.new("RGB", (round(w * px_per_pt), round(h * px_per_pt)), (255, 255, 255))
    tokens = content.split()
    stack: list[str] = []
    polys: list[list[tuple[float, float]]] = []
    color = (0, 0, 0)
    unit = 1.0  # pt per drawing unit, from the second cm
    clip = None
    for tok in tokens:
        if re.fullmatch(r"-?[\d.]+", tok):
            stack.append(tok)
            continue
        args = [float(v) for v in stack]
        stack = []
        if tok == "cm" and args[1] == 0 and args[3] > 0:
            unit = args[0]
        elif tok == "rg":
            color = tuple(round(v * 255) for v in args)
        elif tok == "m":
            polys.append([(args[0], args[1])])
        elif tok == "l":
            polys[-1].append((args[0], args[1]))
        elif tok == "c":
            start = polys[-1][-1]
            polys[-1].extend(_bezier(start, args[0:2], args[2:4], args[4:6]))
        elif tok == "re":
            x, y, rw, rh = args
            polys.append([(x, y), (x + rw, y), (x + rw, y + rh), (x, y + rh)])
        elif tok == "f":
            _fill_polys(canvas, [p for p in polys if len(p) > 2], color, unit * px_per_pt)
            polys = []
        elif tok == "W":
            clip = polys
            polys = []
        elif tok == "sh":
            # A shading painted through the clip: draw the clip in a dark stand-in colour.
            _fill_polys(canvas, [p for p in clip if len(p) > 2], (40, 40, 90), unit * px_per_pt)
        elif tok == "n":
            polys = []
    return canvas
