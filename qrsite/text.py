"""Text and JSON from a client that no database stores and no response can carry.

A NUL character is refused by PostgreSQL in text and jsonb (SQLite takes it, so the fault
would only show in production); a lone surrogate ("\\ud800", a valid JSON escape) cannot be
encoded as UTF-8, so a row holding one fails every response that shows it; JSON nested
thousands of levels deep makes Python's parser and encoder raise RecursionError. Each is bad
input: these checks let the callers refuse it with a 400 naming the field.
"""

from __future__ import annotations

import json
import re

# Deeper than any metadata, content or style we take; far below Python's recursion limit, so
# whatever passes can be encoded, stored and rendered.
MAX_JSON_DEPTH = 16

UNSTORABLE_TEXT = "contains a NUL character or an unpaired surrogate; remove it"
TOO_DEEP = f"is nested more than {MAX_JSON_DEPTH} levels deep"

_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
# Strings (escapes included) and brackets: enough to follow nesting without parsing.
_JSON_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def is_unstorable(value: str) -> bool:
    return _UNSTORABLE_RE.search(value) is not None


def json_problem(value, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why parsed JSON cannot be stored as given (a phrase to follow the field's name), or
    None. Walks without recursion, so any depth is safe to check."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if is_unstorable(item):
                return UNSTORABLE_TEXT
        elif isinstance(item, (dict, list, tuple)):
            if depth > max_depth:
                return TOO_DEEP
            if isinstance(item, dict):
                for key, child in item.items():
                    if isinstance(key, str) and is_unstorable(key):
                        return UNSTORABLE_TEXT
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


def too_deep_key(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """The top-level key of a JSON object whose value is nested more than `max_depth` levels,
    for naming the field when parsing gave up; None when it cannot be told."""
    depth, last_string, key = 0, None, None
    for match in _JSON_TOKEN_RE.finditer(text):
        part = match.group()
        if part[0] == '"':
            if depth == 1:
                last_string = part
        elif part in ("[", "{"):
            if depth == 1:
                key = last_string  # in an object the string before a value is its key
            depth += 1
            if depth > max_depth:
                break
        else:
            depth -= 1
    else:
        return None
    try:
        name = json.loads(key) if key else None
    except ValueError:
        return None
    return name if isinstance(name, str) and not is_unstorable(name) else None
