"""The API's JSON renderer: DRF's, except that a response echoing a client's lone surrogate
(a refused field name or choice quoted back in an error) is still a response.

DRF writes UTF-8 and a lone surrogate has no UTF-8 form, so the echo turned a 400 into a 500.
JSON can carry it as a ``\\ud800`` escape, which is what the client sent in the first place.
"""

from __future__ import annotations

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            escaping = renderers.JSONRenderer()
            escaping.ensure_ascii = True
            return escaping.render(data, accepted_media_type, renderer_context)
