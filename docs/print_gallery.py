"""Regenerate the pictures of docs/printing.md: every one is a page of a PDF the label writer
made, rasterised by pdftoppm, and every code on it is decoded (zxing-cpp) before it is kept.

    .venv/bin/python docs/print_gallery.py
"""

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import zxingcpp  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from codes.rendering import Style, prepare_logo  # noqa: E402
from codes.rendering import sheets as engine  # noqa: E402

OUT = ROOT / "docs" / "printing"
STYLE = Style.from_dict({
    "module_shape": "rounded", "finder_frame_shape": "rounded", "finder_ball_shape": "circle",
    "foreground_color": "#1A3D7C", "finder_ball_color": "#C1121F", "logo_size": 0.2,
})  # fmt: skip


def logo():
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 199, 199), radius=44, fill=(230, 60, 40, 255))
    draw.ellipse((55, 55, 144, 144), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return prepare_logo(out.getvalue())


def raster(pdf: bytes, dpi: int) -> Image.Image:
    return Image.open(io.BytesIO(engine.proof_png(pdf, dpi=dpi))).convert("RGB")


def check(pdf: bytes, sheet, urls) -> None:
    """Every label of the first page decodes to its URL at 300 dpi."""
    image, k = raster(pdf, 300), 300 / 25.4
    for (x, y), url in zip(sheet.positions(), urls, strict=False):
        box = (round(x * k), round(y * k), round((x + sheet.label_width) * k),
               round((y + sheet.label_height) * k))  # fmt: skip
        found = [r.text for r in zxingcpp.read_barcodes(image.crop(box))]
        if found != ([url] if url else []):
            raise SystemExit(f"label at {x:.1f}, {y:.1f} mm read {found}, not {url}")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    mark = logo()
    sheet = engine.sheet_get("avery-l7163")
    urls = [f"https://qr.example/r/Sh{i:05d}" for i in range(11)]
    items = [engine.LabelItem(engine.label_drawing(u, STYLE, mark), mark,
                              (f"Shelf 3-{i + 1}", f"SKU 40{i:02d}-B", u)) for i, u in enumerate(urls)]  # fmt: skip
    design = engine.LabelDesign(font_size=10)
    check(engine.write_labels(items, sheet, design, start_at=4), sheet, [None] * 3 + urls)
    proof = engine.write_labels(items, sheet, engine.LabelDesign(font_size=10, outlines=True),
                                start_at=4)  # fmt: skip
    raster(proof, 72).save(OUT / "proof-l7163.png", optimize=True)

    shop = engine.sheet_print_shop(trim_width=85, trim_height=55, bleed=3, columns=2, rows=2)
    pieces = [engine.LabelItem(engine.label_drawing(u, STYLE, mark), mark, ("Spring offer", u))
              for u in urls[:4]]  # fmt: skip
    pdf = engine.write_labels(pieces, shop, engine.LabelDesign(font_size=11, background="#FFE8A3",
                                                              padding=5))  # fmt: skip
    check(pdf, shop, urls[:4])
    raster(pdf, 72).save(OUT / "print-shop.png", optimize=True)
    print("wrote", *(p.name for p in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
