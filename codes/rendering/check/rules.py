"""The guard's design rules that need no decoding, and the one-change trials behind its advice.

Contrast: every colour a reader must tell apart from the background has at least 3:1 (warning
below 4.5:1), dark on light unless ``allow_inverted``. ``trials`` lists single changes to a
design, each with the words a marketer understands; the guard tries them in order to say which
one change makes a failing design scan, or survive the condition it failed.
"""

import dataclasses

from .. import geometry
from ..color import TRANSPARENT, contrast, flatten, luminance
from ..spec import LOGO_AREA_BUDGET, MAX_LOGO_SIZE, MIN_LOGO_SIZE, Style

REFUSE_BELOW = 3.0
WARN_BELOW = 4.5


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


def check_colors(style: Style, errors: dict, warnings: list) -> float:
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


def largest_logo(n: int, aspect: float) -> float:
    size = MIN_LOGO_SIZE
    step = 0.01
    while size + step <= MAX_LOGO_SIZE:
        _, (c0, r0, c1, r1) = geometry.logo_rect(n, size + step, aspect)
        if (c1 - c0) * (r1 - r0) / (n * n) > LOGO_AREA_BUDGET:
            break
        size += step
    return round(size, 2)


@dataclasses.dataclass(frozen=True)
class Trial:
    field: str  # the field a refusal names
    change: dict  # applied to the style
    hint: str  # how the refusal says to change it
    fix: str  # the short advice for the weakest condition
    keep_logo: bool = True


def trials(style: Style, has_logo: bool) -> list[Trial]:
    """Single changes that may make ``style`` scan, most specific first; only real changes."""
    out: list[Trial] = []
    if has_logo:
        out.append(Trial("logo_size", {}, "make the logo smaller", "a smaller logo", False))
    if style.finder_ball_shape != style.finder_frame_shape:
        frame = style.finder_frame_shape
        out.append(
            Trial(
                "finder_ball_shape",
                {"finder_ball_shape": frame},
                f"use a {frame} ball inside a {frame} frame",
                f"{frame} eye centres to match the eye frames",
            )
        )
    gradient = style.gradient
    candidates = [
        Trial(
            "finder_frame_shape",
            {"finder_frame_shape": "square", "finder_ball_shape": "square"},
            "use square finder patterns (eyes)",
            "square eyes",
        ),
        Trial(
            "module_shape",
            {"module_shape": "rounded"},
            "use rounded or square modules",
            "rounded or square modules",
        ),
        Trial("module_shape", {"module_shape": "square"}, "use square modules", "square modules"),
        Trial(
            "gradient",
            {"gradient": None if gradient is None else _darker_end(gradient)},
            "use a darker gradient end, closer to its start colour",
            "a darker gradient end",
        ),
        Trial(
            "gradient", {"gradient": None}, "use one colour instead of a gradient", "no gradient"
        ),
        Trial(
            "finder_frame_color",
            {"finder_frame_color": None},
            "use a darker finder colour, or the module colour",
            "eyes in the module colour",
        ),
        Trial(
            "finder_ball_color",
            {"finder_ball_color": None},
            "use a darker finder colour, or the module colour",
            "eye centres in the module colour",
        ),
        Trial(
            "margin",
            {"margin": max(style.margin, 4)},
            "use a quiet zone of at least 4 modules",
            "quiet zone 4",
        ),
        Trial(
            "error_correction",
            {"error_correction": "H"},
            "use error correction H",
            "error correction H",
        ),
        Trial("frame", {"frame": "none"}, "choose no frame or a wider margin", "no frame"),
    ]
    seen = set()
    for trial in candidates:
        key = tuple(sorted(trial.change.items(), key=lambda kv: kv[0]))
        if key in seen or all(getattr(style, k) == v for k, v in trial.change.items()):
            continue
        if trial.field == "error_correction" and has_logo:
            continue  # a logo forces H already
        seen.add(key)
        out.append(trial)
    return out


def _darker_end(gradient):
    return dataclasses.replace(gradient, end_color=gradient.start_color)


def apply(style: Style, trial: Trial) -> Style:
    return dataclasses.replace(style, **trial.change)
