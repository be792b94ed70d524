"""Label sheets from the pure engine: preset geometry, what prints on a 300 dpi raster, crop
marks and bleed, logos embedded once, text kept inside its label."""

import io
import re
import subprocess
import zlib
from xml.etree import ElementTree

import pytest
import zxingcpp
from PIL import Image

from codes.rendering import SpecError, Style, prepare_logo, sheets
from codes.rendering.sheets import LabelDesign, LabelItem, label_drawing, write_labels

DPI = 300
PX_PER_MM = DPI / 25.4

# Published template data, typed in from the manufacturers' sheets independently of the
# preset table: (label width, height, top margin, side margin, horizontal pitch, vertical
# pitch, columns, rows), in mm; the Letter ones from inches.
IN = 25.4
PUBLISHED = {
    "avery-l7160": (63.5, 38.1, 15.15, 7.21, 66.04, 38.1, 3, 7),
    "avery-l7163": (99.1, 38.1, 15.15, 4.65, 101.6, 38.1, 2, 7),
    "avery-l7165": (99.1, 67.7, 13.1, 4.65, 101.6, 67.7, 2, 4),
    "avery-l7651": (38.1, 21.2, 10.7, 4.75, 40.6, 21.2, 5, 13),
    "zweckform-3474": (70.0, 37.0, 0.5, 0.0, 70.0, 37.0, 3, 8),
    "avery-5160": (2.625 * IN, 1 * IN, 0.5 * IN, 0.1875 * IN, 2.75 * IN, 1 * IN, 3, 10),
    "avery-5163": (4 * IN, 2 * IN, 0.5 * IN, 0.15625 * IN, 4.1875 * IN, 2 * IN, 2, 5),
    "avery-5164": (4 * IN, 10 / 3 * IN, 0.5 * IN, 0.15625 * IN, 4.1875 * IN, 10 / 3 * IN, 2, 3),
    # Three open-source label tools agree on these (see the presets' docstring).
    "avery-22805": (1.5 * IN, 1.5 * IN, 0.5 * IN, 0.78125 * IN, 1.8125 * IN, 1.7 * IN, 4, 6),
    # HERMA's values as gLabels transcribes them (see the presets' docstring).
    "herma-4677": (63.5, 38.1, 15.5, 6.75, 66.5, 38.1, 3, 7),
    "herma-4464": (70.0, 37.125, 0.0, 0.0, 70.0, 37.125, 3, 8),
}
# Sheets whose labels do not sit in the middle of the page: the margin left after the last row.
BOTTOM_MARGIN = {"herma-4677": 14.8}


@pytest.mark.parametrize("key", sorted(PUBLISHED))
def test_preset_positions_match_the_published_template(key):
    w, h, top, side, pitch_x, pitch_y, cols, rows = PUBLISHED[key]
    sheet = sheets.sheet_get(key)
    positions = sheet.positions()
    assert (sheet.columns, sheet.rows, len(positions)) == (cols, rows, cols * rows)
    assert sheet.label_width == pytest.approx(w, abs=0.1)
    assert sheet.label_height == pytest.approx(h, abs=0.1)
    for index, (x, y) in enumerate(positions):
        row, col = divmod(index, cols)
        assert x == pytest.approx(side + col * pitch_x, abs=0.1)
        assert y == pytest.approx(top + row * pitch_y, abs=0.1)
    # The sheet is symmetric: what is left after the last label equals the first margin.
    last_x, last_y = positions[-1]
    assert sheet.page_width - (last_x + w) == pytest.approx(side, abs=0.1)
    assert sheet.page_height - (last_y + h) == pytest.approx(BOTTOM_MARGIN.get(key, top), abs=0.1)


@pytest.mark.parametrize("key", sorted(sheets.PRESETS))
def test_every_preset_stays_on_its_page(key):
    sheet = sheets.PRESETS[key]
    for x, y in sheet.positions():
        assert x >= 0
        assert y >= 0
        assert x + sheet.label_width <= sheet.page_width + 0.05
        assert y + sheet.label_height <= sheet.page_height + 0.05


def test_a_custom_grid_off_the_page_is_refused_with_the_numbers():
    with pytest.raises(SpecError) as caught:
        sheets.sheet_custom({"page_size": "a4", "columns": 3, "rows": 8, "label_width": 70,
                             "label_height": 38, "left": 5, "top": 5})  # fmt: skip
    assert caught.value.fields["sheet.columns"] == (
        "3 columns of 70 mm end at 215.0 mm, beyond the page's 210 mm width by 5.0 mm"
    )
    assert "309.0 mm" in caught.value.fields["sheet.rows"]


def test_overlapping_labels_are_refused():
    with pytest.raises(SpecError) as caught:
        sheets.sheet_custom({"page_size": "a4", "columns": 2, "rows": 2, "label_width": 50,
                             "label_height": 30, "left": 10, "top": 10, "column_gap": -3})  # fmt: skip
    assert "overlap by 3 mm" in caught.value.fields["sheet.column_gap"]


def test_unknown_preset_and_start_beyond_the_sheet_are_refused():
    with pytest.raises(SpecError, match="is not a known sheet"):
        sheets.sheet_get("avery-l9999")
    with pytest.raises(SpecError) as caught:
        sheets.check_start_at(sheets.sheet_get("avery-l7163"), 15)
    assert "beyond the 14 labels" in caught.value.fields["start_at"]


def _raster(pdf: bytes, page: int = 1, dpi: int = DPI) -> Image.Image:
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"],
        input=pdf, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB")


def _crop(image, sheet, x, y, pad=0.0):
    k = PX_PER_MM
    return image.crop((round((x - pad) * k), round((y - pad) * k),
                       round((x + sheet.label_width + pad) * k),
                       round((y + sheet.label_height + pad) * k)))  # fmt: skip


def _logo(color=(200, 30, 60, 255)):
    image = Image.new("RGBA", (120, 120), color)
    out = io.BytesIO()
    image.save(out, "PNG")
    return prepare_logo(out.getvalue())


STYLED = Style.from_dict({
    "module_shape": "rounded", "foreground_color": "#1D3557", "finder_frame_shape": "rounded",
    "finder_ball_color": "#C1121F", "logo_size": 0.2,
})  # fmt: skip


def test_every_label_on_a_300_dpi_raster_decodes_to_its_url():
    sheet = sheets.sheet_get("avery-l7163")
    logo = _logo()
    urls = [f"https://qr.example/r/s{i:06d}" for i in range(sheet.per_sheet + 3)]
    items = [LabelItem(label_drawing(u, STYLED, logo), logo, (f"Item {i}", u))
             for i, u in enumerate(urls)]  # fmt: skip
    pdf = write_labels(items, sheet, LabelDesign(), start_at=4)
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    image = _raster(pdf)
    positions = sheet.positions()
    for slot in range(3):  # skipped: labels already used on a partly used sheet
        assert zxingcpp.read_barcodes(_crop(image, sheet, *positions[slot])) == []
    for slot in range(3, sheet.per_sheet):
        found = zxingcpp.read_barcodes(
            _crop(image, sheet, *positions[slot]), formats=zxingcpp.BarcodeFormat.QRCode
        )
        assert [f.text for f in found] == [urls[slot - 3]], slot
    second = _raster(pdf, page=2)  # the rest start at the second sheet's first label
    for slot, url in enumerate(urls[sheet.per_sheet - 3 :]):
        found = zxingcpp.read_barcodes(_crop(second, sheet, *positions[slot]))
        assert [f.text for f in found] == [url]
    assert zxingcpp.read_barcodes(_crop(second, sheet, *positions[6])) == []


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\n?endstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return out


def test_a_logo_on_1000_labels_is_embedded_once():
    sheet = sheets.sheet_get("avery-l7160")
    logo = _logo()
    items = [LabelItem(label_drawing(f"https://qr.example/r/L{i:05d}", STYLED, logo), logo, ())
             for i in range(1000)]  # fmt: skip
    pdf = write_labels(items, sheet, LabelDesign())
    images = re.findall(rb"/Subtype /Image", pdf)
    masks = re.findall(rb"/SMask \d+ 0 R", pdf)
    assert len(images) - len(masks) == 1  # the logo's pixels, once (plus its alpha mask)
    forms = re.findall(rb"/Subtype /Form", pdf)
    content = b"\n".join(_streams(pdf))
    assert content.count(b"/FormXob.logo0 Do") == 1000
    # Module shapes are forms too, defined once each: a handful, not one per label.
    assert len(forms) <= 1 + 16
    assert len(pdf) < 1000 * 2500  # well under the 25 MB budget for 10,000 labels


def _words(pdf: bytes):
    xml = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout  # fmt: skip
    xml = re.sub(rb'xmlns="[^"]+"', b"", xml)
    root = ElementTree.fromstring(xml)  # noqa: S314 - pdftotext output of our own PDF
    for word in root.iter("word"):
        yield word.text, *(float(word.get(k)) * 25.4 / 72 for k in ("xMin", "yMin", "xMax", "yMax"))


@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_text_never_leaves_its_label(align):
    sheet = sheets.sheet_get("avery-l7651")  # the smallest labels
    long = "Übergroße Lagerplatzbezeichnung Regal 12 Fach 7 Ebene 3 Ωμέγα Щука"
    items = [LabelItem(label_drawing("https://q.example/r/a1", Style.from_dict({})), None,
                       (long, "x" * 200, f"Ebene {i} " * 9)) for i in range(sheet.per_sheet)]  # fmt: skip
    pdf = write_labels(items, sheet, LabelDesign(font_size=14, align=align))
    words = list(_words(pdf))
    assert len(words) > sheet.per_sheet  # text was printed, shrunk and cut
    assert any(w[0].endswith("…") for w in words)
    boxes = [(x, y, x + sheet.label_width, y + sheet.label_height) for x, y in sheet.positions()]
    for text, x0, y0, x1, y1 in words:
        inside = [b for b in boxes if b[0] - 0.05 <= x0 and x1 <= b[2] + 0.05
                  and b[1] - 0.05 <= y0 and y1 <= b[3] + 0.05]  # fmt: skip
        assert inside, (text, x0, y0, x1, y1)


def test_print_shop_pieces_have_bleed_and_crop_marks_where_they_belong(tmp_path):
    sheet = sheets.sheet_print_shop(trim_width=50, trim_height=30, bleed=3, columns=2, rows=1)
    design = LabelDesign(background="#FFD60A", padding=4)
    items = [LabelItem(label_drawing(f"https://qr.example/r/p{i}", Style.from_dict({})), None,
                       ("Piece",)) for i in range(2)]  # fmt: skip
    pdf = write_labels(items, sheet, design)
    (tmp_path / "pieces.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", "-box", str(tmp_path / "pieces.pdf")], capture_output=True,
                          check=True, text=True).stdout  # fmt: skip
    trim = [
        float(v)
        for v in re.search(r"TrimBox:\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", info).groups()
    ]
    bleed = [
        float(v)
        for v in re.search(r"BleedBox:\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", info).groups()
    ]
    mm = 72 / 25.4
    left, top = sheet.left, sheet.top
    assert trim[0] == pytest.approx(left * mm, abs=0.1)
    assert trim[2] - trim[0] == pytest.approx((2 * 50 + 6) * mm, abs=0.1)
    assert [b - t for b, t in zip(bleed[:2], trim[:2], strict=True)] == pytest.approx(
        [-3 * mm] * 2, abs=0.05
    )

    image = _raster(pdf)
    k = PX_PER_MM

    def px(x_mm, y_mm):
        return image.getpixel((round(x_mm * k), round(y_mm * k)))

    yellow = (255, 214, 10)
    # Inside the bleed, just outside the trim line: the background runs on.
    assert px(left - 1.5, top + 15) == pytest.approx(yellow, abs=8)
    assert px(left + 25, top - 2.5) == pytest.approx(yellow, abs=8)
    # Past the bleed: paper, except the marks.
    assert px(left - 3.6, top + 15) == (255, 255, 255)
    # Crop marks: on the trim lines, starting 1 mm outside the bleed, 5 mm long, dark.
    mark_top = top - 3 - 1
    for x in (left, left + 50, left + 56, left + 106):
        column = [
            sum(image.getpixel((round(x * k) + d, round((mark_top - 2.5) * k)))) for d in (-1, 0, 1)
        ]
        assert min(column) < 200, x
        assert sum(px(x, mark_top + 0.5)) > 700  # nothing between the bleed and the mark
    for y in (top, top + 30):
        row = [
            sum(image.getpixel((round((left - 4 - 2.5) * k), round(y * k) + d))) for d in (-1, 0, 1)
        ]
        assert min(row) < 200, y
    # No mark runs into the artwork: the middle of each piece's top edge has none.
    assert sum(px(left + 25, top - 3 - 1 - 2.5)) > 700


def test_a_code_size_that_does_not_fit_says_the_largest_that_does():
    sheet = sheets.sheet_get("avery-l7163")
    with pytest.raises(SpecError) as caught:
        sheets.placement(sheet, LabelDesign(code_size=40), 2)
    assert "use at most 34.1 mm" in caught.value.fields["code_size"]


def test_every_font_in_a_sheet_is_embedded_as_a_subset(tmp_path):
    sheet = sheets.sheet_get("avery-l7160")
    items = [LabelItem(label_drawing("https://q.example/r/f1", Style.from_dict({})), None,
                       ("Ωμέγα", "Щука", "Zürich"))]  # fmt: skip
    (tmp_path / "f.pdf").write_bytes(write_labels(items, sheet, LabelDesign()))
    listing = subprocess.run(["pdffonts", str(tmp_path / "f.pdf")], capture_output=True,
                             check=True, text=True).stdout.splitlines()[2:]  # fmt: skip
    assert listing  # text was set in a font
    for line in listing:
        name, *_, emb, sub, uni, _obj, _gen = line.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line
        assert "+DejaVuSans" in name
