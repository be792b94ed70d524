"""A warm image call takes its code from the process's memory (no database round trip), and a
change to the code — made here or committed by another process — is served on the very next
call (codes/read_cache.py, confirmed by the workspace's generation in Redis)."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from codes import read_cache
from codes import services as code_services
from codes.models import QRCode
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.redis


@pytest.fixture(autouse=True)
def _real_redis(real_redis_memories):
    pass


@pytest.fixture
def client(alice, acme):
    return ApiClient(make_key(alice, acme, "write"))


@pytest.fixture
def code(client):
    made = client.post("/api/v1/codes", {"destination": "https://example.com/warm"})
    assert made.status_code == 201
    return made.json()


def _image(client, code_id, **headers):
    """The response and how many statements the call ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/codes/{code_id}/image?format=png&size=300", **headers)
    return response, len(queries.captured_queries)


def _another_process_committed_a_change(workspace_pk):
    key = read_cache.generation_key(workspace_pk)
    caches["default"]._cache.get_client(key, write=True).incr(key)


def test_a_warm_image_call_runs_no_statement(client, code):
    cold, cold_statements = _image(client, code["id"])
    warm, warm_statements = _image(client, code["id"])

    assert (cold.status_code, warm.status_code) == (200, 200)
    assert warm.content == cold.content
    assert warm["ETag"] == cold["ETag"]
    assert cold_statements >= 1  # the code (and the key's first use) from the database
    assert warm_statements == 0


def test_a_restyle_here_is_served_on_the_next_call(client, code):
    before, _ = _image(client, code["id"])
    _image(client, code["id"])

    client.patch(f"/api/v1/codes/{code['id']}", {"foreground_color": "#1d3557"})
    after, statements = _image(client, code["id"])

    assert after["ETag"] != before["ETag"]
    assert after.content != before.content
    assert statements >= 1  # read again


def test_a_change_another_process_committed_is_read_again(client, code, acme):
    before, _ = _image(client, code["id"])
    _image(client, code["id"])
    # What another process's commit looks like from here: no signal in this process, only
    # the row and the workspace's generation move.
    QRCode.objects.filter(public_id=code["id"]).update(
        style={**QRCode.objects.get(public_id=code["id"]).style, "foreground_color": "#7c1a1a"}
    )
    _another_process_committed_a_change(acme.pk)

    after, statements = _image(client, code["id"])

    assert statements >= 1
    assert after["ETag"] != before["ETag"]


def test_a_deleted_code_is_gone_on_the_next_call_in_every_process(
    client, code, acme, alice, django_capture_on_commit_callbacks
):
    _image(client, code["id"])
    before = _generation(acme.pk)

    with django_capture_on_commit_callbacks(execute=True):
        code_services.code_delete(
            code=QRCode.objects.get(public_id=code["id"]),
            actor=alice,
        )

    response, _ = _image(client, code["id"])
    assert response.status_code == 404
    assert _generation(acme.pk) == before + 1  # the other processes hear of it too


def test_another_workspace_never_gets_a_remembered_code(client, code, charlie, globex):
    _image(client, code["id"])
    _image(client, code["id"])
    other = ApiClient(make_key(charlie, globex, "write"))

    response, _ = _image(other, code["id"])

    assert response.status_code == 404


def test_a_test_key_never_gets_a_remembered_live_code(client, code, alice, acme):
    _image(client, code["id"])
    _image(client, code["id"])
    sandbox = ApiClient(make_key(alice, acme, "write", test=True))

    response, _ = _image(sandbox, code["id"])

    assert response.status_code == 404


def test_nothing_is_kept_when_the_cache_is_turned_off(client, code, settings):
    settings.CODE_READ_CACHE_SECONDS = 0
    _image(client, code["id"])
    _image(client, code["id"])

    _, statements = _image(client, code["id"])

    assert statements >= 1


def _generation(workspace_pk):
    key = read_cache.generation_key(workspace_pk)
    return int(caches["default"]._cache.get_client(key, write=True).get(key) or 0)


def test_a_generation_lost_with_redis_data_trusts_nothing_kept(client, code, acme):
    key = read_cache.generation_key(acme.pk)
    redis = caches["default"]._cache.get_client(key, write=True)
    redis.delete(key)  # the workspace's first image: the entry is kept under a new counter
    before, _ = _image(client, code["id"])
    _image(client, code["id"])
    QRCode.objects.filter(public_id=code["id"]).update(
        style={**QRCode.objects.get(public_id=code["id"]).style, "foreground_color": "#1a7c3d"}
    )
    _another_process_committed_a_change(acme.pk)
    # Redis restarted empty (or its database was flushed): the counter is gone, and a new one
    # must not come back to the value an old entry was kept under.
    redis.delete(key)

    after, statements = _image(client, code["id"])

    assert statements >= 1
    assert after["ETag"] != before["ETag"]
