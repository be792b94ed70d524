"""Sending a scan through the test client, for the recording tests."""

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def scan(client, code, **extra):
    extra.setdefault("HTTP_USER_AGENT", PHONE)
    extra.setdefault("REMOTE_ADDR", "81.2.69.160")  # a UK address in the bundled database
    return client.get(f"/r/{code.slug}", **extra)
