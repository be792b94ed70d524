"""Where the render engine's refusals become Django's.

The engine (`codes.rendering`) imports no Django, so its `SpecError` is a plain exception.
Everything above it (forms, the API's error handler, callers of the services) expects
`ValidationError({field: [message]})`, so each edge that calls the engine converts here:
the cleaners and services, and the API's stateless render endpoint. Forms that show engine
messages in their own words read `SpecError.fields` directly instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError

from codes.rendering import SpecError


def validation_error(fields: Mapping[str, str]) -> ValidationError:
    """The ValidationError naming the same fields with the same messages."""
    return ValidationError({field: [message] for field, message in fields.items()})


@contextmanager
def engine_refusals() -> Iterator[None]:
    """Re-raise the engine's SpecError as that ValidationError (also usable as a decorator)."""
    try:
        yield
    except SpecError as exc:
        raise validation_error(exc.fields) from exc
