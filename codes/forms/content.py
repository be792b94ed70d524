"""Per-content-type forms, generated from the render engine's field descriptions.

The engine (`CONTENT_TYPES`) is the one place that knows what a Wi-Fi code or a vCard holds;
these forms only choose a widget per field kind and turn the posted strings into the JSON the
services store. Validation is the engine's own (`encode_content`), so the dashboard, the API
and the services refuse exactly the same input with the same message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import cache

from django import forms

from codes.rendering import CONTENT_TYPES, SpecError, encode_content

# The order of the type picker: the common cases first.
TYPE_ORDER = ("url", "wifi", "vcard", "text", "email", "sms", "phone", "geo", "event", "mecard")
TYPE_HINTS = {
    "url": "Open a web page",
    "wifi": "Join a network",
    "vcard": "Save a contact",
    "mecard": "Save a contact (compact)",
    "text": "Show a message",
    "email": "Write an email",
    "sms": "Send a text",
    "phone": "Make a call",
    "geo": "Open a map",
    "event": "Add to calendar",
}
# Short names for the type picker; the engine's labels ("Contact card (vCard)") elsewhere.
SHORT_LABELS = {
    "url": "Website",
    "wifi": "Wi-Fi",
    "vcard": "Contact",
    "mecard": "MeCard",
    "text": "Text",
    "email": "Email",
    "sms": "SMS",
    "phone": "Phone call",
    "geo": "Location",
    "event": "Event",
}
CHOICE_LABELS = {"WPA": "WPA / WPA2 / WPA3", "WEP": "WEP (old)", "nopass": "None (open network)"}
# A static URL code is the only kind whose content is a destination rather than fields.
PREFIX = "content"


def content_type_choices() -> list[tuple[str, str]]:
    names = [name for name in TYPE_ORDER if name in CONTENT_TYPES]
    names += [name for name in CONTENT_TYPES if name not in names]
    return [(name, CONTENT_TYPES[name].label) for name in names]


def content_type_hint(name: str) -> str:
    return TYPE_HINTS.get(name, "")


def content_type_short_label(name: str) -> str:
    return SHORT_LABELS.get(name) or CONTENT_TYPES[name].label


def _form_field(spec) -> forms.Field:
    common = {"label": spec.label, "required": spec.required, "help_text": spec.help_text}
    kind = spec.kind
    if kind == "bool":
        return forms.BooleanField(label=spec.label, required=False, help_text=spec.help_text)
    if kind == "choice":
        choices = [(c, CHOICE_LABELS.get(c, c)) for c in spec.choices]
        if not spec.required:
            return forms.ChoiceField(
                choices=choices, initial=spec.choices[0], **common | {"required": False}
            )
        return forms.ChoiceField(choices=choices, **common)
    if kind == "float":
        return forms.FloatField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if kind == "datetime":
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            **common,
        )
    if kind == "list":
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            **common | {"help_text": spec.help_text or "One per line"},
        )
    widgets = {
        "multiline": forms.Textarea(attrs={"rows": 3}),
        "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        "url": forms.URLInput(attrs={"placeholder": "https://"}),
        "phone": forms.TextInput(attrs={"type": "tel", "placeholder": "+1 415 555 0100"}),
    }
    return forms.CharField(
        max_length=spec.max_length, widget=widgets.get(kind, forms.TextInput()), **common
    )


class ContentForm(forms.Form):
    """The fields of one content type; `content` and `payload` are set once it is valid."""

    content_type: str = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.content: dict = {}
        self.payload: str = ""

    @classmethod
    def initial_from_content(cls, content: dict) -> dict:
        """Stored JSON -> form initial values (lists become lines, ISO times datetimes)."""
        initial = {}
        for spec in CONTENT_TYPES[cls.content_type].fields:
            value = content.get(spec.name)
            if value is None:
                continue
            if spec.kind == "list" and isinstance(value, list):
                value = "\n".join(value)
            elif spec.kind == "datetime" and isinstance(value, str):
                with contextlib.suppress(ValueError):  # shown as stored if it is not ISO
                    value = dt.datetime.fromisoformat(value)
            initial[spec.name] = value
        return initial

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        content = {}
        for spec in CONTENT_TYPES[self.content_type].fields:
            value = cleaned.get(spec.name)
            if value in (None, "", False):
                continue  # absent, as the engine and the API see it
            if spec.kind == "datetime":
                # Stored as JSON: an ISO string. A naive time is a "floating" local time,
                # which is what a printed event poster means.
                value = value.replace(tzinfo=None).isoformat(timespec="minutes")
            elif spec.kind == "list":
                value = [line.strip() for line in value.splitlines() if line.strip()]
            content[spec.name] = value
        try:
            self.payload = encode_content(self.content_type, content)
        except SpecError as exc:
            for field, message in exc.fields.items():
                self.add_error(field if field in self.fields else None, _sentence(message))
        self.content = content
        return cleaned


def _sentence(message: str) -> str:
    """Engine messages are fragments ("is required"); a form shows them as sentences."""
    message = message.strip()
    if message.startswith(("is ", "must ", "contains ")):
        message = f"This field {message}"
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else f"{message}."


@cache
def content_form_class(content_type: str) -> type[ContentForm]:
    spec = CONTENT_TYPES[content_type]
    attrs = {field.name: _form_field(field) for field in spec.fields}
    attrs["content_type"] = content_type
    return type(f"{content_type.title()}ContentForm", (ContentForm,), attrs)
