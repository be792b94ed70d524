"""Check-ins: one path for a single online scan and for an offline gate's upload.

Every scan becomes a `CheckIn` row with its answer. What makes the answers right:

- A client nonce identifies one scan on one device: an upload sent twice (a retry after a
  lost answer, a replayed offline queue) finds its rows and is answered from them, never
  counted again. The (event, client_nonce) constraint catches two copies racing.
- The tickets a call admits are locked (`select_for_update`) before their live check-in is
  read, so two gates scanning one ticket at the same moment are served one after the other
  and the second is told "already used". The partial unique constraint "one live valid
  check-in per ticket" backs that up (SQLite has no row locks): a call that hits it is
  retried once and then sees the winner.
- Offline scans carry the device's time. The earliest admission wins: an upload whose scan
  came before the ticket's current valid check-in takes its place, and the later one becomes
  "already used" with `conflict` set. Both gates let the person in, so the organiser sees the
  conflict; the ticket counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from qrsite import metrics
from tickets import credentials
from tickets.models import CheckIn, Event, Result, RevokedCredential, Ticket, TicketStatus
from tickets.services._common import check_can_check_in, check_can_edit
from tickets.signals import checkins_recorded

GATE_MAX = 40
NONCE_MAX = 64
# A device clock this far ahead is still believed; further, the scan is refused as misdated.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class ScanItem:
    payload: str
    gate: str = ""
    client_nonce: str = ""
    scanned_at: datetime | None = None  # None: now (an online scan)
    offline: bool = False
    # What the offline device told the person at the gate ("valid": it let them in).
    device_result: str = ""


@dataclass
class Outcome:
    result: str
    checkin: CheckIn
    ticket: Ticket | None = None
    first_checkin: CheckIn | None = None
    replayed: bool = False

    @property
    def conflict(self) -> bool:
        return self.checkin.conflict


def _clean_item(item: ScanItem, now: datetime) -> ScanItem:
    errors = {}
    if not isinstance(item.payload, str):
        errors["payload"] = "Give the scanned text."
    if not isinstance(item.gate, str) or len(item.gate) > GATE_MAX:
        errors["gate"] = f"Name the gate in at most {GATE_MAX} characters."
    if not isinstance(item.client_nonce, str) or len(item.client_nonce) > NONCE_MAX:
        errors["nonce"] = f"Use a nonce of at most {NONCE_MAX} characters."
    if item.scanned_at is not None and item.scanned_at > now + CLOCK_SKEW:
        errors["scanned_at"] = "This scan is dated in the future; check the device's clock."
    if errors:
        raise ValidationError(errors)
    item.gate = item.gate.strip()
    item.client_nonce = item.client_nonce.strip()
    if item.scanned_at is None:
        item.scanned_at = now
    return item


def checkin_record(*, event: Event, actor: User, item: ScanItem) -> Outcome:
    """Check one scanned text in at a gate of `event`."""
    check_can_check_in(actor, event)
    (outcome,) = _record(event, actor, [_clean_item(item, timezone.now())])
    return outcome


def checkin_batch(*, event: Event, actor: User, items: list[ScanItem]) -> list[Outcome]:
    """An offline gate's queue, answered item by item in the order sent. Every item needs a
    nonce: that is what makes uploading the same queue twice count it once."""
    check_can_check_in(actor, event)
    limit = settings.TICKETS_BATCH_MAX_ITEMS
    if len(items) > limit:
        raise ValidationError(
            {"items": f"Send at most {limit:,} check-ins per upload (got {len(items):,})."}
        )
    now = timezone.now()
    cleaned = []
    for index, item in enumerate(items):
        try:
            cleaned.append(_clean_item(item, now))
        except ValidationError as exc:
            raise ValidationError(
                {f"items[{index}].{field}": msgs for field, msgs in exc.message_dict.items()}
            ) from None
        if not item.client_nonce:
            raise ValidationError({f"items[{index}].nonce": "Every uploaded scan needs a nonce."})
    return _record(event, actor, cleaned)


@transaction.atomic
def checkin_undo(*, checkin: CheckIn, actor: User) -> CheckIn:
    """Take back a mistaken admission: the ticket admits again. Idempotent."""
    check_can_edit(actor, checkin.event.workspace_id)
    if checkin.result != Result.VALID:
        raise ValidationError({"result": "Only an admission (a valid check-in) can be undone."})
    if checkin.undone_at is None:
        checkin.undone_at = timezone.now()
        checkin.undone_by = actor
        checkin.save(update_fields=["undone_at", "undone_by"])
        transaction.on_commit(metrics.TICKET_CHECKIN_UNDOS.inc)
    return checkin


# --- the one path -------------------------------------------------------------------------------


@dataclass
class _Verdict:
    result: str
    serial: int | None = None


def _verdict(
    event: Event, text: str, other_events: dict[bytes, Event | None]
) -> tuple[_Verdict, bytes | None]:
    """What the signature and format alone say (INVALID, WRONG_EVENT, or VALID so far) and
    the credential's nonce."""
    try:
        credential = credentials.credential_read(text)
    except credentials.Unreadable:
        return _Verdict(Result.INVALID), None
    tag = bytes(credential.event_tag)
    if tag != bytes(event.tag):
        if tag not in other_events:
            # Only the same mode's events: a sandbox ticket at a live door is just invalid.
            other_events[tag] = (
                Event.objects.in_mode(sandbox=event.is_test)
                .filter(workspace_id=event.workspace_id, tag=tag)
                .first()
            )
        other = other_events[tag]
        if other is not None and credential.verifies(bytes(other.public_key)):
            return _Verdict(Result.WRONG_EVENT), None
        return _Verdict(Result.INVALID), None
    if not credential.verifies(bytes(event.public_key)):
        return _Verdict(Result.INVALID), None
    return _Verdict(Result.VALID, credential.serial), credential.nonce


def _record(event: Event, actor: User, items: list[ScanItem]) -> list[Outcome]:
    try:
        return _record_once(event, actor, items)
    except IntegrityError:
        # Another call admitted one of these tickets, or stored one of these nonces, between
        # our read and our write (possible without row locks, on SQLite): now we see it.
        return _record_once(event, actor, items)


@transaction.atomic
def _record_once(event: Event, actor: User, items: list[ScanItem]) -> list[Outcome]:
    nonces = [i.client_nonce for i in items if i.client_nonce]
    stored = {
        c.client_nonce: c
        for c in CheckIn.objects.filter(event=event, client_nonce__in=nonces)
        .select_related("ticket")
        .order_by()
    }
    other_events: dict[bytes, Event | None] = {}
    verdicts: list[tuple[_Verdict, bytes | None]] = []
    serials = set()
    for item in items:
        if item.client_nonce in stored:
            verdicts.append((_Verdict(Result.INVALID), None))  # answered from the stored row
            continue
        verdict, nonce = _verdict(event, item.payload, other_events)
        verdicts.append((verdict, nonce))
        if verdict.serial is not None:
            serials.add(verdict.serial)

    # Locked in one order (by primary key) so two uploads sharing tickets cannot deadlock.
    tickets = {
        t.serial: t
        for t in Ticket.objects.select_for_update()
        .filter(event=event, serial__in=serials)
        .order_by("pk")
    }
    # Only a code whose nonce is not its ticket's current one can be on the revocation list
    # (a revoked ticket says so itself): most calls need not read the list at all.
    stale = {
        verdict.serial
        for (verdict, nonce) in verdicts
        if verdict.serial is not None
        and (ticket := tickets.get(verdict.serial)) is not None
        and bytes(ticket.nonce) != nonce
    }
    revoked = set()
    if stale:
        revoked = {
            (serial, bytes(nonce))
            for serial, nonce in RevokedCredential.objects.filter(
                event=event, serial__in=stale
            ).values_list("serial", "nonce")
        }
    admitted = {
        c.ticket_id: c
        for c in CheckIn.objects.filter(
            ticket__in=[t.pk for t in tickets.values()],
            result=Result.VALID,
            undone_at__isnull=True,
        ).order_by()
    }

    outcomes: list[Outcome | None] = [None] * len(items)
    new_rows: list[tuple[int, CheckIn]] = []
    demoted: list[CheckIn] = []
    first_admissions: list[CheckIn] = []
    seen_nonces: dict[str, int] = {}
    order = sorted(range(len(items)), key=lambda i: items[i].scanned_at)
    for index in order:
        item = items[index]
        if item.client_nonce in stored:
            outcomes[index] = _replay(stored[item.client_nonce])
            continue
        if item.client_nonce and item.client_nonce in seen_nonces:
            continue  # the same scan twice in one upload: answered like its first copy below
        if item.client_nonce:
            seen_nonces[item.client_nonce] = index
        verdict, nonce = verdicts[index]
        ticket = tickets.get(verdict.serial) if verdict.serial is not None else None
        result = verdict.result
        first = None
        if result == Result.VALID:
            if ticket is None:
                result = Result.INVALID  # signed by this event, but no such ticket (deleted)
            elif ticket.status == TicketStatus.REVOKED or (ticket.serial, nonce) in revoked:
                result = Result.REVOKED
            elif bytes(ticket.nonce) != nonce:
                result = Result.INVALID
            elif not _in_window(event, item.scanned_at):
                result = Result.OUTSIDE_WINDOW
        checkin = CheckIn(
            event=event,
            ticket=ticket if result != Result.INVALID else None,
            gate=item.gate,
            client_nonce=item.client_nonce,
            scanned_at=item.scanned_at,
            offline=item.offline,
            checked_in_by=actor,
        )
        if result == Result.VALID:
            current = admitted.get(ticket.pk)
            if current is None:
                admitted[ticket.pk] = checkin
                first_admissions.append(checkin)
            elif item.offline and item.scanned_at < current.scanned_at:
                # Earlier by the clock: this scan is the admission, the other a conflict.
                current.result, current.conflict = Result.ALREADY_USED, True
                if current.pk is not None:
                    demoted.append(current)
                admitted[ticket.pk] = checkin
            else:
                result = Result.ALREADY_USED
                first = current
                checkin.conflict = item.offline and item.device_result == Result.VALID
        checkin.result = result
        new_rows.append((index, checkin))
        outcomes[index] = Outcome(
            result=result, checkin=checkin, ticket=ticket, first_checkin=first
        )

    if demoted:
        CheckIn.objects.filter(pk__in=[row.pk for row in demoted]).update(
            result=Result.ALREADY_USED, conflict=True
        )
    CheckIn.objects.bulk_create([row for _, row in new_rows])
    transaction.on_commit(lambda: _count([row for _, row in new_rows], demoted))
    for index, item in enumerate(items):
        if outcomes[index] is None:  # a duplicate nonce inside this upload
            outcomes[index] = _replay(outcomes[seen_nonces[item.client_nonce]].checkin)
    for outcome in outcomes:
        # The answer's "first check-in" is the admission that stands after this whole call.
        if outcome.result == Result.ALREADY_USED and outcome.ticket is not None:
            outcome.first_checkin = admitted.get(outcome.ticket.pk) or outcome.first_checkin
    if first_admissions:
        checkins_recorded.send(sender=CheckIn, checkins=first_admissions)
    return outcomes


def _count(stored: list[CheckIn], demoted: list[CheckIn]) -> None:
    for checkin in stored:
        source = "offline" if checkin.offline else "online"
        metrics.TICKET_CHECKINS.labels(checkin.result, source).inc()
    conflicts = sum(1 for checkin in stored if checkin.conflict) + len(demoted)
    if conflicts:
        metrics.TICKET_CHECKIN_CONFLICTS.inc(conflicts)


def _replay(checkin: CheckIn) -> Outcome:
    first = None
    if checkin.result == Result.ALREADY_USED and checkin.ticket_id:
        first = CheckIn.objects.filter(
            ticket_id=checkin.ticket_id, result=Result.VALID, undone_at__isnull=True
        ).first()
    return Outcome(
        result=checkin.result,
        checkin=checkin,
        ticket=checkin.ticket,
        first_checkin=first,
        replayed=True,
    )


def _in_window(event: Event, at: datetime) -> bool:
    if event.checkin_opens_at and at < event.checkin_opens_at:
        return False
    return not (event.checkin_closes_at and at >= event.checkin_closes_at)
