"""What a code is (name, kind, destination, group) and its advanced options."""

from __future__ import annotations

import re

from django import forms
from django.forms.fields import InvalidJSONInput

from codes.models import Kind
from qrsite.text import MAX_JSON_DEPTH, json_problem


class MetadataField(forms.JSONField):
    """JSON that the database can store: not too deep for the parser, no NUL characters or
    unpaired surrogates (valid JSON escapes that no response could show again)."""

    def to_python(self, value):
        try:
            value = super().to_python(value)
        except RecursionError:
            raise forms.ValidationError(
                f"Nested more than {MAX_JSON_DEPTH} levels deep; flatten it.", code="invalid"
            ) from None
        problem = json_problem(value)
        if problem is not None:
            raise forms.ValidationError(f"This JSON {problem}.", code="invalid")
        return value

    def bound_data(self, data, initial):
        # Redisplaying refused input: show the text as typed, never the parsed value (whose
        # surrogates could not be encoded into the page).
        try:
            value = super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)
        if not isinstance(value, InvalidJSONInput) and json_problem(value) is not None:
            return InvalidJSONInput(data)
        return value


# "brandco.example/page": a host name (with a dot) and maybe a path, typed without a scheme.
_BARE_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+(?:[:/?#].*)?$", re.I)


def with_https(value: str) -> tuple[str, bool]:
    """(destination, whether https:// was added): people type addresses the way they say them."""
    if value and "://" not in value and _BARE_HOST.match(value):
        return f"https://{value}", True
    return value, False


class CodeForm(forms.Form):
    """The code's own fields. On edit, `kind` and the custom slug are fixed and left out."""

    name = forms.CharField(
        # Not just "Name": a contact card's form has a "Name" of its own on the same page.
        label="Name in your list",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Spring menu – table cards"}),
        help_text="Only you see it; it helps you find the code later.",
    )
    kind = forms.ChoiceField(
        label="Type of code",
        choices=[(Kind.DYNAMIC, "Dynamic"), (Kind.STATIC, "Static")],
        initial=Kind.DYNAMIC,
        widget=forms.RadioSelect,
    )
    destination = forms.CharField(
        label="Destination URL",
        max_length=2048,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/spring-menu"}),
    )
    group = forms.ChoiceField(label="Campaign group", required=False)
    slug = forms.CharField(
        label="Custom short link",
        max_length=64,
        required=False,
        help_text="Optional: 3–64 letters, digits, “-” or “_”. Leave empty for a random one.",
    )
    expires_at = forms.DateTimeField(
        label="Expires",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="After this time (UTC) scans show an “expired” page.",
    )
    scan_limit = forms.IntegerField(
        label="Scan limit",
        required=False,
        min_value=1,
        help_text="Stop redirecting after this many scans.",
    )
    pass_query_string = forms.BooleanField(
        label="Pass query parameters on to the destination",
        required=False,
        help_text="…/r/abc?utm_source=flyer forwards utm_source=flyer.",
    )
    external_id = forms.CharField(
        label="External ID",
        max_length=255,
        required=False,
        help_text="Your own reference, e.g. a product SKU.",
    )
    metadata = MetadataField(
        label="Metadata (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": '{"campaign": "spring"}'}),
    )

    def __init__(self, *args, content_type: str, groups=(), editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.added_scheme = False
        self.content_type = content_type
        self.editing = editing
        self.fields["group"].choices = [("", "No group")] + [
            (group.public_id, group.name) for group in groups
        ]
        if content_type == "url":
            self.fields["destination"].required = True
            self.fields["destination"].error_messages["required"] = (
                "Give the web address the code opens."
            )
        if editing is not None:
            # Neither can change once printed: the kind decides what the symbol encodes.
            del self.fields["kind"]
            del self.fields["slug"]
        if content_type != "url":
            self.fields.pop("kind", None)
            self.fields.pop("slug", None)
            del self.fields["destination"]
            for name in ("pass_query_string", "expires_at", "scan_limit"):
                del self.fields[name]
        elif editing is not None and not editing.is_dynamic:
            for name in ("pass_query_string", "expires_at", "scan_limit"):
                del self.fields[name]

    @property
    def is_dynamic(self) -> bool:
        if self.editing is not None:
            return self.editing.is_dynamic
        if self.content_type != "url":
            return False
        value = self["kind"].value() if "kind" in self.fields else Kind.STATIC
        return value == Kind.DYNAMIC

    def clean_destination(self):
        value, self.added_scheme = with_https((self.cleaned_data.get("destination") or "").strip())
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("metadata") is not None and not isinstance(cleaned["metadata"], dict):
            self.add_error("metadata", 'Give an object, like {"campaign": "spring"}.')
        if cleaned.get("kind") == Kind.STATIC:
            cleaned["slug"] = ""
        return cleaned
