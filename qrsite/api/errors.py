"""The one error format of the API, and the one place every failure becomes it.

Every 4xx/5xx under /api/ is ``{"error": {...}}`` with a stable machine ``code``, a human
``message``, the ``field`` at fault (or null), a ``doc_url`` into the served error reference and
``errors``, one entry per problem (with ``index`` for bulk items). Services raise Django's
``ValidationError``/``PermissionDenied``/``Http404``; DRF raises its own exceptions; anything
else is a bug and becomes a logged 500 without a stack trace in the body.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response

from qrsite import logs
from qrsite.storage import StorageFull

logger = logging.getLogger("qrsite.api")

# What a client should wait before retrying when the database does not answer.
UNAVAILABLE_RETRY_AFTER_SECONDS = 30
# A database that cannot be reached (or a connection that dropped) is an outage, not a bug:
# the request may simply be retried. Integrity and programming errors stay 500s.
_OUTAGES = (OperationalError, InterfaceError)


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    title: str
    what_to_do: str


# The public list of error codes (the docs page and docs/api.md are checked against it).
ERROR_CODES = {
    e.code: e
    for e in [
        ErrorCode("validation_error", 400, "The request has invalid or unknown fields.", "Fix the fields listed in `errors` and send the request again; retrying unchanged fails the same way."),
        ErrorCode("malformed_json", 400, "The body is not valid JSON.", "Send a JSON object with `Content-Type: application/json`."),
        ErrorCode("not_authenticated", 401, "No credentials were sent.", "Send `Authorization: Bearer <key>` with a key from Settings → API keys."),
        ErrorCode("invalid_api_key", 401, "The key is unknown, mistyped, or its creator left the workspace.", "Check that you copied the whole key; create a new key if it was lost."),
        ErrorCode("api_key_revoked", 401, "The key was revoked.", "Create a new key in Settings → API keys."),
        ErrorCode("api_key_expired", 401, "The key's expiry date has passed.", "Create a new key, with a later expiry date or none."),
        ErrorCode("insufficient_scope", 403, "The key's scope does not allow this request.", "Use a key with the scope named in the message (read < write < admin)."),
        ErrorCode("permission_denied", 403, "The person behind the key or session may not do this.", "Ask a workspace owner or admin for the role this needs."),
        ErrorCode("test_mode_only", 403, "This request changes the sandbox and needs a test key.", "Send it with a `qr_test_...` key; live data is never wiped through the API."),
        ErrorCode("csrf_failed", 403, "A logged-in browser request came without a valid CSRF token.", "Send the `X-CSRFToken` header, or use an API key instead of the session."),
        ErrorCode("not_found", 404, "No such object in this workspace, or no such endpoint.", "Check the id and the URL; objects of other workspaces are never visible."),
        ErrorCode("method_not_allowed", 405, "This endpoint does not support the HTTP method.", "See the endpoint's methods in the reference."),
        ErrorCode("idempotency_in_progress", 409, "A request with this `Idempotency-Key` is still being processed.", "Wait for `Retry-After` seconds and retry with the same key and body."),
        ErrorCode("payload_too_large", 413, "The request body is larger than the API accepts.", "Split the work into smaller requests (bulk: at most 1,000 codes each)."),
        ErrorCode("unsupported_media_type", 415, "The body's `Content-Type` is not supported.", "Send JSON with `Content-Type: application/json`."),
        ErrorCode("idempotency_key_reused", 422, "This `Idempotency-Key` was used with a different request.", "Use a new key for a new request; reuse a key only to retry the very same request."),
        ErrorCode("rate_limited", 429, "Too many requests for this key and scope.", "Wait for `Retry-After` seconds; back off exponentially on repeated 429s."),
        ErrorCode("server_error", 500, "Something failed on our side; nothing was half-written.", "Retry with backoff (with the same `Idempotency-Key`); report it if it persists."),
        ErrorCode("service_unavailable", 503, "A service the API depends on (the database) is unreachable for a moment.", "Wait for `Retry-After` seconds and retry with the same `Idempotency-Key`."),
        ErrorCode("storage_full", 507, "The server's file storage is full; the upload or result file was not saved.", "Nothing was kept: retry later, once the server's operators have freed space."),
    ]
}  # fmt: skip


ERROR_TABLE_START = "<!-- error-table: generated by `manage.py api_error_table`; do not edit -->"
ERROR_TABLE_END = "<!-- /error-table -->"


def error_table_markdown() -> str:
    """The error codes as the Markdown table docs/api.md carries (tests compare the two)."""
    rows = ["| code | status | meaning | what to do |", "|---|---|---|---|"]
    rows += [
        f"| `{e.code}` | {e.status} | {e.title} | {e.what_to_do} |" for e in ERROR_CODES.values()
    ]
    return "\n".join([ERROR_TABLE_START, *rows, ERROR_TABLE_END])


class ApiError(exceptions.APIException):
    """An API refusal with one of the codes above."""

    def __init__(self, code: str, message: str, *, field: str | None = None, headers=None):
        self.error_code = ERROR_CODES[code]
        self.status_code = self.error_code.status
        self.field = field
        self.headers = headers or {}
        super().__init__(detail=message, code=code)


def doc_url(request, code: str) -> str:
    path = reverse("api:errors") + f"#{code}"
    return request.build_absolute_uri(path) if request is not None else path


def envelope(request, code: str, message: str, *, field=None, errors: list | None = None) -> dict:
    return {
        "error": {
            "code": code,
            "message": message,
            "field": field,
            "doc_url": doc_url(request, code),
            "errors": errors or [],
            # Quoted in a support request, it finds this request's log lines.
            "request_id": logs.request_id.get(),
        }
    }


# --- flattening validation errors ---------------------------------------------------------------


def flatten_errors(detail, prefix: str = "") -> list[dict]:
    """DRF's nested {field: [ErrorDetail]} into [{field, code, message}] with dotted paths."""
    items: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            items.extend(flatten_errors(value, path))
    elif isinstance(detail, list):
        if detail and all(isinstance(x, (dict, list)) for x in detail):
            for index, value in enumerate(detail):
                items.extend(flatten_errors(value, f"{prefix}[{index}]"))
        else:
            for value in detail:
                items.extend(flatten_errors(value, prefix))
    else:
        code = getattr(detail, "code", None) or "invalid"
        items.append({"field": prefix or None, "code": str(code), "message": str(detail)})
    return items


def django_error_items(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        items = []
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = error.message % error.params if error.params else error.message
                items.append(
                    {
                        "field": None if field == "__all__" else field,
                        "code": error.code or "invalid",
                        "message": str(message),
                    }
                )
        return items
    return [{"field": None, "code": e.code or "invalid", "message": m} for e, m in
            zip(exc.error_list, exc.messages, strict=False)]  # fmt: skip


def validation_response(request, items: list[dict], *, view=None) -> Response:
    aliases = getattr(view, "error_field_aliases", {}) if view is not None else {}
    for item in items:
        field = item.get("field")
        if field:
            head, sep, rest = field.partition(".")
            item["field"] = aliases.get(head, head) + sep + rest
    first = items[0] if items else {"field": None, "message": "Invalid input."}
    field = first.get("field")
    if "index" in first:
        field = f"codes[{first['index']}]" + (f".{field}" if field else "")
    message = f"{field}: {first['message']}" if field else first["message"]
    if len(items) > 1:
        message += f" (and {len(items) - 1} more problem{'s' if len(items) > 2 else ''})"
    data = envelope(request, "validation_error", message, field=field, errors=items)
    return Response(data, status=status.HTTP_400_BAD_REQUEST)


# --- the handler --------------------------------------------------------------------------------

_DRF_CODES = [
    (exceptions.ParseError, "malformed_json"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "invalid_api_key"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "rate_limited"),
    (exceptions.PermissionDenied, "permission_denied"),
]


def _code_for(exc: exceptions.APIException) -> str:
    if isinstance(exc, ApiError):
        return exc.error_code.code
    if isinstance(exc, exceptions.PermissionDenied) and "CSRF" in str(exc.detail):
        return "csrf_failed"
    detail_code = getattr(exc.detail, "code", None)
    if detail_code in ERROR_CODES:
        return detail_code
    for cls, code in _DRF_CODES:
        if isinstance(exc, cls):
            return code
    return "server_error" if exc.status_code >= 500 else "validation_error"


def exception_handler(exc, context) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception raised in an API view becomes the envelope."""
    from rest_framework.views import set_rollback  # imported late: DRF settings import us

    request = context.get("request")
    view = context.get("view")
    set_rollback()
    if isinstance(exc, StorageFull):
        return _error_response(request, "storage_full", exc.messages[0], status_code=507)
    if isinstance(exc, DjangoValidationError):
        return validation_response(request, django_error_items(exc), view=view)
    if isinstance(exc, exceptions.ValidationError):
        return validation_response(request, flatten_errors(exc.detail), view=view)
    if isinstance(exc, Http404):
        message = str(exc) if exc.args else "Not found."
        return _error_response(request, "not_found", message)
    if isinstance(exc, PermissionDenied):
        message = str(exc) or "You do not have permission to do this."
        return _error_response(request, "permission_denied", message)
    if isinstance(exc, RequestDataTooBig):
        return _error_response(request, "payload_too_large", "The request body is too large.")
    if isinstance(exc, _OUTAGES):
        return _unavailable(request, _error_response)
    if isinstance(exc, exceptions.APIException):
        code = _code_for(exc)
        headers = dict(getattr(exc, "headers", {}) or {})
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response = _error_response(
            request, code, detail, field=getattr(exc, "field", None), status_code=exc.status_code
        )
        for name, value in headers.items():
            response[name] = value
        return response
    logger.exception("Unhandled error in API view %s", type(view).__name__ if view else "?")
    return _error_response(
        request, "server_error", "Something went wrong on our side. Retry with backoff."
    )


def _error_response(request, code, message, *, field=None, status_code=None) -> Response:
    status_code = status_code or ERROR_CODES[code].status
    return Response(envelope(request, code, message, field=field), status=status_code)


def _unavailable(request, respond):
    logger.warning("API request failed, the database is unavailable: %s", sys.exc_info()[1])
    response = respond(
        request, "service_unavailable", "The service is unavailable for a moment. Retry later."
    )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


# --- Django-level handlers (errors raised outside DRF views) ----------------------------------


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _json(request, code: str, message: str) -> JsonResponse:
    return JsonResponse(envelope(request, code, message), status=ERROR_CODES[code].status)


def bad_request(request, exception=None):
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return _json(request, "payload_too_large", "The request body is too large.")
        return _json(request, "validation_error", "The request could not be understood.")
    return defaults.bad_request(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _json(request, "not_found", "No such endpoint.")
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return _json(request, "permission_denied", "You do not have permission to do this.")
    return defaults.permission_denied(request, exception)


def server_error(request):
    if _is_api(request):
        # Django calls this while handling the exception (a middleware's database query).
        if isinstance(sys.exc_info()[1], _OUTAGES):
            return _unavailable(request, _json)
        return _json(request, "server_error", "Something went wrong on our side.")
    return defaults.server_error(request)
