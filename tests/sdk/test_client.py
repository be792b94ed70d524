"""The `qrstudio` SDK against the live test server: what an integrator's code would do."""

from __future__ import annotations

import io

import pytest
import qrstudio
import zxingcpp
from PIL import Image

from codes.models import QRCode
from tests.analytics.analytics_data import add_scan
from tests.sdk.conftest import flaky_proxy, receiver


def test_create_get_update_delete(sdk):
    code = sdk.codes.create(destination="https://example.com/menu", size=400, format="png")

    assert code["id"].startswith("code_")
    assert "format=png&size=400" in code["image_url"]
    assert sdk.codes.get(code["id"])["destination"] == "https://example.com/menu"
    assert sdk.codes.update(code["id"], name="Menu")["name"] == "Menu"
    sdk.codes.delete(code["id"])
    with pytest.raises(qrstudio.NotFoundError) as refused:
        sdk.codes.get(code["id"])
    assert refused.value.code == "not_found"
    assert QRCode.objects.get(public_id=code["id"]).is_test  # made with a test key


def test_list_walks_every_page(sdk):
    made = [sdk.codes.create(destination=f"https://example.com/{i}")["id"] for i in range(7)]

    listed = [code["id"] for code in sdk.codes.list(page_size=3)]

    assert listed == list(reversed(made))  # newest first, each once, across three pages


def test_typed_errors_carry_the_envelope(sdk):
    with pytest.raises(qrstudio.BadRequestError) as refused:
        sdk.codes.create(destination="not a url")

    assert refused.value.status_code == 400
    assert refused.value.code == "validation_error"
    assert refused.value.field == "destination"
    assert refused.value.doc_url.endswith("#validation_error")


def test_a_live_key_wiping_the_sandbox_is_a_permission_error(server, alice, acme):
    from tests.api.conftest import make_key

    live = qrstudio.Client(base_url=server, api_key=make_key(alice, acme, "write"))

    with pytest.raises(qrstudio.PermissionDeniedError) as refused:
        live.wipe_sandbox()

    assert refused.value.code == "test_mode_only"


def test_image_bytes_are_cached_by_etag(sdk, server, test_key):
    statuses: list[int] = []
    code = sdk.codes.create(destination="https://example.com/img")

    first = sdk.codes.image(code["id"], format="png", size=300)
    sdk._transport.http.event_hooks["response"] = [lambda r: statuses.append(r.status_code)]
    second = sdk.codes.image(code["id"], format="png", size=300)

    assert first == second
    assert statuses == [304]  # revalidated, no body sent again
    image = Image.open(io.BytesIO(first))
    assert image.width == 300
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["https://example.com/img"]


def test_analytics_of_a_code(sdk):
    code = sdk.codes.create(destination="https://example.com/a")
    add_scan(QRCode.objects.get(public_id=code["id"]), "2026-03-02 09:00")

    report = sdk.codes.analytics(code["id"], start="2026-03-01", end="2026-03-03")

    assert report["scans"] == 1
    assert report["code"]["id"] == code["id"]


def test_bulk_in_the_background_waits_on_the_job_with_progress(sdk):
    seen: list[str] = []
    items = [{"destination": f"https://example.com/bulk/{i}"} for i in range(25)]

    result = sdk.codes.bulk(
        items,
        defaults={"type": "dynamic"},
        background=True,
        on_progress=lambda j: seen.append(j["status"]),
    )

    assert result.codes is None
    assert result.job["status"] == "succeeded", result.job
    assert result.job["progress"]["done"] == 25
    assert seen[-1] == "succeeded"
    assert (
        QRCode.objects.filter(
            is_test=True, destination__startswith="https://example.com/bulk/"
        ).count()
        == 25
    )


def test_a_small_bulk_answers_at_once(sdk):
    result = sdk.codes.bulk([{"destination": "https://example.com/s1"}])

    assert result.job is None
    assert [c["destination"] for c in result.codes] == ["https://example.com/s1"]


def test_three_503s_then_success_create_one_code(server, test_key, http_servers):
    proxy, seen = flaky_proxy(http_servers, server, failures=3, retry_after="1")
    naps: list[float] = []
    client = qrstudio.Client(base_url=proxy, api_key=test_key, sleep=naps.append)

    code = client.codes.create(destination="https://example.com/retried")

    assert len(seen) == 4
    keys = {headers["Idempotency-Key"] for _, _, headers in seen}
    assert len(keys) == 1  # every attempt carried the same key
    assert naps == [1.0, 1.0, 1.0]  # Retry-After honoured
    # The server created the code on the first attempt; the retries replayed that answer.
    assert QRCode.objects.filter(destination="https://example.com/retried").count() == 1
    assert code["id"] == QRCode.objects.get(destination="https://example.com/retried").public_id


def test_backoff_grows_with_jitter_when_no_retry_after(server, test_key, http_servers):
    proxy, seen = flaky_proxy(http_servers, server, failures=3, retry_after=None)
    naps: list[float] = []
    client = qrstudio.Client(base_url=proxy, api_key=test_key, sleep=naps.append, backoff=0.5)

    list(client.codes.list())

    assert len(seen) == 4
    assert len(naps) == 3
    for attempt, nap in enumerate(naps):
        assert 0 <= nap <= 0.5 * 2**attempt


def test_retries_give_up_with_the_last_error(server, test_key, http_servers):
    proxy, seen = flaky_proxy(http_servers, server, failures=10)
    client = qrstudio.Client(base_url=proxy, api_key=test_key, sleep=lambda s: None, max_retries=2)

    with pytest.raises(qrstudio.ServerError) as failed:
        client.codes.get("code_x")

    assert failed.value.status_code == 503
    assert len(seen) == 3


def test_connection_errors_are_retried_then_raised(test_key):
    naps: list[float] = []
    client = qrstudio.Client(
        base_url="http://127.0.0.1:9", api_key=test_key, sleep=naps.append, max_retries=2
    )

    with pytest.raises(qrstudio.ApiConnectionError):
        client.codes.get("code_x")

    assert len(naps) == 2


def test_a_real_webhook_delivery_verifies(sdk, http_servers):
    url, received = receiver(http_servers)
    endpoint = sdk.webhooks.create(url=url + "/hooks", events=["code.created"])

    code = sdk.codes.create(destination="https://example.com/hooked")

    assert len(received) == 1
    headers, body = received[0]
    event = qrstudio.verify_webhook(headers, body, endpoint["secret"])
    assert event["type"] == "code.created"
    assert event["data"]["code"]["id"] == code["id"]
    with pytest.raises(qrstudio.WebhookVerificationError):
        qrstudio.verify_webhook(headers, body.replace(b"hooked", b"hacked"), endpoint["secret"])
    with pytest.raises(qrstudio.WebhookVerificationError):
        qrstudio.verify_webhook(headers, body, "whsec_" + "A" * 32)


def test_logo_upload_and_brand_styles(sdk, alice, acme):
    from codes import services as code_services

    out = io.BytesIO()
    Image.new("RGB", (60, 60), (29, 53, 87)).save(out, format="PNG")
    logo = sdk.logos.upload(out.getvalue(), name="Acme")
    style = code_services.brand_template_create(
        workspace=acme, actor=alice, name="Dark", style={"foreground_color": "#1d3557"}
    )

    code = sdk.codes.create(
        destination="https://example.com/l", logo=logo["id"], style=style.public_id
    )

    assert [s["id"] for s in sdk.brand_styles.list()] == [style.public_id]
    assert code["logo"] == logo["id"]
    assert code["style"]["foreground_color"].lower() == "#1d3557"


def test_usage_counts_this_clients_requests(sdk, monkeypatch):
    import uuid

    from qrsite.api import usage

    monkeypatch.setattr(usage, "KEY_PREFIX", f"api:usage:sdk-{uuid.uuid4().hex}")
    sdk.codes.create(destination="https://example.com/u")
    with pytest.raises(qrstudio.NotFoundError):
        sdk.codes.get("code_missing")

    report = sdk.usage()

    (row,) = report["keys"]
    assert row["requests_24h"] == 3  # the create, the 404 and this usage call
    assert row["errors_24h"] == 1
