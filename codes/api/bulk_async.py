"""`POST /codes/bulk` above `API_BULK_MAX` codes, or with `Prefer: respond-async`, becomes a
background job. The jobs app answers those requests; it installs its handler at start-up
(`JobsConfig.ready`), since codes cannot import it. Without a handler the endpoint stays
synchronous and refuses more than `API_BULK_MAX` codes."""

from __future__ import annotations

from collections.abc import Callable

_handler: Callable | None = None


def bulk_async_install(handler: Callable) -> None:
    """`handler(view=..., request=...)` returns the 202 response for an async bulk request."""
    global _handler
    _handler = handler


def bulk_async_handler() -> Callable | None:
    return _handler


def prefers_async(request) -> bool:
    """RFC 7240: `Prefer: respond-async` (among other preferences, any case)."""
    header = request.headers.get("Prefer", "")
    return any(
        token.split(";", 1)[0].strip().lower() == "respond-async" for token in header.split(",")
    )
