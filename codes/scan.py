"""GET /r/<slug>: the hot path. Look up (cached), 302, record the scan. Nothing else here.

Never a 301 (browsers would cache it forever and a destination change would not reach them)
and never a redirect to anything that fails destination validation, however it got into the
database. A scan that cannot be recorded (database trouble) still redirects: the person
scanning must land.

The person scanning never waits for the recording: after the response has been sent
(`_RecordingRedirect`) the scan joins this process's next batch (analytics.batching), written
to PostgreSQL in direct mode or pushed to the Redis buffer in buffered mode. Only a code with
a scan limit is recorded before answering, because the answer depends on the count.

Recording belongs to analytics, which sits above codes: it plugs its recorder in at start-up
(`scan_recorder_install`, from AnalyticsConfig.ready), so this module never imports it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from codes import selectors
from codes.cache import GONE, MISSING, RedirectEntry, redirect_entry_get
from codes.validation import is_safe_destination
from qrsite import metrics
from qrsite.content_policy import SCAN_PAGE, content_policy_set

logger = logging.getLogger(__name__)

NO_STORE = "private, no-store"

# In the scanner's language (Accept-Language): see _page.
REASONS = {
    "inactive": _("This code has been switched off by its owner."),
    "expired": _("This code has expired."),
    "limit_reached": _("This code has reached its scan limit."),
    "deleted": _("This code no longer exists."),
    "unavailable": _("This code's destination is not available."),
}


@dataclass(frozen=True)
class ScanRecorder:
    """What the redirect needs of whoever records scans."""

    capture: Callable[..., Any]  # (request, *, code_id, workspace_id) -> a scan event
    submit: Callable[..., None]  # (*, event) -> None: queued, written after the response
    record_within_limit: Callable[..., bool]  # (*, event) -> whether the scan fit the limit


_recorder: ScanRecorder | None = None


def scan_recorder_install(recorder: ScanRecorder) -> None:
    global _recorder
    _recorder = recorder


TEMPLATES = {404: "codes/scan_not_found.html", 410: "codes/scan_gone.html"}
UNAVAILABLE_TEMPLATE = "codes/scan_unavailable.html"
RETRY_AFTER_SECONDS = 30


def _page(request, status: int, reason: str = "", *, workspace_id: int | None = None):
    """The page a scanner sees instead of a redirect: in the language their browser asks for
    (LANGUAGES; English otherwise), with the code's workspace's logo and colour when it has
    set them (only off the redirect's fast path: a code that redirects never gets here)."""
    template = TEMPLATES.get(status, UNAVAILABLE_TEMPLATE)
    language = translation.get_language_from_request(request)
    look = selectors.scan_page_look(workspace_id=workspace_id)
    # The colour arrives as one inline rule the policy allows by its hash (no inline styles
    # otherwise); it was validated as #rrggbb when it was saved.
    look["style"] = f".scan-page{{--scan-accent:{look['color']}}}" if look["color"] else ""
    with translation.override(language):
        response = render(
            request,
            template,
            {"reason": reason, "message": str(REASONS.get(reason, "")), "look": look},
            status=status,
        )
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language"])
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = NO_STORE
    response["X-Robots-Tag"] = "noindex"
    # XFrameOptionsMiddleware and CommonMiddleware do not run for /r/ (see ShortUrlMiddleware).
    response["X-Frame-Options"] = "DENY"
    policy = SCAN_PAGE
    if look["style"]:
        digest = base64.b64encode(hashlib.sha256(look["style"].encode()).digest()).decode()
        policy = policy.replace("style-src 'self'", f"style-src 'self' 'sha256-{digest}'")
    content_policy_set(response, policy)
    response["Content-Length"] = str(len(response.content))
    return response


def _with_query(destination: str, query: str) -> str:
    parts = urlsplit(destination)
    merged = f"{parts.query}&{query}" if parts.query else query
    candidate = urlunsplit(parts._replace(query=merged))
    # A scanner's query string that breaks the rules falls back to the plain destination.
    return candidate if is_safe_destination(candidate) else destination


def _refusal(entry: RedirectEntry) -> str:
    if entry.is_deleted:
        return "deleted"
    if not entry.is_active:
        return "inactive"
    if entry.expires_at is not None and entry.expires_at <= time.time():
        return "expired"
    return ""


class _RecordingRedirect(HttpResponseRedirect):
    """A 302 that records its scan once it has been sent.

    WSGI servers call `close()` after writing the response (gunicorn, Django's test client
    and live server alike), so the insert's wait for the disk is not the scanner's. The
    recording runs before Django's own `close()`, whose request_finished signal may close
    the database connection.
    """

    def __init__(self, destination: str, *, event: Any):
        super().__init__(destination)
        self._scan_event = event

    def close(self):
        event, self._scan_event = self._scan_event, None
        try:
            if event is not None:
                # Queued for this process's next batch; a failed write is logged there.
                _recorder.submit(event=event)
        finally:
            super().close()


def _redirect(destination: str, *, record: Any = None) -> HttpResponseRedirect:
    response = _RecordingRedirect(destination, event=record)
    response["Cache-Control"] = NO_STORE
    response["X-Robots-Tag"] = "noindex"
    # Without it a server sends the empty body chunked: more bytes and a frame to parse.
    response["Content-Length"] = "0"
    return response


@require_safe
def redirect(request, slug: str):
    try:
        entry = redirect_entry_get(slug) if len(slug) <= 64 else MISSING
    except DatabaseError:
        # Not cached anywhere and the database does not answer: nothing to redirect to, and
        # not the scanner's fault either.
        logger.warning("redirect of %r not looked up: the database is unavailable", slug)
        return _page(request, 503)
    if entry == MISSING:
        return _page(request, 404)
    if entry == GONE:
        return _page(request, 410, "deleted")
    if reason := _refusal(entry):
        return _page(request, 410, reason, workspace_id=entry.workspace_id)
    destination = entry.destination
    if not is_safe_destination(destination):
        logger.warning("code %s has an unsafe destination; refused at redirect", entry.code_id)
        return _page(request, 410, "unavailable", workspace_id=entry.workspace_id)
    query = request.META.get("QUERY_STRING", "")
    if entry.pass_query_string and query:
        destination = _with_query(destination, query)
    recorder = _recorder
    if recorder is None:
        return _redirect(destination)
    try:
        event = recorder.capture(request, code_id=entry.code_id, workspace_id=entry.workspace_id)
        if entry.scan_limit is None:
            return _redirect(destination, record=event)
        if not recorder.record_within_limit(event=event):
            return _page(request, 410, "limit_reached", workspace_id=entry.workspace_id)
    except DatabaseError:
        logger.exception("scan of code %s not recorded", entry.code_id)
    return _redirect(destination)


_OUTCOMES = {302: "redirect", 404: "not_found", 503: "unavailable"}


class ShortUrlMiddleware:
    """Answer `/r/<slug>` before the rest of the middleware stack.

    A scan needs no session, user, CSRF token, messages, workspace or login throttling, and
    each of those middlewares costs every scan CPU time (together about as much as the whole
    lookup). Placed right after SecurityMiddleware, so HTTPS redirection and its headers still
    apply. Other paths, and `/r/` paths that are no slug, go down the stack as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/r/"):
            slug = path[3:]
            if slug and "/" not in slug:
                start = time.perf_counter()
                response = redirect(request, slug)
                metrics.REDIRECTS.labels(_OUTCOMES.get(response.status_code, "refused")).inc()
                metrics.REDIRECT_LATENCY.observe(time.perf_counter() - start)
                return response
        return self.get_response(request)
