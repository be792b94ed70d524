"""Dashboard pages: events, an event's tickets and live numbers, and the door page.

Editors and up create events, issue, revoke and reissue tickets and undo check-ins; door staff
(and viewers where the event allows it) open the door page. The door page is one
server-rendered page plus static/tickets/door.js; it checks in through the same API a door
device's key would use, with the dashboard session.
"""

from __future__ import annotations

import csv
from pathlib import Path

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import editor_required, workspace_required
from jobs.services.imports import FileRefused
from jobs.services.lifecycle import safe_cell
from qrsite.content_policy import permissions_allow
from qrsite.forms import add_service_errors
from qrsite.htmx import go, page_or_fragment
from tickets import selectors, services
from tickets.exports import ticket_export_start
from tickets.forms import AttendeesForm, EventForm, TicketExportForm, TicketForm
from tickets.imports import ticket_import_upload
from tickets.rendering import ticket_pdf
from tickets.services._common import check_can_check_in

TICKETS_PER_PAGE = 50


def _event(request, event_id):
    return selectors.event_get_for_workspace(workspace=request.workspace, public_id=event_id)


@workspace_required
def event_list(request):
    form = EventForm()
    if request.method == "POST":
        if not request.membership.can_edit:
            raise PermissionDenied("Your role cannot create events.")
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = services.event_create(
                    workspace=request.workspace, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Event “{event.name}” created. Issue its tickets below.")
                return go(request, reverse("tickets:event_detail", args=[event.public_id]))
    context = {
        "events": selectors.event_list_for_workspace(workspace=request.workspace),
        "form": form,
    }
    status = 400 if form.errors else 200
    return page_or_fragment(
        request, "tickets/event_list.html", context, fragment="events", status=status
    )


def _detail_context(request, event, **extra):
    search = request.GET.get("q", "").strip()
    tickets = Paginator(
        selectors.ticket_list_for_event(event=event, search=search or None), TICKETS_PER_PAGE
    ).get_page(request.GET.get("page"))
    recent = selectors.checkin_list_for_event(event=event).order_by("-recorded_at", "-id")[:20]
    return {
        "event": event,
        "stats": selectors.event_stats(event=event),
        "tickets": tickets,
        "search": search,
        "recent": recent,
        "ticket_form": extra.pop("ticket_form", None) or TicketForm(),
        "attendees_form": extra.pop("attendees_form", None) or AttendeesForm(),
        "export_form": TicketExportForm(),
        **extra,
    }


@workspace_required
def event_detail(request, event_id):
    event = _event(request, event_id)
    return page_or_fragment(
        request, "tickets/event_detail.html", _detail_context(request, event), fragment="tickets"
    )


@workspace_required
def event_stats(request, event_id):
    """The live numbers fragment (polled by the event page)."""
    event = _event(request, event_id)
    return page_or_fragment(
        request, "tickets/event_detail.html", _detail_context(request, event), fragment="stats"
    )


@require_POST
@editor_required
def ticket_create(request, event_id):
    event = _event(request, event_id)
    form = TicketForm(request.POST)
    if form.is_valid():
        try:
            ticket = services.ticket_issue(event=event, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Ticket issued to {ticket.holder_name}.")
            return go(request, reverse("tickets:event_detail", args=[event.public_id]))
    context = _detail_context(request, event, ticket_form=form)
    return page_or_fragment(
        request, "tickets/event_detail.html", context, fragment="tickets", status=400
    )


@require_POST
@editor_required
def ticket_import(request, event_id):
    event = _event(request, event_id)
    form = AttendeesForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = ticket_import_upload(event=event, actor=request.user, file=file, name=file.name)
        except (FileRefused, ValidationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Import started: the tickets appear as it runs.")
            return go(request, reverse("jobs:detail", args=[job.public_id]))
    context = _detail_context(request, event, attendees_form=form)
    return page_or_fragment(
        request, "tickets/event_detail.html", context, fragment="tickets", status=400
    )


@require_POST
@editor_required
def tickets_export(request, event_id):
    """Start the export of every active ticket; the job's page shows its progress and file."""
    event = _event(request, event_id)
    form = TicketExportForm(request.POST)
    if form.is_valid():
        try:
            job = ticket_export_start(event=event, actor=request.user, **form.export_arguments())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Export started: the file is ready to download below.")
            return go(request, reverse("jobs:detail", args=[job.public_id]))
    else:
        messages.error(request, "Choose what to download.")
    return go(request, reverse("tickets:event_detail", args=[event.public_id]))


def _ticket_action(request, event_id, ticket_id, action, done):
    event = _event(request, event_id)
    ticket = selectors.ticket_get_for_event(event=event, public_id=ticket_id)
    try:
        ticket = action(ticket=ticket, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done.format(name=ticket.holder_name))
    return go(request, reverse("tickets:event_detail", args=[event.public_id]))


@require_POST
@editor_required
def ticket_revoke(request, event_id, ticket_id):
    return _ticket_action(
        request, event_id, ticket_id, services.ticket_revoke, "{name}’s ticket is revoked."
    )


@require_POST
@editor_required
def ticket_reissue(request, event_id, ticket_id):
    return _ticket_action(
        request,
        event_id,
        ticket_id,
        services.ticket_reissue,
        "{name} has a new code; the old one no longer admits.",
    )


@require_POST
@editor_required
def checkin_undo(request, event_id, checkin_id):
    event = _event(request, event_id)
    checkin = selectors.checkin_get_for_event(event=event, public_id=checkin_id)
    try:
        services.checkin_undo(checkin=checkin, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Check-in undone: the ticket admits again.")
    return go(request, reverse("tickets:event_detail", args=[event.public_id]))


@workspace_required
def ticket_pdf_download(request, event_id, ticket_id):
    event = _event(request, event_id)
    ticket = selectors.ticket_get_for_event(event=event, public_id=ticket_id)
    response = HttpResponse(ticket_pdf(ticket=ticket), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.public_id}.pdf"'
    return response


class _Echo:
    def write(self, value):
        return value


@workspace_required
def checkins_csv(request, event_id):
    """Every scan of the event, oldest first (admissions, refusals, conflicts, undos)."""
    event = _event(request, event_id)
    writer = csv.writer(_Echo())
    header = [
        "checkin_id", "scanned_at", "recorded_at", "result", "gate", "ticket_id",
        "holder_name", "ticket_type", "external_id", "offline", "conflict", "undone_at",
    ]  # fmt: skip

    def rows():
        yield writer.writerow(header)
        for c in selectors.checkin_list_for_event(event=event).iterator(chunk_size=2000):
            t = c.ticket
            yield writer.writerow(
                [
                    safe_cell(v)
                    for v in (
                        c.public_id,
                        c.scanned_at.isoformat(),
                        c.recorded_at.isoformat(),
                        c.result,
                        c.gate,
                        t.public_id if t else "",
                        t.holder_name if t else "",
                        t.ticket_type if t else "",
                        t.external_id if t else "",
                        "yes" if c.offline else "no",
                        "yes" if c.conflict else "no",
                        c.undone_at.isoformat() if c.undone_at else "",
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="checkins-{event.public_id}-{stamp}.csv"'
    )
    return response


# --- the door page ------------------------------------------------------------------------------


# The camera reads tickets; the barcode reader (zxing, a WebAssembly module) must compile.
@permissions_allow("camera")
@csp_update({"script-src": ["'wasm-unsafe-eval'"]})
@workspace_required
def door(request, event_id):
    event = _event(request, event_id)
    check_can_check_in(request.user, event)
    gates = sorted({g for g, _ in selectors.event_stats(event=event)["per_gate"]} | {"A", "B"})
    return page_or_fragment(
        request,
        "tickets/door.html",
        {
            "event": event,
            "gates": gates,
            "kit_url": f"/api/v1/events/{event.public_id}/checkin-kit",
        },
        fragment="door",
    )


SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "tickets" / "sw.js"


def service_worker(request):
    """The door page's service worker, served from /tickets/ so it may control the door pages
    (a worker under /static/ could only control /static/)."""
    response = FileResponse(SERVICE_WORKER.open("rb"), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/tickets/"
    response["Cache-Control"] = "no-cache"
    return response
