"""A ticket's QR code as PNG/SVG/PDF (the codes render engine and its scannability guard) and
the printable ticket: one A6 page with the event, the holder, the type and the code."""

from __future__ import annotations

from collections.abc import Iterable

from django.template.loader import render_to_string
from django.utils import timezone

from codes.render_errors import engine_refusals
from codes.rendering import Style, content_type_for, ensure_deliverable, render
from tickets.models import Event, Ticket

# Plain black on white at M: the guard passes it, and every phone camera reads it quickly.
TICKET_STYLE = Style(error_correction="M")
FORMATS = ("png", "svg", "pdf")


@engine_refusals()
def ticket_image(*, ticket: Ticket, format: str = "png", size: int = 400) -> tuple[bytes, str]:
    """The code as delivered, after the guard judged it at that size and format."""
    ensure_deliverable(ticket.payload, TICKET_STYLE, format=format, size=size)
    return render(ticket.payload, TICKET_STYLE, format=format, size=size), content_type_for(format)


def ticket_pdf(*, ticket: Ticket) -> bytes:
    """The printable (or emailable) ticket."""
    return tickets_pdf(event=ticket.event, tickets=[ticket])


def tickets_pdf(*, event: Event, tickets: Iterable[Ticket]) -> bytes:
    """Printable tickets of one event, one per page in the order given."""
    from weasyprint import HTML

    zone = timezone.get_fixed_timezone(0)
    try:
        import zoneinfo

        zone = zoneinfo.ZoneInfo(event.time_zone)
    except Exception:  # noqa: S110 - a zone removed from tzdata: print in UTC
        pass
    pages = [
        {"ticket": ticket, "svg": ticket_image(ticket=ticket, format="svg", size=600)[0].decode()}
        for ticket in tickets
    ]
    html = render_to_string(
        "tickets/ticket_pdf.html",
        {
            "pages": pages,
            "event": event,
            "starts": timezone.localtime(event.starts_at, zone),
            "ends": timezone.localtime(event.ends_at, zone),
        },
    )
    # No base URL: the template is self-contained, so nothing is fetched while rendering.
    return HTML(string=html).write_pdf()
