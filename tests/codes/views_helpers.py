"""Helpers for the dashboard view tests: codes made through the services, htmx headers."""

import io

from PIL import Image

from codes import services

HTMX = {"HTTP_HX_REQUEST": "true"}


def htmx(target: str | None = None) -> dict:
    headers = dict(HTMX)
    if target:
        headers["HTTP_HX_TARGET"] = target
    return headers


def make_code(workspace, user, **kwargs):
    kwargs.setdefault("destination", "https://example.com/spring")
    kwargs.setdefault("name", "Spring menu")
    return services.code_create(workspace=workspace, actor=user, **kwargs)


def logo_png(color=(220, 40, 60), size=64) -> bytes:
    image = Image.new("RGB", (size, size), color)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def editor_data(**overrides) -> dict:
    """A complete editor form post for a dynamic URL code in the default design."""
    data = {
        "type": "url",
        "kind": "dynamic",
        "destination": "https://example.com/spring",
        "name": "Spring menu",
        "group": "",
        "foreground_color": "#000000",
        "background_color": "#ffffff",
        "gradient_kind": "linear",
        "gradient_start": "#4f46e5",
        "gradient_end": "#7e22ce",
        "gradient_angle": "45",
        "module_shape": "square",
        "finder_frame_shape": "square",
        "finder_ball_shape": "square",
        "finder_frame_color": "#4f46e5",
        "finder_ball_color": "#1e1b4b",
        "logo": "",
        "logo_size": "0.2",
        "frame": "none",
        "label": "",
        "label_font_size": "28",
        "frame_color": "#000000",
        "error_correction": "M",
        "margin": "4",
        "metadata": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
