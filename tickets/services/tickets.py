"""Issuing, changing, revoking and reissuing tickets.

A ticket's serial comes from its event's counter, taken under a row lock so two issuers never
draw the same one. Revoking or reissuing puts the ticket's current (serial, nonce) on the
event's revocation list and raises the list's version: door devices that synced before see a
newer version in the next kit and refresh.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from tickets import credentials
from tickets.models import Event, RevokedCredential, Ticket, TicketStatus
from tickets.services._common import check_can_edit
from tickets.services.events import event_private_key
from tickets.signals import ticket_revoked

TEXT_LIMITS = {"holder_name": 150, "holder_email": 254, "ticket_type": 80, "external_id": 255}
# One request or one CSV chunk; larger imports go through a job (tickets.imports).
ISSUE_MANY_MAX = 1000


class ItemErrors(ValidationError):
    """Some items of a batch were refused: `by_index` maps their position to the error."""

    def __init__(self, by_index: dict[int, ValidationError]):
        self.by_index = by_index
        first = min(by_index)
        super().__init__({f"items[{first}]": by_index[first].messages})


def _clean_holder(values: dict[str, Any]) -> dict[str, str]:
    errors = {}
    cleaned = {}
    for field, limit in TEXT_LIMITS.items():
        value = values.get(field) or ""
        if not isinstance(value, str):
            errors[field] = "Give text."
            continue
        value = value.strip()
        if len(value) > limit:
            errors[field] = f"Use at most {limit} characters."
        cleaned[field] = value
    if not errors.get("holder_name") and not cleaned.get("holder_name"):
        errors["holder_name"] = "Give the ticket holder's name."
    if cleaned.get("holder_email") and "holder_email" not in errors:
        try:
            validate_email(cleaned["holder_email"])
        except ValidationError:
            errors["holder_email"] = f"“{cleaned['holder_email']}” is not an email address."
    if errors:
        raise ValidationError(errors)
    return cleaned


def _sign(event: Event, private_key: bytes, serial: int, nonce: bytes) -> str:
    return credentials.credential_issue(
        private_key=private_key, event_tag=bytes(event.tag), serial=serial, nonce=nonce
    )


@transaction.atomic
def ticket_issue_many(*, event: Event, actor: User, items: list[dict]) -> list[Ticket]:
    """Issue several tickets at once, all or nothing: `ItemErrors` lists every refused item."""
    check_can_edit(actor, event.workspace_id)
    if len(items) > ISSUE_MANY_MAX:
        raise ValidationError({"items": f"Issue at most {ISSUE_MANY_MAX:,} tickets at once."})
    failed: dict[int, ValidationError] = {}
    cleaned: list[dict[str, str]] = []
    for index, item in enumerate(items):
        try:
            cleaned.append(_clean_holder(item))
        except ValidationError as exc:
            failed[index] = exc
            cleaned.append({})
    seen: dict[str, int] = {}
    for index, item in enumerate(cleaned):
        external_id = item.get("external_id")
        if external_id and external_id in seen:
            failed[index] = ValidationError(
                {"external_id": f"“{external_id}” is also in item {seen[external_id]}."}
            )
        elif external_id:
            seen[external_id] = index
    taken = set(
        Ticket.objects.filter(event=event, external_id__in=list(seen)).values_list(
            "external_id", flat=True
        )
    )
    for external_id in taken:
        failed[seen[external_id]] = ValidationError(
            {"external_id": f"This event already has a ticket with external id “{external_id}”."}
        )
    if failed:
        raise ItemErrors(failed)
    # The lock orders concurrent issuers: each takes its own range of serials.
    locked = Event.objects.select_for_update().get(pk=event.pk)
    first = locked.next_serial
    Event.objects.filter(pk=event.pk).update(next_serial=F("next_serial") + len(cleaned))
    event.next_serial = first + len(cleaned)
    private_key = event_private_key(event)
    tickets = []
    for offset, item in enumerate(cleaned):
        serial, nonce = first + offset, credentials.new_nonce()
        tickets.append(
            Ticket(
                workspace_id=event.workspace_id,
                event=event,
                serial=serial,
                nonce=nonce,
                payload=_sign(event, private_key, serial, nonce),
                **item,
            )
        )
    return Ticket.objects.bulk_create(tickets)


def ticket_issue(
    *,
    event: Event,
    actor: User,
    holder_name: str,
    holder_email: str = "",
    ticket_type: str = "",
    external_id: str = "",
) -> Ticket:
    item = {
        "holder_name": holder_name,
        "holder_email": holder_email,
        "ticket_type": ticket_type,
        "external_id": external_id,
    }
    try:
        (ticket,) = ticket_issue_many(event=event, actor=actor, items=[item])
    except ItemErrors as exc:
        raise exc.by_index[0] from None
    return ticket


@transaction.atomic
def ticket_update(*, ticket: Ticket, actor: User, **changes: Any) -> Ticket:
    check_can_edit(actor, ticket.workspace_id)
    unknown = set(changes) - set(TEXT_LIMITS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    values = _clean_holder({f: changes.get(f, getattr(ticket, f)) for f in TEXT_LIMITS})
    external_id = values["external_id"]
    if (
        external_id
        and Ticket.objects.filter(event_id=ticket.event_id, external_id=external_id)
        .exclude(pk=ticket.pk)
        .exists()
    ):
        raise ValidationError(
            {"external_id": f"This event already has a ticket with external id “{external_id}”."}
        )
    for field, value in values.items():
        setattr(ticket, field, value)
    ticket.save(update_fields=[*TEXT_LIMITS, "updated_at"])
    return ticket


def _revoke_credential(ticket: Ticket, reason: str) -> None:
    event = Event.objects.select_for_update().get(pk=ticket.event_id)
    version = event.revocation_version + 1
    Event.objects.filter(pk=event.pk).update(revocation_version=version)
    ticket.event.revocation_version = version
    RevokedCredential.objects.create(
        event_id=ticket.event_id,
        ticket=ticket,
        serial=ticket.serial,
        nonce=bytes(ticket.nonce),
        reason=reason,
        version=version,
    )


@transaction.atomic
def ticket_revoke(*, ticket: Ticket, actor: User) -> Ticket:
    """The ticket stops admitting, online and (after their next sync) at offline doors.
    Idempotent."""
    check_can_edit(actor, ticket.workspace_id)
    ticket = Ticket.objects.select_for_update().select_related("event").get(pk=ticket.pk)
    if ticket.is_revoked:
        return ticket
    _revoke_credential(ticket, RevokedCredential.Reason.REVOKED)
    ticket.status = TicketStatus.REVOKED
    ticket.revoked_at = timezone.now()
    ticket.save(update_fields=["status", "revoked_at", "updated_at"])
    ticket_revoked.send(sender=Ticket, ticket=ticket, reason="revoked")
    return ticket


@transaction.atomic
def ticket_reissue(*, ticket: Ticket, actor: User) -> Ticket:
    """A new code for the same ticket (a new nonce); the old code answers "revoked"."""
    check_can_edit(actor, ticket.workspace_id)
    ticket = Ticket.objects.select_for_update().select_related("event").get(pk=ticket.pk)
    if ticket.is_revoked:
        raise ValidationError({"status": "A revoked ticket cannot be reissued; issue a new one."})
    _revoke_credential(ticket, RevokedCredential.Reason.REISSUED)
    ticket.nonce = credentials.new_nonce()
    ticket.payload = _sign(
        ticket.event, event_private_key(ticket.event), ticket.serial, ticket.nonce
    )
    ticket.reissued_at = timezone.now()
    ticket.save(update_fields=["nonce", "payload", "reissued_at", "updated_at"])
    ticket_revoked.send(sender=Ticket, ticket=ticket, reason="reissued")
    return ticket
