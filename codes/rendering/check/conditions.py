"""A small fixed set of real-world conditions a design must survive, as image degradations.

Each stands for something that happens between the printed or displayed code and a phone's
decoder: out of focus (blur), far away (few camera pixels per module), held at an angle
(rotation, perspective tilt), a compressed photo or screenshot (JPEG), poor light (reduced
contrast). They are applied to the design drawn at ``UNIT`` px per module or more (about what a
phone camera resolves of a code it is pointed at) and are deterministic, so verdicts repeat.
Amounts are in modules, not pixels, so a condition is as hard for a small code as a large one.
"""

import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image, ImageFilter

UNIT = 6  # px per module of the image the conditions degrade
BLUR_MODULES = 0.35  # Gaussian sigma, in modules
DISTANCE_PX_PER_MODULE = 2.5
ROTATION_DEG = 10
TILT = 0.12  # the far edge is this much shorter than the near one
JPEG_QUALITY = 60
# Poor light: the white paper reads as mid grey and black as dark grey (about 2.5:1 in the image).
LOW_CONTRAST = (70, 170)


def _blur(image: Image.Image, unit: int) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(BLUR_MODULES * unit))


def _distance(image: Image.Image, unit: int) -> Image.Image:
    scale = DISTANCE_PX_PER_MODULE / unit
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BOX)


def _rotation(image: Image.Image, unit: int) -> Image.Image:
    return image.rotate(
        ROTATION_DEG, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255
    )


def _tilt(image: Image.Image, unit: int) -> Image.Image:
    w, h = image.size
    inset = TILT * w / 2
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[inset, 0], [w - inset, 0], [w, h], [0, h]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(
        np.asarray(image), matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255
    )
    return Image.fromarray(out)


def _jpeg(image: Image.Image, unit: int) -> Image.Image:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return Image.open(io.BytesIO(out.getvalue())).convert("L")


def _low_contrast(image: Image.Image, unit: int) -> Image.Image:
    lo, hi = LOW_CONTRAST
    return image.point(lambda v: lo + v * (hi - lo) // 255)


# In order of importance: the first failed one is the report's ``weakest``. Focus and
# distance fail most often in the hand; a tilt or a JPEG is rarer and milder.
CONDITIONS: dict[str, Callable[[Image.Image, int], Image.Image]] = {
    "blur": _blur,
    "distance": _distance,
    "low_contrast": _low_contrast,
    "tilt": _tilt,
    "rotation": _rotation,
    "jpeg": _jpeg,
}


def degrade(image: Image.Image, name: str, unit: int) -> Image.Image:
    """``image`` (grey, ``unit`` px per module) as seen under condition ``name``."""
    return CONDITIONS[name](image, unit)
