"""The SDK against the real server: pytest-django's live server (a real HTTP server in a
thread, on the test database), a tiny real HTTP proxy that fails on purpose, and a real HTTP
receiver for webhook deliveries."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import qrstudio

from tests.api.conftest import make_key


@pytest.fixture
def server(live_server, settings):
    # Webhook deliveries go to a receiver on 127.0.0.1 over plain HTTP in these tests.
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    return live_server.url


@pytest.fixture
def test_key(alice, acme, transactional_db):
    return make_key(alice, acme, "admin", test=True)


@pytest.fixture
def sdk(server, test_key):
    naps: list[float] = []
    client = qrstudio.Client(base_url=server, api_key=test_key, sleep=naps.append)
    client.naps = naps  # what the retries waited, without waiting in the test
    yield client
    client.close()


class _Servers:
    def __init__(self):
        self.running: list[ThreadingHTTPServer] = []

    def start(self, handler) -> str:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        self.running.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    def stop(self):
        for httpd in self.running:
            httpd.shutdown()
            httpd.server_close()


@pytest.fixture
def http_servers():
    servers = _Servers()
    yield servers
    servers.stop()


def flaky_proxy(http_servers, upstream: str, *, failures: int, retry_after: str | None = "1"):
    """A proxy that forwards every request to `upstream` and, for the first `failures`, throws
    the real answer away and says 503 instead: the server did the work, the client never heard.
    Returns (its URL, the list of requests it saw as (method, path, headers))."""
    target = urlsplit(upstream)
    seen: list[tuple[str, str, dict]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                seen.append((self.command, self.path, dict(self.headers)))
                fail = len(seen) <= failures
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            connection.request(self.command, self.path, body=body, headers=headers)
            upstream_response = connection.getresponse()
            content = upstream_response.read()
            if fail:
                self.send_response(503)
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "11")
                self.end_headers()
                self.wfile.write(b"unavailable")
                return
            self.send_response(upstream_response.status)
            for name, value in upstream_response.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PATCH = do_DELETE = _forward

    return http_servers.start(Handler), seen


def receiver(http_servers):
    """A webhook receiver: answers 204 and keeps each delivery's headers and raw body."""
    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

    return http_servers.start(Handler), received
