"""Many codes' images at once (ZIP exports): one engine batch per design, so the guard judges
each design once per symbol size and every logo file is read once; each image is decoded back
as delivered (`codes.rendering.batch`). A single image goes through `code_image` (cached,
judged on its own).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from codes.models import QRCode
from codes.render_errors import engine_refusals
from codes.rendering import Style
from codes.rendering.batch import Batch, Rendered
from codes.services.codes import code_payload


class CodeImages:
    """`CodeImages(formats=["png"], size=400).render(code)` -> the code's files and whether
    its image read back. Codes should come with `select_related("logo")`."""

    def __init__(self, *, formats: Iterable[str], size: int):
        self.formats, self.size = tuple(formats), size
        self._batches: dict[tuple[str, int | None], Batch] = {}

    def _batch(self, code: QRCode) -> Batch:
        key = (json.dumps(code.style, sort_keys=True), code.logo_id)
        batch = self._batches.get(key)
        if batch is None:
            logo = code.logo.read_bytes() if code.logo_id else None
            with engine_refusals():
                batch = Batch(
                    Style.from_dict(code.style), formats=self.formats, size=self.size, logo=logo
                )
            self._batches[key] = batch
        return batch

    def render(self, code: QRCode) -> Rendered:
        batch = self._batch(code)
        with engine_refusals():
            return batch.render(code_payload(code))
