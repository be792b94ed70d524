"""A pytest plugin: no log line of the API and browser suites holds a client's address or an
API key (issue 20).

While a test under tests/api/ or tests/browser/ runs, every log record, from any logger and at
any level, is also written as production writes it (settings.LOGGING's request-id and masking
filters, then its JSON formatter) and searched. The search does not reuse the masking's own
patterns: each word that parses as an IP address (``ipaddress``) and each API key or bearer
token with anything but ``[secret]`` after it counts. A test whose requests logged one fails
at teardown, with the line.

The lines are kept in var/test-logs/ (one JSON-lines file per test process) for grepping, and
the run's summary says how many were searched.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from pathlib import Path

import pytest

WATCHED = ("tests/api/", "tests/browser/")
LOG_DIR = Path(__file__).resolve().parent.parent / "var" / "test-logs"

_WORDS = re.compile(r"[0-9A-Fa-f:.]+")
_KEY = re.compile(r"qr_\w+\.(?!\[secret\])\S")
_BEARER = re.compile(r"(?i)bearer\s+(?!\[secret\]|qr_\w+\.\[secret\])\S")


def leaks(line: str) -> list[str]:
    """What in ``line`` is a client address or a secret."""
    found = []
    for word in _WORDS.findall(line):
        address = _address(word) or _address(word.rstrip(".:"))
        if address is not None and not address.is_unspecified:
            found.append(word)
    found += [m.group() for m in _KEY.finditer(line)]
    found += [m.group() for m in _BEARER.finditer(line)]
    return found


def _address(word: str):
    try:
        return ipaddress.ip_address(word)
    except ValueError:
        return None


class _Lines(logging.Handler):
    def __init__(self):
        from django.conf import settings

        from qrsite import logs

        super().__init__(level=logging.DEBUG)
        options = dict(settings.LOGGING["formatters"]["json"])
        options.pop("()")
        self.setFormatter(logs.MaskedJsonFormatter(**options))
        self.addFilter(logs.AddRequestId())
        self.addFilter(logs.MaskSecrets())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


_kept: list[str] = []


@pytest.fixture(autouse=True)
def _no_address_or_key_logged(request):
    if not request.node.nodeid.startswith(WATCHED):
        yield
        return
    root = logging.getLogger()
    handler, level = _Lines(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.setLevel(level)
        root.removeHandler(handler)
    _kept.extend(handler.lines)
    leaked = [(line, found) for line in handler.lines if (found := leaks(line))]
    if leaked:
        shown = "\n".join(f"{found}: {line}" for line, found in leaked[:5])
        pytest.fail(f"{len(leaked)} log line(s) hold an address or a key:\n{shown}")


def _worker(config) -> str:
    return getattr(config, "workerinput", {}).get("workerid", "main")


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):
        for old in LOG_DIR.glob("*.jsonl"):
            old.unlink()


def pytest_sessionfinish(session, exitstatus):
    if _kept:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        path = LOG_DIR / f"{_worker(session.config)}-{os.getpid()}.jsonl"
        path.write_text("".join(f"{line}\n" for line in _kept))


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput"):
        return
    files = sorted(LOG_DIR.glob("*.jsonl"))
    lines = sum(len(f.read_text().splitlines()) for f in files)
    if lines:
        terminalreporter.line(
            f"log watch: {lines} log lines of the API and browser suites searched for "
            f"addresses and keys (kept in {LOG_DIR})"
        )
