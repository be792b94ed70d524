"""Every endpoint × every kind of caller → the documented status, and nothing written on refusal.

Callers: no key, a revoked key, an expired key, Acme keys of scope read / write / admin, Acme
test keys (the sandbox) of the same scopes, and Globex's admin key (another workspace).
Refusals: 401 for missing/revoked/expired credentials, 403 when the scope is too small (checked
before any lookup), 404 for another workspace's objects — and for the other mode's: a test key
on a live object and a live key on a sandbox object. Bulk update/delete name their ids in the
body, so a foreign id is a 400 listing it.
"""

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts import services as account_services
from accounts.api.authentication import key_bucket, member_bucket_suffix
from accounts.models import ApiKey, Membership
from codes import services as code_services
from codes.models import BrandTemplate, CampaignGroup, DestinationChange, LogoAsset, QRCode
from jobs.models import Job
from qrsite.api.models import IdempotencyRecord
from tests.api.conftest import ApiClient, make_key
from tickets import services as ticket_services
from tickets.models import CheckIn, Event, Ticket
from webhooks import services as webhook_services
from webhooks.models import WebhookDelivery, WebhookEndpoint

RANK = {"read": 0, "write": 1, "admin": 2}


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: str
    scope: str
    ok: int
    body: dict | None = None
    foreign: int | None = None  # status for another workspace's key; None: same as ok
    multipart: str | None = None  # an upload ("csv" or "png"): `body` holds the form fields
    shared: bool = False  # a workspace setting both modes read (brand styles)
    test_only: bool = False  # changes the sandbox: live keys get 403 test_mode_only
    check_in: bool = False  # also needs a role that checks in (not a viewer): tickets app

    def __str__(self):
        return f"{self.method} {self.url}"


ENDPOINTS = [
    Endpoint("get", "/api/v1/codes", "read", 200),
    Endpoint("post", "/api/v1/codes", "write", 201, {"destination": "https://example.com/new"}),
    Endpoint("get", "/api/v1/codes/{code}", "read", 200, foreign=404),
    Endpoint("patch", "/api/v1/codes/{code}", "write", 200, {"name": "Renamed"}, foreign=404),
    Endpoint("delete", "/api/v1/codes/{code}", "write", 204, foreign=404),
    Endpoint("get", "/api/v1/codes/{code}/image", "read", 200, foreign=404),
    Endpoint("get", "/api/v1/codes/{code}/destinations", "read", 200, foreign=404),
    Endpoint(
        "post", "/api/v1/codes/{code}/destinations/{change}/rollback", "write", 200, {}, foreign=404
    ),
    Endpoint(
        "post",
        "/api/v1/codes/bulk",
        "write",
        201,
        {"codes": [{"destination": "https://example.com/b1"}], "defaults": {"type": "dynamic"}},
    ),
    Endpoint(
        "post",
        "/api/v1/codes/bulk/update",
        "write",
        200,
        {"ids": ["{code}"], "is_active": False},
        foreign=400,
    ),
    Endpoint("post", "/api/v1/codes/bulk/delete", "write", 200, {"ids": ["{code}"]}, foreign=400),
    Endpoint("get", "/api/v1/groups", "read", 200),
    Endpoint("post", "/api/v1/groups", "write", 201, {"name": "Autumn"}),
    Endpoint("get", "/api/v1/groups/{group}", "read", 200, foreign=404),
    Endpoint("patch", "/api/v1/groups/{group}", "write", 200, {"name": "Renamed"}, foreign=404),
    Endpoint("delete", "/api/v1/groups/{group}", "write", 204, foreign=404),
    Endpoint("post", "/api/v1/render", "read", 200, {"destination": "https://example.com/r"}),
    Endpoint("post", "/api/v1/check", "read", 200, {"destination": "https://example.com/r"}),
    Endpoint("get", "/api/v1/codes/{code}/analytics", "read", 200, foreign=404),
    Endpoint("get", "/api/v1/groups/{group}/analytics", "read", 200, foreign=404),
    Endpoint("get", "/api/v1/analytics", "read", 200),
    Endpoint("get", "/api/v1/keys", "admin", 200),
    Endpoint("post", "/api/v1/keys", "admin", 201, {"name": "CI", "scope": "read"}),
    Endpoint("delete", "/api/v1/keys/{key}", "admin", 204, foreign=404),
    Endpoint("get", "/api/v1/webhooks", "admin", 200),
    Endpoint(
        "post",
        "/api/v1/webhooks",
        "admin",
        201,
        {"url": "http://127.0.0.1:9/hooks", "events": ["code.created"]},
    ),
    Endpoint("get", "/api/v1/webhooks/{webhook}", "admin", 200, foreign=404),
    Endpoint(
        "patch", "/api/v1/webhooks/{webhook}", "admin", 200, {"description": "CRM"}, foreign=404
    ),
    Endpoint("delete", "/api/v1/webhooks/{webhook}", "admin", 204, foreign=404),
    Endpoint("post", "/api/v1/webhooks/{webhook}/rotate-secret", "admin", 200, {}, foreign=404),
    Endpoint("post", "/api/v1/webhooks/{webhook}/test", "admin", 202, {}, foreign=404),
    Endpoint("get", "/api/v1/webhooks/{webhook}/deliveries", "admin", 200, foreign=404),
    Endpoint(
        "post",
        "/api/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver",
        "admin",
        202,
        {},
        foreign=404,
    ),
    Endpoint("get", "/api/v1/jobs", "read", 200),
    Endpoint("get", "/api/v1/jobs/{job}", "read", 200, foreign=404),
    Endpoint("post", "/api/v1/jobs/{job}/cancel", "write", 200, {}, foreign=404),
    Endpoint("get", "/api/v1/jobs/{job}/result", "read", 200, foreign=404),
    Endpoint("get", "/api/v1/jobs/{job}/errors", "read", 200, foreign=404),
    Endpoint(
        "post",
        "/api/v1/imports",
        "write",
        202,
        {"mapping": '{{"url": "destination"}}'},
        multipart="csv",
    ),
    Endpoint("post", "/api/v1/exports", "write", 202, {"codes": ["{code}"]}, foreign=400),
    Endpoint("post", "/api/v1/labels", "write", 200, {"codes": ["{code}"]}, foreign=400),
    Endpoint("get", "/api/v1/label-sheets", "read", 200),
    Endpoint("get", "/api/v1/logos", "read", 200),
    Endpoint("post", "/api/v1/logos", "write", 201, {"name": "Acme"}, multipart="png"),
    Endpoint("get", "/api/v1/logos/{logo}", "read", 200, foreign=404),
    Endpoint("get", "/api/v1/templates", "read", 200),
    Endpoint("get", "/api/v1/templates/{template}", "read", 200, foreign=404, shared=True),
    Endpoint("get", "/api/v1/usage", "read", 200),
    Endpoint("post", "/api/v1/sandbox/wipe", "write", 200, {}, test_only=True),
    # Event tickets: check-ins and the kit need only read (plus a role that checks in).
    Endpoint("get", "/api/v1/events", "read", 200),
    Endpoint(
        "post",
        "/api/v1/events",
        "write",
        201,
        {"name": "Gala", "starts_at": "2030-01-01T18:00Z", "ends_at": "2030-01-01T23:00Z"},
    ),
    Endpoint("get", "/api/v1/events/{event}", "read", 200, foreign=404),
    Endpoint("patch", "/api/v1/events/{event}", "write", 200, {"venue": "Pier 4"}, foreign=404),
    Endpoint("delete", "/api/v1/events/{event}", "write", 204, foreign=404),
    Endpoint("get", "/api/v1/events/{event}/checkin-kit", "read", 200, foreign=404, check_in=True),
    Endpoint("get", "/api/v1/events/{event}/stats", "read", 200, foreign=404),
    Endpoint("get", "/api/v1/events/{event}/checkins", "read", 200, foreign=404),
    Endpoint(
        "post", "/api/v1/events/{event}/checkins/{checkin}/undo", "write", 200, {}, foreign=404
    ),
    Endpoint("get", "/api/v1/events/{event}/tickets", "read", 200, foreign=404),
    Endpoint(
        "post", "/api/v1/events/{event}/tickets", "write", 201, {"holder_name": "Ada"}, foreign=404
    ),
    Endpoint(
        "post",
        "/api/v1/events/{event}/tickets/import",
        "write",
        202,
        {"mapping": '{{"url": "holder_name"}}'},
        foreign=404,
        multipart="csv",
    ),
    Endpoint(
        "post",
        "/api/v1/events/{event}/tickets/export",
        "write",
        202,
        {"format": "pdf"},
        foreign=404,
    ),
    Endpoint("get", "/api/v1/events/{event}/tickets/{ticket}", "read", 200, foreign=404),
    Endpoint(
        "patch",
        "/api/v1/events/{event}/tickets/{ticket}",
        "write",
        200,
        {"ticket_type": "VIP"},
        foreign=404,
    ),
    Endpoint(
        "post", "/api/v1/events/{event}/tickets/{ticket}/revoke", "write", 200, {}, foreign=404
    ),
    Endpoint(
        "post", "/api/v1/events/{event}/tickets/{ticket}/reissue", "write", 200, {}, foreign=404
    ),
    Endpoint("get", "/api/v1/events/{event}/tickets/{ticket}/image", "read", 200, foreign=404),
    Endpoint("get", "/api/v1/events/{event}/tickets/{ticket}/pdf", "read", 200, foreign=404),
    Endpoint(
        "post",
        "/api/v1/checkins",
        "read",
        200,
        {"event": "{event}", "payload": "{payload}", "gate": "A"},
        foreign=404,
        check_in=True,
    ),
    Endpoint(
        "post",
        "/api/v1/checkins/batch",
        "read",
        200,
        {
            "event": "{event}",
            "items": [{"payload": "{payload}", "nonce": "n-1", "scanned_at": "2026-01-01T10:00Z"}],
        },
        foreign=404,
        check_in=True,
    ),
]
TEST_CALLERS = ["test_read", "test_write", "test_admin"]
CALLERS = ["none", "revoked", "expired", "read", "write", "admin", *TEST_CALLERS, "other_workspace"]
REFUSAL_CODES = {
    "none": "not_authenticated",
    "revoked": "api_key_revoked",
    "expired": "api_key_expired",
}


def expected_status(endpoint: Endpoint, caller: str) -> int:
    if caller in REFUSAL_CODES:
        return 401
    if caller == "other_workspace":
        return 403 if endpoint.test_only else endpoint.foreign or endpoint.ok
    is_test = caller in TEST_CALLERS
    if RANK[caller.removeprefix("test_")] < RANK[endpoint.scope]:
        return 403
    if is_test and not endpoint.shared:
        # Acme's live objects are as unknown to its sandbox as another workspace's.
        return endpoint.foreign or endpoint.ok
    if endpoint.test_only and not is_test:
        return 403
    return endpoint.ok


def png_bytes(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(out, format="PNG")
    return out.getvalue()


def make_objects(alice, acme, *, sandbox: bool) -> dict:
    """One of everything the endpoints name, in the live data or in the sandbox."""
    group = code_services.group_create(
        workspace=acme, actor=alice, name="Spring launch", sandbox=sandbox
    )
    code = code_services.code_create(
        workspace=acme,
        actor=alice,
        kind="dynamic",
        destination="https://example.com/first",
        group=group,
        name="Menu",
        sandbox=sandbox,
    )
    first_change = code.destination_changes.get()
    code_services.code_change_destination(
        code=code, destination="https://example.com/second", actor=alice
    )
    actor = Membership.objects.get(user=alice, workspace=acme)
    spare_key, _ = account_services.api_key_create(
        workspace=acme, actor=actor, name="spare", scope="read", test=sandbox
    )
    endpoint, _ = webhook_services.endpoint_create(
        workspace=acme,
        actor=actor,
        url="http://127.0.0.1:9/hooks",
        events=["*"],
        sandbox=sandbox,
    )
    delivery = webhook_services.endpoint_send_test(endpoint=endpoint, actor=actor)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="succeeded")
    job = Job.objects.create(
        workspace=acme, kind="import", created_by=alice, status="running", is_test=sandbox
    )
    logo = code_services.logo_create(
        workspace=acme, actor=alice, data=png_bytes(), name="Acme", sandbox=sandbox
    )
    template = BrandTemplate.objects.filter(workspace=acme).first() or (
        code_services.brand_template_create(
            workspace=acme, actor=alice, name="Acme primary", style={"foreground_color": "#112233"}
        )
    )
    job.result_file.save("results.csv", ContentFile(b"row\n"), save=False)
    job.errors_file.save("errors.csv", ContentFile(b"row\n"), save=True)
    event = ticket_services.event_create(
        workspace=acme,
        actor=alice,
        name="Gala",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=4),
        sandbox=sandbox,
    )
    first, second = ticket_services.ticket_issue_many(
        event=event, actor=alice, items=[{"holder_name": "Ada"}, {"holder_name": "Alan"}]
    )
    admitted = ticket_services.checkin_record(
        event=event, actor=alice, item=ticket_services.ScanItem(second.payload, gate="A")
    )
    return {
        "event": event.public_id,
        "ticket": first.public_id,
        "payload": first.payload,
        "checkin": admitted.checkin.public_id,
        "job": job.public_id,
        "code": code.public_id,
        "group": group.public_id,
        "change": first_change.public_id,
        "key": spare_key.public_id,
        "webhook": endpoint.public_id,
        "delivery": delivery.public_id,
        "logo": logo.public_id,
        "template": template.public_id,
    }


@pytest.fixture
def acme_objects(alice, acme, settings):
    # Webhook endpoints on 127.0.0.1 (nothing listens there; no test here sends anything).
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    return make_objects(alice, acme, sandbox=False)


@pytest.fixture
def callers(alice, acme, charlie, globex, revoked_key, expired_key):
    return {
        "none": None,
        "revoked": revoked_key,
        "expired": expired_key,
        "read": make_key(alice, acme, "read"),
        "write": make_key(alice, acme, "write"),
        "admin": make_key(alice, acme, "admin"),
        "test_read": make_key(alice, acme, "read", test=True),
        "test_write": make_key(alice, acme, "write", test=True),
        "test_admin": make_key(alice, acme, "admin", test=True),
        "other_workspace": make_key(charlie, globex, "admin"),
    }


def acme_state(acme, *, sandbox=False):
    """Everything a request could write in one mode of Acme (its live data by default)."""
    live_keys = ApiKey.objects.filter(workspace=acme, is_test=sandbox)
    return {
        "codes": sorted(
            QRCode.objects.filter(workspace=acme, is_test=sandbox).values_list(
                "public_id", "name", "is_active", "deleted_at", "destination", "group_id"
            )
        ),
        "groups": sorted(
            CampaignGroup.objects.filter(workspace=acme, is_test=sandbox).values_list(
                "public_id", "name"
            )
        ),
        "logos": sorted(
            LogoAsset.objects.filter(workspace=acme, is_test=sandbox).values_list("public_id")
        ),
        "changes": DestinationChange.objects.filter(workspace=acme, code__is_test=sandbox).count(),
        "keys": sorted(live_keys.values_list("public_id", "revoked")),
        "webhooks": sorted(
            WebhookEndpoint.objects.filter(workspace=acme, is_test=sandbox).values_list(
                "public_id", "description", "secret", "is_enabled"
            )
        ),
        "deliveries": WebhookDelivery.objects.filter(
            endpoint__workspace=acme, endpoint__is_test=sandbox
        ).count(),
        "jobs": sorted(
            Job.objects.filter(workspace=acme, is_test=sandbox).values_list(
                "public_id", "status", "cancel_requested_at"
            )
        ),
        "events": sorted(
            Event.objects.filter(workspace=acme, is_test=sandbox).values_list(
                "public_id", "venue", "revocation_version"
            )
        ),
        "tickets": sorted(
            Ticket.objects.filter(workspace=acme, event__is_test=sandbox).values_list(
                "public_id", "status", "payload", "ticket_type"
            )
        ),
        "checkins": sorted(
            CheckIn.objects.filter(event__workspace=acme, event__is_test=sandbox).values_list(
                "public_id", "result", "undone_at"
            )
        ),
        "idempotency": IdempotencyRecord.objects.filter(
            Q(principal__in=[key_bucket(key) for key in live_keys])
            | (Q(principal__endswith=member_bucket_suffix(acme)) if not sandbox else Q(pk=None))
        ).count(),
    }


def _fill(value, objects):
    if isinstance(value, str):
        return value.format(**objects)
    if isinstance(value, list):
        return [_fill(v, objects) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, objects) for k, v in value.items()}
    return value


def _send(client, endpoint, url, body, key, **kwargs):
    if endpoint.method == "get":
        return client.get(url)
    if endpoint.multipart:
        if endpoint.multipart == "png":
            upload = SimpleUploadedFile("logo.png", png_bytes((10, 120, 40)), "image/png")
        else:
            upload = SimpleUploadedFile("codes.csv", b"url\nhttps://example.com/up\n", "text/csv")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return Client(headers=headers).post(url, {**body, "file": upload}, **kwargs)
    return getattr(client, endpoint.method)(url, body, **kwargs)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_permission_matrix(endpoint, caller, callers, acme_objects, acme):
    client = ApiClient(callers[caller])
    url = endpoint.url.format(**acme_objects)
    body = _fill(endpoint.body, acme_objects)
    before = acme_state(acme)

    kwargs = {"HTTP_IDEMPOTENCY_KEY": f"matrix-{caller}"} if endpoint.method == "post" else {}
    response = _send(client, endpoint, url, body, callers[caller], **kwargs)

    status = expected_status(endpoint, caller)
    assert response.status_code == status, response.content[:400]
    assert "RateLimit" in response
    assert "RateLimit-Policy" in response
    if status >= 400:
        error = response.json()["error"]
        if caller in REFUSAL_CODES:
            assert error["code"] == REFUSAL_CODES[caller]
            assert response["WWW-Authenticate"].startswith("Bearer")
        elif (
            status == 403 and endpoint.test_only and caller in ("write", "admin", "other_workspace")
        ):
            assert error["code"] == "test_mode_only"
        elif status == 403:
            assert error["code"] == "insufficient_scope"
            assert endpoint.scope in error["message"]
        elif status == 404:
            assert error["code"] == "not_found"
        assert acme_state(acme) == before, "a refused request wrote something"
    if caller in ("other_workspace", *TEST_CALLERS) and status < 400:
        # Served in Globex, or in Acme's sandbox: nothing of Acme's live data is visible or
        # changed (brand styles are the workspace's settings, shared by both modes).
        assert acme_state(acme) == before
        assert acme_objects["code"].encode() not in response.content
        assert acme_objects["group"].encode() not in response.content
        assert acme_objects["logo"].encode() not in response.content
        assert acme_objects["event"].encode() not in response.content
        assert acme_objects["ticket"].encode() not in response.content


# Every endpoint that names an object, asked by a live key about a sandbox object.
NAMED = [e for e in ENDPOINTS if re.search(r"\{\w+\}", f"{e.url} {e.body}")]


@pytest.mark.parametrize("endpoint", NAMED, ids=str)
def test_live_key_gets_404_for_sandbox_objects(endpoint, alice, acme, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    sandbox_objects = make_objects(alice, acme, sandbox=True)
    key = make_key(alice, acme, "admin")
    url = endpoint.url.format(**sandbox_objects)
    body = _fill(endpoint.body, sandbox_objects)
    before = acme_state(acme, sandbox=True)

    response = _send(ApiClient(key), endpoint, url, body, key)

    expected = endpoint.ok if endpoint.shared else endpoint.foreign or endpoint.ok
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert response.json()["error"]["code"] in ("not_found", "validation_error")
    assert acme_state(acme, sandbox=True) == before, "a live key changed the sandbox"


@pytest.mark.parametrize(
    "path", ["/api/v1/codes", "/api/v1/groups", "/api/v1/logos", "/api/v1/events"]
)
def test_lists_show_only_the_callers_mode(path, alice, acme, callers, acme_objects):
    sandbox_objects = make_objects(alice, acme, sandbox=True)

    live = ApiClient(callers["read"]).get(path).content
    test = ApiClient(callers["test_read"]).get(path).content

    kind = path.rsplit("/", 1)[-1].removesuffix("s")
    assert acme_objects[kind].encode() in live
    assert sandbox_objects[kind].encode() not in live
    assert sandbox_objects[kind].encode() in test
    assert acme_objects[kind].encode() not in test


def test_other_workspace_sees_none_of_acmes_codes_in_lists(callers, acme_objects):
    client = ApiClient(callers["other_workspace"])

    response = client.get("/api/v1/codes")

    assert response.status_code == 200
    assert response.json()["results"] == []


# --- the dashboard session ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "method", "status"),
    [
        ("alice", "get", 200),
        ("bob", "get", 200),
        ("carol", "get", 200),
        ("alice", "post", 201),
        ("bob", "post", 201),
        ("carol", "post", 403),
    ],
)
def test_session_users_get_the_scope_of_their_role(
    request, csrf_client_for, acme, persona, method, status
):
    user = request.getfixturevalue(persona)
    client = csrf_client_for(user)
    token = "t" * 32  # the cookie the dashboard sets, and the header htmx sends back
    client.cookies["csrftoken"] = token
    if method == "get":
        response = client.get("/api/v1/codes")
    else:
        response = client.post(
            "/api/v1/codes",
            data='{"destination": "https://example.com/s"}',
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        )

    assert response.status_code == status, response.content[:300]
    if status == 403:
        assert response.json()["error"]["code"] == "insufficient_scope"
        assert not QRCode.objects.filter(workspace=acme).exists()


def test_session_write_without_csrf_token_is_refused(csrf_client_for, alice, acme):
    client = csrf_client_for(alice)

    response = client.post(
        "/api/v1/codes",
        data='{"destination": "https://example.com/s"}',
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert not QRCode.objects.exists()


def test_stranger_session_gets_404_for_acmes_code(charlie_client, acme_objects):
    response = charlie_client.get(f"/api/v1/codes/{acme_objects['code']}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_key_stops_working_when_its_creator_leaves(alice, bob, acme):
    key = make_key(alice, acme, "write")
    Membership.objects.filter(user=alice).delete()

    response = ApiClient(key).get("/api/v1/codes")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_key_never_does_more_than_its_creators_role(alice, acme):
    key = make_key(alice, acme, "write")
    Membership.objects.filter(user=alice).update(role="viewer")

    response = ApiClient(key).post("/api/v1/codes", {"destination": "https://example.com/x"})

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "insufficient_scope"
    assert "creator's current role allows only read" in error["message"]
    assert not QRCode.objects.exists()


def test_admin_key_of_a_creator_demoted_to_viewer_cannot_list_or_manage_keys(alice, acme):
    dave = _member_of(acme, "dave@example.com", "admin")
    key = make_key(dave, acme, "admin")
    Membership.objects.filter(user=dave).update(role="viewer")
    client = ApiClient(key)
    spare = ApiKey.objects.get(workspace=acme)
    before = acme_state(acme)

    for response in (
        client.get("/api/v1/keys"),
        client.post("/api/v1/keys", {"name": "Escalated", "scope": "admin"}),
        client.delete(f"/api/v1/keys/{spare.public_id}"),
    ):
        assert response.status_code == 403, response.content[:300]
        error = response.json()["error"]
        assert error["code"] == "insufficient_scope"
        assert "API key has the admin scope" in error["message"]
        assert "members" not in error["message"]
        assert b"dave@example.com" not in response.content
    assert acme_state(acme) == before
    assert client.get("/api/v1/codes").status_code == 200  # it still reads, as a viewer may


def _member_of(workspace, email, role):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(email=email)
    MembershipFactory(user=user, workspace=workspace, role=role)
    return user


# (scope of the key, role its creator had when making it, role the creator has now)
DEMOTIONS = [
    ("admin", "admin", "viewer"),
    ("admin", "admin", "editor"),
    ("write", "admin", "viewer"),
]
ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}


@pytest.mark.parametrize("demotion", DEMOTIONS, ids="-".join)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_demoted_creators_key_has_the_scope_of_the_new_role(endpoint, demotion, acme_objects, acme):
    key_scope, old_role, new_role = demotion
    dave = _member_of(acme, "dave@example.com", old_role)
    key = make_key(dave, acme, key_scope)
    client = ApiClient(key)
    Membership.objects.filter(user=dave).update(role=new_role)
    url = endpoint.url.format(**acme_objects)
    body = _fill(endpoint.body, acme_objects)
    before = acme_state(acme)

    response = _send(client, endpoint, url, body, key)

    allowed = min(RANK[key_scope], ROLE_RANK[new_role]) >= RANK[endpoint.scope]
    if endpoint.check_in and new_role == "viewer":
        # The scope allows it, the role does not: viewers do not check tickets in.
        assert response.status_code == 403, response.content[:300]
        assert response.json()["error"]["code"] == "permission_denied"
        assert acme_state(acme) == before
        return
    ok = 403 if endpoint.test_only else endpoint.ok  # a live key never wipes the sandbox
    assert response.status_code == (ok if allowed else 403), response.content[:300]
    if not allowed:
        assert response.json()["error"]["code"] == "insufficient_scope"
        assert acme_state(acme) == before, "a refused request wrote something"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer nonsense",
        "Bearer qr_AAAAAAAA.wrongsecret",
        "Basic YWxpY2U6cHc=",
        "Token x",
    ],
)
def test_malformed_or_unknown_credentials_get_401(header, db):
    response = ApiClient().get("/api/v1/codes", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_right_prefix_with_wrong_secret_is_refused(read_key):
    prefix = read_key.split(".")[0]

    response = ApiClient(f"{prefix}.{'x' * 40}").get("/api/v1/codes")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
