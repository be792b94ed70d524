"""Label sheets and print-shop pages: pure like the rest of the engine (no Django).

sheet_get(key) / sheet_custom(fields) / sheet_print_shop(...) -> Sheet   # mm, validated
Sheet.positions() -> [(x, y)]                   # each label's top-left corner, in mm
placement(sheet, design, lines) -> Placement    # the code's square and the text block
label_drawing(payload, style, logo) -> LabelItem parts (the engine's vector geometry)
write_labels(items, sheet, design, start_at=1) -> PDF bytes
proof_png(pdf, dpi) -> PNG of the first page (pdftoppm)
"""

from .presets import (
    PAGE_SIZES,
    PRESETS,
    Sheet,
    check_start_at,
    sheet_custom,
    sheet_get,
    sheet_print_shop,
)
from .proof import proof_png
from .text import check_text
from .writer import (
    MAX_LINES,
    LabelDesign,
    LabelItem,
    Placement,
    placement,
    symbol_width_mm,
    write_labels,
)

__all__ = [
    "MAX_LINES",
    "PAGE_SIZES",
    "PRESETS",
    "LabelDesign",
    "LabelItem",
    "Placement",
    "Sheet",
    "check_start_at",
    "check_text",
    "label_drawing",
    "placement",
    "proof_png",
    "sheet_custom",
    "sheet_get",
    "sheet_print_shop",
    "symbol_width_mm",
    "write_labels",
]


def label_drawing(payload: str, style, logo=None):
    """The code's vector drawing for a label (the engine's geometry and shapes)."""
    from ..pdf import drawing
    from ..scene import build_scene
    from .writer import stamp_name

    return drawing(build_scene(payload, style, logo), stamp=stamp_name)
