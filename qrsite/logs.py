"""What goes into a log line: the request id of the request or task that wrote it, and never
a client's IP address or an API key secret.

Pure logging (no Django import): gunicorn.conf.py uses the same masking for gunicorn's own
error log. Settings wire the filters and the JSON formatter into LOGGING.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

# The id of the request (or of the request that started the Celery task) being handled.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# A proxy's id is kept when it looks like one (nginx's $request_id is 32 hex characters; UUIDs
# and ULIDs pass too); anything else could smuggle text into every log line, so it is replaced.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*")
# An API key is `qr_<prefix>.<secret>`; the prefix identifies it and is kept.
_API_KEY_SECRET = re.compile(r"\b(qr_[A-Za-z0-9_]{4,16})\.[A-Za-z0-9]{16,}")
_BEARER = re.compile(r"(?i)\b(bearer\s+)(?!qr_)[^\s\"',;]+")


def accepted_or_new(given: str | None) -> str:
    if given and _ACCEPTABLE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def _mask_ipv6(match: re.Match) -> str:
    token = match.group()
    # A trailing colon is punctuation ("ip=::1: Invalid request"); times such as 07:51:17
    # are not addresses, which ipaddress decides.
    core = token.rstrip(":")
    try:
        ipaddress.IPv6Address(core)
    except ValueError:
        return token
    return "[address]" + token[len(core) :]


def mask_addresses(text: str) -> str:
    return _IPV4.sub("[address]", _IPV6_CANDIDATE.sub(_mask_ipv6, text))


def mask_secrets(text: str) -> str:
    """IP addresses, API key secrets and bearer tokens out of a piece of log text."""
    text = _API_KEY_SECRET.sub(r"\1.[secret]", text)
    text = _BEARER.sub(r"\1[secret]", text)
    return mask_addresses(text)


class MaskSecrets(logging.Filter):
    """Rewrites the record's message (and a formatted traceback) with `mask_secrets`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_secrets(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        return True


def _masked(value):
    # `extra` values arrive as the caller passed them: lists and dicts of strings too.
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_masked(item) for item in value]
    return value


class MaskedJsonFormatter(JsonFormatter):
    """JSON lines with every value masked. The JSON formatter formats a traceback from
    `exc_info` itself, after the filters ran, and writes `extra` fields as they are, so
    `MaskSecrets` alone would leave an exception message's address or key in the line."""

    def process_log_record(self, log_data):
        return _masked(super().process_log_record(log_data))

    def formatException(self, ei):
        return mask_secrets(super().formatException(ei))

    def formatStack(self, stack_info):
        return mask_secrets(super().formatStack(stack_info))


class AddRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True
