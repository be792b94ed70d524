"""API fixtures: keys of every scope for alice's Acme, a key of charlie's Globex, and clients
that send them. Each test starts with empty rate-limit counters and render caches."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import Membership
from qrsite.api import ratelimit


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    # Counters of one test must not leak into the next. Never cache.clear(): with Redis that
    # is FLUSHDB on a database other processes share; a fresh key prefix isolates instead.
    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"api:rl:test-{uuid.uuid4().hex}")


def make_key(user, workspace, scope="write", **kwargs):
    actor = Membership.objects.select_related("workspace", "user").get(
        user=user, workspace=workspace
    )
    _, secret = services.api_key_create(
        workspace=workspace,
        actor=actor,
        name=kwargs.pop("name", f"{scope} key"),
        scope=scope,
        **kwargs,
    )
    return secret


class ApiClient(Client):
    """A test client that speaks JSON and sends a bearer key."""

    def __init__(self, key=None, **kwargs):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        super().__init__(headers=headers, **kwargs)

    def _json(self, method, path, data=None, **extra):
        if data is not None and not isinstance(data, (str, bytes)):
            data = json.dumps(data)
        return getattr(super(), method)(path, data=data, content_type="application/json", **extra)

    def post(self, path, data=None, **extra):
        return self._json("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._json("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._json("put", path, data, **extra)

    def delete(self, path, data=None, **extra):
        return self._json("delete", path, data, **extra)


@pytest.fixture
def api():
    return ApiClient


@pytest.fixture
def read_key(alice, acme):
    return make_key(alice, acme, "read")


@pytest.fixture
def write_key(alice, acme):
    return make_key(alice, acme, "write")


@pytest.fixture
def admin_key(alice, acme):
    return make_key(alice, acme, "admin")


@pytest.fixture
def globex_key(charlie, globex):
    return make_key(charlie, globex, "admin")


@pytest.fixture
def revoked_key(alice, acme):
    from accounts.models import ApiKey

    secret = make_key(alice, acme, "admin", name="revoked")
    actor = Membership.objects.get(user=alice, workspace=acme)
    services.api_key_revoke(api_key=ApiKey.objects.get(name="revoked"), actor=actor)
    return secret


@pytest.fixture
def expired_key(alice, acme):
    import time_machine

    with time_machine.travel(timezone.now() - timedelta(days=2)):
        return make_key(alice, acme, "admin", expires_at=timezone.now() + timedelta(days=1))


@pytest.fixture
def client_write(write_key):
    return ApiClient(write_key)


@pytest.fixture
def client_read(read_key):
    return ApiClient(read_key)


@pytest.fixture
def client_admin(admin_key):
    return ApiClient(admin_key)
