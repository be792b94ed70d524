"""Settings → Webhooks × persona → status, and what an admin sees on the pages.

Owners and admins manage webhooks; editors and viewers get 403; the stranger gets 404 for
Acme's endpoints and deliveries; anonymous visitors go to the login page."""

import pytest
from django.test import Client
from django.urls import reverse

from webhooks import services
from webhooks.models import WebhookEndpoint

VIEWS = [
    ("get", "webhooks:list", []),
    ("post", "webhooks:create", []),
    ("get", "webhooks:detail", ["endpoint"]),
    ("post", "webhooks:test", ["endpoint"]),
    ("post", "webhooks:rotate", ["endpoint"]),
    ("post", "webhooks:toggle", ["endpoint"]),
    ("post", "webhooks:delete", ["endpoint"]),
    ("post", "webhooks:redeliver", ["endpoint", "delivery"]),
]
ALLOWED = {200, 302}


@pytest.fixture
def objects(make_endpoint, alice_admin):
    endpoint, _ = make_endpoint("http://127.0.0.1:9/hooks")
    delivery = services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
    delivery.state = "failed"
    delivery.save()
    return {"endpoint": endpoint.public_id, "delivery": delivery.public_id}


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "charlie", "anonymous"])
@pytest.mark.parametrize(("method", "name", "arg_names"), VIEWS)
def test_permission_matrix(request, objects, persona, method, name, arg_names):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    else:
        request.getfixturevalue("carol")
    url = reverse(name, args=[objects[a] for a in arg_names])
    before = list(WebhookEndpoint.objects.values_list("public_id", "secret", "is_enabled"))

    response = getattr(client, method)(url)

    status = response.status_code
    if persona == "anonymous":
        assert status == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona in ("bob", "carol"):
        assert status == 403
    elif persona == "charlie" and arg_names:
        assert status == 404
    else:
        assert status in ALLOWED, (persona, method, name, status)
    if status >= 300 and persona != "alice":
        after = list(WebhookEndpoint.objects.values_list("public_id", "secret", "is_enabled"))
        assert after == before, "a refused request wrote something"


def test_every_webhooks_url_is_in_the_matrix():
    from webhooks.urls import urlpatterns

    assert {p.name for p in urlpatterns} == {name.split(":")[1] for _, name, _ in VIEWS}


def test_the_settings_tabs_show_webhooks_to_managers_only(alice_client, bob_client):
    assert b"Webhooks</a>" in alice_client.get(reverse("settings:general")).content
    assert b"Webhooks</a>" not in bob_client.get(reverse("settings:general")).content


def test_adding_an_endpoint_shows_its_secret_once(alice_client, receiver):
    response = alice_client.post(
        reverse("webhooks:create"),
        {"url": receiver.url, "all_events": "on", "scan_batch_size": "1"},
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    assert endpoint.secret.encode() not in alice_client.get(reverse("webhooks:list")).content
    detail = alice_client.get(reverse("webhooks:detail", args=[endpoint.public_id]))
    assert endpoint.secret.encode() not in detail.content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "http://169.254.169.254/"}, "metadata"),
        ({"url": "gopher://example.com/"}, "Only http and https"),
        ({"url": "RECEIVER", "scan_thresholds": "100, 0"}, "at least 1 scan"),
        ({"url": "RECEIVER", "scan_thresholds": "ten"}, "not a whole number"),
        ({"url": "RECEIVER"}, "Choose at least one event type"),
    ],
)
def test_bad_input_is_a_message_on_the_form(alice_client, receiver, data, message):
    data = {"scan_batch_size": "1", **data}
    data["url"] = data["url"].replace("RECEIVER", receiver.url)
    if "all_events" not in data and message != "Choose at least one event type":
        data["all_events"] = "on"

    response = alice_client.post(reverse("webhooks:create"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_disabled_endpoint_says_why(alice_client, make_endpoint, alice_admin):
    endpoint, _ = make_endpoint("http://127.0.0.1:9/hooks")
    services.endpoint_update(endpoint=endpoint, actor=alice_admin, is_enabled=False)

    page = alice_client.get(reverse("webhooks:detail", args=[endpoint.public_id])).content
    assert b"Disabled by a workspace admin" in page
    assert b">Send test event</button>" not in page


def test_the_delivery_log_costs_the_same_queries_for_more_rows(
    alice_client, make_endpoint, alice_admin
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    endpoint, _ = make_endpoint("http://127.0.0.1:9/hooks")
    url = reverse("webhooks:detail", args=[endpoint.public_id])

    def queries_with(total):
        while endpoint.deliveries.count() < total:
            services.endpoint_send_test(endpoint=endpoint, actor=alice_admin)
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(url).status_code == 200
        return len(captured)

    queries_with(1)  # the first request of a session does more (its session, its workspace)
    assert queries_with(2) == queries_with(12)


def test_thresholds_for_single_codes_from_the_form(alice_client, receiver, acme, alice):
    from codes import services as code_services

    code = code_services.code_create(workspace=acme, actor=alice, destination="https://e.com/")
    form = {"url": receiver.url, "all_events": "on", "scan_batch_size": "1"}

    refused = alice_client.post(reverse("webhooks:create"), {**form, "code_scan_thresholds": "x"})
    assert "needs a code id" in refused.content.decode()
    alice_client.post(
        reverse("webhooks:create"), {**form, "code_scan_thresholds": f"{code.public_id}: 500, 50"}
    )

    assert WebhookEndpoint.objects.get().code_scan_thresholds == {code.public_id: [50, 500]}
