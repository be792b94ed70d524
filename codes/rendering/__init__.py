"""Pure render engine: payload + style -> image bytes. No Django: no ORM, no request, no settings.

Public API::

    encode_content(content_type, data) -> str          # CONTENT_TYPES describes the fields
    Style(...), Style.from_dict(d), style.to_dict()    # validated, frozen
    render(payload, style, *, format="png", size=400, logo=None, dpi=300) -> bytes
    content_type_for(format) -> str                    # MIME type
    prepare_logo(data) -> Logo                         # validated, re-encoded PNG + sha256
    check(payload, style, *, logo=None, size=None, scan_distance_m=0.3) -> CheckReport
    ensure_scannable(...) -> CheckReport               # raises SpecError when not ok
    ensure_deliverable(payload, style, *, format, size, logo=None)  # the rule for downloads
    refused_combinations() -> {field: {value: [refused values]}}    # for the editor
    check_many(payloads, style, *, logo=None, size=None) -> {position: errors}  # one design
    decoders() -> names of the decoders every verdict is read by

Every refusal is a ``SpecError`` (a plain exception) mapping field -> what to change; the codes
app turns it into a Django ``ValidationError`` at its edges (``codes.render_errors``).
"""

from .check import (
    CheckReport,
    check,
    check_many,
    ensure_deliverable,
    ensure_scannable,
    refused_combinations,
)
from .content import CONTENT_TYPES, ContentType, Field, encode_content
from .decoders import CONDITION_NAMES, decoders
from .engine import CONTENT_TYPES_BY_FORMAT, content_type_for, render
from .engine import RASTER as RASTER_FORMATS
from .errors import SpecError
from .fonts import font_name as label_font_name
from .logo import Logo, prepare_logo
from .spec import (
    ERROR_LEVELS,
    FINDER_BALL_SHAPES,
    FINDER_FRAME_SHAPES,
    FRAMES,
    GRADIENT_KINDS,
    MODULE_SHAPES,
    Gradient,
    Style,
)

FORMATS = tuple(CONTENT_TYPES_BY_FORMAT)


def clear_caches(*, logos: bool = True) -> None:
    """Forget cached renders, reports, symbols and (unless ``logos=False``) prepared logos."""
    from . import engine, geometry, logo, png, sheets
    from .check import _classes, _reports

    engine.renders.clear()
    sheets._drawings.clear()
    png._composed.clear()
    png._bases.clear()
    _reports.clear()
    _classes.clear()
    geometry.encode.cache_clear()
    geometry.build.cache_clear()
    if logos:
        logo._prepared.clear()
        logo.decoded.cache_clear()
        logo.resized.cache_clear()


__all__ = [
    "CONDITION_NAMES",
    "CONTENT_TYPES",
    "ERROR_LEVELS",
    "FINDER_BALL_SHAPES",
    "FINDER_FRAME_SHAPES",
    "FORMATS",
    "FRAMES",
    "GRADIENT_KINDS",
    "MODULE_SHAPES",
    "RASTER_FORMATS",
    "CheckReport",
    "ContentType",
    "Field",
    "Gradient",
    "Logo",
    "SpecError",
    "Style",
    "check",
    "check_many",
    "clear_caches",
    "content_type_for",
    "decoders",
    "encode_content",
    "ensure_deliverable",
    "ensure_scannable",
    "label_font_name",
    "prepare_logo",
    "refused_combinations",
    "render",
]
