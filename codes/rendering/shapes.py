"""Module and finder shapes as contours, shared by every writer.

A contour is a list of ops in module units, y down: ``("M", x, y)``, ``("L", x, y)``,
``("A", x, y, cx, cy)`` (a quarter circle to ``x, y`` around ``cx, cy``) and ``("Z",)``.
Filled shapes run clockwise; holes run anticlockwise so one non-zero fill draws both.

Module shapes are per-cell *variants* (a neighbour-aware rounded module has 16: one per set
of rounded corners), so the PNG writer can pre-render each variant once as a tile and the SVG
writer can emit each as a constant relative path after a ``M x y``.
"""

import functools
import math

# Dots and gapped squares keep at least 0.85 of a module: smaller marks stop decoding reliably.
GAP = 0.075
DOT_RADIUS = 0.45
BAR_HALF = 0.425

Contour = list[tuple]


def rounded_rect(x0, y0, x1, y1, tl=0.0, tr=0.0, br=0.0, bl=0.0) -> Contour:
    ops: Contour = [("M", x0 + tl, y0), ("L", x1 - tr, y0)]
    if tr:
        ops.append(("A", x1, y0 + tr, x1 - tr, y0 + tr))
    ops.append(("L", x1, y1 - br))
    if br:
        ops.append(("A", x1 - br, y1, x1 - br, y1 - br))
    ops.append(("L", x0 + bl, y1))
    if bl:
        ops.append(("A", x0, y1 - bl, x0 + bl, y1 - bl))
    ops.append(("L", x0, y0 + tl))
    if tl:
        ops.append(("A", x0 + tl, y0, x0 + tl, y0 + tl))
    ops.append(("Z",))
    return [op for i, op in enumerate(ops) if not _degenerate(ops, i)]


def _degenerate(ops: Contour, i: int) -> bool:
    op = ops[i]
    if op[0] != "L" or i == 0:
        return False
    prev = ops[i - 1]
    return math.isclose(prev[1], op[1]) and math.isclose(prev[2], op[2])


def circle(cx, cy, r) -> Contour:
    return [
        ("M", cx, cy - r),
        ("A", cx + r, cy, cx, cy),
        ("A", cx, cy + r, cx, cy),
        ("A", cx - r, cy, cx, cy),
        ("A", cx, cy - r, cx, cy),
        ("Z",),
    ]


def reverse(contour: Contour) -> Contour:
    """The same outline run the other way: a hole under non-zero filling."""
    points = [op for op in contour if op[0] != "Z"]
    out: Contour = [("M", points[-1][1], points[-1][2])]
    for i in range(len(points) - 1, 0, -1):
        op, before = points[i], points[i - 1]
        if op[0] == "A":
            out.append(("A", before[1], before[2], op[3], op[4]))
        else:
            out.append(("L", before[1], before[2]))
    out.append(("Z",))
    return out


# -- module variants ---------------------------------------------------------------------

MODULE_RUNS = {"square": "h", "vbars": "v", "hbars": "h"}


def _rounded_variant(key: int) -> list[Contour]:
    r = 0.5
    tl, tr, br, bl = (r if key & bit else 0.0 for bit in (1, 2, 4, 8))
    return [rounded_rect(0, 0, 1, 1, tl, tr, br, bl)]


def _vbar_variant(key: int) -> list[Contour]:
    top, bottom = (BAR_HALF if key & 1 else 0.0), (BAR_HALF if key & 2 else 0.0)
    return [rounded_rect(0.5 - BAR_HALF, 0, 0.5 + BAR_HALF, 1, top, top, bottom, bottom)]


def _hbar_variant(key: int) -> list[Contour]:
    left, right = (BAR_HALF if key & 1 else 0.0), (BAR_HALF if key & 2 else 0.0)
    return [rounded_rect(0, 0.5 - BAR_HALF, 1, 0.5 + BAR_HALF, left, right, right, left)]


@functools.cache
def module_variant(shape: str, key: int) -> tuple[Contour, ...]:
    """Contours of one variant (``key`` >= 1) of a module shape, in a 1x1 cell."""
    if shape == "square":
        return (rounded_rect(0, 0, 1, 1),)
    if shape == "gapped":
        return (rounded_rect(GAP, GAP, 1 - GAP, 1 - GAP),)
    if shape == "dots":
        return (circle(0.5, 0.5, DOT_RADIUS),)
    variants = {"rounded": _rounded_variant, "vbars": _vbar_variant, "hbars": _hbar_variant}
    return tuple(variants[shape](key - 1))


def variant_count(shape: str) -> int:
    return {"rounded": 16, "vbars": 4, "hbars": 4}.get(shape, 1)


def cell_variants(dark: tuple[bytes, ...], shape: str) -> list[bytes]:
    """Per cell: 0 when light, else 1 + the variant key its neighbours select.

    Each row is one integer with a byte per cell (0 or 1), so a neighbour is a shift by a
    byte and the key bits of a whole row come from a few integer operations: a sheet of
    10,000 codes asks this 10,000 times, and a loop over cells cost more than the encode."""
    n = len(dark)
    if shape in ("square", "gapped", "dots"):
        return list(dark)
    ones = int.from_bytes(b"\x01" * n, "big")
    rows = [int.from_bytes(row, "big") for row in dark]
    out = []
    for r, row in enumerate(rows):
        if shape == "hbars":
            no_left, no_right = ones ^ (row >> 8), ones ^ ((row << 8) & (ones * 255))
            key = no_left | no_right << 1
        else:
            no_up = ones ^ rows[r - 1] if r else ones
            no_down = ones ^ rows[r + 1] if r + 1 < n else ones
            if shape == "vbars":
                key = no_up | no_down << 1
            else:  # rounded: a corner is round where both of its sides are open
                no_left, no_right = ones ^ (row >> 8), ones ^ ((row << 8) & (ones * 255))
                key = (
                    (no_up & no_left)
                    | (no_up & no_right) << 1
                    | (no_down & no_right) << 2
                    | (no_down & no_left) << 3
                )
        # Bytes hold at most 16, so adding one per byte never carries into the next.
        out.append(((key + ones) & (row * 255)).to_bytes(n, "big"))
    return out


def runs(dark: tuple[bytes, ...], direction: str):
    """``(col, row, length)`` of each horizontal (``"h"``) or vertical (``"v"``) dark run."""
    rows = dark if direction == "h" else [bytes(col) for col in zip(*dark, strict=True)]
    for i, line in enumerate(rows):
        start = line.find(1)
        while start != -1:
            end = line.find(0, start)
            end = len(line) if end == -1 else end
            yield (start, i, end - start) if direction == "h" else (i, start, end - start)
            start = line.find(1, end)


def run_contour(shape: str, x: float, y: float, length: int) -> Contour:
    if shape == "square":
        return rounded_rect(x, y, x + length, y + 1)
    if shape == "vbars":
        r = BAR_HALF
        return rounded_rect(x + 0.5 - r, y, x + 0.5 + r, y + length, r, r, r, r)
    r = BAR_HALF
    return rounded_rect(x, y + 0.5 - r, x + length, y + 0.5 + r, r, r, r, r)


# -- finder patterns (7x7) ---------------------------------------------------------------


@functools.cache
def finder_frame(shape: str) -> tuple[Contour, ...]:
    if shape == "circle":
        return (circle(3.5, 3.5, 3.5), reverse(circle(3.5, 3.5, 2.5)))
    outer, inner = (2.0, 1.0) if shape == "rounded" else (0.0, 0.0)
    return (
        rounded_rect(0, 0, 7, 7, outer, outer, outer, outer),
        reverse(rounded_rect(1, 1, 6, 6, inner, inner, inner, inner)),
    )


@functools.cache
def finder_ball(shape: str) -> tuple[Contour, ...]:
    if shape == "circle":
        return (circle(3.5, 3.5, 1.5),)
    r = 1.0 if shape == "rounded" else 0.0
    return (rounded_rect(2, 2, 5, 5, r, r, r, r),)


def translate(contour: Contour, dx: float, dy: float) -> Contour:
    out: Contour = []
    for op in contour:
        if op[0] == "A":
            out.append(("A", op[1] + dx, op[2] + dy, op[3] + dx, op[4] + dy))
        elif op[0] == "Z":
            out.append(op)
        else:
            out.append((op[0], op[1] + dx, op[2] + dy))
    return out


def scale(contour: Contour, k: float, dx: float = 0.0, dy: float = 0.0) -> Contour:
    out: Contour = []
    for op in contour:
        if op[0] == "Z":
            out.append(op)
        else:
            coords = [v * k + (dx if i % 2 == 0 else dy) for i, v in enumerate(op[1:])]
            out.append((op[0], *coords))
    return out


def flatten(contour: Contour, steps: int = 8) -> list[tuple[float, float]]:
    """Polygon points (arcs sampled ``steps`` times) for raster drawing."""
    points: list[tuple[float, float]] = []
    for op in contour:
        if op[0] in ("M", "L"):
            points.append((op[1], op[2]))
        elif op[0] == "A":
            x0, y0 = points[-1]
            x1, y1, cx, cy = op[1:]
            a0 = math.atan2(y0 - cy, x0 - cx)
            a1 = math.atan2(y1 - cy, x1 - cx)
            sweep = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
            r = math.hypot(x0 - cx, y0 - cy)
            for s in range(1, steps + 1):
                a = a0 + sweep * s / steps
                points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def is_hole(contour: Contour) -> bool:
    """Anticlockwise on screen (y down) means hole."""
    pts = flatten(contour, 2)
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True))
    return area < 0
