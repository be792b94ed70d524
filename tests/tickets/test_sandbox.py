"""Event tickets in the sandbox: a test key runs a whole event (create, issue, check in,
import, export) beside the live ones, neither mode sees the other's events, sandbox webhooks
reach test-mode endpoints only, and the wipe takes the sandbox's events and nothing live."""

import json
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from jobs.models import ImportFile, Job
from tests.api.conftest import ApiClient, make_key
from tests.jobs.conftest import run
from tests.tickets.conftest import make_event
from tests.webhooks.receiver import Receiver
from tickets import services
from tickets.exports import ticket_export_start
from tickets.models import CheckIn, Event, Result, Ticket
from tickets.services import ScanItem
from webhooks import services as webhook_services
from webhooks.delivery import endpoint_drain


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    from qrsite.api import ratelimit

    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"api:rl:test-{uuid.uuid4().hex}")


@pytest.fixture
def test_key(alice, acme):
    return make_key(alice, acme, "write", test=True)


@pytest.fixture
def live_key(alice, acme):
    return make_key(alice, acme, "write")


def _sandbox_event_over_the_api(key):
    """What an integrator trying the API does: an event, two tickets, one admitted."""
    client = ApiClient(key)
    now = timezone.now()
    made = client.post(
        "/api/v1/events",
        {"name": "Test gala", "starts_at": now.isoformat(), "ends_at": now.isoformat()},
    )
    assert made.status_code == 201, made.content
    event_id = made.json()["id"]
    issued = client.post(
        f"/api/v1/events/{event_id}/tickets",
        {"tickets": [{"holder_name": "Ada Test"}, {"holder_name": "Alan Test"}]},
    )
    assert issued.status_code == 201, issued.content
    ada, alan = issued.json()["tickets"]
    admitted = client.post(
        "/api/v1/checkins",
        {"event": event_id, "payload": ada["payload"], "gate": "A", "nonce": "sbx-1"},
    )
    assert admitted.status_code == 200, admitted.content
    assert admitted.json()["result"] == "valid"
    return event_id, ada, alan


def test_a_test_key_runs_an_event_that_live_callers_never_see(
    test_key, live_key, alice_client, acme
):
    event_id, ada, _ = _sandbox_event_over_the_api(test_key)
    exported = ApiClient(test_key).post(
        f"/api/v1/events/{event_id}/tickets/export", {"format": "pdf"}
    )
    assert exported.status_code == 202, exported.content
    job = run(Job.objects.get(public_id=exported.json()["id"]))

    event = Event.objects.get(public_id=event_id)
    assert event.is_test
    assert job.is_test
    assert job.status == "succeeded"
    assert CheckIn.objects.get(event=event).result == Result.VALID
    sandbox = ApiClient(test_key)
    assert [e["id"] for e in sandbox.get("/api/v1/events").json()["results"]] == [event_id]
    assert sandbox.get(f"/api/v1/events/{event_id}/stats").json()["checked_in"] == 1
    assert sandbox.get(f"/api/v1/jobs/{job.public_id}/result").status_code == 200

    live = ApiClient(live_key)
    assert live.get("/api/v1/events").json()["results"] == []
    for path in (
        f"/api/v1/events/{event_id}",
        f"/api/v1/events/{event_id}/tickets/{ada['id']}",
        f"/api/v1/events/{event_id}/checkin-kit",
        f"/api/v1/jobs/{job.public_id}",
    ):
        response = live.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    scanned = live.post(
        "/api/v1/checkins",
        {"event": event_id, "payload": ada["payload"], "gate": "B", "nonce": "live-1"},
    )
    assert scanned.status_code == 404
    assert CheckIn.objects.filter(event=event).count() == 1

    listing = alice_client.get(reverse("tickets:event_list"))
    assert listing.status_code == 200
    assert b"Test gala" not in listing.content
    assert event_id.encode() not in listing.content
    for name in ("tickets:event_detail", "tickets:door", "tickets:checkins_csv"):
        assert alice_client.get(reverse(name, args=[event_id])).status_code == 404, name
    assert alice_client.get(reverse("jobs:detail", args=[job.public_id])).status_code == 404


def test_a_test_key_cannot_reach_a_live_event(test_key, event, ticket):
    client = ApiClient(test_key)

    assert client.get("/api/v1/events").json()["results"] == []
    assert client.get(f"/api/v1/events/{event.public_id}").status_code == 404
    assert client.get(f"/api/v1/events/{event.public_id}/tickets").status_code == 404
    assert client.delete(f"/api/v1/events/{event.public_id}").status_code == 404
    scanned = client.post(
        "/api/v1/checkins",
        {"event": event.public_id, "payload": ticket.payload, "gate": "A", "nonce": "t-1"},
    )
    assert scanned.status_code == 404
    assert scanned.json()["error"]["code"] == "not_found"
    assert not CheckIn.objects.exists()
    assert Event.objects.filter(pk=event.pk).exists()


def test_a_sandbox_ticket_at_a_live_door_is_invalid_not_another_event(acme, alice, event):
    sandbox_event = make_event(acme, alice, name="Rehearsal", sandbox=True)
    other_live = make_event(acme, alice, name="After-party")
    (rehearsal_ticket,) = services.ticket_issue_many(
        event=sandbox_event, actor=alice, items=[{"holder_name": "Ada"}]
    )
    (party_ticket,) = services.ticket_issue_many(
        event=other_live, actor=alice, items=[{"holder_name": "Alan"}]
    )

    from_sandbox = services.checkin_record(
        event=event, actor=alice, item=ScanItem(rehearsal_ticket.payload, gate="A")
    )
    from_live = services.checkin_record(
        event=event, actor=alice, item=ScanItem(party_ticket.payload, gate="A")
    )

    assert from_sandbox.result == Result.INVALID
    assert from_live.result == Result.WRONG_EVENT


def test_wiping_the_sandbox_deletes_its_events_and_leaves_live_ones(
    test_key, alice, acme, event, tickets, alice_client, django_capture_on_commit_callbacks
):
    services.checkin_record(event=event, actor=alice, item=ScanItem(tickets[0].payload))
    live_export = run(ticket_export_start(event=event, actor=alice, format="pdf"))
    event_id, _, _ = _sandbox_event_over_the_api(test_key)
    client = ApiClient(test_key)
    started = client.post(f"/api/v1/events/{event_id}/tickets/export", {"format": "pdf"})
    export = run(Job.objects.get(public_id=started.json()["id"]))
    imported = Client(headers={"Authorization": f"Bearer {test_key}"}).post(
        f"/api/v1/events/{event_id}/tickets/import",
        {"file": SimpleUploadedFile("guests.csv", b"name\nGrace Test\n", "text/csv")},
    )
    assert imported.status_code == 202, imported.content
    import_job = run(Job.objects.get(public_id=imported.json()["id"]))
    assert import_job.is_test
    assert import_job.summary["created"] == 1
    upload = ImportFile.objects.get(public_id=import_job.params["upload"])
    files = [export.result_file.name, upload.file.name]
    assert all(default_storage.exists(name) for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/sandbox/wipe", {})

    assert response.status_code == 200, response.content
    assert response.json() == {"codes": 0, "groups": 0, "logos": 0, "events": 1}
    assert not Event.objects.filter(is_test=True).exists()
    assert not Ticket.objects.filter(event__public_id=event_id).exists()
    assert not CheckIn.objects.filter(event__public_id=event_id).exists()
    assert not Job.objects.filter(is_test=True).exists()
    assert not ImportFile.objects.filter(pk=upload.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    # The live event, its tickets, its admission and its export are all still there.
    assert Ticket.objects.filter(event=event).count() == 3
    assert CheckIn.objects.filter(event=event).count() == 1
    assert default_storage.exists(Job.objects.get(pk=live_export.pk).result_file.name)
    assert (
        ApiClient(make_key(alice, acme, "read"))
        .get(f"/api/v1/events/{event.public_id}")
        .json()["name"]
        == event.name
    )
    assert client.post("/api/v1/sandbox/wipe", {}).json()["events"] == 0


def test_the_dashboards_wipe_button_counts_the_events(test_key, alice_client):
    _sandbox_event_over_the_api(test_key)

    response = alice_client.post(reverse("codes:sandbox_wipe"), follow=True)

    assert b"and 1 event (with their tickets) deleted" in response.content
    assert not Event.objects.exists()


def test_a_sandbox_events_webhooks_reach_only_the_test_mode_endpoint(
    test_key, alice, acme, event, tickets, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    admin = Membership.objects.get(user=alice, workspace=acme)
    wanted = ["ticket.checked_in", "ticket.revoked", "job.completed"]
    with Receiver() as live_receiver, Receiver() as test_receiver:
        live_endpoint, _ = webhook_services.endpoint_create(
            workspace=acme, actor=admin, url=live_receiver.url, events=wanted
        )
        test_endpoint, _ = webhook_services.endpoint_create(
            workspace=acme, actor=admin, url=test_receiver.url, events=wanted, sandbox=True
        )
        event_id, _, alan = _sandbox_event_over_the_api(test_key)
        client = ApiClient(test_key)
        revoked = client.post(f"/api/v1/events/{event_id}/tickets/{alan['id']}/revoke", {})
        assert revoked.status_code == 200
        started = client.post(f"/api/v1/events/{event_id}/tickets/export", {"format": "pdf"})
        with django_capture_on_commit_callbacks(execute=True):
            run(Job.objects.get(public_id=started.json()["id"]))
        # A live admission, so the live endpoint demonstrably hears live ticket events.
        services.checkin_record(event=event, actor=alice, item=ScanItem(tickets[0].payload))

        for endpoint in (live_endpoint, test_endpoint):
            endpoint_drain(endpoint_id=endpoint.pk)

        heard = [json.loads(r.body) for r in test_receiver.requests]
        assert sorted(m["type"] for m in heard) == sorted(wanted)
        assert {m["data"]["ticket"]["holder_name"] for m in heard if "ticket" in m["data"]} == {
            "Ada Test",
            "Alan Test",
        }
        (live_heard,) = [json.loads(r.body) for r in live_receiver.requests]
        assert live_heard["type"] == "ticket.checked_in"
        assert live_heard["data"]["ticket"]["id"] == tickets[0].public_id
