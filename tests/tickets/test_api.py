"""The tickets API as integrators and door devices use it, and its bad input."""

import csv
import io

import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.api.conftest import ApiClient, make_key
from tests.jobs.conftest import run
from tickets.models import CheckIn, Event, Result, Ticket


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    import uuid

    from qrsite.api import ratelimit

    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"api:rl:test-{uuid.uuid4().hex}")


@pytest.fixture
def door_key(alice, acme):
    # A door device's key: read scope, so it checks in but changes nothing (owners and admins
    # make keys; door staff use the door page with their own session).
    return make_key(alice, acme, "read", name="Door phone")


@pytest.fixture
def read_key(alice, acme):
    return make_key(alice, acme, "read")


@pytest.fixture
def write_key(alice, acme):
    return make_key(alice, acme, "write")


def test_issuing_over_the_api_returns_the_payload_and_image_url(write_key, event):
    response = ApiClient(write_key).post(
        f"/api/v1/events/{event.public_id}/tickets",
        {"holder_name": "Ada Lovelace", "ticket_type": "VIP", "external_id": "shop-17"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(public_id=body["id"])
    assert body["payload"] == ticket.payload
    assert body["image_url"].endswith(f"/tickets/{ticket.public_id}/image")
    assert "Ada" not in body["payload"]  # no personal data in the code


def test_the_ticket_image_decodes_to_its_payload(read_key, event, ticket):
    response = ApiClient(read_key).get(
        f"/api/v1/events/{event.public_id}/tickets/{ticket.public_id}/image?size=400"
    )

    from PIL import Image

    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert decoded.text == ticket.payload


def test_the_ticket_pdf_decodes_with_zxing(read_key, event, ticket, tmp_path):
    import subprocess

    response = ApiClient(read_key).get(
        f"/api/v1/events/{event.public_id}/tickets/{ticket.public_id}/pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(response.content)

    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    from PIL import Image

    (page,) = sorted(tmp_path.glob("page*.png"))
    (decoded,) = zxingcpp.read_barcodes(Image.open(page))
    assert decoded.text == ticket.payload
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert b"Ada Lovelace" in text
    assert b"Spring Gala" in text
    assert b"VIP" in text


def test_door_key_checks_in_and_the_retry_is_answered_from_the_first(door_key, event, ticket):
    client = ApiClient(door_key)
    body = {"event": event.public_id, "payload": ticket.payload, "gate": "A", "nonce": "s-1"}

    first = client.post("/api/v1/checkins", body)
    retry = client.post("/api/v1/checkins", body)
    other_gate = client.post("/api/v1/checkins", {**body, "gate": "B", "nonce": "s-2"})

    assert first.json()["result"] == "valid"
    assert first.json()["ticket"]["holder_name"] == "Ada Lovelace"
    assert retry.json()["result"] == "valid"
    assert retry.json()["replayed"] is True
    used = other_gate.json()
    assert used["result"] == "already_used"
    assert used["first_checkin"]["gate"] == "A"
    assert CheckIn.objects.count() == 2


def test_ten_kilobytes_of_garbage_is_an_invalid_scan_not_an_error(door_key, event):
    response = ApiClient(door_key).post(
        "/api/v1/checkins", {"event": event.public_id, "payload": "%" * 10_240}
    )

    assert response.status_code == 200
    assert response.json()["result"] == "invalid"
    assert response.json()["ticket"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"payload": "x"}, "event"),
        ({"event": "evt_x"}, "payload"),
        ({"event": "evt_x", "payload": "x", "gate": "G" * 41}, "gate"),
    ],
)
def test_a_malformed_check_in_is_400_naming_the_field(door_key, event, body, field):
    response = ApiClient(door_key).post("/api/v1/checkins", body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_a_check_in_at_another_workspaces_event_is_404(charlie, globex, event, ticket):
    key = make_key(charlie, globex, "admin")

    response = ApiClient(key).post(
        "/api/v1/checkins", {"event": event.public_id, "payload": ticket.payload}
    )

    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_a_door_user_cannot_edit_tickets(dora, event, ticket):
    client = Client()
    client.force_login(dora)
    token = "t" * 32
    client.cookies["csrftoken"] = token
    url = f"/api/v1/events/{event.public_id}/tickets/{ticket.public_id}"

    for response in (
        client.patch(url, '{"holder_name": "Eve"}', content_type="application/json",
                     HTTP_X_CSRFTOKEN=token),
        client.post(url + "/revoke", "{}", content_type="application/json",
                    HTTP_X_CSRFTOKEN=token),
        client.post(f"/api/v1/events/{event.public_id}/tickets", '{"holder_name": "Eve"}',
                    content_type="application/json", HTTP_X_CSRFTOKEN=token),
    ):  # fmt: skip
        assert response.status_code == 403, response.content
    ticket.refresh_from_db()
    assert ticket.holder_name == "Ada Lovelace"
    assert ticket.status == "active"
    # ...but checks in with the same session
    response = client.post(
        "/api/v1/checkins",
        f'{{"event": "{event.public_id}", "payload": "{ticket.payload}"}}',
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.json()["result"] == "valid"


def _items(tickets, prefix="n"):
    return [
        {
            "payload": t.payload,
            "gate": "C",
            "nonce": f"{prefix}-{i}",
            "scanned_at": f"2026-01-01T10:0{i}:00Z",
            "device_result": "valid",
        }
        for i, t in enumerate(tickets)
    ]


def test_a_replayed_offline_batch_is_counted_once(door_key, event, tickets):
    client = ApiClient(door_key)
    body = {"event": event.public_id, "items": _items(tickets)}

    first = client.post("/api/v1/checkins/batch", body).json()
    again = client.post("/api/v1/checkins/batch", body).json()

    assert (first["counted"], first["replayed"]) == (3, 0)
    assert (again["counted"], again["replayed"]) == (0, 3)
    assert [r["result"] for r in again["results"]] == ["valid"] * 3
    assert CheckIn.objects.filter(result=Result.VALID).count() == 3


def test_a_batch_of_10001_items_is_refused_whole(door_key, event, ticket, settings):
    settings.TICKETS_BATCH_MAX_ITEMS = 10_000
    item = {"payload": ticket.payload, "nonce": "n", "scanned_at": "2026-01-01T10:00:00Z"}

    response = ApiClient(door_key).post(
        "/api/v1/checkins/batch", {"event": event.public_id, "items": [item] * 10_001}
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "items"
    assert "10,000" in error["message"]
    assert not CheckIn.objects.exists()


def test_a_bad_item_refuses_the_batch_naming_it(door_key, event, tickets):
    items = _items(tickets)
    del items[1]["scanned_at"]

    response = ApiClient(door_key).post(
        "/api/v1/checkins/batch", {"event": event.public_id, "items": items}
    )

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "items[1].scanned_at"
    assert not CheckIn.objects.exists()


def test_a_conflict_between_offline_gates_is_reported_in_the_upload(door_key, event, ticket):
    client = ApiClient(door_key)
    first = {"payload": ticket.payload, "gate": "A", "nonce": "a", "device_result": "valid",
             "scanned_at": "2026-01-01T10:00:00Z"}  # fmt: skip
    second = {**first, "gate": "B", "nonce": "b", "scanned_at": "2026-01-01T10:03:00Z"}

    client.post("/api/v1/checkins/batch", {"event": event.public_id, "items": [first]})
    body = client.post("/api/v1/checkins/batch", {"event": event.public_id, "items": [second]})

    data = body.json()
    assert data["conflicts"] == 1
    (result,) = data["results"]
    assert result["result"] == "already_used"
    assert result["conflict"] is True
    assert result["first_checkin"]["gate"] == "A"


def test_the_kit_carries_the_key_the_revocations_and_the_roster(door_key, alice, event, tickets):
    from tickets import services

    services.ticket_revoke(ticket=tickets[2], actor=alice)

    kit = ApiClient(door_key).get(f"/api/v1/events/{event.public_id}/checkin-kit").json()

    assert kit["public_key"] == bytes(event.public_key).hex()
    assert kit["revocation_version"] == 1
    assert kit["revoked"] == [f"{tickets[2].serial}:{bytes(tickets[2].nonce).hex()}"]
    assert [t["holder_name"] for t in kit["tickets"]] == ["Ada Lovelace", "Alan Turing"]


def test_a_csv_of_attendees_becomes_tickets_through_a_job(write_key, event):
    rows = [["Name", "Email", "Ticket type", "Order"]]
    rows += [[f"Guest {i}", f"g{i}@example.com", "Standard", f"o-{i}"] for i in range(1, 6)]
    rows.append(["", "nobody@example.com", "Standard", "o-6"])  # no name: refused
    rows.append(["Guest 7", "not-an-email", "Standard", "o-7"])
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    file = SimpleUploadedFile("attendees.csv", text.getvalue().encode(), "text/csv")
    client = Client(headers={"Authorization": f"Bearer {write_key}"})

    response = client.post(f"/api/v1/events/{event.public_id}/tickets/import", {"file": file})

    assert response.status_code == 202, response.content
    from jobs.models import Job

    job = run(Job.objects.get(public_id=response.json()["id"]))
    assert job.kind == "ticket_import"
    assert job.status == "succeeded"
    assert job.summary == {"rows": 7, "created": 5, "failed": 2}
    assert sorted(Ticket.objects.values_list("external_id", flat=True)) == [
        f"o-{i}" for i in range(1, 6)
    ]
    results = list(csv.DictReader(io.StringIO(job.result_file.read().decode())))
    assert results[0]["payload"] == Ticket.objects.get(external_id="o-1").payload
    errors = job.errors_file.read().decode()
    assert "Name" in errors
    assert "holder's name" in errors.replace("’", "'")
    assert "Email" in errors
    # A second run of the same job (a redelivered task) issues nothing twice.
    run(job)
    assert Ticket.objects.count() == 5


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "checkin_opens_at"])
def test_an_event_in_year_275_is_400_naming_the_field(write_key, field):
    # "0275" for "2025": refused, and no date goes out with a three-digit year.
    body = {
        "name": "Gala",
        "starts_at": "2027-05-01T18:00:00Z",
        "ends_at": "2027-05-01T23:00:00Z",
        field: "0275-04-23T11:15:39Z",
    }

    response = ApiClient(write_key).post("/api/v1/events", body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert not Event.objects.exists()


def test_a_payload_starting_with_a_sign_is_written_exactly_in_the_results_csv(write_key, event):
    # Base45's first digit is (256 + the tag's first byte) mod 45: a tag starting with 10
    # makes every payload of the event start with "-", which a spreadsheet reads as a formula.
    Event.objects.filter(pk=event.pk).update(tag=b"\x0a" + bytes(event.tag)[1:])
    rows = [["Name", "Email", "Ticket type", "Order"], ["=HYPERLINK(1)", "", "Standard", "o-1"]]
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    file = SimpleUploadedFile("attendees.csv", text.getvalue().encode(), "text/csv")
    client = Client(headers={"Authorization": f"Bearer {write_key}"})

    response = client.post(f"/api/v1/events/{event.public_id}/tickets/import", {"file": file})
    from jobs.models import Job

    job = run(Job.objects.get(public_id=response.json()["id"]))

    ticket = Ticket.objects.get(external_id="o-1")
    assert ticket.payload.startswith("-")
    (result,) = csv.DictReader(io.StringIO(job.result_file.read().decode()))
    assert result["payload"] == ticket.payload  # what a mail merge prints as the code
    assert result["holder_name"] == "'=HYPERLINK(1)"  # a person's text is still defused
