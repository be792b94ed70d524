"""Engine and service messages, reworded for the dashboard.

The render engine and the services speak the API's language ("use a darker colour or change
background_color"), which is right for an integrator. A marketer sees the editor's controls, so
the dashboard names each control as it is labelled on the page and gives every message a
subject ("The logo is 19.4 MB", not "is 19.4 MB").
"""

import re

# The API's names for design settings -> what the editor's controls are called.
CONTROL_LABELS = {
    "foreground_color": "Foreground",
    "background_color": "Background",
    "allow_inverted": "Allow light-on-dark",
    "finder_frame_color": "Eye frame colour",
    "finder_ball_color": "Eye ball colour",
    "frame_color": "Frame colour",
    "logo_size": "Logo size",
    "error_correction": "Error correction",
    "margin": "Quiet zone",
    "label_font_size": "Label size",
    "module_shape": "Pattern",
}
_NAMES = re.compile(r"\b(" + "|".join(map(re.escape, CONTROL_LABELS)) + r")\b")


def for_marketer(message: str, *, subject: str = "", labels: dict | None = None) -> str:
    """`message` with API field names replaced by the controls' labels (`labels` overrides the
    defaults with the form's own), a `subject` put in front of a message that has none, and a
    capital letter."""
    names = {**CONTROL_LABELS, **(labels or {})}
    text = _NAMES.sub(lambda match: f"“{names.get(match.group(1), match.group(1))}”", message)
    if subject and text[:1].islower():
        text = f"{subject} {text}"
    return text[:1].upper() + text[1:]
