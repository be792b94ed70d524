"""One request with the API's etiquette: bearer key, retries with backoff and jitter that
honour Retry-After, one Idempotency-Key per logical POST, and errors raised as exceptions."""

from __future__ import annotations

import email.utils
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from qrstudio.errors import ApiConnectionError, error_for

# Transient answers worth another try (the seed's list, and 409: the same Idempotency-Key is
# still being processed, so waiting and retrying it returns the first answer).
RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})
USER_AGENT = "qrstudio-python/0.1.0"


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (RFC 9110)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


class Transport:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float,
        max_retries: int,
        backoff: float,
        max_backoff: float,
        http_client: httpx.Client | None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
    ):
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._jitter = jitter
        self.http = http_client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.http.headers.update({"Authorization": f"Bearer {api_key}", "User-Agent": USER_AGENT})

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Full jitter (a random wait up to the exponential cap), unless the server said."""
        if response is not None:
            asked = retry_after_seconds(response)
            if asked is not None:
                return min(asked, self.max_backoff)
        return self._jitter(0, min(self.max_backoff, self.backoff * 2**attempt))

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: dict | None = None,
        files: dict | None = None,
        data: dict | None = None,
        headers: dict | None = None,
        idempotency_key: str | None = None,
        ok_statuses: tuple[int, ...] = (),
    ) -> httpx.Response:
        headers = dict(headers or {})
        if method.upper() == "POST":
            # One key for every attempt of this call: a retry replays, it never creates twice.
            headers["Idempotency-Key"] = idempotency_key or f"qrstudio-{uuid.uuid4()}"
        if params:
            params = {k: _param(v) for k, v in params.items() if v is not None}
        attempt = 0
        while True:
            response = None
            try:
                response = self.http.request(
                    method, url, json=json, params=params, files=files, data=data, headers=headers
                )
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise ApiConnectionError(f"{method} {url}: {exc}") from exc
            else:
                if response.status_code < 400 or response.status_code in ok_statuses:
                    return response
                if response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
                    raise error_for(response)
            self._sleep(self.delay(attempt, response))
            attempt += 1

    def close(self) -> None:
        self.http.close()


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
