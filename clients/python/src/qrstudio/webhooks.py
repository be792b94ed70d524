"""Checking a webhook delivery: the server signs with Standard Webhooks (`webhook-id`,
`webhook-timestamp`, `webhook-signature`); this checks the signature and the timestamp
(5 minutes' tolerance, against replays) and returns the event."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError as _LibraryError

from qrstudio.errors import WebhookVerificationError


def verify_webhook(headers: Mapping[str, str], body: bytes | str, secret: str) -> dict[str, Any]:
    """The delivered event, if `body` was signed with `secret` (`whsec_...`) moments ago;
    else WebhookVerificationError. Pass the raw body, before any JSON parsing."""
    lowered = {str(k).lower(): v for k, v in headers.items()}
    payload = body.decode() if isinstance(body, bytes) else body
    try:
        Webhook(secret).verify(payload, lowered)
    except _LibraryError as exc:
        raise WebhookVerificationError(str(exc)) from None
    return json.loads(payload)
