"""Every dashboard view of the tickets app × persona → status.

Owner and editor may do everything; door staff (dora) and viewers read, door staff also
open the door page, and both get 403 for anything that changes; the stranger gets 404 for
Acme's events; anonymous visitors are sent to the login page.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tickets import services
from tickets.services import ScanItem

pytestmark = pytest.mark.django_db

READ, WRITE, DOOR = "read", "write", "door"
VIEWS = [
    ("get", "tickets:event_list", [], READ),
    ("post", "tickets:event_list", [], WRITE),
    ("get", "tickets:event_detail", ["event"], READ),
    ("get", "tickets:event_stats", ["event"], READ),
    ("get", "tickets:door", ["event"], DOOR),
    ("get", "tickets:checkins_csv", ["event"], READ),
    ("post", "tickets:ticket_create", ["event"], WRITE),
    ("post", "tickets:ticket_import", ["event"], WRITE),
    ("post", "tickets:tickets_export", ["event"], WRITE),
    ("post", "tickets:ticket_revoke", ["event", "ticket"], WRITE),
    ("post", "tickets:ticket_reissue", ["event", "ticket"], WRITE),
    ("get", "tickets:ticket_pdf", ["event", "ticket"], READ),
    ("post", "tickets:checkin_undo", ["event", "checkin"], WRITE),
]
ALLOWED = {200, 302, 400}


@pytest.fixture
def objects(event, tickets, alice):
    admitted = services.checkin_record(
        event=event, actor=alice, item=ScanItem(tickets[1].payload, gate="A")
    )
    return {
        "event": event.public_id,
        "ticket": tickets[0].public_id,
        "checkin": admitted.checkin.public_id,
    }


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dora", "charlie", "anonymous"])
@pytest.mark.parametrize(("method", "name", "arg_names", "kind"), VIEWS)
def test_permission_matrix(request, objects, persona, method, name, arg_names, kind):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[objects[a] for a in arg_names])

    response = getattr(client, method)(url)

    status = response.status_code
    if persona == "anonymous":
        assert status == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona == "charlie" and arg_names:
        assert status == 404
    elif persona in ("carol", "dora") and kind == WRITE:
        assert status == 403
    elif persona == "carol" and kind == DOOR:
        assert status == 403  # viewers open the door page only where the event allows it
    else:
        assert status in ALLOWED, (persona, method, name, status)


def test_every_tickets_url_is_in_the_matrix():
    from tickets.urls import urlpatterns

    covered = {name.split(":")[1] for _, name, _, _ in VIEWS}
    assert {p.name for p in urlpatterns} - {"service_worker"} == covered


def test_the_service_worker_may_control_the_door_pages(client):
    response = client.get(reverse("tickets:service_worker"))

    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/tickets/"
    assert response["Content-Type"].startswith("text/javascript")


def test_the_membership_forms_offer_the_door_role(alice_client):
    response = alice_client.get(reverse("settings:members"))

    assert b'value="door"' in response.content
    assert b"Door staff" in response.content


def test_the_check_in_csv_lists_every_scan(alice_client, objects, event, tickets, alice):
    services.checkin_record(event=event, actor=alice, item=ScanItem(tickets[1].payload, gate="B"))

    response = alice_client.get(reverse("tickets:checkins_csv", args=[event.public_id]))

    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("checkin_id,scanned_at,recorded_at,result,gate,ticket_id")
    assert [line.split(",")[3] for line in lines[1:]] == ["valid", "already_used"]
    assert all("Alan Turing" in line for line in lines[1:])
