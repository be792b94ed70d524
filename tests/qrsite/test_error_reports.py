"""Sentry reports (SENTRY_DSN) carry the error, never the caller's address or credentials.

The DSN points at a receiver thread on 127.0.0.1 that stores every envelope the SDK sends; the
assertions read the bytes that would have left the server.
"""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
import sentry_sdk

from qrsite.error_reports import sentry_init
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db

CLIENT_ADDRESS = "203.0.113.77"
FORWARDED_ADDRESS = "198.51.100.23"


class _Receiver(BaseHTTPRequestHandler):
    envelopes: list[bytes]

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.server.envelopes.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_envelopes():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.envelopes = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sentry_init(
        dsn=f"http://publickey@127.0.0.1:{server.server_port}/1",
        environment="test",
        release="",
        traces_sample_rate=0.0,
    )
    try:
        yield server.envelopes
    finally:
        sentry_sdk.get_client().close(timeout=5)
        sentry_sdk.get_global_scope().set_client(None)
        server.shutdown()
        server.server_close()


def _events(envelopes: list[bytes]) -> list[dict]:
    events = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_an_api_error_reaches_sentry_without_address_key_or_cookie(
    sentry_envelopes, settings, alice, acme
):
    settings.ROOT_URLCONF = "tests.qrsite.failing_urls"
    key = make_key(alice, acme, scope="read")
    secret = key.split(".", 1)[1]
    client = ApiClient(key)
    client.cookies["sessionid"] = "session-cookie-value-for-tests"

    response = client.get(
        "/api/v1/failing-for-tests",
        REMOTE_ADDR=CLIENT_ADDRESS,
        HTTP_X_FORWARDED_FOR=FORWARDED_ADDRESS,
    )
    sentry_sdk.flush(timeout=5)

    assert response.status_code == 500
    events = _events(sentry_envelopes)
    assert events, "no event reached the receiver"
    sent = b"".join(sentry_envelopes).decode()
    assert "report test failure" in sent  # the error itself is reported
    assert "RuntimeError" in sent
    for leaked in (CLIENT_ADDRESS, FORWARDED_ADDRESS, secret, "session-cookie-value-for-tests"):
        assert leaked not in sent
    request = events[0].get("request", {})
    assert not {"authorization", "cookie", "x-forwarded-for"} & {
        name.lower() for name in request.get("headers", {})
    }
    assert "ip_address" not in events[0].get("user", {})
