"""Option combinations the guard refuses whatever the content, so an editor can disable them.

Measured, not guessed: ``benchmarks/scannability.py --combinations`` checks every module shape
x finder frame x finder ball on a short link, a Wi-Fi login and a vCard, and lists the
combinations refused for all three; ``tests/codes/rendering/test_combinations.py`` re-measures
a sample on every run. OpenCV's detector, one of the guard's two decoders, finds no finder
pattern whose outer ring has rounded corners, at any size, so every rounded or circle eye frame
is refused; every ball shape reads inside a square frame.
"""

from collections.abc import Mapping

from ..spec import Style

_EYES = (
    "is not found by one of the two decoders the guard uses (OpenCV) at any size, so some "
    "phones will not find this code; use square finder patterns (eyes)"
)

REFUSED: list[tuple[dict[str, str], str]] = [
    ({"finder_frame_shape": "rounded"}, f"rounded eye frames {_EYES}"),
    ({"finder_frame_shape": "circle"}, f"circle eye frames {_EYES}"),
]


def refused_combinations() -> list[tuple[dict[str, str], str]]:
    """(options, why) for each combination the guard always refuses; any style holding all
    of ``options`` is refused."""
    return [(dict(options), why) for options, why in REFUSED]


def combination_refusal(style: Style | Mapping[str, object]) -> str | None:
    """Why the guard will refuse ``style`` whatever its content, or None when it may pass."""
    get = style.get if isinstance(style, Mapping) else lambda name: getattr(style, name, None)
    for options, why in REFUSED:
        if all(get(name) == value for name, value in options.items()):
            return why
    return None
