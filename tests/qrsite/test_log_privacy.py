"""No log line of a run of ordinary (and failing) requests holds a client's address or an API
key: the JSON lines the configured handler writes are captured and searched."""

import io
import json
import logging
import re

import pytest
from django.test import Client

from codes import services as code_services
from qrsite import logs
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db

CLIENT = "203.0.113.45"
PHONE = "198.51.100.77"
PHONE_V6 = "2001:db8:85a3::8a2e:370:7334"
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


@pytest.fixture
def log_lines(settings):
    """A function returning the lines the configured console handler wrote so far (at DEBUG)."""
    settings.LOG_FORMAT = "json"
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, logs.MaskSecrets) for f in h.filters)
    )
    root = logging.getLogger()
    stream = io.StringIO()
    previous_stream, previous_level = handler.setStream(stream), root.level
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [line for line in stream.getvalue().splitlines() if line.strip()]
    finally:
        root.setLevel(previous_level)
        handler.setStream(previous_stream)


def test_no_log_line_of_api_scan_and_login_traffic_holds_an_address_or_key(
    log_lines, settings, alice, acme
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ROOT_URLCONF = "tests.qrsite.failing_urls"
    key = make_key(alice, acme, scope="write")
    secret = key.split(".", 1)[1]
    api = ApiClient(key)
    code = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/launch"
    )

    answers = [
        api.get("/api/v1/codes", REMOTE_ADDR=CLIENT),
        api.post(
            "/api/v1/codes",
            {"destination": "https://example.com/a", "name": "Spring"},
            REMOTE_ADDR=CLIENT,
        ),
        api.get("/api/v1/failing-for-tests", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=PHONE),
        Client().get(
            "/api/v1/codes", HTTP_AUTHORIZATION=f"Bearer {key}x", REMOTE_ADDR=CLIENT
        ),  # a wrong key
        Client().get(
            f"/r/{code.slug}",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{PHONE_V6}, {PHONE}",
            HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
        ),
        Client().get("/r/nosuchslug", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=PHONE),
        Client().post(
            "/accounts/login/",
            {"username": alice.email, "password": "not-her-password"},
            REMOTE_ADDR=CLIENT,
        ),
    ]

    assert [a.status_code for a in answers] == [200, 201, 500, 401, 302, 404, 200]
    lines = log_lines()
    text = "\n".join(lines)
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    # The run was logged (the failure with its traceback among it), and masked, not dropped.
    assert any("Traceback" in r.get("exc_info", "") for r in records)
    assert "[address]" in text
    assert "[secret]" in text
    for leaked in (CLIENT, PHONE, PHONE_V6, secret, key):
        assert leaked not in text
    assert not IPV4.findall(text)
