"""Rate limits per key and scope, shared through the cache; headers on every response; 429 with
Retry-After before anything is written."""

import re
import threading

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches

from codes.models import QRCode
from qrsite.api import ratelimit
from tests.api.conftest import ApiClient, make_key

BODY = {"destination": "https://example.com/limited"}


def parse(header: str) -> dict:
    name, *params = header.split(";")
    values = dict(p.split("=") for p in params)
    return {"policy": name.strip('"'), **{k: int(v) for k, v in values.items()}}


@pytest.fixture
def limits(settings):
    settings.API_RATE_LIMITS = {**django_settings.API_RATE_LIMITS}
    return settings.API_RATE_LIMITS


def test_every_response_carries_the_headers_of_its_scope(client_write, limits):
    read = client_write.get("/api/v1/codes")
    write = client_write.post("/api/v1/codes", BODY)

    assert parse(read["RateLimit-Policy"]) == {"policy": "read", "q": limits["read"], "w": 60}
    assert parse(read["RateLimit"])["r"] == limits["read"] - 1
    assert parse(write["RateLimit-Policy"])["policy"] == "write"
    assert parse(write["RateLimit"])["r"] == limits["write"] - 1
    assert 1 <= parse(write["RateLimit"])["t"] <= 60
    assert re.fullmatch(r'"write";r=\d+;t=\d+', write["RateLimit"])


def test_errors_and_unknown_routes_carry_them_too(client_write):
    for response in (
        client_write.get("/api/v1/codes/code_nope"),
        client_write.get("/api/v1/nothing-here"),
        client_write.put("/api/v1/codes", {}),
        client_write.post("/api/v1/codes", {"destination": "nope"}),
    ):
        assert response.status_code in (400, 404, 405)
        assert "RateLimit" in response
        assert "RateLimit-Policy" in response
        assert response["Content-Type"] == "application/json"


def test_over_the_limit_is_429_with_retry_after_and_nothing_written(client_write, limits):
    limits["write"] = 2
    assert client_write.post("/api/v1/codes", BODY).status_code == 201
    assert client_write.post("/api/v1/codes", BODY).status_code == 201

    refused = client_write.post("/api/v1/codes", BODY)

    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert parse(refused["RateLimit"])["r"] == 0
    assert QRCode.objects.count() == 2


def test_a_bulk_request_counts_once(client_write, limits):
    limits["write"] = 1
    body = {"codes": [{"destination": f"https://example.com/{i}"} for i in range(20)]}

    assert client_write.post("/api/v1/codes/bulk", body).status_code == 201
    assert QRCode.objects.count() == 20


def test_reads_have_their_own_budget(client_write, limits):
    limits["write"] = 1
    client_write.post("/api/v1/codes", BODY)
    assert client_write.post("/api/v1/codes", BODY).status_code == 429

    assert client_write.get("/api/v1/codes").status_code == 200


def test_each_key_has_its_own_budget(alice, acme, limits):
    limits["read"] = 1
    first, second = (
        ApiClient(make_key(alice, acme, "read")),
        ApiClient(make_key(alice, acme, "read")),
    )

    assert first.get("/api/v1/codes").status_code == 200
    assert first.get("/api/v1/codes").status_code == 429
    assert second.get("/api/v1/codes").status_code == 200


def test_workspace_can_have_its_own_limit(client_read, acme):
    acme.api_rate_limit_read = 3
    acme.save()

    statuses = [client_read.get("/api/v1/codes").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_requests_without_valid_credentials_are_limited_per_address(db, limits):
    limits["anonymous"] = 2
    client = ApiClient("qr_nope.nope")

    statuses = [client.get("/api/v1/codes").status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


def test_cache_outage_lets_requests_through(client_write, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(ratelimit.counters, "bump_and_read", down)

    response = client_write.post("/api/v1/codes", BODY)

    assert response.status_code == 201
    assert "RateLimit" in response


def test_fixed_window_resets(limits):
    limits["read"] = 1
    first = ratelimit.hit(bucket="b", policy="read", limit=1, now=1_000_000.0)
    second = ratelimit.hit(bucket="b", policy="read", limit=1, now=1_000_001.0)
    next_window = ratelimit.hit(bucket="b", policy="read", limit=1, now=1_000_060.0)

    assert (first.exceeded, second.exceeded, next_window.exceeded) == (False, True, False)
    assert second.headers()["Retry-After"] == str(second.reset)


@pytest.mark.redis
def test_counters_are_shared_across_connections_in_redis():
    if "redis" not in django_settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("needs REDIS_URL pointing at a real Redis")
    counts = []

    def hit_from_another_thread():
        # Django gives every thread its own cache connection, as separate processes have.
        counts.append(ratelimit.hit(bucket="shared", policy="write", limit=100, now=2e9).count)

    threads = [threading.Thread(target=hit_from_another_thread) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(counts) == list(range(1, 21))
    full_key = caches["default"].make_and_validate_key(
        f"{ratelimit.KEY_PREFIX}:write:shared:{int(2e9 // 60) * 60}"
    )
    ttl = caches["default"]._cache.get_client(full_key).ttl(full_key)
    assert 0 < ttl <= 65  # the counter expires with its window
