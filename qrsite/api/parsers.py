"""The API's JSON parser: DRF's, except that a body nested too deeply for Python's parser is
bad input naming its field (a 400), not a RecursionError (a 500)."""

from __future__ import annotations

import io

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from qrsite.text import MAX_JSON_DEPTH, too_deep_key


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            pass  # out of the except block, so the traceback of the failed parse is freed
        # Only on this rare path: find which field to name, without parsing.
        field = too_deep_key(raw.decode("utf-8", errors="replace"))
        message = f"Nested more than {MAX_JSON_DEPTH} levels deep; flatten it."
        raise ValidationError({field: [message]} if field else [message])
