"""Per-key usage: requests, errors and 429s over 24 hours and 30 days, and last use."""

import time
import uuid

import pytest

from accounts.models import ApiKey
from qrsite.api import usage
from tests.api.conftest import ApiClient, make_key


@pytest.fixture(autouse=True)
def _fresh_usage(monkeypatch):
    monkeypatch.setattr(usage, "KEY_PREFIX", f"api:usage:test-{uuid.uuid4().hex}")


def test_usage_counts_requests_errors_and_429s_per_key(alice, acme, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "write": 2}
    busy_key, quiet_key = make_key(alice, acme, "write"), make_key(alice, acme, "read")
    busy = ApiClient(busy_key)
    busy.get("/api/v1/codes")
    busy.get("/api/v1/codes/code_missing")  # 404
    for _ in range(3):  # the third is over the write limit of 2
        busy.post("/api/v1/codes", {"destination": "not a url"})

    response = ApiClient(quiet_key).get("/api/v1/usage")

    assert response.status_code == 200
    rows = {row["prefix"]: row for row in response.json()["keys"]}
    row = rows[busy_key.split(".")[0]]
    assert row["requests_24h"] == 5
    assert row["errors_24h"] == 4  # the 404, two 400s and the 429
    assert row["rate_limited_24h"] == 1
    assert row["requests_30d"] == 5
    assert row["last_used_at"] is not None
    quiet = rows[quiet_key.split(".")[0]]
    # A request is counted as it arrives (with its rate limit), so the usage call counts
    # itself; its success adds no error.
    assert (quiet["requests_24h"], quiet["errors_24h"]) == (1, 0)
    assert response.json()["totals"]["requests_24h"] == 6


def test_requests_older_than_a_day_leave_the_24h_count_but_stay_in_30d():
    now = time.time()
    for hours_ago in (1, 30, 24 * 29):
        usage.usage_record(bucket="key:k1", status=200, now=now - hours_ago * 3600)
    usage.usage_record(bucket="key:k1", status=500, now=now - 24 * 40 * 3600)

    counted = usage.usage_for(bucket="key:k1", now=now)

    assert counted.requests_24h == 1
    assert counted.requests_30d == 3
    assert counted.errors_30d == 0


def test_usage_lists_only_the_callers_mode(alice, acme):
    live, test = make_key(alice, acme, "read"), make_key(alice, acme, "read", test=True)

    live_rows = ApiClient(live).get("/api/v1/usage").json()["keys"]
    test_rows = ApiClient(test).get("/api/v1/usage").json()["keys"]

    assert {r["test_mode"] for r in live_rows} == {False}
    assert {r["test_mode"] for r in test_rows} == {True}
    assert len(live_rows) == ApiKey.objects.filter(is_test=False).count()
