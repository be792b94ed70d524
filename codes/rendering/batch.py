"""Many payloads in one design (exports of thousands of codes): the guard judges the design
once per symbol size, and each image is decoded back as delivered.

``ensure_deliverable`` judges one payload: the design's rules, its robustness under the
real-world conditions (kept per design class), and a read of that payload's image by both
decoders. In a batch everything but the read is the same for every payload of a symbol size
(the class), so the full guard runs for the first payload of each class and every further
image is read once by zxing-cpp, from the raster in hand (no PNG decode): three reads of each
image became one. A plain payload in the standard design is segno's own output, which the
guard proves without a read (``check_many``); its ``decoded`` is None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .check import ensure_deliverable
from .decoders import flatten_on_white, read_zxing
from .engine import RASTER, validate_output, write_scene
from .logo import prepare_logo
from .png import compose
from .scene import build_scene
from .spec import Style
from .standard import PLAIN_PAYLOAD, is_standard


@dataclass(frozen=True)
class Rendered:
    files: dict[str, bytes]  # format -> bytes
    # True/False: zxing-cpp read exactly the payload back from the delivered raster (or,
    # for vector-only exports, from the raster at the export's size). None: not read, the
    # guard's proof for plain payloads in the standard design stands.
    decoded: bool | None


class Batch:
    """Render payloads in one ``style`` (and ``logo``) at one ``size``: ``batch.render(p)``."""

    def __init__(
        self,
        style: Style,
        *,
        formats: Iterable[str] = ("png",),
        size: int = 400,
        logo: bytes | None = None,
        dpi: int = 300,
    ):
        self.formats = tuple(dict.fromkeys(formats))
        for fmt in self.formats:
            validate_output(fmt, size, dpi)
        self.style, self.size, self.dpi, self.logo_bytes = style, size, dpi, logo
        self.logo = prepare_logo(logo) if logo is not None else None
        self.standard = is_standard(style, logo is not None)
        self._judged: set[int] = set()  # symbol sizes (modules per side) the guard passed

    def _judge(self, payload: str, n: int) -> None:
        if n in self._judged:
            return
        # A raster is judged at the size delivered, vector output at its print size: one
        # verdict per kind of output asked for.
        for fmt in {("png" if f in RASTER else "pdf") for f in self.formats}:
            ensure_deliverable(
                payload, self.style, format=fmt, size=self.size, logo=self.logo_bytes
            )
        self._judged.add(n)

    def render(self, payload: str) -> Rendered:
        """The payload's files; ``SpecError`` when the guard refuses its class or it does
        not fit a symbol."""
        scene = build_scene(payload, self.style, self.logo)
        self._judge(payload, scene.geom.n)
        files = {fmt: write_scene(scene, fmt, self.size, self.dpi) for fmt in self.formats}
        if self.standard and PLAIN_PAYLOAD.fullmatch(payload):
            return Rendered(files, None)
        # The raster the PNG was written from (kept by compose), or the one it would be.
        image = flatten_on_white(compose(scene, self.size)).convert("L")
        read = read_zxing(image, inverted_ok=self.style.allow_inverted)
        return Rendered(files, read == [payload])
