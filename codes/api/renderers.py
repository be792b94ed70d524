"""Renderers that let content negotiation pick an image type; the views hand them bytes."""

from rest_framework.renderers import BaseRenderer

from codes.rendering.engine import CONTENT_TYPES_BY_FORMAT
from qrsite.api.renderers import JSONRenderer


class ImageRenderer(BaseRenderer):
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _image_renderer(fmt: str, mime: str) -> type[ImageRenderer]:
    return type(f"{fmt.upper()}Renderer", (ImageRenderer,), {"media_type": mime, "format": fmt})


IMAGE_RENDERERS = [_image_renderer(fmt, mime) for fmt, mime in CONTENT_TYPES_BY_FORMAT.items()]
FORMAT_BY_MEDIA_TYPE = {mime: fmt for fmt, mime in CONTENT_TYPES_BY_FORMAT.items()}
JSON_AND_IMAGES = [JSONRenderer, *IMAGE_RENDERERS]
