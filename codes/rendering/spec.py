"""The style spec: a frozen, validated value whose field names are the API's.

Every refusal is a ``SpecError`` naming the field and what to change. Colours are stored
canonically (``#RRGGBB`` or ``#RRGGBBAA`` upper case), so equal looks hash equally and the
render cache is keyed on meaning, not spelling.
"""

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import fonts
from .color import contrast, flatten, normalize_color
from .errors import SpecError

ERROR_LEVELS = ("L", "M", "Q", "H")
MODULE_SHAPES = ("square", "rounded", "dots", "gapped", "vbars", "hbars")
FINDER_FRAME_SHAPES = ("square", "rounded", "circle")
FINDER_BALL_SHAPES = ("square", "rounded", "circle")
FRAMES = ("none", "box", "banner", "badge")
GRADIENT_KINDS = ("linear", "radial")

MIN_MARGIN = 2
MAX_MARGIN = 16
# Error correction H repairs ~30 % of codewords; a logo over ~15 % of the symbol's area failed
# to decode in our measurements, and a square logo of width w covers w^2 of the area.
LOGO_AREA_BUDGET = 0.15
MIN_LOGO_SIZE = 0.05
MAX_LOGO_SIZE = math.floor(math.sqrt(LOGO_AREA_BUDGET) * 100) / 100
MAX_LABEL_LENGTH = 40
MIN_FONT_SIZE, MAX_FONT_SIZE = 8, 80
# The label font size is given in px of a 400 px wide image and scales with the output, so a
# code downloaded at 400 px and at 2000 px looks the same.
FONT_REFERENCE_WIDTH = 400


def _choice(errors, field, value, choices, *, upper=False):
    if isinstance(value, str):
        value = value.strip().upper() if upper else value.strip().lower()
        if value in choices:
            return value
    errors[field] = f"{value!r} is not one of {', '.join(choices)}"
    return value


def _color(errors, field, value, *, optional=False, transparent=False, opaque=False):
    if value is None and optional:
        return None
    try:
        color = normalize_color(value, allow_transparent=transparent)
    except ValueError as exc:
        errors[field] = str(exc)
        return value
    if opaque and len(color) == 9:
        errors[field] = "must be opaque here; drop the alpha digits"
    return color


def _number(errors, field, value, lo, hi, *, integer, hint=""):
    ok_type = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_type) or not math.isfinite(value):
        errors[field] = f"must be {'a whole number' if integer else 'a number'}"
        return value
    if not lo <= value <= hi:
        errors[field] = f"{value} is out of range; use {lo} to {hi}{hint}"
    return value if integer else float(value)


@dataclass(frozen=True)
class Gradient:
    """A foreground gradient: ``linear`` at ``angle`` degrees (0 = left to right, 90 = top to
    bottom) or ``radial`` from the centre outwards."""

    start_color: str
    end_color: str
    kind: str = "linear"
    angle: float = 0.0

    def __post_init__(self):
        errors: dict[str, str] = {}
        put = object.__setattr__
        put(self, "kind", _choice(errors, "kind", self.kind, GRADIENT_KINDS))
        put(self, "start_color", _color(errors, "start_color", self.start_color, opaque=True))
        put(self, "end_color", _color(errors, "end_color", self.end_color, opaque=True))
        put(self, "angle", _number(errors, "angle", self.angle, -360, 360, integer=False))
        if errors:
            raise SpecError({"gradient": "; ".join(f"{k} {v}" for k, v in errors.items())})

    @classmethod
    def from_dict(cls, data: object) -> "Gradient":
        if not isinstance(data, Mapping):
            raise SpecError({"gradient": "must be an object with start_color and end_color"})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SpecError({"gradient": f"unknown option {unknown[0]!r}; known: {sorted(known)}"})
        missing = [k for k in ("start_color", "end_color") if k not in data]
        if missing:
            raise SpecError({"gradient": f"{missing[0]} is required"})
        return cls(**data)


@dataclass(frozen=True)
class Style:
    """How a code looks. Defaults give a plain black-on-white code with a 4-module quiet zone."""

    foreground_color: str = "#000000"
    background_color: str = "#FFFFFF"
    gradient: Gradient | None = None
    error_correction: str = "M"
    margin: int = 4
    module_shape: str = "square"
    finder_frame_shape: str = "square"
    finder_ball_shape: str = "square"
    finder_frame_color: str | None = None
    finder_ball_color: str | None = None
    logo_size: float = 0.2
    frame: str = "none"
    label: str = ""
    label_font_size: int = 28
    label_color: str | None = None
    frame_color: str | None = None
    allow_inverted: bool = False

    def __post_init__(self):
        errors: dict[str, str] = {}
        put = object.__setattr__
        put(self, "foreground_color", _color(errors, "foreground_color", self.foreground_color))
        put(
            self,
            "background_color",
            _color(errors, "background_color", self.background_color, transparent=True),
        )
        if self.gradient is not None and not isinstance(self.gradient, Gradient):
            errors["gradient"] = "must be a Gradient or null"
        put(
            self,
            "error_correction",
            _choice(errors, "error_correction", self.error_correction, ERROR_LEVELS, upper=True),
        )
        _number(
            errors,
            "margin",
            self.margin,
            MIN_MARGIN,
            MAX_MARGIN,
            integer=True,
            hint=" modules; readers need a quiet zone of at least 2 (4 is the standard)",
        )
        for field, choices in (
            ("module_shape", MODULE_SHAPES),
            ("finder_frame_shape", FINDER_FRAME_SHAPES),
            ("finder_ball_shape", FINDER_BALL_SHAPES),
            ("frame", FRAMES),
        ):
            put(self, field, _choice(errors, field, getattr(self, field), choices))
        for field in ("finder_frame_color", "finder_ball_color", "label_color", "frame_color"):
            put(self, field, _color(errors, field, getattr(self, field), optional=True))
        put(
            self,
            "logo_size",
            _number(
                errors,
                "logo_size",
                self.logo_size,
                MIN_LOGO_SIZE,
                MAX_LOGO_SIZE,
                integer=False,
                hint=" of the code's width; error correction cannot repair a larger logo",
            ),
        )
        self._check_label(errors)
        _number(
            errors,
            "label_font_size",
            self.label_font_size,
            MIN_FONT_SIZE,
            MAX_FONT_SIZE,
            integer=True,
            hint=f" px (at {FONT_REFERENCE_WIDTH} px wide)",
        )
        if not isinstance(self.allow_inverted, bool):
            errors["allow_inverted"] = "must be true or false"
        if errors:
            raise SpecError(errors)

    def _check_label(self, errors: dict[str, str]) -> None:
        label = self.label
        if label is None:
            object.__setattr__(self, "label", "")
            return
        if not isinstance(label, str):
            errors["label"] = "must be text"
            return
        label = " ".join(label.split())
        object.__setattr__(self, "label", label)
        if len(label) > MAX_LABEL_LENGTH:
            errors["label"] = f"is {len(label)} characters; shorten it to {MAX_LABEL_LENGTH}"
        elif any(not ch.isprintable() for ch in label):
            errors["label"] = "contains control characters; use plain text"
        elif missing := fonts.missing_characters(label):
            errors["label"] = (
                f"the label font ({fonts.font_name()}) cannot draw {missing!r}; "
                "use Latin, Greek or Cyrillic letters"
            )

    @classmethod
    def from_dict(cls, data: object) -> "Style":
        """Build from API/form input, refusing unknown keys and bad values field by field."""
        if not isinstance(data, Mapping):
            raise SpecError({"style": "must be an object of style options"})
        known = {f.name for f in dataclasses.fields(cls)}
        errors = {
            key: f"unknown style option; known options are {', '.join(sorted(known))}"
            for key in data
            if key not in known
        }
        kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        if kwargs.get("gradient") is not None:
            try:
                kwargs["gradient"] = Gradient.from_dict(kwargs["gradient"])
            except SpecError as exc:
                errors.update(exc.fields)
                kwargs.pop("gradient")
        try:
            style = cls(**kwargs)
        except SpecError as exc:
            errors.update(exc.fields)
        if errors:
            raise SpecError(errors)
        return style

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def effective_error(self, *, has_logo: bool) -> str:
        """A logo hides modules, so it always gets the strongest error correction."""
        return "H" if has_logo else self.error_correction

    def resolved_frame_color(self) -> str:
        """Explicit frame colour, else the (gradient's start or) foreground colour."""
        if self.frame_color:
            return self.frame_color
        return self.gradient.start_color if self.gradient else self.foreground_color

    def resolved_label_color(self) -> str:
        """Explicit label colour, else black or white, whichever reads better on the frame."""
        if self.label_color:
            return self.label_color
        frame = flatten(self.resolved_frame_color())
        on_white, on_black = contrast(frame, (255, 255, 255)), contrast(frame, (0, 0, 0))
        return "#FFFFFF" if on_white >= on_black else "#000000"
