"""Label sheets: the presets, custom grids, and where each label sits on a page.

Everything is in millimetres, measured from the page's top-left corner (the way label makers
publish their templates: top margin, side margin, pitches). A sheet is refused with the numbers
when its labels overlap or leave the page.

Preset data (label size, top and side margin, horizontal and vertical pitch) is the
manufacturers' published template data: Avery UK/Zweckform product templates for the A4
sheets (L7160, L7163, L7165, L7651, 3474) and Avery US templates for the Letter sheets (5160,
5163, 5164 are given in inches there: 2⅝" x 1", 4" x 2", 4" x 3⅓" with 0.5" top and 3/16" or
5/32" side margins).

22805 (1½" square, 4 x 6 on Letter): Avery's own template was not at hand; three independent
open-source label tools agree on 0.5" top margin, 1.7" row pitch, ~0.78" side margin and
~1.8125" column pitch (a symmetric sheet), and one of them says it checked a printed sheet.

L7121: the Avery sheet of that number is, by three third-party tables, 20 square 45 mm labels
(4 x 5), not 24 round ones, and they disagree on its margins by up to 6 mm; the preset below
(40 mm circles, 4 x 6) is kept because the product brief asks for a round A4 sheet, but its
geometry is not a manufacturer's. Measure a printed sheet before a large run (docs/printing.md).

HERMA sheets: HERMA's own template values (label size, top and side margin, pitches) as the
gLabels project's template database transcribes them (templates/herma-iso-templates.xml: 4677 is
in its 4103 family; 4464). HERMA's PDF data sheets were not at hand to compare, and 4677's top
margin there (15.5 mm) leaves 14.8 mm at the bottom, where Avery's L7160 of the same label size
has 15.15 mm at both: print a test page on a real sheet before a large run.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..errors import SpecError

INCH = 25.4
PAGE_SIZES = {"a4": (210.0, 297.0), "letter": (215.9, 279.4), "a5": (148.0, 210.0)}
MAX_CELLS = 50  # rows or columns: more is not a label sheet
TOLERANCE = 0.05  # mm of rounding in published templates (Letter sheets come from inches)


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float  # side margin: page edge to the first column
    top: float  # page edge to the first row
    column_gap: float = 0.0
    row_gap: float = 0.0
    corner_radius: float = 0.0
    round: bool = False
    # Print-shop output: each label is a trimmed piece with this much bleed, and crop marks.
    bleed: float = 0.0
    crop_marks: bool = False

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def positions(self) -> list[tuple[float, float]]:
        """Top-left corner of every label, row by row (the order a sheet is filled in)."""
        return [
            (
                self.left + c * (self.label_width + self.column_gap),
                self.top + r * (self.label_height + self.row_gap),
            )
            for r in range(self.rows)
            for c in range(self.columns)
        ]

    def pages_for(self, count: int, start_at: int = 1) -> int:
        return math.ceil((count + start_at - 1) / self.per_sheet) if count else 0

    def to_dict(self) -> dict:
        return asdict(self)


def _preset(key, title, page, cols, rows, w, h, left, top, pitch_x, pitch_y, radius=0.0, **kw):
    pw, ph = PAGE_SIZES[page]
    return Sheet(
        key=key,
        title=title,
        page_width=pw,
        page_height=ph,
        columns=cols,
        rows=rows,
        label_width=w,
        label_height=h,
        left=left,
        top=top,
        column_gap=round(pitch_x - w, 3),
        row_gap=round(pitch_y - h, 3),
        corner_radius=radius,
        **kw,
    )


def _inches(*values: float) -> list[float]:
    return [round(v * INCH, 4) for v in values]


PRESETS: dict[str, Sheet] = {
    s.key: s
    for s in (
        _preset("avery-l7160", "Avery L7160 · 21 per A4 sheet, 63.5 × 38.1 mm", "a4",
                3, 7, 63.5, 38.1, 7.21, 15.15, 66.04, 38.1, radius=1.5),
        _preset("avery-l7163", "Avery L7163 · 14 per A4 sheet, 99.1 × 38.1 mm", "a4",
                2, 7, 99.1, 38.1, 4.65, 15.15, 101.6, 38.1, radius=1.5),
        _preset("avery-l7165", "Avery L7165 · 8 per A4 sheet, 99.1 × 67.7 mm", "a4",
                2, 4, 99.1, 67.7, 4.65, 13.1, 101.6, 67.7, radius=1.5),
        _preset("avery-l7651", "Avery L7651 · 65 per A4 sheet, 38.1 × 21.2 mm", "a4",
                5, 13, 38.1, 21.2, 4.75, 10.7, 40.6, 21.2, radius=1.0),
        _preset("avery-l7121", "Avery L7121 · 24 round per A4 sheet, 40 mm", "a4",
                4, 6, 40.0, 40.0, 17.0, 13.5, 45.0, 45.0, radius=20.0, round=True),
        _preset("herma-4677", "HERMA 4677 · 21 per A4 sheet, 63.5 × 38.1 mm", "a4",
                3, 7, 63.5, 38.1, 6.75, 15.5, 66.5, 38.1),
        _preset("herma-4464", "HERMA 4464 · 24 per A4 sheet, 70 × 37.125 mm", "a4",
                3, 8, 70.0, 37.125, 0.0, 0.0, 70.0, 37.125),
        _preset("zweckform-3474", "Avery Zweckform 3474 · 24 per A4 sheet, 70 × 37 mm", "a4",
                3, 8, 70.0, 37.0, 0.0, 0.5, 70.0, 37.0),
        _preset("avery-5160", "Avery 5160 · 30 per Letter sheet, 2⅝ × 1 in", "letter",
                3, 10, *_inches(2.625, 1, 0.1875, 0.5, 2.75, 1), radius=2.0),
        _preset("avery-5163", "Avery 5163 · 10 per Letter sheet, 4 × 2 in", "letter",
                2, 5, *_inches(4, 2, 0.15625, 0.5, 4.1875, 2), radius=2.0),
        _preset("avery-5164", "Avery 5164 · 6 per Letter sheet, 4 × 3⅓ in", "letter",
                2, 3, *_inches(4, 10 / 3, 0.15625, 0.5, 4.1875, 10 / 3), radius=2.0),
        _preset("avery-22805", "Avery 22805 · 24 square per Letter sheet, 1½ in", "letter",
                4, 6, *_inches(1.5, 1.5, 0.78125, 0.5, 1.8125, 1.7), radius=2.0),
    )
}  # fmt: skip

# Print-shop pieces: crop marks are this long and start this far outside the bleed.
MARK_LENGTH = 5.0
MARK_GAP = 1.0


def _number(errors, name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        errors[name] = "must be a number of millimetres"
        return 0.0
    if not low <= value <= high:
        errors[name] = f"{value:g} mm is outside {low:g}–{high:g} mm"
    return float(value)


def _count(errors, name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = "must be a whole number"
        return 1
    if not 1 <= value <= MAX_CELLS:
        errors[name] = f"must be from 1 to {MAX_CELLS}"
    return value


def sheet_get(key: str) -> Sheet:
    if not isinstance(key, str) or key.strip().lower() not in PRESETS:
        known = ", ".join(PRESETS)
        raise SpecError(
            {"sheet": f"{key!r} is not a known sheet; use one of {known}, or a custom grid"}
        )
    return PRESETS[key.strip().lower()]


CUSTOM_FIELDS = (
    "page_size", "page_width", "page_height", "columns", "rows", "label_width", "label_height",
    "left", "top", "column_gap", "row_gap", "corner_radius", "round",
)  # fmt: skip


def sheet_custom(data: dict) -> Sheet:
    """A custom grid from the API's or form's fields; refused with the numbers when it does
    not fit the page (off the page, or labels overlapping)."""
    if not isinstance(data, dict):
        raise SpecError({"sheet": "give a preset name or an object with the grid's fields"})
    unknown = sorted(set(data) - set(CUSTOM_FIELDS))
    if unknown:
        raise SpecError({"sheet": f"unknown field(s) {', '.join(unknown)}"})
    errors: dict[str, str] = {}
    page = data.get("page_size")
    if page is not None:
        if page not in PAGE_SIZES:
            errors["sheet.page_size"] = f"{page!r} is not one of {', '.join(PAGE_SIZES)}"
            width, height = PAGE_SIZES["a4"]
        else:
            width, height = PAGE_SIZES[page]
    else:
        width = _number(errors, "sheet.page_width", data.get("page_width"), 20, 1200)
        height = _number(errors, "sheet.page_height", data.get("page_height"), 20, 1200)
    columns = _count(errors, "sheet.columns", data.get("columns"))
    rows = _count(errors, "sheet.rows", data.get("rows"))
    label_w = _number(errors, "sheet.label_width", data.get("label_width"), 5, 1200)
    label_h = _number(errors, "sheet.label_height", data.get("label_height"), 5, 1200)
    values = {}
    for name in ("left", "top", "column_gap", "row_gap", "corner_radius"):
        values[name] = _number(errors, f"sheet.{name}", data.get(name, 0.0), -1200, 1200)
    is_round = bool(data.get("round", False))
    if errors:
        raise SpecError(errors)
    for name in ("left", "top"):
        if values[name] < 0:
            errors[f"sheet.{name}"] = f"{values[name]:g} mm puts the first labels off the page"
    for name, across in (("column_gap", "side by side"), ("row_gap", "one above the other")):
        if values[name] < 0:
            errors[f"sheet.{name}"] = (
                f"a gap of {values[name]:g} mm makes labels {across} overlap by "
                f"{-values[name]:g} mm; use 0 or more"
            )
    right = values["left"] + columns * label_w + (columns - 1) * values["column_gap"]
    bottom = values["top"] + rows * label_h + (rows - 1) * values["row_gap"]
    if right > width + TOLERANCE:
        errors["sheet.columns"] = (
            f"{columns} columns of {label_w:g} mm end at {right:.1f} mm, beyond the page's "
            f"{width:g} mm width by {right - width:.1f} mm"
        )
    if bottom > height + TOLERANCE:
        errors["sheet.rows"] = (
            f"{rows} rows of {label_h:g} mm end at {bottom:.1f} mm, beyond the page's "
            f"{height:g} mm height by {bottom - height:.1f} mm"
        )
    radius = values["corner_radius"]
    if radius < 0 or radius > min(label_w, label_h) / 2:
        errors["sheet.corner_radius"] = f"use 0 to {min(label_w, label_h) / 2:g} mm"
    if is_round and abs(label_w - label_h) > TOLERANCE:
        errors["sheet.round"] = "round labels need label_width equal to label_height"
    if errors:
        raise SpecError(errors)
    return Sheet(
        key="custom",
        title=f"Custom · {columns} × {rows} of {label_w:g} × {label_h:g} mm",
        page_width=width,
        page_height=height,
        columns=columns,
        rows=rows,
        label_width=label_w,
        label_height=label_h,
        round=is_round,
        **values,
    )


def sheet_print_shop(
    *, trim_width: float, trim_height: float, bleed: float = 3.0, columns: int = 1, rows: int = 1
) -> Sheet:
    """Pieces for a professional printer: each trimmed to ``trim_width`` × ``trim_height`` mm
    with ``bleed`` mm of background beyond the trim, imposed ``columns`` × ``rows`` per page,
    crop marks in the margin around them (pieces are spaced by twice the bleed)."""
    errors: dict[str, str] = {}
    trim_width = _number(errors, "trim_width", trim_width, 10, 1000)
    trim_height = _number(errors, "trim_height", trim_height, 10, 1000)
    bleed = _number(errors, "bleed", bleed, 0, 10)
    columns = _count(errors, "columns", columns)
    rows = _count(errors, "rows", rows)
    if errors:
        raise SpecError(errors)
    slug = bleed + MARK_GAP + MARK_LENGTH + 2.0
    width = 2 * slug + columns * trim_width + (columns - 1) * 2 * bleed
    height = 2 * slug + rows * trim_height + (rows - 1) * 2 * bleed
    return Sheet(
        key="print-shop",
        title=f"Print shop · {columns} × {rows} of {trim_width:g} × {trim_height:g} mm, "
        f"{bleed:g} mm bleed",
        page_width=round(width, 3),
        page_height=round(height, 3),
        columns=columns,
        rows=rows,
        label_width=trim_width,
        label_height=trim_height,
        left=slug,
        top=slug,
        column_gap=2 * bleed,
        row_gap=2 * bleed,
        bleed=bleed,
        crop_marks=True,
    )


def check_start_at(sheet: Sheet, start_at) -> int:
    if isinstance(start_at, bool) or not isinstance(start_at, int) or start_at < 1:
        raise SpecError({"start_at": "must be a label number from 1"})
    if start_at > sheet.per_sheet:
        raise SpecError(
            {"start_at": f"label {start_at} is beyond the {sheet.per_sheet} labels of one "
             f"{sheet.title.split(' · ')[0]} sheet; use 1 to {sheet.per_sheet}"}
        )  # fmt: skip
    return start_at
