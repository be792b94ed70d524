"""Tickets in Django admin: searchable by holder and external id, read-only, no key material;
revoking and undoing go through the services."""

import pytest
from django.urls import reverse

from tickets import services
from tickets.models import CheckIn, Result, Ticket
from tickets.services import ScanItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["Alan", "o-2"])
def test_admin_finds_tickets_by_holder_or_external_id(admin_client, tickets, query):
    listing = admin_client.get(reverse("admin:tickets_ticket_changelist"), {"q": query})

    page = listing.content.decode()
    assert "Alan Turing" in page
    assert "Ada Lovelace" not in page


def test_admin_pages_are_read_only_and_show_no_keys(admin_client, event, ticket):
    for url in (
        reverse("admin:tickets_event_change", args=[event.pk]),
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
    ):
        page = admin_client.get(url).content.decode()
        assert 'name="_save"' not in page
        assert "private_key" not in page
        assert bytes(event.public_key).hex() not in page


def test_admin_revoke_and_undo_call_the_services(admin_client, event, tickets, alice):
    admitted = services.checkin_record(event=event, actor=alice, item=ScanItem(tickets[1].payload))

    admin_client.post(
        reverse("admin:tickets_ticket_changelist"),
        {"action": "revoke", "_selected_action": [tickets[0].pk]},
    )
    admin_client.post(
        reverse("admin:tickets_checkin_changelist"),
        {"action": "undo", "_selected_action": [admitted.checkin.pk]},
    )

    assert Ticket.objects.get(pk=tickets[0].pk).status == "revoked"
    event.refresh_from_db()
    assert event.revocation_version == 1
    assert CheckIn.objects.get(pk=admitted.checkin.pk).undone_at is not None
    again = services.checkin_record(event=event, actor=alice, item=ScanItem(tickets[1].payload))
    assert again.result == Result.VALID
