"""Which one change makes a design scan, or survive the condition it fails: a field and a hint.

Tried in order, cheapest and least surprising change first; the first trial design that the
decoders read is the answer the person sees ("use square finder eyes", "use at least 320 px").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PIL import Image

from . import geometry
from .decoders import CONDITIONS, flatten_on_white, reads
from .png import compose
from .scene import Scene, build_scene

HINTS = {
    "finder_ball_shape": "use a {finder_frame_shape} ball inside the {finder_frame_shape} frame",
    "finder_frame_shape": "use square finder eyes",
    "module_shape": "use square or rounded modules",
    "gradient": "use a darker gradient end, or no gradient",
    "finder_frame_color": "use a darker finder colour",
    "finder_ball_color": "use a darker finder colour",
    "margin": "use a quiet zone of at least 4 modules",
    "frame": "choose no frame or a wider margin",
    "logo_size": "make the logo smaller",
    "error_correction": "use a higher error correction level",
    "background_color": "use an opaque white background",
}
LAST_RESORT = ("module_shape", "use square modules, stronger contrast and a wider margin")


def width_in_modules(scene: Scene) -> int:
    return int(geometry.layout(scene.geom, scene.style).width)


def image_at(scene: Scene, unit: int) -> Image.Image:
    return compose(scene, unit * width_in_modules(scene))


def _trials(scene: Scene) -> list[tuple[str, dict, bool]]:
    """(field, style change, keep the logo) in the order they are tried."""
    style = scene.style
    trials: list[tuple[str, dict, bool]] = []
    if scene.logo is not None:
        trials.append(("logo_size", {}, False))
    if style.finder_ball_shape != style.finder_frame_shape:
        trials.append(("finder_ball_shape", {"finder_ball_shape": style.finder_frame_shape}, True))
    changes = [
        ("finder_frame_shape", {"finder_frame_shape": "square", "finder_ball_shape": "square"}),
        ("gradient", {"gradient": None}),
        ("finder_frame_color", {"finder_frame_color": None}),
        ("finder_ball_color", {"finder_ball_color": None}),
        ("module_shape", {"module_shape": "square"}),
        ("margin", {"margin": max(style.margin, 4)}),
        ("frame", {"frame": "none"}),
        ("background_color", {"background_color": "#FFFFFF"}),
        ("error_correction", {"error_correction": "H"}),
    ]
    for name, change in changes:
        if any(getattr(style, k) != v for k, v in change.items()):
            trials.append((name, change, True))
    return trials


def first_fix(
    payload: str,
    scene: Scene,
    unit: int,
    passes: Callable[[Image.Image, int], bool],
) -> tuple[str, str]:
    """The first design change under which ``passes(image, unit)`` holds."""
    for name, change, keep_logo in _trials(scene):
        trial = build_scene(
            payload,
            dataclasses.replace(scene.style, **change),
            scene.logo if keep_logo else None,
        )
        if passes(image_at(trial, unit), unit):
            return name, HINTS[name].format(finder_frame_shape=scene.style.finder_frame_shape)
    return LAST_RESORT


def reads_back(payload: str, inverted_ok: bool) -> Callable[[Image.Image, int], bool]:
    return lambda image, unit: all(reads(image, payload, inverted_ok=inverted_ok).values())


def survives(payload: str, condition: str, inverted_ok: bool) -> Callable[[Image.Image, int], bool]:
    apply = next(c.apply for c in CONDITIONS if c.name == condition)

    def passes(image: Image.Image, unit: int) -> bool:
        return all(
            reads(apply(flatten_on_white(image), unit), payload, inverted_ok=inverted_ok).values()
        )

    return passes
