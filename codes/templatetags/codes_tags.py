"""Template helpers for the codes pages: labels and one-line summaries of a code."""

from datetime import datetime, timedelta

from django import template
from django.conf import settings
from django.utils.formats import date_format

from codes.models import Status
from codes.rendering import CONTENT_TYPES, refused_combinations

register = template.Library()

STATUS_LABELS = {
    Status.ACTIVE: ("Active", "active"),
    Status.INACTIVE: ("Paused", "paused"),
    Status.EXPIRED: ("Expired", "expired"),
    Status.LIMIT_REACHED: ("Limit reached", "expired"),
    Status.DELETED: ("Deleted", "expired"),
}
# The field that best names a code of each content type, for its row in the list.
SUMMARY_FIELDS = {
    "text": ("text",),
    "wifi": ("ssid",),
    "vcard": ("first_name", "last_name", "organization"),
    "mecard": ("name",),
    "email": ("to",),
    "sms": ("number",),
    "phone": ("number",),
    "geo": ("latitude", "longitude"),
    "event": ("title", "start"),
}


@register.filter
def eyes_refused_with(ball_shape: str) -> str:
    """The eye frame shapes the guard refuses this ball shape in, space-separated."""
    frames = refused_combinations()["finder_frame_shape"]
    return " ".join(frame for frame, balls in frames.items() if ball_shape in balls)


@register.filter
def content_label(content_type: str) -> str:
    spec = CONTENT_TYPES.get(content_type)
    return spec.label if spec else content_type


@register.filter
def content_summary(code) -> str:
    """What the code opens, in a line: the destination, the network name, the contact..."""
    if code.content_type == "url":
        return code.destination
    content = code.content or {}
    parts = [
        str(content[name])
        for name in SUMMARY_FIELDS.get(code.content_type, ())
        if content.get(name)
    ]
    if code.content_type == "event" and content.get("start"):
        parts = [str(content["title"])] if content.get("title") else []
        parts.append(_when(content["start"]))
    text = ", ".join(parts) if code.content_type in ("geo", "event") else " ".join(parts)
    return text[:120]


def _when(value) -> str:
    """An event's start as people write it ("10 Apr 2026, 18:00"), not as it is stored."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if len(str(value)) <= 10:
        return date_format(moment.date(), "j M Y")
    return date_format(moment, "j M Y, H:i")


@register.filter
def status_label(code) -> str:
    return STATUS_LABELS.get(code.status, (code.status, ""))[0]


@register.filter
def status_class(code) -> str:
    return STATUS_LABELS.get(code.status, ("", ""))[1]


@register.filter
def content_fields(code) -> list[tuple[str, object]]:
    """(label, value) of a content code's filled fields, for the code page."""
    spec = CONTENT_TYPES.get(code.content_type)
    if spec is None or code.content_type == "url":
        return []
    content = code.content or {}
    rows = []
    for field in spec.fields:
        value = content.get(field.name)
        if value in (None, "", [], False):
            continue
        if field.name == "password":
            value = "•" * min(
                len(str(value)), 12
            )  # shown on screen share; it is in the image anyway
        elif isinstance(value, list):
            value = ", ".join(value)
        elif value is True:
            value = "Yes"
        rows.append((field.label, value))
    return rows


@register.filter
def purge_date(deleted_at):
    """When a code deleted at `deleted_at` leaves the trash for good."""
    return deleted_at + timedelta(days=settings.CODES_TRASH_DAYS) if deleted_at else None
