"""Label sheets and print-shop PDFs of a selection of codes: the options (validated once, kept
as the job's JSON parameters), the scannability rule at the printed size, a synchronous PDF
for small runs and a one-page proof, and the job for large runs (`jobs.services.label_jobs`).

Every code is drawn from the engine's vector geometry (`codes.rendering.sheets`); its design is
its own (style and logo as stored). Codes were already proven to scan when they were saved;
what a sheet adds is the printed size, judged by the guard's one rule
(`ensure_deliverable(print_width_mm=...)`) for each design in the selection, at its longest
payload (the densest symbol of the design, so the one needing the most room).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import User, Workspace
from codes import services as code_services
from codes.models import QRCode
from codes.render_errors import engine_refusals, validation_error
from codes.rendering import SpecError, Style, ensure_deliverable, prepare_logo
from codes.rendering import sheets as engine
from jobs.models import Job
from jobs.models import Kind as JobKind
from jobs.services.lifecycle import check_can_edit, job_create
from jobs.services.selection import code_selection

MAX_LABELS = 100_000
LINE_FIELDS = ("name", "external_id", "short_url", "destination", "group", "id")
DEFAULT_SCAN_DISTANCE_M = 0.15  # a label is scanned from about a hand's length


@dataclasses.dataclass(frozen=True)
class LabelOptions:
    sheet: engine.Sheet
    design: engine.LabelDesign
    lines: tuple[str, ...]
    start_at: int
    copies: int
    scan_distance_m: float

    def to_params(self) -> dict:
        return {
            "sheet": self.sheet.to_dict(),
            "design": dataclasses.asdict(self.design),
            "lines": list(self.lines),
            "start_at": self.start_at,
            "copies": self.copies,
            "scan_distance_m": self.scan_distance_m,
        }

    @classmethod
    def from_params(cls, params: dict) -> LabelOptions:
        return cls(
            sheet=engine.Sheet(**params["sheet"]),
            design=engine.LabelDesign(**params["design"]),
            lines=tuple(params["lines"]),
            start_at=params["start_at"],
            copies=params["copies"],
            scan_distance_m=params["scan_distance_m"],
        )


def _check_line(field: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(
            {field: "name a field: " + ", ".join(LINE_FIELDS) + ", metadata.<key> or text:<words>"}
        )
    value = value.strip()
    if value in LINE_FIELDS:
        return value
    if value.startswith("metadata.") and len(value) > len("metadata."):
        return value
    if value.startswith("text:"):
        engine.check_text(field, value[5:])
        return value
    raise SpecError(
        {field: f"{value!r} is not a label field; use {', '.join(LINE_FIELDS)}, "
         "metadata.<key> or text:<words>"}
    )  # fmt: skip


@engine_refusals()
def label_options(
    *,
    sheet: str | dict = "avery-l7163",
    lines: Iterable[str] = ("name", "short_url"),
    start_at: int = 1,
    copies: int = 1,
    font_size: float = 9.0,
    align: str = "left",
    code_size: float | None = None,
    padding: float = 2.0,
    scan_distance_m: float = DEFAULT_SCAN_DISTANCE_M,
    print_shop: dict | None = None,
    background: str | None = None,
) -> LabelOptions:
    """Validated options for a sheet; `print_shop` ({trim_width, trim_height, bleed, columns,
    rows}) replaces `sheet` with trimmed pieces, bleed and crop marks."""
    if print_shop is not None:
        if not isinstance(print_shop, dict):
            raise SpecError({"print_shop": "give trim_width, trim_height and optionally bleed"})
        allowed = {"trim_width", "trim_height", "bleed", "columns", "rows"}
        if set(print_shop) - allowed or not {"trim_width", "trim_height"} <= set(print_shop):
            raise SpecError({"print_shop": "give trim_width and trim_height (mm), and "
                             "optionally bleed, columns and rows"})  # fmt: skip
        try:
            chosen = engine.sheet_print_shop(**print_shop)
        except SpecError as exc:
            raise SpecError({f"print_shop.{k}": v for k, v in exc.fields.items()}) from None
    elif isinstance(sheet, dict):
        chosen = engine.sheet_custom(sheet)
    else:
        chosen = engine.sheet_get(sheet)
    lines = list(lines or [])
    if len(lines) > engine.MAX_LINES:
        raise SpecError({"lines": f"at most {engine.MAX_LINES} text lines fit on a label"})
    checked = tuple(_check_line(f"lines.{i}", line) for i, line in enumerate(lines))
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 1000:
        raise SpecError({"copies": "use 1 to 1000 copies of each code"})
    if isinstance(scan_distance_m, bool) or not isinstance(scan_distance_m, int | float):
        raise SpecError({"scan_distance_m": "must be a number of metres"})
    if not 0.05 <= scan_distance_m <= 5:
        raise SpecError({"scan_distance_m": "use 0.05 to 5 metres"})
    if background is not None:
        from codes.rendering.color import normalize_color

        try:
            background = normalize_color(background)
        except ValueError as exc:
            raise SpecError({"background": str(exc)}) from None
    try:
        design = engine.LabelDesign(
            font_size=float(font_size),
            align=align,
            code_size=None if code_size in (None, "") else float(code_size),
            padding=float(padding),
            background=background,
        )
    except (TypeError, ValueError):
        raise SpecError({"font_size": "font_size, code_size and padding are numbers"}) from None
    engine.check_start_at(chosen, start_at)
    engine.placement(chosen, design, len(checked))  # refuses a code size that does not fit
    return LabelOptions(chosen, design, checked, start_at, copies, float(scan_distance_m))


# --- what each label shows -----------------------------------------------------------------------


def line_text(code: QRCode, field: str) -> str:
    if field.startswith("text:"):
        return field[5:]
    if field.startswith("metadata."):
        value = (code.metadata or {}).get(field[len("metadata.") :], "")
        return "" if value is None else str(value)
    return {
        "name": lambda: code.name,
        "external_id": lambda: code.external_id,
        "short_url": lambda: code.short_url,
        "destination": lambda: code.destination,
        "group": lambda: code.group.name if code.group_id else "",
        "id": lambda: code.public_id,
    }[field]()


class _Logos:
    """Each logo file read and prepared once per run."""

    def __init__(self):
        self.prepared: dict[int, object] = {}

    def get(self, code: QRCode):
        if not code.logo_id:
            return None
        if code.logo_id not in self.prepared:
            self.prepared[code.logo_id] = prepare_logo(code.logo.read_bytes())
        return self.prepared[code.logo_id]


def label_item(
    code: QRCode, options: LabelOptions, logos: _Logos, *, compact: bool = True
) -> engine.LabelItem:
    logo = logos.get(code)
    art = engine.label_drawing(
        code_services.code_payload(code), Style.from_dict(code.style), logo, compact=compact
    )
    return engine.LabelItem(art, logo, tuple(line_text(code, f) for f in options.lines))


# --- the guard at the printed size ---------------------------------------------------------------


def labels_check_print_size(*, codes: Iterable[QRCode], options: LabelOptions) -> None:
    """Refuse (ValidationError on `code_size`) when any design in the selection prints too
    small to scan at the chosen size, with the smallest size that works."""
    place = engine.placement(options.sheet, options.design, len(options.lines))
    side = place.code[2]
    densest: dict[tuple, tuple[QRCode, str]] = {}
    for code in codes:
        key = (json.dumps(code.style, sort_keys=True), code.logo_id)
        payload = code_services.code_payload(code)
        if key not in densest or len(payload) > len(densest[key][1]):
            densest[key] = (code, payload)
    logos = _Logos()
    for code, payload in densest.values():
        style = Style.from_dict(code.style)
        logo = logos.get(code)
        art = engine.label_drawing(payload, style, logo)
        printed = engine.symbol_width_mm(art, side, style.margin)
        try:
            ensure_deliverable(
                payload,
                style,
                format="pdf",
                size=400,
                logo=logo.png if logo else None,
                print_width_mm=printed,
                scan_distance_m=options.scan_distance_m,
            )
        except SpecError as exc:
            message = exc.fields.get("size")
            if message is None:
                raise validation_error(exc.fields) from None
            raise ValidationError(
                {"code_size": f"{code.public_id}: {message} (the code area is {side:.1f} mm "
                 "with its quiet zone and frame); choose a larger label or code_size, or a "
                 "shorter scan_distance_m"}
            ) from None  # fmt: skip


# --- selections, the synchronous PDF and the proof -----------------------------------------------


def _selected(workspace: Workspace, source: dict, sandbox: bool):
    codes = code_selection(workspace=workspace, source=source, sandbox=sandbox)
    return codes.select_related("logo", "group")


def _count_checked(workspace: Workspace, source: dict, options: LabelOptions, sandbox: bool) -> int:
    count = code_selection(workspace=workspace, source=source, sandbox=sandbox).count()
    count *= options.copies
    if count == 0:
        raise ValidationError({"codes": "There are no codes to print in this selection."})
    if count > MAX_LABELS:
        raise ValidationError(
            {"codes": f"This selection makes {count:,} labels; a sheet run holds at most "
             f"{MAX_LABELS:,}. Narrow it with a filter or a group."}
        )  # fmt: skip
    return count


def labels_count(
    *, workspace: Workspace, actor: User, source: dict, options: LabelOptions, sandbox: bool = False
) -> int:
    """How many labels the selection makes (refused when none, or over the limit)."""
    check_can_edit(actor, workspace)
    return _count_checked(workspace, source, options, sandbox)


def _items(
    codes: Iterable[QRCode], options: LabelOptions, *, compact: bool = False
) -> Iterator[engine.LabelItem]:
    """Small runs and proofs draw paths (quick to rasterise; see `label_drawing`)."""
    logos = _Logos()
    for code in codes:
        item = label_item(code, options, logos, compact=compact)
        for _ in range(options.copies):
            yield item


@engine_refusals()
def labels_pdf(
    *, workspace: Workspace, actor: User, source: dict, options: LabelOptions, sandbox: bool = False
) -> tuple[bytes, int]:
    """The whole PDF, rendered now (for up to LABELS_SYNC_MAX labels): (bytes, pages)."""
    check_can_edit(actor, workspace)
    count = _count_checked(workspace, source, options, sandbox)
    if count > settings.LABELS_SYNC_MAX:
        raise ValidationError(
            {"codes": f"{count:,} labels are rendered as a job; at most "
             f"{settings.LABELS_SYNC_MAX} are rendered at once."}
        )  # fmt: skip
    codes = list(_selected(workspace, source, sandbox))
    labels_check_print_size(codes=codes, options=options)
    pdf = engine.write_labels(_items(codes, options), options.sheet, options.design,
                              start_at=options.start_at)  # fmt: skip
    return pdf, options.sheet.pages_for(count, options.start_at)


@engine_refusals()
def labels_proof(
    *,
    workspace: Workspace,
    actor: User,
    source: dict,
    options: LabelOptions,
    dpi: int = 60,
    sandbox: bool = False,
) -> dict:
    """The first page with the label outlines drawn, as a PNG, and the run's totals."""
    check_can_edit(actor, workspace)
    count = _count_checked(workspace, source, options, sandbox)
    per_page = options.sheet.per_sheet - options.start_at + 1
    codes = list(_selected(workspace, source, sandbox)[: -(-per_page // options.copies)])
    labels_check_print_size(codes=codes, options=options)
    proof = dataclasses.replace(options.design, outlines=True)
    pdf = engine.write_labels(_items(codes, options), options.sheet, proof,
                              start_at=options.start_at, max_pages=1)  # fmt: skip
    return {
        "png": engine.proof_png(pdf, dpi=dpi),
        "labels": count,
        "pages": options.sheet.pages_for(count, options.start_at),
        "per_sheet": options.sheet.per_sheet,
    }


def labels_start(
    *, workspace: Workspace, actor: User, source: dict, options: LabelOptions, sandbox: bool = False
) -> Job:
    """Queue the PDF of a large selection as a job (its result file is the PDF)."""
    check_can_edit(actor, workspace)
    count = _count_checked(workspace, source, options, sandbox)
    labels_check_print_size(
        codes=_selected(workspace, source, sandbox).iterator(2000), options=options
    )
    return job_create(
        workspace=workspace,
        actor=actor,
        kind=JobKind.LABELS,
        total=count,
        params={"source": source, **options.to_params()},
        sandbox=sandbox,
    )
