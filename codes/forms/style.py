"""The design form: every option of the render engine's `Style`, in words a marketer uses.

The engine's `Style.from_dict` stays the one validator; this form only maps pickers and
checkboxes ("custom eye colour") to the spec's optional fields and maps the engine's field
names back to the controls that set them, so a refusal shows next to the right control.
"""

from __future__ import annotations

from django import forms

from codes.forms.wording import for_marketer
from codes.rendering import (
    ERROR_LEVELS,
    FINDER_BALL_SHAPES,
    FINDER_FRAME_SHAPES,
    FRAMES,
    GRADIENT_KINDS,
    MODULE_SHAPES,
    SpecError,
    Style,
)
from codes.rendering.spec import (
    MAX_FONT_SIZE,
    MAX_LABEL_LENGTH,
    MAX_LOGO_SIZE,
    MAX_MARGIN,
    MIN_FONT_SIZE,
    MIN_LOGO_SIZE,
    MIN_MARGIN,
)

SHAPE_LABELS = {
    "square": "Square",
    "rounded": "Rounded",
    "dots": "Dots",
    "gapped": "Gapped",
    "vbars": "Vertical bars",
    "hbars": "Horizontal bars",
    "circle": "Circle",
}
FRAME_LABELS = {"none": "No frame", "box": "Box", "banner": "Banner", "badge": "Badge"}
ERROR_LABELS = {
    "L": "Low (7 %)",
    "M": "Medium (15 %)",
    "Q": "Quartile (25 %)",
    "H": "High (30 %)",
}
# Engine field -> the control that sets it, for errors from Style.from_dict and the scan check.
ERROR_FIELDS = {
    "gradient": "gradient_start",
    "logo": "logo_upload",
    "style": None,
}


class ColorInput(forms.TextInput):
    input_type = "color"


def _color(label: str, initial: str, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, initial=initial, max_length=9, widget=ColorInput(), **kwargs
    )


def _choices(values, labels) -> list[tuple[str, str]]:
    return [(value, labels.get(value, value.title())) for value in values]


class StyleForm(forms.Form):
    """How the code looks. `style` (the spec dict) is set once the form is valid."""

    foreground_color = _color("Code colour", "#000000")
    background_color = _color("Background", "#ffffff")
    transparent_background = forms.BooleanField(
        label="Transparent background",
        required=False,
        help_text="Only for printing on a light surface.",
    )
    use_gradient = forms.BooleanField(label="Use a gradient", required=False)
    gradient_kind = forms.ChoiceField(
        label="Gradient", choices=_choices(GRADIENT_KINDS, {}), initial="linear", required=False
    )
    gradient_start = _color("From", "#4f46e5", required=False)
    gradient_end = _color("To", "#7e22ce", required=False)
    gradient_angle = forms.IntegerField(
        label="Angle",
        initial=45,
        min_value=-360,
        max_value=360,
        required=False,
        widget=forms.NumberInput(attrs={"step": 15}),
        help_text="Degrees; 0 runs left to right, 90 top to bottom.",
    )
    module_shape = forms.ChoiceField(
        label="Pattern",
        choices=_choices(MODULE_SHAPES, SHAPE_LABELS),
        initial="square",
        widget=forms.RadioSelect,
    )
    finder_frame_shape = forms.ChoiceField(
        label="Eye frame",
        choices=_choices(FINDER_FRAME_SHAPES, SHAPE_LABELS),
        initial="square",
        widget=forms.RadioSelect,
    )
    finder_ball_shape = forms.ChoiceField(
        label="Eye ball",
        choices=_choices(FINDER_BALL_SHAPES, SHAPE_LABELS),
        initial="square",
        widget=forms.RadioSelect,
    )
    custom_finder_colors = forms.BooleanField(label="Colour the eyes", required=False)
    finder_frame_color = _color("Eye frame colour", "#4f46e5", required=False)
    finder_ball_color = _color("Eye ball colour", "#1e1b4b", required=False)
    logo = forms.ChoiceField(label="Logo", required=False, widget=forms.RadioSelect)
    logo_upload = forms.FileField(
        label="Upload a logo",
        required=False,
        help_text="PNG, JPEG, WebP or GIF up to 5 MB. SVG is not accepted.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
        ),
    )
    logo_size = forms.FloatField(
        label="Logo size",
        initial=0.2,
        min_value=MIN_LOGO_SIZE,
        max_value=MAX_LOGO_SIZE,
        widget=forms.NumberInput(
            attrs={"type": "range", "step": "0.01", "min": MIN_LOGO_SIZE, "max": MAX_LOGO_SIZE}
        ),
        help_text="Share of the code's width. Bigger logos are harder to scan.",
    )
    frame = forms.ChoiceField(
        label="Frame",
        choices=_choices(FRAMES, FRAME_LABELS),
        initial="none",
        widget=forms.RadioSelect,
    )
    label = forms.CharField(
        label="Label",
        max_length=MAX_LABEL_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "SCAN ME"}),
        help_text="Printed in the frame.",
    )
    label_font_size = forms.IntegerField(
        label="Label size", initial=28, min_value=MIN_FONT_SIZE, max_value=MAX_FONT_SIZE
    )
    custom_frame_color = forms.BooleanField(label="Custom frame colour", required=False)
    frame_color = _color("Frame colour", "#000000", required=False)
    error_correction = forms.ChoiceField(
        label="Error correction",
        choices=_choices(ERROR_LEVELS, ERROR_LABELS),
        initial="M",
        help_text="How much can be scratched or covered and still scan. A logo always uses High.",
    )
    margin = forms.IntegerField(
        label="Quiet zone",
        initial=4,
        min_value=MIN_MARGIN,
        max_value=MAX_MARGIN,
        help_text="Blank border in modules; 4 is the standard.",
    )
    allow_inverted = forms.BooleanField(
        label="Allow light-on-dark",
        required=False,
        help_text="Many phone readers cannot scan inverted codes.",
    )

    def __init__(self, *args, logos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.logos = list(logos)
        self.fields["logo"].choices = [("", "No logo")] + [
            (logo.public_id, logo.name or "Logo") for logo in self.logos
        ]
        self.style: dict = {}

    @classmethod
    def initial_from_style(cls, style: dict, logo_id: str = "") -> dict:
        """A stored style (spec dict) -> the form's initial values."""
        spec = Style.from_dict(style or {}).to_dict()
        initial = {key: value for key, value in spec.items() if key in cls.base_fields}
        for key in ("foreground_color", "background_color"):
            initial[key] = _html_color(spec[key], "#ffffff")
        initial["transparent_background"] = spec["background_color"] == "transparent"
        gradient = spec.get("gradient")
        if gradient:
            initial.update(
                use_gradient=True,
                gradient_kind=gradient["kind"],
                gradient_start=_html_color(gradient["start_color"]),
                gradient_end=_html_color(gradient["end_color"]),
                gradient_angle=round(gradient["angle"]),
            )
        if spec["finder_frame_color"] or spec["finder_ball_color"]:
            initial["custom_finder_colors"] = True
            initial["finder_frame_color"] = _html_color(
                spec["finder_frame_color"] or spec["foreground_color"]
            )
            initial["finder_ball_color"] = _html_color(
                spec["finder_ball_color"] or spec["foreground_color"]
            )
        if spec["frame_color"]:
            initial["custom_frame_color"] = True
            initial["frame_color"] = _html_color(spec["frame_color"])
        initial["logo"] = logo_id
        return initial

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.style = Style.from_dict(self._spec(cleaned)).to_dict()
        except SpecError as exc:
            for field, message in exc.fields.items():
                self.add_engine_error(field, message)
        return cleaned

    def design(self) -> dict | None:
        """The spec this form shows: the posted design once valid, else the initial one."""
        if self.is_bound:
            return self.style if self.is_valid() else None
        values = {
            name: self[name].value() for name in self.fields if name not in ("logo", "logo_upload")
        }
        try:
            return Style.from_dict(self._spec(values)).to_dict()
        except SpecError:
            return None

    def add_engine_error(self, field: str, message: str) -> None:
        """Put an engine message ("contrast 2.1:1 ... use a darker colour") on its control."""
        target = ERROR_FIELDS.get(field, field)
        self.add_error(target if target in self.fields else None, self.reworded(message))

    def reworded(self, message: str) -> str:
        """An engine message naming the controls as this form labels them."""
        return for_marketer(message, labels={n: f.label for n, f in self.fields.items()})

    def _spec(self, data: dict) -> dict:
        spec = {
            "foreground_color": data["foreground_color"],
            "background_color": (
                "transparent" if data.get("transparent_background") else data["background_color"]
            ),
            "error_correction": data["error_correction"],
            "margin": data["margin"],
            "module_shape": data["module_shape"],
            "finder_frame_shape": data["finder_frame_shape"],
            "finder_ball_shape": data["finder_ball_shape"],
            "logo_size": round(data["logo_size"], 2),
            "frame": data["frame"],
            "label": data.get("label") or "",
            "label_font_size": data["label_font_size"],
            "allow_inverted": bool(data.get("allow_inverted")),
        }
        if data.get("use_gradient"):
            spec["gradient"] = {
                "kind": data.get("gradient_kind") or "linear",
                "start_color": data.get("gradient_start") or data["foreground_color"],
                "end_color": data.get("gradient_end") or data["foreground_color"],
                "angle": data.get("gradient_angle") or 0,
            }
        if data.get("custom_finder_colors"):
            spec["finder_frame_color"] = data.get("finder_frame_color") or None
            spec["finder_ball_color"] = data.get("finder_ball_color") or None
        if data.get("custom_frame_color") and data.get("frame_color"):
            spec["frame_color"] = data["frame_color"]
        return spec


def _html_color(value: str | None, fallback: str = "#000000") -> str:
    """`<input type=color>` takes #rrggbb only: drop the alpha the spec may carry."""
    if not value or not value.startswith("#") or len(value) < 7:
        return fallback
    return value[:7].lower()
