"""ticket.checked_in and ticket.revoked: the tickets app's changes become outbox events for the
endpoints that want them, in the same transaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.services import ScanItem
from webhooks.models import WebhookDelivery, WebhookEvent


@pytest.fixture
def gala(acme, alice):
    event = services.event_create(
        workspace=acme,
        actor=alice,
        name="Gala",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=3),
    )
    tickets = services.ticket_issue_many(
        event=event,
        actor=alice,
        items=[{"holder_name": "Ada"}, {"holder_name": "Alan"}, {"holder_name": "Grace"}],
    )
    return event, tickets


def test_an_admission_sends_ticket_checked_in_once(gala, alice, make_endpoint):
    endpoint, _ = make_endpoint("http://127.0.0.1:9/hooks", events=["ticket.checked_in"])
    event, (ada, *_) = gala

    services.checkin_record(event=event, actor=alice, item=ScanItem(ada.payload, gate="A"))
    services.checkin_record(event=event, actor=alice, item=ScanItem(ada.payload, gate="B"))

    (sent,) = WebhookEvent.objects.all()
    assert sent.type == "ticket.checked_in"
    assert sent.data["ticket"]["id"] == ada.public_id
    assert sent.data["ticket"]["holder_name"] == "Ada"
    assert sent.data["checkin"]["gate"] == "A"
    assert sent.data["checkin"]["result"] == "valid"
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


def test_an_offline_upload_sends_one_event_per_admission(gala, alice, make_endpoint):
    make_endpoint("http://127.0.0.1:9/hooks", events=["ticket.checked_in"])
    event, tickets = gala
    now = timezone.now()
    items = [
        ScanItem(t.payload, gate="C", client_nonce=f"n{i}", scanned_at=now, offline=True)
        for i, t in enumerate(tickets)
    ]

    services.checkin_batch(event=event, actor=alice, items=items)
    services.checkin_batch(event=event, actor=alice, items=items)  # replayed: no new events

    sent = WebhookEvent.objects.filter(type="ticket.checked_in")
    assert sorted(e.data["ticket"]["holder_name"] for e in sent) == ["Ada", "Alan", "Grace"]


def test_revoking_and_reissuing_send_ticket_revoked_with_the_reason(gala, alice, make_endpoint):
    make_endpoint("http://127.0.0.1:9/hooks", events=["ticket.revoked"])
    _event, (ada, alan, _) = gala

    services.ticket_revoke(ticket=ada, actor=alice)
    reissued = services.ticket_reissue(ticket=alan, actor=alice)

    revoked, replaced = WebhookEvent.objects.order_by("id")
    assert (revoked.data["reason"], revoked.data["ticket"]["status"]) == ("revoked", "revoked")
    assert replaced.data["reason"] == "reissued"
    assert replaced.data["ticket"]["payload"] == reissued.payload


def test_no_endpoint_wanting_ticket_events_means_no_event(gala, alice, make_endpoint):
    make_endpoint("http://127.0.0.1:9/hooks", events=["code.created"])
    event, (ada, *_) = gala

    services.checkin_record(event=event, actor=alice, item=ScanItem(ada.payload))
    services.ticket_revoke(ticket=ada, actor=alice)

    assert not WebhookEvent.objects.exists()
