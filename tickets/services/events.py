"""Creating and changing events; each gets its own Ed25519 key pair, sealed at rest."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User, Workspace
from tickets import credentials
from tickets.models import Event
from tickets.services._common import check_can_edit

EDITABLE = (
    "name",
    "venue",
    "starts_at",
    "ends_at",
    "time_zone",
    "checkin_opens_at",
    "checkin_closes_at",
    "viewers_can_check_in",
)


EARLIEST_YEAR, LATEST_YEAR = 1970, 9999


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "Give the event a name."
    elif len(name) > 150:
        errors["name"] = "Use at most 150 characters."
    values["name"] = name
    values["venue"] = (values.get("venue") or "").strip()
    if len(values["venue"]) > 200:
        errors["venue"] = "Use at most 200 characters."
    for field in ("starts_at", "ends_at", "checkin_opens_at", "checkin_closes_at"):
        value = values.get(field)
        if field in ("starts_at", "ends_at") and not isinstance(value, datetime):
            errors[field] = "Give a date and time."
        elif isinstance(value, datetime) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            # A year like 0275 is a typo for 2025, not an event; four-digit years also keep every
            # date the API writes in the one format its schema promises.
            errors[field] = f"Give a date between {EARLIEST_YEAR} and {LATEST_YEAR}."
    if not errors and values["ends_at"] < values["starts_at"]:
        errors["ends_at"] = "The event cannot end before it starts."
    opens, closes = values.get("checkin_opens_at"), values.get("checkin_closes_at")
    if opens and closes and closes <= opens:
        errors["checkin_closes_at"] = "Check-in must close after it opens."
    zone = values.get("time_zone") or "UTC"
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = f"“{zone}” is not a time zone name (like Europe/Berlin)."
    values["time_zone"] = zone
    if errors:
        raise ValidationError(errors)
    return values


def event_create(
    *,
    workspace: Workspace,
    actor: User,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    time_zone: str = "UTC",
    checkin_opens_at: datetime | None = None,
    checkin_closes_at: datetime | None = None,
    viewers_can_check_in: bool = False,
    sandbox: bool = False,
) -> Event:
    """A new event with a fresh key pair (its private half sealed with TICKET_KEY); a sandbox
    event (`sandbox`, a test key's) with its tickets and check-ins is seen by test keys only."""
    check_can_edit(actor, workspace.pk)
    values = _clean(
        {
            "name": name,
            "venue": venue,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "time_zone": time_zone,
            "checkin_opens_at": checkin_opens_at,
            "checkin_closes_at": checkin_closes_at,
            "viewers_can_check_in": bool(viewers_can_check_in),
        }
    )
    private, public = credentials.key_pair_new()
    for _ in range(5):
        event = Event(workspace=workspace, public_key=public, is_test=bool(sandbox), **values)
        event.tag = credentials.new_event_tag()
        event.private_key_sealed = credentials.private_key_seal(
            private, secret=settings.TICKET_KEY, event_id=event.public_id
        )
        try:
            # A savepoint: a tag drawn twice (1 in 4 billion) is redrawn, not a failure.
            with transaction.atomic():
                event.save()
            return event
        except IntegrityError:
            if not Event.objects.filter(tag=event.tag).exists():
                raise
    raise RuntimeError("could not draw an unused event tag")


@transaction.atomic
def event_update(*, event: Event, actor: User, **changes: Any) -> Event:
    check_can_edit(actor, event.workspace_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    values = _clean({field: changes.get(field, getattr(event, field)) for field in EDITABLE})
    for field, value in values.items():
        setattr(event, field, value)
    event.save(update_fields=[*EDITABLE, "updated_at"])
    return event


@transaction.atomic
def event_delete(*, event: Event, actor: User) -> None:
    """Delete the event with its tickets and check-ins (the dashboard asks to confirm)."""
    check_can_edit(actor, event.workspace_id)
    event.delete()


def event_private_key(event: Event) -> bytes:
    return credentials.private_key_open(
        bytes(event.private_key_sealed), secret=settings.TICKET_KEY, event_id=event.public_id
    )
