"""A warm API call takes its key from the process's cache, and a change to the key, its
creator's membership or the workspace is seen on the very next call, in this process and in
any other (the shared generation in Redis)."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import key_cache, services
from accounts.models import ApiKey, Membership
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
def _real_redis(real_redis_memories):
    pass


def _get(client, path="/api/v1/codes"):
    """The response and how many times the request read a key from the database."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    reads = sum(
        q["sql"].startswith("SELECT") and '"accounts_apikey"' in q["sql"]
        for q in queries.captured_queries
    )
    return response, reads


def _another_process_committed_a_change():
    client = caches["default"]._cache.get_client(key_cache.generation_key(), write=True)
    client.incr(key_cache.generation_key())


def test_a_warm_call_reads_no_key_from_the_database(alice, acme):
    client = ApiClient(make_key(alice, acme))

    first, first_reads = _get(client)
    second, second_reads = _get(client)

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first_reads, second_reads) == (1, 0)


def test_a_revoked_key_is_refused_on_the_next_call(alice, acme, django_capture_on_commit_callbacks):
    client = ApiClient(make_key(alice, acme))
    assert _get(client)[0].status_code == 200
    before = key_cache.generation()

    with django_capture_on_commit_callbacks(execute=True):
        services.api_key_revoke(
            api_key=ApiKey.objects.get(), actor=Membership.objects.get(user=alice)
        )

    response, _ = _get(client)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_revoked"
    assert key_cache.generation() == before + 1  # every other process hears of it too


def test_a_change_committed_by_another_process_is_read_again(alice, acme):
    client = ApiClient(make_key(alice, acme))
    _get(client)
    # What another process's commit does, seen from here: the cache is not cleared locally.
    ApiKey.objects.update(revoked=True)
    _another_process_committed_a_change()

    response, reads = _get(client)

    assert response.status_code == 401
    assert reads == 1


def _admin(bob, alice):
    return services.membership_change_role(
        membership=Membership.objects.get(user=bob),
        role="admin",
        actor=Membership.objects.get(user=alice),
    )


def test_a_creator_who_left_makes_the_key_stop_at_once(alice, bob, acme):
    _admin(bob, alice)
    client = ApiClient(make_key(bob, acme))
    assert _get(client)[0].status_code == 200

    services.membership_remove(
        membership=Membership.objects.get(user=bob), actor=Membership.objects.get(user=alice)
    )

    assert _get(client)[0].status_code == 401


def test_a_lowered_role_caps_the_key_on_the_next_call(alice, bob, acme):
    _admin(bob, alice)
    client = ApiClient(make_key(bob, acme, "write"))
    assert client.post("/api/v1/codes", {"destination": "https://example.com/"}).status_code == 201

    services.membership_change_role(
        membership=Membership.objects.get(user=bob),
        role="viewer",
        actor=Membership.objects.get(user=alice),
    )

    refused = client.post("/api/v1/codes", {"destination": "https://example.com/2"})
    assert refused.status_code == 403


def test_a_workspace_limit_lowered_elsewhere_applies_on_the_next_call(alice, acme):
    client = ApiClient(make_key(alice, acme))
    assert _get(client)[0].status_code == 200
    type(acme).objects.filter(pk=acme.pk).update(api_rate_limit_read=1)
    _another_process_committed_a_change()

    response, _ = _get(client)

    assert response.status_code == 429
    assert "q=1;" in response["RateLimit-Policy"]


def test_without_the_generation_the_key_is_read_from_the_database(alice, acme, monkeypatch):
    from qrsite.api import counters

    client = ApiClient(make_key(alice, acme))
    _get(client)

    def store_down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(counters, "bump_and_read", store_down)
    response, reads = _get(client)

    assert response.status_code == 200  # let through, as any call is while the store is down
    assert reads == 1
