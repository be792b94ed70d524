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
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image

from . import geometry
from .cache import LRU
from .color import TRANSPARENT, contrast, flatten, luminance
from .decoders import CONDITIONS, conditions_read, decoders, reads, score_of
from .engine import RASTER, logo_digest, validate_output
from .errors import SpecError
from .fixes import first_fix, image_at, reads_back, survives, width_in_modules
from .logo import prepare_logo
from .png import compose
from .scene import Scene, build_scene
from .spec import LOGO_AREA_BUDGET, MAX_LOGO_SIZE, MIN_LOGO_SIZE, MIN_MARGIN, Style
from .standard import PLAIN_PAYLOAD, WARN_BELOW, fits, is_standard

REFUSE_BELOW = 3.0
CHECK_UNIT = 5  # px per module for vector output: what a phone gets at the minimum print size
MIN_MODULE_MM = 0.3
DISTANCE_PER_MODULE = 250
# Refused below this share of conditions survived; warned between it and 1 (docs/styling.md
# "Scannability" has the sweep these come from).
MIN_SCORE = 0.5
# No raster is handed out below this many pixels per module: in the calibration sweep not one
# design at 1 or 2 px per module survived every condition, and about half did not even read.
MIN_PX_PER_MODULE = 3
# Pixels per module tried, smallest first, for the smallest working size.
SEARCH_UNITS = (3, 4, 5, 6, 8, 10, 12, 16)

# Eye combinations refused whatever the rest of the design: in the calibration sweep
# (docs/styling.md) not one design with them survived every condition and about half did not
# read at all. The editor disables them up front (`refused_combinations`).
REFUSED_EYES = {
    ("circle", "square"): "a square ball inside a circle frame",
    ("circle", "rounded"): "a rounded ball inside a circle frame",
}

_reports = LRU(max_entries=1024)
# Per design class (style, logo, symbol size, px per module): robustness and smallest size.
_classes = LRU(max_entries=4096)
_UNKNOWN = object()


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
    # The raster width judged (None: vector output, judged at CHECK_UNIT px per module).
    size: int | None = None
    px_per_module: int | None = None
    decoders: tuple[str, ...] = ()
    read_by: dict[str, bool] = field(default_factory=dict)
    # condition -> decoder -> read; empty when the design does not read as delivered.
    conditions: dict[str, dict[str, bool]] = field(default_factory=dict)
    score: float = 0.0
    weakest: str | None = None
    fix: str | None = None
    fix_field: str | None = None
    # The smallest raster width that reads and scores at least MIN_SCORE.
    min_size: int | None = None

    @property
    def robust(self) -> bool:
        return self.decodes and self.score == 1.0


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


@dataclass(frozen=True)
class _Robustness:
    """How one design, at one symbol size and px per module, survives the conditions."""

    conditions: dict[str, dict[str, bool]]
    score: float
    weakest: str | None = None
    fix_field: str | None = None
    fix: str | None = None


def _robustness(
    payload: str, scene: Scene, unit: int, image: Image.Image, *, exact: bool = False
) -> _Robustness:
    # Kept per design, symbol size and px per module (the content length class): the guard in
    # the write and download paths (`exact=False`) reuses it for every payload of the class,
    # each of which is still read back as delivered, so a bulk of 10,000 URLs in one design
    # pays for the conditions once and a create stays within the API's budget. `check()`
    # (`exact=True`) measures the image in hand, so what its report claims holds for it.
    inverted_ok = scene.style.allow_inverted
    key = ("robustness", scene.style, _logo_key(scene), scene.geom.n, unit)
    found = None if exact else _classes.get(key)
    if found is not None:
        return found
    results = conditions_read(image, payload, unit, inverted_ok=inverted_ok)
    score = score_of(results)
    failed = [c.name for c in CONDITIONS if not all(results[c.name].values())]
    robust = _Robustness(conditions=results, score=score)
    if failed:
        weakest = failed[0]
        fix_field, fix = first_fix(payload, scene, unit, survives(payload, weakest, inverted_ok))
        robust = dataclasses.replace(robust, weakest=weakest, fix_field=fix_field, fix=fix)
    _classes.put(key, robust)
    return robust


def _logo_key(scene: Scene) -> str | None:
    return scene.logo.sha256 if scene.logo is not None else None


def _passes_at(payload: str, scene: Scene, unit: int) -> bool:
    image = image_at(scene, unit)
    if not all(reads(image, payload, inverted_ok=scene.style.allow_inverted).values()):
        return False
    return _robustness(payload, scene, unit, image).score >= MIN_SCORE


def _min_size(payload: str, scene: Scene) -> int | None:
    """The smallest raster width (px) at which this design reads and passes the score."""
    key = ("min_size", scene.style, _logo_key(scene), scene.geom.n)
    found = _classes.get(key, _UNKNOWN)
    if found is not _UNKNOWN:
        return found
    width = width_in_modules(scene)
    smallest = next(
        (unit * width for unit in SEARCH_UNITS if _passes_at(payload, scene, unit)), None
    )
    _classes.put(key, smallest)
    return smallest


def check(
    payload: str,
    style: Style,
    *,
    logo: bytes | None = None,
    size: int | None = None,
    scan_distance_m: float = 0.3,
) -> CheckReport:
    """Judge whether ``payload`` in ``style`` (with ``logo``) will scan; never raises for design.

    ``size`` is the width of a raster image as delivered (px): the verdict is for that image.
    Without it the design is judged as vector output, at ``CHECK_UNIT`` px per module (what a
    phone camera gets of a module printed at ``min_print_size_mm``).
    """
    _validate(style, size, scan_distance_m)
    return _report(payload, style, logo, float(scan_distance_m), size, exact=True)


def _validate(style: Style, size: int | None, scan_distance_m: float) -> None:
    if isinstance(scan_distance_m, bool) or not isinstance(scan_distance_m, int | float):
        raise SpecError({"scan_distance_m": "must be a number of metres"})
    if not 0.05 <= scan_distance_m <= 100:
        raise SpecError({"scan_distance_m": "use a distance from 0.05 to 100 metres"})
    if size is not None:
        validate_output("png", size, 300)
    if not isinstance(style, Style):
        raise SpecError({"style": "must be a Style; build one with Style.from_dict()"})


def _report(
    payload: str,
    style: Style,
    logo: bytes | None,
    distance: float,
    size: int | None,
    *,
    exact: bool,
) -> CheckReport:
    key = (payload, style, logo_digest(logo), distance, size, exact)
    report = _reports.get(key)
    if report is None:
        report = _check(payload, style, logo, distance, size, exact=exact)
        _reports.put(key, report)
    return report


def _check(
    payload: str,
    style: Style,
    logo_bytes: bytes | None,
    distance: float,
    size: int | None,
    *,
    exact: bool,
) -> CheckReport:
    errors: dict[str, str] = {}
    warnings: list[str] = []
    ratio = _check_colors(style, errors, warnings)
    eyes = REFUSED_EYES.get((style.finder_frame_shape, style.finder_ball_shape))
    if eyes:
        errors["finder_ball_shape"] = (
            f"{eyes} is not read by every phone; use a circle ball, or another frame shape"
        )
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
        "size": size,
        "decoders": decoders(),
    }
    try:
        scene = build_scene(payload, style, logo)
        unit = CHECK_UNIT if size is None else int(geometry.layout(scene.geom, style, size).unit)
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
    image = None
    if _reads_by_construction(payload, scene, unit, logo is not None, exact=exact):
        read = dict.fromkeys(decoders(), True)
    else:
        image = image_at(scene, unit) if size is None else compose(scene, size)
        read = reads(image, payload, inverted_ok=style.allow_inverted)
    decodes = all(read.values())
    robust = None
    if decodes and not errors:
        robust = _robustness(payload, scene, unit, image, exact=exact)
    min_size = _min_size(payload, scene) if not errors else None
    too_small = size is not None and min_size is not None and size < min_size
    if not errors and unit < MIN_PX_PER_MODULE:
        smallest = min_size or MIN_PX_PER_MODULE * width_in_modules(scene)
        errors["size"] = (
            f"at {size} px each module is {unit} px wide, under the {MIN_PX_PER_MODULE} px "
            f"a phone needs; use a size of at least {smallest} px"
        )
    elif not errors and (not decodes or robust.score < MIN_SCORE):
        if too_small:
            errors["size"] = (
                f"at {size} px each module is {unit} px wide and the code does not scan "
                f"reliably; use a size of at least {min_size} px"
            )
        elif not decodes:
            name, hint = first_fix(payload, scene, unit, reads_back(payload, style.allow_inverted))
            unread = " and ".join(n for n, ok in read.items() if not ok)
            errors[name] = f"the finished design does not scan back with {unread}; {hint}"
        else:
            passed = round(robust.score * len(CONDITIONS))
            errors[robust.fix_field] = (
                f"the design scans only under {passed} of {len(CONDITIONS)} real-world "
                f"conditions (weakest: {_stands_for(robust.weakest)}); {robust.fix}"
            )
    elif robust is not None and robust.score < 1:
        warnings.append(
            f"scannability {robust.score:.0%}: it may fail {_stands_for(robust.weakest)}; "
            f"{robust.fix}"
        )
    return CheckReport(
        ok=not errors,
        errors=errors,
        warnings=warnings,
        logo_coverage=round(coverage, 4),
        version=geom.version,
        modules=geom.n,
        min_print_size_mm=round(module_mm * total, 1),
        decodes=decodes,
        px_per_module=unit,
        read_by=dict(read),
        conditions=robust.conditions if robust else {},
        score=robust.score if robust else 0.0,
        weakest=robust.weakest if robust else None,
        fix=(robust.fix if robust else None),
        fix_field=(robust.fix_field if robust else None),
        # Only a design that scans has a smallest working size (for a refused one it would
        # describe some other design).
        min_size=min_size if not errors or "size" in errors else None,
        **report,
    )


def _reads_by_construction(
    payload: str, scene: Scene, unit: int, has_logo: bool, *, exact: bool
) -> bool:
    """A plain payload in the standard design is segno's symbol unchanged, which both decoders
    read for every payload that fits (``check_many`` relies on the same fact, and
    tests/codes/rendering/test_check_many.py decodes thousands). Once a real symbol of this
    design, symbol size and px per module has been decoded and put through the conditions,
    a new payload of the class needs no decode of its own: it saves a create about 3 ms."""
    if exact or unit < MIN_PX_PER_MODULE or not is_standard(scene.style, has_logo):
        return False
    if not PLAIN_PAYLOAD.fullmatch(payload):
        return False
    key = ("robustness", scene.style, None, scene.geom.n, unit)
    return _classes.get(key) is not None


def refused_combinations() -> dict[str, dict[str, list[str]]]:
    """For each finder frame shape, the ball shapes the guard always refuses with it."""
    refused: dict[str, list[str]] = {}
    for frame, ball in REFUSED_EYES:
        refused.setdefault(frame, []).append(ball)
    return {"finder_frame_shape": refused}


def _stands_for(condition: str | None) -> str:
    return next((c.stands_for for c in CONDITIONS if c.name == condition), "")


def ensure_scannable(
    payload: str,
    style: Style,
    *,
    logo: bytes | None = None,
    size: int | None = None,
    scan_distance_m: float = 0.3,
) -> CheckReport:
    """The guard of the write and download paths: ``check``, except that the conditions are
    judged once per design class (see ``_robustness``), and raising ``SpecError`` with the
    report's errors when it is not ok."""
    _validate(style, size, scan_distance_m)
    report = _report(payload, style, logo, float(scan_distance_m), size, exact=False)
    if not report.ok:
        raise SpecError(report.errors)
    return report


def ensure_deliverable(
    payload: str,
    style: Style,
    *,
    format: str,
    size: int,
    logo: bytes | None = None,
    print_width_mm: float | None = None,
    scan_distance_m: float = 0.3,
) -> CheckReport:
    """The one rule for every image handed out: a raster is judged at the size delivered,
    vector output (SVG, PDF) at the minimum print size its report states. When the vector
    output's printed width is known (a label sheet), it must be at least that size, or the
    refusal says the smallest width that works."""
    report = ensure_scannable(
        payload,
        style,
        logo=logo,
        size=size if format in RASTER else None,
        scan_distance_m=scan_distance_m,
    )
    smallest = report.min_print_size_mm
    if print_width_mm is not None and smallest is not None and print_width_mm < smallest - 0.05:
        raise SpecError(
            {"size": f"printed {print_width_mm:.1f} mm wide, this {report.modules}-module "
             f"code and its quiet zone are too small to scan from {scan_distance_m:g} m; "
             f"print it at least {smallest:g} mm wide"}
        )  # fmt: skip
    return report


# --- many payloads in one design (bulk creation) ---------------------------------------------


def check_many(
    payloads: Sequence[str], style: Style, *, logo: bytes | None = None, size: int | None = None
) -> dict[int, dict[str, str]]:
    """``check`` for many payloads in one design: the errors of each refused payload by its
    position (empty when every payload scans).

    The design's own rules (colours, quiet zone, logo budget, the decode of a real symbol) are
    judged on the first payload like ``check`` does. Each further payload is then rendered and
    decoded too, except in the standard design (``is_standard``) when the payload is plain
    printable ASCII: its symbol is then segno's output unchanged, which decodes for every
    payload that fits (``tests/codes/rendering/test_check_many.py`` decodes thousands across
    versions and levels), so only the fit is checked. Anything else keeps the per-payload decode.
    """
    if not payloads:
        return {}
    errors: dict[int, dict[str, str]] = {}
    _validate(style, size, 0.3)
    first = _report(payloads[0], style, logo, 0.3, size, exact=False)
    if not first.ok:
        errors[0] = first.errors
    fast = first.ok and first.decodes and is_standard(style, logo is not None)
    level = first.error_correction
    for index in range(1, len(payloads)):
        payload = payloads[index]
        if fast and PLAIN_PAYLOAD.fullmatch(payload) and fits(payload, level):
            continue
        report = _report(payload, style, logo, 0.3, size, exact=False)
        if not report.ok:
            errors[index] = report.errors
    return errors
