"""A bulk create tells webhooks once: every code gets its code.created event, and the
endpoints are looked up once per batch, not once per code."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from codes.services import code_create_many
from webhooks.models import WebhookEvent


def _items(count, start=0):
    return [{"destination": f"https://example.com/p/{i}"} for i in range(start, start + count)]


def _endpoint_lookups(queries) -> int:
    return sum('FROM "webhooks_webhookendpoint"' in q["sql"] for q in queries)


def test_every_code_of_a_bulk_create_gets_its_created_event(acme, alice, make_endpoint):
    make_endpoint("http://127.0.0.1:9/hooks", events=["code.created"])

    codes = code_create_many(workspace=acme, actor=alice, items=_items(5))

    events = WebhookEvent.objects.filter(type="code.created")
    assert sorted(e.data["code"]["id"] for e in events) == sorted(c.public_id for c in codes)


def test_a_bigger_bulk_create_does_not_look_endpoints_up_more_often(acme, alice, make_endpoint):
    make_endpoint("http://127.0.0.1:9/hooks", events=["code.created"])

    with CaptureQueriesContext(connection) as small:
        code_create_many(workspace=acme, actor=alice, items=_items(2))
    with CaptureQueriesContext(connection) as big:
        code_create_many(workspace=acme, actor=alice, items=_items(40, start=100))

    assert _endpoint_lookups(big.captured_queries) == _endpoint_lookups(small.captured_queries)
    assert WebhookEvent.objects.filter(type="code.created").count() == 42
