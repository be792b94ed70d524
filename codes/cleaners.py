"""Field cleaners shared by the services: each returns the cleaned value or raises
ValidationError({field: message}); `FieldErrors` collects them so one refusal names every
field at fault."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone

from codes.render_errors import engine_refusals
from codes.rendering import Style, encode_content
from qrsite.text import UNSTORABLE_TEXT, is_unstorable, json_problem

MAX_METADATA_BYTES = 16_384


class FieldErrors(dict):
    """Collects field errors so one refusal names every field at fault."""

    def run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, messages in exc.message_dict.items():
                    self.setdefault(field, []).extend(messages)
            else:
                self.setdefault("__all__", []).extend(exc.messages)
            return None

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def clean_text(value: str, *, field: str) -> str:
    """Any free text: refuses what no database stores or response can carry."""
    value = str(value or "")
    if is_unstorable(value):
        raise ValidationError({field: f"The text {UNSTORABLE_TEXT}."})
    return value


def _check_json(value, field: str, what: str) -> None:
    problem = json_problem(value)
    if problem is not None:
        raise ValidationError({field: f"{what} {problem}."})


def clean_name(value: str, *, field: str = "name", required: bool = False, limit=200) -> str:
    value = " ".join(clean_text(value, field=field).split())
    if required and not value:
        raise ValidationError({field: "Give it a name."})
    if len(value) > limit:
        raise ValidationError({field: f"Use at most {limit} characters."})
    return value


@engine_refusals()
def clean_style(style: dict | None) -> dict:
    if isinstance(style, dict):
        # Named by option, as the engine names what it refuses.
        _check_json(list(style), "style", "An option name")
        for name, value in style.items():
            _check_json(value, str(name), "The value")
    return json.loads(_cleaned_style_json(json.dumps(style or {}, sort_keys=True)))


@lru_cache(maxsize=256)
def _cleaned_style_json(style_json: str) -> str:
    # An import gives every row the same style: it is read by the engine once, not per row.
    # A refusal raises, and is not cached.
    return json.dumps(Style.from_dict(json.loads(style_json)).to_dict())


@engine_refusals()
def clean_content(content_type: str, content: dict | None) -> dict:
    content = content or {}
    if not isinstance(content, dict):
        raise ValidationError({"content": "Give the content as an object of fields."})
    _check_json(list(content), "content", "A field name")
    for name, value in content.items():
        _check_json(value, str(name), "The value")
    encode_content(content_type, content)  # validates field by field
    return content


def clean_expires_at(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValidationError({"expires_at": "Give a date and time with a time zone."})
    if value <= timezone.now():
        raise ValidationError({"expires_at": "Choose a time in the future."})
    return value


def clean_scan_limit(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        raise ValidationError({"scan_limit": "Give a whole number of scans, at least 1."})
    return value


def clean_metadata(value: dict | None) -> dict:
    value = {} if value is None else value
    if not isinstance(value, dict):
        raise ValidationError({"metadata": "Give metadata as a JSON object."})
    _check_json(value, "metadata", "Metadata")
    try:
        size = len(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise ValidationError({"metadata": "Metadata must be plain JSON."}) from exc
    if size > MAX_METADATA_BYTES:
        raise ValidationError({"metadata": f"Keep metadata under {MAX_METADATA_BYTES} bytes."})
    return value


def clean_external_id(value: str) -> str:
    value = clean_text(value, field="external_id").strip()
    if len(value) > 255:
        raise ValidationError({"external_id": "Use at most 255 characters."})
    return value
