"""Reads and the ownership gate for events, tickets and check-ins: a missing object, another
workspace's object and the other mode's (a sandbox event asked for by a live caller, a live one
by a test key) all raise Http404. Tickets and check-ins are reached through their event, so
the event's mode is theirs."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import Workspace
from tickets.models import CheckIn, Event, Result, RevokedCredential, Ticket, TicketStatus


def event_get_for_workspace(
    *, workspace: Workspace, public_id: str, sandbox: bool = False
) -> Event:
    event = (
        Event.objects.in_mode(sandbox=sandbox)
        .filter(workspace=workspace, public_id=public_id)
        .first()
    )
    if event is None:
        raise Http404("No such event.")
    return event


def event_list_for_workspace(*, workspace: Workspace, sandbox: bool = False) -> QuerySet[Event]:
    """One mode's events, last-starting first, with `issued` and `checked_in` annotated."""
    return (
        Event.objects.in_mode(sandbox=sandbox)
        .filter(workspace=workspace)
        .annotate(
            issued=Count("tickets", filter=Q(tickets__status=TicketStatus.ACTIVE), distinct=True),
            checked_in=Count(
                "checkins",
                filter=Q(checkins__result=Result.VALID, checkins__undone_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-starts_at", "-id")
    )


def ticket_get_for_event(*, event: Event, public_id: str) -> Ticket:
    ticket = Ticket.objects.select_related("event").filter(event=event, public_id=public_id).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def ticket_list_for_event(
    *, event: Event, search: str | None = None, status: str | None = None
) -> QuerySet[Ticket]:
    """The event's tickets by serial; `search` matches holder name, email and external id."""
    tickets = Ticket.objects.filter(event=event).select_related("event")
    if status:
        tickets = tickets.filter(status=status)
    if search:
        search = search.strip()
        tickets = tickets.filter(
            Q(holder_name__icontains=search)
            | Q(holder_email__icontains=search)
            | Q(external_id=search)
            | Q(public_id=search)
        )
    return tickets.order_by("serial")


def checkin_get_for_event(*, event: Event, public_id: str) -> CheckIn:
    checkin = (
        CheckIn.objects.select_related("event", "ticket")
        .filter(event=event, public_id=public_id)
        .first()
    )
    if checkin is None:
        raise Http404("No such check-in.")
    return checkin


def checkin_list_for_event(*, event: Event, admissions_only: bool = False) -> QuerySet[CheckIn]:
    checkins = CheckIn.objects.filter(event=event).select_related("ticket", "checked_in_by")
    if admissions_only:
        checkins = checkins.filter(result=Result.VALID)
    return checkins.order_by("scanned_at", "id")


def checkin_kit(*, event: Event) -> dict:
    """What a door device needs to check tickets in offline: the event's public key, its
    revocation list and version, the check-in window, and the roster (serial, nonce, holder,
    type) so an offline answer can name the person."""
    revoked = RevokedCredential.objects.filter(event=event).values_list("serial", "nonce")
    roster = Ticket.objects.filter(event=event, status=TicketStatus.ACTIVE).values_list(
        "public_id", "serial", "nonce", "holder_name", "ticket_type"
    )
    admitted = CheckIn.objects.filter(
        event=event, result=Result.VALID, undone_at__isnull=True
    ).values_list("ticket__serial", "scanned_at", "gate")
    return {
        "event": event.public_id,
        "name": event.name,
        "time_zone": event.time_zone,
        "tag": bytes(event.tag).hex(),
        "public_key": bytes(event.public_key).hex(),
        "algorithm": "Ed25519",
        "format": 1,
        "checkin_opens_at": event.checkin_opens_at,
        "checkin_closes_at": event.checkin_closes_at,
        "revocation_version": event.revocation_version,
        "revoked": [f"{serial}:{bytes(nonce).hex()}" for serial, nonce in revoked],
        "tickets": [
            {
                "id": public_id,
                "serial": serial,
                "nonce": bytes(nonce).hex(),
                "holder_name": name,
                "ticket_type": kind,
            }
            for public_id, serial, nonce, name, kind in roster
        ],
        # Admissions known at download time, so an offline gate also says "already used".
        "checked_in": [{"serial": serial, "at": at, "gate": gate} for serial, at, gate in admitted],
    }


def event_stats(*, event: Event, now: datetime | None = None) -> dict:
    """Live numbers: admitted / issued, per gate, per ticket type, per 15 minutes, and the
    conflicts and refusals so far."""
    issued = Ticket.objects.filter(event=event, status=TicketStatus.ACTIVE).count()
    by_type_issued = Counter(
        dict(
            Ticket.objects.filter(event=event, status=TicketStatus.ACTIVE)
            .values_list("ticket_type")
            .annotate(n=Count("id"))
            .values_list("ticket_type", "n")
        )
    )
    admissions = list(
        CheckIn.objects.filter(event=event, result=Result.VALID, undone_at__isnull=True)
        .values_list("gate", "ticket__ticket_type", "scanned_at")
        .order_by("scanned_at")
    )
    refusals = Counter(
        dict(
            CheckIn.objects.filter(event=event)
            .exclude(result=Result.VALID)
            .values_list("result")
            .annotate(n=Count("id"))
            .values_list("result", "n")
        )
    )
    buckets: Counter = Counter()
    for _, _, at in admissions:
        buckets[at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)] += 1
    series = []
    if buckets:
        start, end = min(buckets), max(buckets)
        step = timedelta(minutes=15)
        while start <= end and len(series) < 200:
            series.append({"at": start, "count": buckets.get(start, 0)})
            start += step
    by_type = Counter(kind for _, kind, _ in admissions)
    return {
        "issued": issued,
        "checked_in": len(admissions),
        "per_gate": sorted(Counter(gate for gate, _, _ in admissions).items()),
        "per_type": [
            {"type": kind, "issued": by_type_issued.get(kind, 0), "checked_in": by_type[kind]}
            for kind in sorted(set(by_type_issued) | set(by_type))
        ],
        "per_15_minutes": series,
        "conflicts": CheckIn.objects.filter(event=event, conflict=True).count(),
        "refused": dict(refusals),
        "refused_total": sum(refusals.values()),
    }
