import functools

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class LenientNegotiation(DefaultContentNegotiation):
    """An `Accept` the endpoint cannot serve gets JSON rather than a 406: errors must always
    reach the client in the envelope, and a JSON answer is more useful than a refusal.

    The choice depends only on the `Accept` header, the endpoint's renderer classes and a
    format suffix (there is no format query parameter), so it is made once per combination:
    parsing media types cost a warm image call a tenth of its time."""

    def select_renderer(self, request, renderers, format_suffix=None):
        index, media_type = _choice(
            request.headers.get("accept", "*/*"),
            tuple(type(renderer) for renderer in renderers),
            format_suffix,
        )
        return renderers[index], media_type


class _Request:
    """What DefaultContentNegotiation reads of a request, rebuilt from the memo's key."""

    def __init__(self, accept: str):
        self.headers = {"accept": accept}
        self.query_params = {}


@functools.lru_cache(maxsize=256)
def _choice(accept: str, renderer_classes: tuple, format_suffix) -> tuple[int, str]:
    renderers = [cls() for cls in renderer_classes]
    try:
        chosen, media_type = DefaultContentNegotiation().select_renderer(
            _Request(accept), renderers, format_suffix
        )
    except NotAcceptable:
        return 0, renderers[0].media_type
    return renderers.index(chosen), media_type
