"""Regenerate the styling gallery: every image in docs/gallery/ comes from the render engine.

    .venv/bin/python docs/gallery.py

Writes docs/gallery/*.png and the gallery section of docs/styling.md (between the
``gallery:start`` / ``gallery:end`` markers). Each picture is checked with the same guard the
product uses, so the gallery only shows designs that scan.
"""

import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from codes.rendering import (  # noqa: E402
    CONTENT_TYPES,
    FINDER_FRAME_SHAPES,
    FRAMES,
    MODULE_SHAPES,
    Style,
    ensure_scannable,
    render,
)

OUT = ROOT / "docs" / "gallery"
DOC = ROOT / "docs" / "styling.md"
START, END = "<!-- gallery:start -->", "<!-- gallery:end -->"
CONTENT_START, CONTENT_END = "<!-- content:start -->", "<!-- content:end -->"
PAYLOAD = "https://qr.example/r/Ab3dE7x"
SIZE = 240


def brand_logo() -> bytes:
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 199, 199), radius=44, fill=(230, 60, 40, 255))
    draw.ellipse((55, 55, 144, 144), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def sections() -> list[tuple[str, str, list[tuple[str, dict, bool]]]]:
    """(title, intro, [(name, style options, with logo)])."""
    brand = {"foreground_color": "#1A3D7C"}
    return [
        (
            "Module shapes",
            "`module_shape`: how each dark module is drawn. `rounded` looks at its neighbours "
            "and rounds only outer corners; dots and gapped squares keep 0.85 of a module.",
            [(shape, {"module_shape": shape, **brand}, False) for shape in MODULE_SHAPES],
        ),
        (
            "Finder patterns",
            "`finder_frame_shape` and `finder_ball_shape` (the three corner eyes), each with its "
            "own colour (`finder_frame_color`, `finder_ball_color`; empty = the module colour).",
            [
                (
                    f"finder-{shape}",
                    {
                        "finder_frame_shape": shape,
                        "finder_ball_shape": shape,
                        "finder_ball_color": "#C0392B",
                        **brand,
                    },
                    False,
                )
                for shape in FINDER_FRAME_SHAPES
            ],
        ),
        (
            "Frames and labels",
            "`frame` puts a call to action around the code: `box` (label below), `banner` "
            "(label above), `badge` (rounded, label below). `label`, `label_font_size` (px at "
            "400 px wide), `label_color` (default: black or white, whichever reads better) and "
            "`frame_color` (default: the foreground).",
            [
                (f"frame-{frame}", {"frame": frame, "label": "SCAN ME", **brand}, False)
                for frame in FRAMES
            ],
        ),
        (
            "Colours and gradients",
            "Hex colours with optional alpha; `background_color` may be `transparent`. A "
            "`gradient` (linear at an angle, or radial) paints the modules.",
            [
                (
                    "gradient-linear",
                    {
                        "module_shape": "rounded",
                        "gradient": {
                            "kind": "linear",
                            "start_color": "#1A3D7C",
                            "end_color": "#8E1A5D",
                            "angle": 45,
                        },
                    },
                    False,
                ),
                (
                    "gradient-radial",
                    {
                        "module_shape": "dots",
                        "finder_frame_shape": "rounded",
                        "finder_ball_shape": "rounded",
                        "gradient": {
                            "kind": "radial",
                            "start_color": "#0B5D1E",
                            "end_color": "#1A3D7C",
                        },
                    },
                    False,
                ),
                (
                    "transparent",
                    {"background_color": "transparent", "module_shape": "hbars", **brand},
                    False,
                ),
            ],
        ),
        (
            "Logo",
            "A raster logo (PNG, JPEG, WebP or GIF) sits in a cleared area; the code switches to "
            "error correction H, and `logo_size` (fraction of the code's width) is refused when "
            "the cleared area passes 15 % of the symbol.",
            [
                (
                    "logo",
                    {
                        "module_shape": "rounded",
                        "finder_frame_shape": "rounded",
                        "finder_ball_shape": "circle",
                        "logo_size": 0.25,
                        **brand,
                    },
                    True,
                ),
                (
                    "logo-badge",
                    {
                        "module_shape": "dots",
                        "finder_frame_shape": "circle",
                        "finder_ball_shape": "circle",
                        "logo_size": 0.22,
                        "frame": "badge",
                        "label": "Menu",
                        "foreground_color": "#0B5D1E",
                    },
                    True,
                ),
            ],
        ),
    ]


def build() -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    logo = brand_logo()
    parts = []
    for title, intro, items in sections():
        parts += [f"### {title}", "", intro, ""]
        header = "| " + " | ".join(name for name, _, _ in items) + " |"
        parts += [header, "|" + "---|" * len(items)]
        cells = []
        for name, options, with_logo in items:
            style = Style.from_dict(options)
            image_logo = logo if with_logo else None
            ensure_scannable(PAYLOAD, style, logo=image_logo)
            (OUT / f"{name}.png").write_bytes(render(PAYLOAD, style, size=SIZE, logo=image_logo))
            cells.append(f"![{name}](gallery/{name}.png)")
        parts.append("| " + " | ".join(cells) + " |")
        parts += ["", "<details><summary>Style options</summary>", "", "```json"]
        parts += [json.dumps({name: options for name, options, _ in items}, indent=2), "```", ""]
        parts += ["</details>", ""]
    return "\n".join(parts).rstrip() + "\n"


def content_table() -> str:
    """The content types and their fields, straight from ``CONTENT_TYPES``."""
    lines = ["| content type | fields (* required) |", "|---|---|"]
    for name, ct in CONTENT_TYPES.items():
        fields = ", ".join(
            f"`{f.name}`{'*' if f.required else ''} ({f.kind}"
            + (f": {' / '.join(f.choices)}" if f.choices else "")
            + ")"
            for f in ct.fields
        )
        lines.append(f"| `{name}` ({ct.label}) | {fields} |")
    return "\n".join(lines) + "\n"


def _replace(text: str, start: str, end: str, body: str) -> str:
    head, rest = text.split(start, 1)
    return head + start + "\n" + body + end + rest.split(end, 1)[1]


def main() -> None:
    text = _replace(DOC.read_text(), START, END, build())
    DOC.write_text(_replace(text, CONTENT_START, CONTENT_END, content_table()))
    print(f"wrote {len(list(OUT.glob('*.png')))} images and {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
