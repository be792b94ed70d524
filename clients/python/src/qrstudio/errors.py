"""Exceptions raised by the client: one class per kind of refusal, each carrying the API's
error envelope (`{"error": {"code", "message", "field", "doc_url", "errors"}}`)."""

from __future__ import annotations

from typing import Any

import httpx


class QRStudioError(Exception):
    """Base class of everything this package raises."""


class ApiConnectionError(QRStudioError):
    """The server could not be reached (after the retries)."""


class WebhookVerificationError(QRStudioError):
    """A webhook delivery's signature or timestamp did not check out."""


class ApiError(QRStudioError):
    """The API answered with an error status."""

    def __init__(self, response: httpx.Response):
        self.response = response
        self.status_code = response.status_code
        envelope: dict[str, Any] = {}
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                envelope = body["error"]
        except ValueError:
            pass
        self.code: str = envelope.get("code") or f"http_{response.status_code}"
        self.message: str = envelope.get("message") or response.reason_phrase
        self.field: str | None = envelope.get("field")
        self.doc_url: str | None = envelope.get("doc_url")
        self.errors: list[dict[str, Any]] = envelope.get("errors") or []
        field = f" (field {self.field})" if self.field else ""
        super().__init__(f"{self.status_code} {self.code}: {self.message}{field}")


class BadRequestError(ApiError):
    """400: invalid input; `field` and `errors` say what to fix."""


class AuthenticationError(ApiError):
    """401: no key, or a wrong, revoked or expired one."""


class PermissionDeniedError(ApiError):
    """403: the key's scope (or the mode: a live key wiping the sandbox) does not allow it."""


class NotFoundError(ApiError):
    """404: no such object in this workspace and mode."""


class ConflictError(ApiError):
    """409: the same Idempotency-Key is still being processed."""


class PayloadTooLargeError(ApiError):
    """413: the body is larger than the endpoint accepts."""


class UnprocessableError(ApiError):
    """422: an Idempotency-Key reused for a different request."""


class RateLimitError(ApiError):
    """429: too many requests; `retry_after` is how many seconds the server asked to wait."""

    @property
    def retry_after(self) -> float | None:
        value = self.response.headers.get("Retry-After")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class ServerError(ApiError):
    """5xx: something failed on the server's side."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: UnprocessableError,
    429: RateLimitError,
}


def error_for(response: httpx.Response) -> ApiError:
    if response.status_code >= 500:
        return ServerError(response)
    return _BY_STATUS.get(response.status_code, ApiError)(response)
