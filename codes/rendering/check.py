"""The scannability guard: refuse, with a reason, any design that will not scan.

Rules (measured on segno output, see DESIGN.md "Rendering"): every colour a reader must tell
apart from the background has a contrast of at least 3:1 (warning below 4.5:1); dark on light
unless ``allow_inverted``; a logo clears at most 15 % of the symbol; a quiet zone of at least
2 modules. Last, the design is rendered and decoded with zxing-cpp, with inversion off unless
inverted codes are allowed (many phone readers never try inverting), and must read back as
exactly the payload.

Minimum print size uses the common 10:1 rule of thumb for a ~25-module code: a module must be
at least 1/250 of the scan distance (and never under 0.3 mm, what office printers hold).
"""

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import segno
import zxingcpp
from PIL import Image

from . import geometry
from .cache import LRU
from .color import TRANSPARENT, contrast, flatten, luminance
from .engine import logo_digest
from .errors import SpecError
from .logo import prepare_logo
from .png import compose
from .scene import Scene, build_scene
from .spec import LOGO_AREA_BUDGET, MAX_LOGO_SIZE, MIN_LOGO_SIZE, MIN_MARGIN, Style

REFUSE_BELOW = 3.0
WARN_BELOW = 4.5
CHECK_UNIT = 5  # px per module for the decode test: small and blurry enough to be honest
MIN_MODULE_MM = 0.3
DISTANCE_PER_MODULE = 250

_reports = LRU(max_entries=1024)


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    errors: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    contrast_ratio: float | None = None
    logo_coverage: float = 0.0
    logo_budget: float = LOGO_AREA_BUDGET
    quiet_zone: int = 4
    version: int | None = None
    modules: int | None = None
    error_correction: str = "M"
    min_print_size_mm: float | None = None
    decodes: bool = False


def _dark_colors(style: Style) -> list[tuple[str, str]]:
    """(field, colour) for every colour a reader must tell apart from the background."""
    if style.gradient is not None:
        used = [("gradient", style.gradient.start_color), ("gradient", style.gradient.end_color)]
    else:
        used = [("foreground_color", style.foreground_color)]
    for name in ("finder_frame_color", "finder_ball_color"):
        if getattr(style, name):
            used.append((name, getattr(style, name)))
    return used


def _check_colors(style: Style, errors: dict, warnings: list) -> float:
    bg = style.background_color
    if bg == TRANSPARENT:
        warnings.append(
            "background_color is transparent: the code only scans on a light surface; "
            "contrast was measured against white"
        )
    paper = flatten(bg) if bg != TRANSPARENT else (255, 255, 255)
    worst = None
    for name, color in _dark_colors(style):
        ink = flatten(color, paper)
        ratio = contrast(ink, paper)
        worst = ratio if worst is None else min(worst, ratio)
        inverted = luminance(ink) > luminance(paper)
        if inverted and not style.allow_inverted:
            errors[name] = (
                f"{color} is lighter than the background {bg}: light-on-dark codes fail in "
                "readers that do not try inverting; use a darker colour than the background, "
                "or set allow_inverted"
            )
        elif ratio < REFUSE_BELOW:
            darker = "lighter" if inverted else "darker"
            errors[name] = (
                f"contrast {ratio:.1f}:1 against the background is below {REFUSE_BELOW:.0f}:1; "
                f"use a {darker} colour or change background_color"
            )
        elif ratio < WARN_BELOW:
            warnings.append(
                f"{name} contrast {ratio:.1f}:1 is below {WARN_BELOW}:1; some phones will "
                "struggle in poor light"
            )
    if style.frame != "none" and style.label:
        frame = flatten(style.resolved_frame_color(), paper)
        label = flatten(style.resolved_label_color(), frame)
        ratio = contrast(label, frame)
        if ratio < REFUSE_BELOW:
            errors["label_color"] = (
                f"contrast {ratio:.1f}:1 with frame_color is below {REFUSE_BELOW:.0f}:1; the "
                "label would be unreadable, pick a label colour that stands out from the frame"
            )
        elif ratio < WARN_BELOW:
            warnings.append(f"label contrast {ratio:.1f}:1 with the frame is below {WARN_BELOW}:1")
    return worst or 0.0


def _largest_logo(n: int, aspect: float) -> float:
    size = MIN_LOGO_SIZE
    step = 0.01
    while size + step <= MAX_LOGO_SIZE:
        _, (c0, r0, c1, r1) = geometry.logo_rect(n, size + step, aspect)
        if (c1 - c0) * (r1 - r0) / (n * n) > LOGO_AREA_BUDGET:
            break
        size += step
    return round(size, 2)


def _decodes(image: Image.Image, payload: str, inverted_ok: bool) -> bool:
    if image.mode == "RGBA":
        paper = Image.new("RGB", image.size, (255, 255, 255))
        paper.paste(image, mask=image.getchannel("A"))
        image = paper
    elif image.mode == "P":
        image = image.convert("RGB")
    found = zxingcpp.read_barcodes(
        image,
        formats=zxingcpp.BarcodeFormat.QRCode,
        try_invert=inverted_ok,
        try_rotate=False,
        text_mode=zxingcpp.TextMode.Plain,
    )
    return len(found) == 1 and found[0].text == payload


def _blame(payload: str, scene: Scene) -> tuple[str, str]:
    """Which one change makes a non-scanning design scan: that field, and how to change it."""
    style, logo = scene.style, scene.logo
    trials: list[tuple[str, dict, bool, str]] = []
    if style.finder_ball_shape != style.finder_frame_shape:
        hint = f"use a {style.finder_frame_shape} ball inside a {style.finder_frame_shape} frame"
        trials.append(
            ("finder_ball_shape", {"finder_ball_shape": style.finder_frame_shape}, True, hint)
        )
    changes = [
        ("finder_frame_shape", {"finder_frame_shape": "square", "finder_ball_shape": "square"}),
        ("module_shape", {"module_shape": "square"}),
        ("gradient", {"gradient": None}),
        ("finder_frame_color", {"finder_frame_color": None}),
        ("finder_ball_color", {"finder_ball_color": None}),
        ("margin", {"margin": max(style.margin, 4)}),
        ("frame", {"frame": "none"}),
    ]
    hints = {
        "finder_frame_shape": "use square finder patterns",
        "module_shape": "use square or rounded modules",
        "gradient": "use gradient colours closer to the foreground",
        "finder_frame_color": "use a darker finder colour",
        "finder_ball_color": "use a darker finder colour",
        "margin": "use a quiet zone of at least 4 modules",
        "frame": "choose no frame or a wider margin",
    }
    for name, change in changes:
        if any(getattr(style, k) != v for k, v in change.items()):
            trials.append((name, change, True, hints[name]))
    if logo is not None:
        trials.insert(0, ("logo_size", {}, False, "make the logo smaller"))
    for name, change, keep_logo, hint in trials:
        trial = build_scene(
            payload, dataclasses.replace(style, **change), logo if keep_logo else None
        )
        if _decodes(_check_image(trial), payload, style.allow_inverted):
            return name, hint
    return "module_shape", "use square modules, stronger contrast and a wider margin"


def _check_image(scene: Scene) -> Image.Image:
    total = scene.geom.n + 2 * scene.style.margin + (2 if scene.style.frame != "none" else 0)
    return compose(scene, CHECK_UNIT * total)


def check(
    payload: str,
    style: Style,
    *,
    logo: bytes | None = None,
    scan_distance_m: float = 0.3,
) -> CheckReport:
    """Judge whether ``payload`` in ``style`` (with ``logo``) will scan; never raises for design."""
    if isinstance(scan_distance_m, bool) or not isinstance(scan_distance_m, int | float):
        raise SpecError({"scan_distance_m": "must be a number of metres"})
    if not 0.05 <= scan_distance_m <= 100:
        raise SpecError({"scan_distance_m": "use a distance from 0.05 to 100 metres"})
    if not isinstance(style, Style):
        raise SpecError({"style": "must be a Style; build one with Style.from_dict()"})
    key = (payload, style, logo_digest(logo), float(scan_distance_m))
    report = _reports.get(key)
    if report is None:
        report = _check(payload, style, logo, float(scan_distance_m))
        _reports.put(key, report)
    return report


def _check(payload: str, style: Style, logo_bytes: bytes | None, distance: float) -> CheckReport:
    errors: dict[str, str] = {}
    warnings: list[str] = []
    ratio = _check_colors(style, errors, warnings)
    if style.margin < MIN_MARGIN:
        errors["margin"] = f"a quiet zone of {style.margin} is too small; use at least {MIN_MARGIN}"
    elif style.margin < 4:
        warnings.append(f"a quiet zone of {style.margin} modules is below the standard 4")
    logo = None
    if logo_bytes is not None:
        try:
            logo = prepare_logo(logo_bytes)
        except SpecError as exc:
            errors.update(exc.fields)
    report = {
        "contrast_ratio": round(ratio, 2),
        "quiet_zone": style.margin,
        "error_correction": style.effective_error(has_logo=logo is not None),
    }
    try:
        scene = build_scene(payload, style, logo)
    except SpecError as exc:
        errors.update(exc.fields)
        return CheckReport(ok=False, errors=errors, warnings=warnings, **report)
    geom = scene.geom
    coverage = geom.logo_coverage
    if coverage > LOGO_AREA_BUDGET:
        errors["logo_size"] = (
            f"the logo clears {coverage:.0%} of the code, more than the {LOGO_AREA_BUDGET:.0%} "
            f"error correction can repair; use a logo_size of at most "
            f"{_largest_logo(geom.n, logo.aspect):.2f}"
        )
    module_mm = max(distance * 1000 / DISTANCE_PER_MODULE, MIN_MODULE_MM)
    total = geom.n + 2 * style.margin
    decodes = _decodes(_check_image(scene), payload, style.allow_inverted)
    if not decodes and not errors:
        name, hint = _blame(payload, scene)
        errors[name] = f"the finished design does not scan back to its content; {hint}"
    return CheckReport(
        ok=not errors,
        errors=errors,
        warnings=warnings,
        logo_coverage=round(coverage, 4),
        version=geom.version,
        modules=geom.n,
        min_print_size_mm=round(module_mm * total, 1),
        decodes=decodes,
        **report,
    )


def ensure_scannable(
    payload: str, style: Style, *, logo: bytes | None = None, scan_distance_m: float = 0.3
) -> CheckReport:
    """``check`` that raises ``SpecError`` with the report's errors when it is not ok."""
    report = check(payload, style, logo=logo, scan_distance_m=scan_distance_m)
    if not report.ok:
        raise SpecError(report.errors)
    return report


# --- many payloads in one design (bulk creation) ---------------------------------------------

# Payloads a reader decodes back byte for byte from plain segno output whatever character set
# it guesses: printable ASCII. Backslash and tilde are left out (Shift_JIS, which zxing may
# guess for byte-mode data, maps them to ¥ and ‾), and non-ASCII text always gets the full check.
_PLAIN_PAYLOAD = re.compile(r"[ !-\[\]-}]+")


def _is_standard(style: Style, has_logo: bool) -> bool:
    """A design whose symbol is exactly segno's output on a clean, contrasted background:
    square modules and finders in one colour, no gradient, no frame, no logo, dark on an
    opaque light background at 4.5:1 or more, and the standard quiet zone of 4 modules."""
    if (
        has_logo
        or style.gradient is not None
        or style.module_shape != "square"
        or style.finder_frame_shape != "square"
        or style.finder_ball_shape != "square"
        or style.finder_frame_color
        or style.finder_ball_color
        or style.frame != "none"
        or style.margin < 4
        or style.background_color == TRANSPARENT
    ):
        return False
    paper = flatten(style.background_color)
    ink = flatten(style.foreground_color, paper)
    return luminance(ink) < luminance(paper) and contrast(ink, paper) >= WARN_BELOW


def _fits(payload: str, error: str) -> bool:
    """Whether ``payload`` fits in a QR symbol at ``error``, without building the symbol."""
    try:
        segments = segno.encoder.prepare_data(payload, None, None)
        segno.encoder.find_version(
            segments, segno.encoder.normalize_errorlevel(error), eci=False, micro=False
        )
    except segno.DataOverflowError:
        return False
    return True


def check_many(
    payloads: Sequence[str], style: Style, *, logo: bytes | None = None
) -> dict[int, dict[str, str]]:
    """``check`` for many payloads in one design: the errors of each refused payload by its
    position (empty when every payload scans).

    The design's own rules (colours, quiet zone, logo budget, the decode of a real symbol) are
    judged on the first payload like ``check`` does. Each further payload is then rendered and
    decoded too, except in the standard design (``_is_standard``) when the payload is plain
    printable ASCII: its symbol is then segno's output unchanged, which decodes for every
    payload that fits (``tests/codes/rendering/test_check_many.py`` decodes thousands across
    versions and levels), so only the fit is checked. Anything else keeps the per-payload decode.
    """
    if not payloads:
        return {}
    errors: dict[int, dict[str, str]] = {}
    first = check(payloads[0], style, logo=logo)
    if not first.ok:
        errors[0] = first.errors
    fast = first.ok and first.decodes and _is_standard(style, logo is not None)
    level = first.error_correction
    for index in range(1, len(payloads)):
        payload = payloads[index]
        if fast and _PLAIN_PAYLOAD.fullmatch(payload) and _fits(payload, level):
            continue
        report = check(payload, style, logo=logo)
        if not report.ok:
            errors[index] = report.errors
    return errors
