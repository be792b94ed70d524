"""The label-sheet PDF writer (reportlab): every code as vector paths from the engine's
geometry (``pdf.drawing``), text in an embedded, subset TrueType font, each logo embedded once
as a form XObject that every label using it references.

Coordinates come in millimetres from the page's top-left corner; reportlab's are points from the
bottom-left, so every placement goes through ``_pt``.
"""

from __future__ import annotations

import io
import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import xObjectName
from reportlab.pdfgen.canvas import Canvas

from ..color import to_rgba
from ..errors import SpecError
from ..logo import Logo
from ..pdf import Drawing, stamp_ops
from ..spec import Gradient
from . import text as label_text
from .presets import MARK_GAP, MARK_LENGTH, Sheet

# reportlab wraps every stream in ASCII85 by default: 25 % larger files, and its encoder is
# pure Python unless the optional accelerator is built. Binary streams are fine for every
# printer and viewer since PDF 1.2.
rl_config.useA85 = 0


class _Deflate(pdfdoc.PDFStreamFilterZCompress):
    """reportlab's Flate filter at zlib level 1 instead of 6: a proof page of 14 styled codes
    (740 KB of paths) deflated in 33 ms of its 50, and in 6 ms at level 1 for 30 % more
    bytes; a 10,000-label sheet run stays far under its size budget."""

    def encode(self, text):
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, 1)


# Like useA85, process-wide: reportlab looks the filter up as this module global.
pdfdoc.PDFZCompress = _Deflate()
MM = 72 / 25.4  # points per millimetre
ALIGNS = ("left", "center", "right")
TEXT_GAP = 2.0  # mm between the code and its text
MAX_LINES = 3


@dataclass(frozen=True)
class LabelDesign:
    """What goes on every label besides the code, and how big the code is."""

    font_size: float = 9.0  # points
    align: str = "left"
    code_size: float | None = None  # mm across, quiet zone included; None: as large as fits
    padding: float = 2.0  # mm kept clear inside the label's edge
    outlines: bool = False  # draw each label's outline (proofs; never on the printed file)
    background: str | None = None  # label background; on print-shop pieces it fills the bleed

    def __post_init__(self):
        errors = {}
        if not 4 <= self.font_size <= 48:
            errors["font_size"] = "use 4 to 48 pt"
        if self.align not in ALIGNS:
            errors["align"] = f"{self.align!r} is not one of {', '.join(ALIGNS)}"
        if self.code_size is not None and not 5 <= self.code_size <= 1000:
            errors["code_size"] = "use 5 to 1000 mm, or leave it out to fill the label"
        if not 0 <= self.padding <= 20:
            errors["padding"] = "use 0 to 20 mm"
        if errors:
            raise SpecError(errors)


@dataclass(frozen=True)
class LabelItem:
    art: Drawing
    logo: Logo | None
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Placement:
    """Where a label's parts go, in mm relative to the label's top-left corner."""

    code: tuple[float, float, float]  # x, y, side of the square the code is fitted in
    text: tuple[float, float, float, float] | None  # x, y, w, h of the text block


def _inner(sheet: Sheet, design: LabelDesign) -> tuple[float, float, float, float]:
    w, h, pad = sheet.label_width, sheet.label_height, design.padding
    if sheet.round:  # the largest square inside the circle
        side = w / math.sqrt(2) - 2 * pad
        return ((w - side) / 2, (h - side) / 2, side, side)
    return (pad, pad, w - 2 * pad, h - 2 * pad)


def placement(sheet: Sheet, design: LabelDesign, lines: int) -> Placement:
    """The code's square and the text block on one label; refused when the asked code size
    does not fit, with the largest that does."""
    x, y, w, h = _inner(sheet, design)
    text_h = lines * design.font_size * label_text.LINE_HEIGHT / MM if lines else 0.0
    beside = lines and w >= 1.5 * h
    if beside:
        room = min(h, w - TEXT_GAP - 10)
    elif lines:
        room = min(w, h - TEXT_GAP - min(text_h, h / 2))
    else:
        room = min(w, h)
    side = design.code_size if design.code_size is not None else room
    if side > room + 1e-6:
        raise SpecError(
            {"code_size": f"a {side:g} mm code does not fit this {sheet.label_width:g} × "
             f"{sheet.label_height:g} mm label with {lines} text line(s); use at most "
             f"{math.floor(room * 10) / 10:g} mm, or a larger label"}
        )  # fmt: skip
    if not lines:
        return Placement((x + (w - side) / 2, y + (h - side) / 2, side), None)
    if beside:
        tx = x + side + TEXT_GAP
        return Placement((x, y + (h - side) / 2, side), (tx, y, x + w - tx, h))
    ty = y + side + TEXT_GAP
    return Placement((x + (w - side) / 2, y, side), (x, ty, w, y + h - ty))


def symbol_width_mm(art: Drawing, side: float, quiet_zone: int) -> float:
    """How wide the symbol with its quiet zone prints when ``art`` is fitted in ``side`` mm
    (what the scannability guard's minimum print size is about)."""
    k = side / max(art.width, art.height)
    return (art.origin[2] + 2 * quiet_zone) * k


def stamp_name(shape: str, key: int) -> str:
    """The resource name of one module variant's form XObject (``pdf.drawing(stamp=...)``)."""
    return "/" + xObjectName(f"m-{shape}-{key}")


class _Writer:
    def __init__(self, sheet: Sheet, design: LabelDesign, title: str):
        self.sheet, self.design = sheet, design
        self.out = io.BytesIO()
        self.canvas = Canvas(
            self.out,
            pagesize=(sheet.page_width * MM, sheet.page_height * MM),
            invariant=True,  # no dates or random ids: the same input gives the same bytes
            pageCompression=1,
            # Not reportlab's default Helvetica: a print shop's preflight flags any font that
            # is not embedded, used or not.
            initialFontName=label_text.main_font(),
        )
        self.canvas.setTitle(title or sheet.title)
        self.canvas.setCreator("QR Studio label sheets")
        self.logos: dict[str, str] = {}
        self.stamps: set[tuple[str, int]] = set()
        self.page_stamps: set[tuple[str, int]] = set()
        self.page_open = False

    def _pt(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        return x_mm * MM, (self.sheet.page_height - y_mm) * MM

    def _logo_form(self, logo: Logo) -> str:
        name = self.logos.get(logo.sha256)
        if name is None:
            name = f"logo{len(self.logos)}"
            c = self.canvas
            c.beginForm(name, lowerx=0, lowery=0, upperx=1, uppery=1)
            c.drawImage(ImageReader(io.BytesIO(logo.png)), 0, 0, 1, 1, mask="auto")
            c.endForm()
            self.logos[logo.sha256] = name
        return name

    def _stamp_forms(self, stamps) -> None:
        for shape, key in stamps:
            if (shape, key) not in self.stamps:
                c = self.canvas
                c.beginForm(f"m-{shape}-{key}", lowerx=0, lowery=0, upperx=1, uppery=1)
                c.addLiteral(stamp_ops(shape, key))
                c.endForm()
                self.stamps.add((shape, key))
            self.page_stamps.add((shape, key))

    def _fill(self, paint, path: str, origin) -> None:
        c = self.canvas
        c.saveState()
        if isinstance(paint, Gradient):
            c.addLiteral(f"{path}\nW n")
            start, end = _color(paint.start_color), _color(paint.end_color)
            ox, oy, n = origin
            cx, cy = ox + n / 2, oy + n / 2
            if paint.kind == "radial":
                c.radialGradient(cx, cy, n / math.sqrt(2), (start, end), extend=True)
            else:
                a = math.radians(paint.angle)
                half = n * (abs(math.cos(a)) + abs(math.sin(a))) / 2
                dx, dy = math.cos(a) * half, math.sin(a) * half
                c.linearGradient(cx - dx, cy - dy, cx + dx, cy + dy, (start, end), extend=True)
        else:
            c.setFillColor(_color(paint))
            c.addLiteral(f"{path}\nf")
        c.restoreState()

    def label(self, box: tuple[float, float], item: LabelItem) -> None:
        sheet, design, c = self.sheet, self.design, self.canvas
        lx, ly = box
        w, h = sheet.label_width, sheet.label_height
        if design.background:
            b = sheet.bleed
            c.saveState()
            c.setFillColor(_color(design.background))
            x0, y0 = self._pt(lx - b, ly + h + b)
            if sheet.round:
                c.circle(x0 + (w / 2 + b) * MM, y0 + (h / 2 + b) * MM, (w / 2 + b) * MM, 0, 1)
            else:
                c.rect(x0, y0, (w + 2 * b) * MM, (h + 2 * b) * MM, stroke=0, fill=1)
            c.restoreState()
        place = placement(sheet, design, len(item.lines))
        cx, cy, side = place.code
        art = item.art
        k = side / max(art.width, art.height) * MM
        ox = (lx + cx + (side - art.width * k / MM) / 2) * MM
        oy = (sheet.page_height - ly - cy) * MM
        c.saveState()
        c.transform(k, 0, 0, -k, ox, oy)  # module units, y down, like the engine's writers
        for paint, path in art.fills:
            self._fill(paint, path, art.origin)
        if art.stamped is not None:
            self._stamp_forms(art.stamps)
            c.saveState()
            c.setFillColor(_color(art.stamped[0]))
            c.addLiteral(art.stamped[1])
            c.restoreState()
        if art.logo_box is not None and item.logo is not None:
            x, y, lw, lh = art.logo_box
            c.saveState()
            c.transform(lw, 0, 0, -lh, x, y + lh)
            c.doForm(self._logo_form(item.logo))
            c.restoreState()
        if art.label is not None:
            self._fill(*art.label, art.origin)
        c.restoreState()
        if place.text is not None:
            self._text(lx, ly, place.text, item.lines)
        if design.outlines:
            self._outline(lx, ly)

    def _text(self, lx, ly, region, lines) -> None:
        c, design = self.canvas, self.design
        tx, ty, tw, th = region
        fitted = label_text.fit_block(list(lines), tw * MM, th * MM, design.font_size)
        if not fitted:
            return
        pitch = [line.size * label_text.LINE_HEIGHT for line in fitted]
        block = sum(pitch)
        top = (self.sheet.page_height - ly - ty) * MM - max(th * MM - block, 0) / 2
        c.saveState()
        c.setFillColorRGB(0, 0, 0)
        y = top
        for line, step in zip(fitted, pitch, strict=True):
            y -= step
            baseline = y + (step - line.size) / 2 + line.size * 0.22
            c.setFont(line.font, line.size)
            x = (lx + tx) * MM
            if design.align == "center":
                x += (tw * MM - line.width) / 2
            elif design.align == "right":
                x += tw * MM - line.width
            c.drawString(x, baseline, line.text)
        c.restoreState()

    def _outline(self, lx, ly) -> None:
        sheet, c = self.sheet, self.canvas
        c.saveState()
        c.setStrokeColorRGB(0.55, 0.6, 0.7)
        c.setLineWidth(0.5)
        c.setDash(2, 2)
        x, y = self._pt(lx, ly + sheet.label_height)
        w, h = sheet.label_width * MM, sheet.label_height * MM
        if sheet.round:
            c.circle(x + w / 2, y + h / 2, w / 2, stroke=1, fill=0)
        else:
            c.roundRect(x, y, w, h, sheet.corner_radius * MM, stroke=1, fill=0)
        c.restoreState()

    def crop_marks(self) -> None:
        """Registration-black hairlines on the trim lines, outside the bleed, on all sides."""
        sheet, c = self.sheet, self.canvas
        xs = sorted(
            {x for x, _ in sheet.positions()}
            | {x + sheet.label_width for x, _ in sheet.positions()}
        )
        ys = sorted(
            {y for _, y in sheet.positions()}
            | {y + sheet.label_height for _, y in sheet.positions()}
        )
        start = sheet.bleed + MARK_GAP
        top, bottom = ys[0] - start, ys[-1] + start
        left, right = xs[0] - start, xs[-1] + start
        c.saveState()
        c.setStrokeColor(CMYKColor(1, 1, 1, 1))
        c.setLineWidth(0.25)
        for x in xs:
            c.line(*self._pt(x, top), *self._pt(x, top - MARK_LENGTH))
            c.line(*self._pt(x, bottom), *self._pt(x, bottom + MARK_LENGTH))
        for y in ys:
            c.line(*self._pt(left, y), *self._pt(left - MARK_LENGTH, y))
            c.line(*self._pt(right, y), *self._pt(right + MARK_LENGTH, y))
        c.restoreState()

    def begin_page(self) -> None:
        sheet, c = self.sheet, self.canvas
        if sheet.crop_marks:
            xs = [x for x, _ in sheet.positions()]
            ys = [y for _, y in sheet.positions()]
            left, top = min(xs), min(ys)
            right, bottom = max(xs) + sheet.label_width, max(ys) + sheet.label_height
            b = sheet.bleed
            trim = (*self._pt(left, bottom), *self._pt(right, top))
            c.setTrimBox(trim)
            c.setBleedBox((trim[0] - b * MM, trim[1] - b * MM, trim[2] + b * MM, trim[3] + b * MM))
        self.page_open = True

    def end_page(self) -> None:
        if self.sheet.crop_marks:
            self.crop_marks()
        # The stamps were placed with raw operators; naming each through doForm once, clipped
        # to nothing, is what lists it in the page's resources.
        c = self.canvas
        for shape, key in sorted(self.page_stamps):
            c.saveState()
            c.addLiteral("0 0 m W n")
            c.doForm(f"m-{shape}-{key}")
            c.restoreState()
        self.page_stamps = set()
        self.canvas.showPage()
        self.page_open = False

    def finish(self) -> bytes:
        if self.page_open:
            self.end_page()
        self.canvas.save()
        return self.out.getvalue()


def _color(value: str) -> Color:
    r, g, b, a = to_rgba(value)
    return Color(r / 255, g / 255, b / 255, alpha=a / 255)


def write_labels(
    items: Iterable[LabelItem],
    sheet: Sheet,
    design: LabelDesign,
    *,
    start_at: int = 1,
    max_pages: int | None = None,
    title: str = "",
    progress=None,
) -> bytes:
    """The sheets' PDF: ``items`` fill the labels from ``start_at`` (1-based, on the first
    page), row by row. ``max_pages`` stops early (a proof). ``progress(n)`` is called after
    every page with the number of labels placed so far."""
    writer = _Writer(sheet, design, title)
    positions = sheet.positions()
    slot = start_at - 1
    pages = 0
    for placed, item in enumerate(items, start=1):
        if not writer.page_open:
            if max_pages is not None and pages >= max_pages:
                break
            writer.begin_page()
            if design.outlines and pages == 0:  # the labels already used show on the proof
                for used in positions[:slot]:
                    writer._outline(*used)
            pages += 1
        writer.label(positions[slot], item)
        slot += 1
        if slot == len(positions):
            writer.end_page()
            slot = 0
            if progress is not None:
                progress(placed)
    if writer.page_open and design.outlines:
        for empty in positions[slot:]:
            writer._outline(*empty)
    return writer.finish()
