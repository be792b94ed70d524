"""The scannability guard: refuse, with a reason, any design that will not scan where it is used.

Rules (measured on segno output, see DESIGN.md "Rendering" and docs/styling.md "How the guard
decides"): contrast and inversion (``rules``); a logo clears at most 15 % of the symbol; a quiet
zone of at least 2 modules. Then the design is drawn and must read back as exactly its payload
in both independent decoders (``decoders``: zxing-cpp and OpenCV), inversion off unless
allowed:

- at the smallest whole number of px per module from ``FLOOR_UNIT`` up that both read. That
  gives ``min_size``: a raster delivered smaller is refused under ``size``; sizes at and above
  it decode (tests/codes/rendering/test_delivered.py sweeps them). Vector output is judged at
  the minimum print size the report states.
- under a fixed set of real-world conditions (``conditions``): the share both decoders survive
  is the ``score``; below ``SCORE_REFUSE`` the design is refused naming the one field to change,
  below ``SCORE_ROBUST`` it passes with a warning.

Minimum print size uses the common 10:1 rule of thumb for a ~25-module code: a module must be
at least 1/250 of the scan distance (and never under 0.3 mm, what office printers hold).
"""

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PIL import Image

from ..cache import LRU
from ..engine import MAX_SIZE, MIN_SIZE, logo_digest
from ..errors import SpecError
from ..geometry import FRAME_WIDTH
from ..logo import prepare_logo
from ..png import compose
from ..scene import Scene, build_scene
from ..spec import LOGO_AREA_BUDGET, MIN_MARGIN, Style
from . import conditions as _conditions
from .combinations import combination_refusal
from .decoders import both_read, grey
from .rules import apply, check_colors, largest_logo, trials

# Calibrated with benchmarks/scannability.py (numbers in docs/styling.md): the smallest px per
# module tried, the largest (a design no decoder pair reads at 8 px will not scan), and the
# score thresholds.
FLOOR_UNIT = 3
MAX_UNIT = 8
SCORE_REFUSE = 0.5
SCORE_ROBUST = 1.0
MIN_MODULE_MM = 0.3
DISTANCE_PER_MODULE = 250

_reports = LRU(max_entries=1024)
_delivered = LRU(max_entries=4096)  # (report key, size) -> report at that size


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
    min_size: int | None = None  # smallest raster width in px that passes
    canvas_modules: int | None = None  # modules across the image: quiet zone and frame too
    px_per_module: int | None = None  # the fewest whole px per module that pass
    score: float = 0.0  # share of real-world conditions both decoders survive
    conditions: dict[str, bool] = field(default_factory=dict)
    weakest: str | None = None  # the most important failed condition (or "size")
    fix: str | None = None  # what to change for it, in plain words
    robust: bool = False


def _decodes(image: Image.Image, payload: str, inverted_ok: bool) -> bool:
    return both_read(image, payload, inverted_ok)


def _total(scene: Scene) -> int:
    """Canvas width in modules: symbol, quiet zone and frame."""
    frame = 2 * FRAME_WIDTH if scene.style.frame != "none" else 0
    return scene.geom.n + 2 * scene.style.margin + frame


def _check_image(scene: Scene, unit: int = FLOOR_UNIT) -> Image.Image:
    return compose(scene, unit * _total(scene))


def _min_unit(payload: str, scene: Scene) -> int | None:
    """The smallest px per module at which both decoders read the design, if any."""
    inverted = scene.style.allow_inverted
    for unit in range(FLOOR_UNIT, MAX_UNIT + 1):
        if _decodes(_check_image(scene, unit), payload, inverted):
            return unit
    return None


def _passes(payload: str, scene: Scene, names: Sequence[str], unit: int) -> dict[str, bool]:
    image = grey(_check_image(scene, unit))
    inverted = scene.style.allow_inverted
    return {
        name: _decodes(_conditions.degrade(image, name, unit), payload, inverted) for name in names
    }


def _robust_enough(payload: str, scene: Scene) -> bool:
    """Whether ``scene`` reads and survives at least ``SCORE_REFUSE`` of the conditions;
    stops as soon as the answer is known."""
    unit = _min_unit(payload, scene)
    if unit is None:
        return False
    names = list(_conditions.CONDITIONS)
    need = math.ceil(SCORE_REFUSE * len(names))
    unit = max(unit, _conditions.UNIT)
    image = grey(_check_image(scene, unit))
    passed = 0
    for i, name in enumerate(names):
        if _decodes(_conditions.degrade(image, name, unit), payload, scene.style.allow_inverted):
            passed += 1
        if passed >= need:
            return True
        if passed + len(names) - i - 1 < need:
            return False
    return False


def _first_trial(payload: str, scene: Scene, passes: Callable[[Scene], bool]):
    """The first single change (``rules.trials``) under which ``passes`` holds."""
    for trial in trials(scene.style, scene.logo is not None):
        try:
            changed = build_scene(
                payload, apply(scene.style, trial), scene.logo if trial.keep_logo else None
            )
        except SpecError:
            continue
        if passes(changed):
            return trial
    return None


def _blame(payload: str, scene: Scene) -> tuple[str, str]:
    """Which one change makes a non-scanning design scan: that field, and how to change it."""
    trial = _first_trial(payload, scene, lambda s: _min_unit(payload, s) is not None)
    if trial is None:
        return "module_shape", "use square modules, stronger contrast and a wider margin"
    return trial.field, trial.hint


def _fix(payload: str, scene: Scene, weakest: str, unit: int) -> str | None:
    trial = _first_trial(payload, scene, lambda s: _passes(payload, s, [weakest], unit)[weakest])
    return None if trial is None else trial.fix


def _validate(size: int | None, scan_distance_m: float, style: Style) -> None:
    if isinstance(scan_distance_m, bool) or not isinstance(scan_distance_m, int | float):
        raise SpecError({"scan_distance_m": "must be a number of metres"})
    if not 0.05 <= scan_distance_m <= 100:
        raise SpecError({"scan_distance_m": "use a distance from 0.05 to 100 metres"})
    if size is not None and (
        isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE
    ):
        raise SpecError(
            {
                "size": f"{size!r} px is out of range; use a whole number from {MIN_SIZE} to {MAX_SIZE}"
            }
        )
    if not isinstance(style, Style):
        raise SpecError({"style": "must be a Style; build one with Style.from_dict()"})


def check(
    payload: str,
    style: Style,
    *,
    logo: bytes | None = None,
    size: int | None = None,
    scan_distance_m: float = 0.3,
) -> CheckReport:
    """Judge whether ``payload`` in ``style`` (with ``logo``) scans as delivered; never raises
    for design. ``size`` is the raster width in px as ``render`` takes it; ``None`` means vector
    output, judged at the report's minimum print size."""
    _validate(size, scan_distance_m, style)
    key = (payload, style, logo_digest(logo), float(scan_distance_m))
    report = _reports.get(key)
    if report is None:
        report = _check(payload, style, logo, float(scan_distance_m))
        _reports.put(key, report)
    if size is None or report.min_size is None:
        return report
    if size < report.min_size:
        return _too_small(report, size)
    sized = _delivered.get((key, size))
    if sized is None:
        sized = _at_size(payload, style, logo, report, size)
        _delivered.put((key, size), sized)
    return sized


def _at_size(
    payload: str, style: Style, logo: bytes | None, report: CheckReport, size: int
) -> CheckReport:
    """``report`` if the raster delivered at ``size`` reads in both decoders, else a refusal
    under ``size`` naming a nearby size that reads. OpenCV is not monotonic in size (a design
    it reads at 3 px per module may defeat its finder search at 10), so the floor alone does
    not vouch for every larger size."""
    scene = build_scene(payload, style, prepare_logo(logo) if logo is not None else None)
    if _decodes(compose(scene, size), payload, style.allow_inverted):
        return report
    total, unit = report.canvas_modules, size // report.canvas_modules
    near = None
    for other in (unit + 1, unit - 1, unit + 2, unit - 2):
        width = other * total
        if (
            other >= report.px_per_module
            and MIN_SIZE <= width <= MAX_SIZE
            and _decodes(compose(scene, width), payload, style.allow_inverted)
        ):
            near = width
            break
    advice = f"use {near} px" if near else "use another size or square modules"
    return dataclasses.replace(
        report,
        ok=False,
        errors={
            **report.errors,
            "size": f"at {size} px ({unit} px per module) one of the two decoders the guard "
            f"uses does not read this design; {advice}",
        },
        weakest="size",
        fix=advice,
        robust=False,
    )


def _too_small(report: CheckReport, size: int) -> CheckReport:
    total = report.canvas_modules
    need = report.min_size
    message = (
        f"at {size} px this code has {size / total:.1f} px per module ({total} modules across, "
        f"each drawn {size // total} px wide); use at least {need} px"
    )
    return dataclasses.replace(
        report,
        ok=False,
        errors={**report.errors, "size": message},
        weakest="size",
        fix=f"use at least {need} px",
        robust=False,
    )


def _check(payload: str, style: Style, logo_bytes: bytes | None, distance: float) -> CheckReport:
    errors: dict[str, str] = {}
    warnings: list[str] = []
    ratio = check_colors(style, errors, warnings)
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
            f"{largest_logo(geom.n, logo.aspect):.2f}"
        )
    module_mm = max(distance * 1000 / DISTANCE_PER_MODULE, MIN_MODULE_MM)
    total = _total(scene)
    refusal = combination_refusal(style)
    if refusal is not None:
        # Measured to fail for every content (combinations.py): no need to decode it again.
        errors.setdefault("finder_frame_shape", refusal)
    unit = None if refusal is not None else _min_unit(payload, scene)
    decodes = unit is not None
    if not decodes and not errors:
        name, hint = _blame(payload, scene)
        errors[name] = f"the finished design does not scan back to its content; {hint}"
    passed: dict[str, bool] = {}
    weakest = fix = None
    if decodes and not errors:
        passed = _passes(payload, scene, list(_conditions.CONDITIONS), max(unit, _conditions.UNIT))
        failed = [name for name, ok in passed.items() if not ok]
        score = (len(passed) - len(failed)) / len(passed)
        if failed:
            weakest = failed[0]
            fix = _fix(payload, scene, weakest, max(unit, _conditions.UNIT))
            advice = f"; try {fix}" if fix else ""
            if score < SCORE_REFUSE:
                name, hint = _blame_fragile(payload, scene)
                errors[name] = (
                    f"the design reads in only {len(passed) - len(failed)} of {len(passed)} "
                    f"everyday conditions (fails {', '.join(failed)}); {hint}"
                )
            elif score < SCORE_ROBUST:
                warnings.append(f"the design may not scan when {_said(failed)}{advice}")
    score = sum(passed.values()) / len(passed) if passed else 0.0
    ok = not errors
    return CheckReport(
        ok=ok,
        errors=errors,
        warnings=warnings,
        logo_coverage=round(coverage, 4),
        version=geom.version,
        modules=geom.n,
        canvas_modules=total,
        min_print_size_mm=round(module_mm * (geom.n + 2 * style.margin), 1),
        decodes=decodes,
        min_size=max(MIN_SIZE, unit * total) if ok else None,
        px_per_module=unit if ok else None,
        score=round(score, 3),
        conditions=passed,
        weakest=weakest,
        fix=fix,
        robust=ok and score >= SCORE_ROBUST,
        **report,
    )


_SAID = {
    "blur": "out of focus",
    "distance": "scanned from further away",
    "low_contrast": "in poor light",
    "tilt": "held at an angle",
    "rotation": "turned",
    "jpeg": "sent as a compressed photo",
}


def _said(failed: Sequence[str]) -> str:
    return ", ".join(_SAID[name] for name in failed)


def _blame_fragile(payload: str, scene: Scene) -> tuple[str, str]:
    """Which one change lifts a fragile design's score to ``SCORE_REFUSE``."""
    trial = _first_trial(payload, scene, lambda s: _robust_enough(payload, s))
    if trial is None:
        return "module_shape", "use square modules, stronger contrast and a wider margin"
    return trial.field, trial.hint


def ensure_scannable(
    payload: str,
    style: Style,
    *,
    logo: bytes | None = None,
    size: int | None = None,
    scan_distance_m: float = 0.3,
) -> CheckReport:
    """``check`` that raises ``SpecError`` with the report's errors when it is not ok."""
    report = check(payload, style, logo=logo, size=size, scan_distance_m=scan_distance_m)
    if not report.ok:
        raise SpecError(report.errors)
    return report


from .many import check_many as check_many  # noqa: E402  (many.py calls check, above)
