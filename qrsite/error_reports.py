"""Error reports to Sentry (sentry-sdk), on when SENTRY_DSN is set.

What leaves the server must not identify the people who scan or the keys that call the API:
the SDK sends no default PII (no user, no cookies, no request body), its EventScrubber drops
values under sensitive names (authorization, cookies, tokens, secrets, client addresses) in
headers, environments and local variables, and `scrub_event` then removes the request's
identifying headers outright and masks addresses, API key secrets and bearer tokens wherever
else they appear as text (an exception message, a log breadcrumb, a local variable's repr),
with the same masking the log lines get (qrsite/logs.py).
"""

from __future__ import annotations

from typing import Any

from qrsite.logs import mask_secrets

# Request headers and WSGI variables that carry a secret or the client's address.
_DROPPED_HEADERS = {
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-forwarded-for",
    "x-real-ip",
    "forwarded",
    "x-csrftoken",
    "x-api-key",
}
_DROPPED_ENV = {"REMOTE_ADDR", "REMOTE_HOST"}
# Names the SDK's scrubber replaces in any dictionary it walks (added to its defaults).
_SENSITIVE_NAMES = [
    "idempotency_key",
    "secret_key",
    "ticket_key",
    "metrics_token",
    "health_token",
    "signing_secret",
    "raw_key",
]


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """before_send: no client address, API key, bearer token or cookie leaves in `event`."""
    request = event.get("request") or {}
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {
            name: value for name, value in headers.items() if name.lower() not in _DROPPED_HEADERS
        }
    env = request.get("env")
    if isinstance(env, dict):
        request["env"] = {name: value for name, value in env.items() if name not in _DROPPED_ENV}
    request.pop("cookies", None)
    request.pop("data", None)
    user = event.get("user")
    if isinstance(user, dict):
        user.pop("ip_address", None)
    return _mask(event)


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        send_default_pii=False,
        # Request bodies hold destinations, contact cards and uploaded files: never sent.
        max_request_body_size="never",
        event_scrubber=EventScrubber(
            denylist=[*DEFAULT_DENYLIST, *_SENSITIVE_NAMES],
            pii_denylist=DEFAULT_PII_DENYLIST,
            recursive=True,
        ),
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=lambda crumb, hint: _mask(crumb),
        traces_sample_rate=traces_sample_rate,
    )
