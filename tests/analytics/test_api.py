"""The analytics API: the seed's request verbatim, groups and workspace, scopes, errors."""

import uuid

import pytest

from qrsite.api import ratelimit
from tests.analytics.analytics_data import add_scan
from tests.api.conftest import ApiClient, make_key
from tests.codes.factories import CampaignGroupFactory, QRCodeFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"api:rl:test-{uuid.uuid4().hex}")


@pytest.fixture
def reader(alice, acme):
    return ApiClient(make_key(alice, acme, "read"))


@pytest.fixture
def stranger(charlie, globex):
    return ApiClient(make_key(charlie, globex, "admin"))


@pytest.fixture
def poster(acme):
    group = CampaignGroupFactory(workspace=acme, name="Spring", slug="spring")
    code = QRCodeFactory(workspace=acme, group=group, name="Poster")
    add_scan(code, "2026-03-01 23:30", visitor="ann", country="FR")
    add_scan(code, "2026-03-02 08:00", visitor="ann", country="FR")
    add_scan(
        code,
        "2026-03-02 09:00",
        visitor="ben",
        country="DE",
        device_type="desktop",
        os="Windows",
        browser="Edge",
    )
    add_scan(code, "2026-03-05 12:00", visitor="bot", is_bot=True, device_type="bot", country="US")
    add_scan(code, "2026-02-25 12:00", visitor="old", country="FR")  # the previous period
    return code


def test_the_seed_request_returns_counts_series_geography_and_devices(reader, poster):
    response = reader.get(
        f"/api/v1/codes/{poster.public_id}/analytics?start=2026-03-01&end=2026-03-08"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["code"]["id"] == poster.public_id
    assert (body["start"], body["end"], body["timezone"], body["interval"]) == (
        "2026-03-01",
        "2026-03-08",
        "UTC",
        "day",
    )
    assert (body["scans"], body["unique_scans"], body["bot_scans"]) == (3, 3, 1)
    assert len(body["timeseries"]) == 8
    assert body["timeseries"][0] == {
        "period": "2026-03-01",
        "start": "2026-03-01T00:00:00+00:00",
        "scans": 1,
        "unique_scans": 1,
    }
    assert body["timeseries"][1]["scans"] == 2
    assert body["countries"] == [
        {"value": "FR", "label": "France", "scans": 2, "unique_scans": 2, "share": 0.6667},
        {"value": "DE", "label": "Germany", "scans": 1, "unique_scans": 1, "share": 0.3333},
    ]
    assert [row["value"] for row in body["devices"]] == ["mobile", "desktop"]
    assert {"operating_systems", "browsers", "referrers", "languages"} <= body.keys()
    assert body["previous_period"] == {
        "start": "2026-02-21", "end": "2026-02-28", "scans": 1, "unique_scans": 1,
        "scans_change": 2.0, "unique_scans_change": 2.0,
    }  # fmt: skip
    assert "top_codes" not in body


def test_time_zone_and_bots_are_query_parameters(reader, poster):
    url = f"/api/v1/codes/{poster.public_id}/analytics?start=2026-03-02&end=2026-03-02"

    paris = reader.get(url + "&timezone=Europe/Paris").json()
    with_bots = reader.get(
        url.replace("03-02&end=2026-03-02", "03-01&end=2026-03-08") + "&include_bots=true"
    ).json()

    assert paris["scans"] == 3  # 23:30 UTC on March 1 is March 2 in Paris
    assert paris["timeseries"][0]["start"] == "2026-03-02T00:00:00+01:00"
    assert with_bots["scans"] == 4
    assert any(row["value"] == "bot" for row in with_bots["devices"])


def test_group_and_workspace_analytics_rank_their_codes(reader, poster, acme):
    other = QRCodeFactory(workspace=acme, name="Flyer")
    add_scan(other, "2026-03-03 10:00")

    group = reader.get(
        f"/api/v1/groups/{poster.group.public_id}/analytics?start=2026-03-01&end=2026-03-08"
    ).json()
    workspace = reader.get("/api/v1/analytics?start=2026-03-01&end=2026-03-08").json()

    assert group["group"]["id"] == poster.group.public_id
    assert group["scans"] == 3
    assert [c["id"] for c in group["top_codes"]] == [poster.public_id]
    assert workspace["workspace"]["id"] == acme.public_id
    assert workspace["scans"] == 4
    assert [c["name"] for c in workspace["top_codes"]] == ["Poster", "Flyer"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-03-08&end=2026-03-01", "end"),
        ("start=2024-01-01&end=2026-03-01", "end"),
        ("start=01/03/2026", "start"),
        ("timezone=Nowhere/City", "timezone"),
        ("interval=year", "interval"),
        ("limit=0", "limit"),
        ("include_bots=perhaps", "include_bots"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(reader, poster, query, field):
    response = reader.get(f"/api/v1/codes/{poster.public_id}/analytics?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("validation_error", field)
    assert error["message"].startswith(f"{field}: ")


def test_another_workspaces_code_and_group_are_404(stranger, poster):
    for url in (
        f"/api/v1/codes/{poster.public_id}/analytics",
        f"/api/v1/groups/{poster.group.public_id}/analytics",
        "/api/v1/codes/code_doesnotexist/analytics",
    ):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert stranger.get("/api/v1/analytics").json()["scans"] == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("read", 200),
        ("admin", 200),
        ("carol_session", 200),
        ("charlie_session", 404),
    ],
)
def test_permission_matrix(persona, status, poster, alice, carol, charlie, client):
    url = f"/api/v1/codes/{poster.public_id}/analytics"
    if persona == "anonymous":
        caller = ApiClient()
    elif persona in ("read", "admin"):
        caller = ApiClient(make_key(alice, poster.workspace, persona))
    else:
        caller = client
        caller.force_login(carol if persona == "carol_session" else charlie)
    assert caller.get(url).status_code == status
    assert caller.get("/api/v1/analytics").status_code == (401 if persona == "anonymous" else 200)


def test_rate_limit_headers_come_with_analytics(reader, poster):
    response = reader.get(f"/api/v1/codes/{poster.public_id}/analytics")

    assert response.status_code == 200
    assert response["RateLimit-Policy"].startswith('"read"')
