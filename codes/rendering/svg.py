"""SVG writer: compact paths in module units, scaled to ``size`` px by width/height.

The viewBox is in modules, so coordinates are small integers; each module variant is a constant
relative path after a ``M x y``. ``size`` sets the width attribute in px and the height
follows the layout (frames with a label are taller than wide).
"""

import base64
import functools
import math

from . import fonts, shapes
from .color import TRANSPARENT, hex_rgb, opacity
from .geometry import layout
from .scene import Paint, Scene
from .spec import Gradient


def num(v: float) -> str:
    if v == int(v):
        return str(int(v))
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def contour_d(contour: shapes.Contour) -> str:
    out = []
    x = y = 0.0
    for op in contour:
        kind = op[0]
        if kind == "M":
            x, y = op[1], op[2]
            out.append(f"M{num(x)} {num(y)}")
        elif kind == "L":
            out.append(f"L{num(op[1])} {num(op[2])}")
            x, y = op[1], op[2]
        elif kind == "A":
            r = math.hypot(x - op[3], y - op[4])
            out.append(f"A{num(r)} {num(r)} 0 0 {_sweep(x, y, op)} {num(op[1])} {num(op[2])}")
            x, y = op[1], op[2]
        elif kind == "Q":
            out.append(f"Q{num(op[1])} {num(op[2])} {num(op[3])} {num(op[4])}")
            x, y = op[3], op[4]
        elif kind == "C":
            out.append("C" + " ".join(num(v) for v in op[1:]))
            x, y = op[5], op[6]
        else:
            out.append("Z")
    return "".join(out)


def _sweep(x, y, op) -> int:
    """SVG sweep flag of a quarter arc from (x, y): 1 when it turns clockwise on screen."""
    return 1 if (x - op[3]) * (op[2] - op[4]) - (y - op[4]) * (op[1] - op[3]) > 0 else 0


def _relative(contour: shapes.Contour) -> tuple[float, float, str]:
    """The contour as (start x, start y, relative path after the start).

    Two quarter arcs around one centre become one half arc: dots and bar caps get shorter.
    """
    x0, y0 = contour[0][1], contour[0][2]
    x, y = x0, y0
    out = []
    ops = contour[1:]
    i = 0
    while i < len(ops):
        op = ops[i]
        kind = op[0]
        i += 1
        if kind == "Z":
            out.append("z")
            continue
        if kind == "A":
            r = math.hypot(x - op[3], y - op[4])
            sweep = _sweep(x, y, op)
            if i < len(ops) and ops[i][0] == "A" and ops[i][3:] == op[3:]:
                op = ops[i]
                i += 1
            out.append(f"a{num(r)} {num(r)} 0 0 {sweep} {num(op[1] - x)} {num(op[2] - y)}")
        else:
            closing = i < len(ops) and ops[i][0] == "Z"
            if closing and math.isclose(op[1], x0) and math.isclose(op[2], y0):
                continue  # "z" draws the last side
            dx, dy = op[1] - x, op[2] - y
            if abs(dy) < 1e-9:
                out.append(f"h{num(dx)}")
            elif abs(dx) < 1e-9:
                out.append(f"v{num(dy)}")
            else:
                out.append(f"l{num(dx)} {num(dy)}")
        x, y = op[1], op[2]
    return x0, y0, "".join(out)


def compact_d(contour: shapes.Contour) -> str:
    """A line-and-arc contour as an absolute move plus relative drawing (short output)."""
    x0, y0, rel = _relative(contour)
    return f"M{num(x0)} {num(y0)}{rel}"


@functools.cache
def _template(shape: str, key: int) -> tuple[float, float, str]:
    parts = [_relative(c) for c in shapes.module_variant(shape, key)]
    x0, y0, first = parts[0]
    # Later contours of a variant start with a relative move from the end of the first.
    return x0, y0, first + "".join(f"m{num(px - x0)} {num(py - y0)}{d}" for px, py, d in parts[1:])


def _module_path(scene: Scene, ox: float, oy: float) -> str:
    shape = scene.style.module_shape
    dark = scene.geom.dark
    out = []
    if shape == "square":
        for c, r, length in shapes.runs(dark, "h"):
            out.append(f"M{num(c + ox)} {num(r + oy)}h{length}v1h-{length}z")
        return "".join(out)
    if shape in ("vbars", "hbars"):
        # A run is a stadium: two half-circle caps joined by straight sides (shapes.run_contour).
        half = shapes.BAR_HALF
        width, lead = num(2 * half), 0.5 - half
        cap = f"a{num(half)} {num(half)} 0 0 1"
        for c, r, length in shapes.runs(dark, shape[0]):
            side = num(length - 2 * half)
            if shape == "vbars":
                start = f"M{num(c + ox + lead)} {num(r + oy + half)}"
                out.append(f"{start}{cap} {width} 0v{side}{cap} -{width} 0z")
            else:
                start = f"M{num(c + ox + half)} {num(r + oy + lead + 2 * half)}"
                out.append(f"{start}{cap} 0 -{width}h{side}{cap} 0 {width}z")
        return "".join(out)
    n = scene.geom.n
    templates = {}
    for r, keys in enumerate(shapes.cell_variants(dark, shape)):
        for c in range(n):
            key = keys[c]
            if not key:
                continue
            tpl = templates.get(key)
            if tpl is None:
                x0, y0, rel = _template(shape, key)
                tpl = templates[key] = (x0 + ox, y0 + oy, rel)
            out.append(f"M{num(c + tpl[0])} {num(r + tpl[1])}{tpl[2]}")
    return "".join(out)


def _finder_path(scene: Scene, part: str, ox: float, oy: float) -> str:
    style = scene.style
    contours = (
        shapes.finder_frame(style.finder_frame_shape)
        if part == "frames"
        else shapes.finder_ball(style.finder_ball_shape)
    )
    return "".join(
        compact_d(shapes.translate(c, fc + ox, fr + oy))
        for fc, fr in scene.geom.finders
        for c in contours
    )


def _fill(color: str) -> str:
    a = opacity(color)
    return f'fill="{hex_rgb(color)}"' + (f' fill-opacity="{num(round(a, 3))}"' if a < 1 else "")


def _gradient_def(grad: Gradient, gid: str, ox: float, oy: float, n: int) -> str:
    stops = (
        f'<stop offset="0" stop-color="{grad.start_color}"/>'
        f'<stop offset="1" stop-color="{grad.end_color}"/>'
    )
    cx, cy = ox + n / 2, oy + n / 2
    if grad.kind == "radial":
        return (
            f'<radialGradient id="{gid}" gradientUnits="userSpaceOnUse" cx="{num(cx)}" '
            f'cy="{num(cy)}" r="{num(n / math.sqrt(2))}">{stops}</radialGradient>'
        )
    a = math.radians(grad.angle)
    half = n * (abs(math.cos(a)) + abs(math.sin(a))) / 2
    dx, dy = math.cos(a) * half, math.sin(a) * half
    return (
        f'<linearGradient id="{gid}" gradientUnits="userSpaceOnUse" x1="{num(cx - dx)}" '
        f'y1="{num(cy - dy)}" x2="{num(cx + dx)}" y2="{num(cy + dy)}">{stops}</linearGradient>'
    )


def write_svg(scene: Scene, size: int) -> bytes:
    style = scene.style
    lay = layout(scene.geom, style)
    k = size / lay.width
    ox, oy = lay.x0, lay.y0
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" '
        f'height="{num(round(lay.height * k, 2))}" viewBox="0 0 {num(lay.width)} '
        f'{num(lay.height)}">'
    )
    body: list[str] = []
    defs: list[str] = []
    bg = style.background_color
    if lay.frame != "none":
        outer = shapes.rounded_rect(0, 0, lay.width, lay.height, *(lay.radius,) * 4)
        cx, cy, cw, ch = lay.code_box
        inner_r = max(lay.radius - (cx or 0), 0)
        inner = shapes.rounded_rect(cx, cy, cx + cw, cy + ch, *(inner_r,) * 4)
        frame_d = compact_d(outer) + compact_d(shapes.reverse(inner))
        body.append(f'<path {_fill(style.resolved_frame_color())} d="{frame_d}"/>')
        if bg != TRANSPARENT:
            body.append(f'<path {_fill(bg)} d="{compact_d(inner)}"/>')
    elif bg != TRANSPARENT:
        body.append(f'<rect width="{num(lay.width)}" height="{num(lay.height)}" {_fill(bg)}/>')
    for i, (paint, parts) in enumerate(scene.paint_groups()):
        d = "".join(
            _module_path(scene, ox, oy) if part == "modules" else _finder_path(scene, part, ox, oy)
            for part in parts
        )
        body.append(f'<path {_paint_attr(paint, f"g{i}", defs, ox, oy, scene.geom.n)} d="{d}"/>')
    if scene.logo is not None and scene.geom.logo_box is not None:
        x, y, w, h = scene.geom.logo_box
        data = base64.b64encode(scene.logo.png).decode()
        body.append(
            f'<image x="{num(ox + x)}" y="{num(oy + y)}" width="{num(w)}" height="{num(h)}" '
            f'preserveAspectRatio="xMidYMid meet" href="data:image/png;base64,{data}"/>'
        )
    if lay.band is not None:
        bx, by, bw, bh = lay.band
        glyphs = fonts.outline(
            style.label, center_x=bx + bw / 2, middle_y=by + bh / 2, size=lay.font_size
        )
        body.append(f'<path {_fill(style.resolved_label_color())} d="{contour_d(glyphs)}"/>')
    defs_xml = f"<defs>{''.join(defs)}</defs>" if defs else ""
    return (head + defs_xml + "".join(body) + "</svg>").encode()


def _paint_attr(paint: Paint, gid: str, defs: list[str], ox: float, oy: float, n: int) -> str:
    if isinstance(paint, Gradient):
        defs.append(_gradient_def(paint, gid, ox, oy, n))
        return f'fill="url(#{gid})"'
    return _fill(paint)
