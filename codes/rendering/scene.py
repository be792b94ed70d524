"""Everything a writer needs, resolved once: geometry, paints and the prepared logo."""

from dataclasses import dataclass

from . import geometry
from .geometry import Geometry
from .logo import Logo
from .spec import Gradient, Style

Paint = str | Gradient
PARTS = ("modules", "frames", "balls")


@dataclass(frozen=True)
class Scene:
    geom: Geometry
    style: Style
    logo: Logo | None

    @property
    def paints(self) -> dict[str, Paint]:
        module = self.style.gradient or self.style.foreground_color
        return {
            "modules": module,
            "frames": self.style.finder_frame_color or module,
            "balls": self.style.finder_ball_color or module,
        }

    def paint_groups(self) -> list[tuple[Paint, tuple[str, ...]]]:
        """Parts sharing a paint are drawn as one path (fewer bytes, no seams between them)."""
        groups: dict[Paint, list[str]] = {}
        for part, paint in self.paints.items():
            groups.setdefault(paint, []).append(part)
        return [(paint, tuple(parts)) for paint, parts in groups.items()]


def build_scene(payload: str, style: Style, logo: Logo | None) -> Scene:
    error = style.effective_error(has_logo=logo is not None)
    if logo is None:
        geom = geometry.build(payload, error)
    else:
        geom = geometry.build(payload, error, style.logo_size, round(logo.aspect, 4))
    return Scene(geom=geom, style=style, logo=logo)
