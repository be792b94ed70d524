"""Create many codes at once with the same rules as `code_create`, in a few statements."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User, Workspace
from codes.cache import redirect_cache_forget_many
from codes.models import (
    DestinationChange,
    Kind,
    QRCode,
    SlugClaim,
)
from codes.render_errors import engine_refusals, validation_error
from codes.rendering import (
    Style,
    check_many,
)
from codes.services._common import (
    _check_can_edit,
)
from codes.services.codes import (
    _clean_image_output,
    _clean_new_code,
    code_payload,
)
from codes.signals import codes_created
from codes.validation import (
    SLUG_LENGTH,
    validate_custom_slug,
)
from qrsite.ids import random_base62


class ItemErrors(ValidationError):
    """A refused batch: `by_index` maps the position of every refused item to its
    ValidationError (the same one `code_create` would raise for that item alone)."""

    def __init__(self, by_index: dict[int, ValidationError]):
        self.by_index = dict(sorted(by_index.items()))
        super().__init__(
            {
                f"{index}.{field}": messages
                for index, exc in self.by_index.items()
                for field, messages in _message_dict(exc).items()
            }
        )


def _message_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _custom_slugs(custom: dict[int, str]) -> tuple[dict[int, str], dict[str, int], dict]:
    custom = {i: validate_custom_slug(slug) for i, slug in custom.items()}
    seen: dict[str, int] = {}
    errors: dict[int, ValidationError] = {}
    for index, slug in custom.items():
        if slug in seen:
            errors[index] = ValidationError({"slug": f"The slug “{slug}” is taken."})
        seen[slug] = index
    return custom, seen, errors


def _check_slugs_free(custom: dict[int, str]) -> dict[int, str]:
    """What `_claim_slugs` refuses, found without claiming anything."""
    custom, _, errors = _custom_slugs(custom)
    taken = set(SlugClaim.objects.filter(slug__in=custom.values()).values_list("slug", flat=True))
    for index, slug in custom.items():
        if slug in taken:
            errors[index] = ValidationError({"slug": f"The slug “{slug}” is taken."})
    if errors:
        raise ItemErrors(errors)
    return custom


def _claim_slugs(custom: dict[int, str], random_count: int) -> tuple[dict[int, str], list[str]]:
    """Claims every custom slug (by item position) and `random_count` random ones with a few
    queries; raises ItemErrors naming the custom slugs already taken."""
    custom, seen, errors = _custom_slugs(custom)
    fresh: dict[str, None] = {}  # ordered set
    for _ in range(10):
        # 62^7 ≈ 3.5e12 slugs: a collision is rare; a claimed candidate is simply replaced.
        while len(fresh) < random_count:
            candidate = random_base62(SLUG_LENGTH)
            if candidate not in seen:
                fresh[candidate] = None
        wanted = [*custom.values(), *fresh]
        taken = set(SlugClaim.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        for index, slug in custom.items():
            if slug in taken:
                errors[index] = ValidationError({"slug": f"The slug “{slug}” is taken."})
        if errors:
            raise ItemErrors(errors)
        fresh = {slug: None for slug in fresh if slug not in taken}
        if len(fresh) < random_count:
            continue
        try:
            # The primary key keeps slugs unique forever, also against a concurrent batch.
            with transaction.atomic():
                SlugClaim.objects.bulk_create([SlugClaim(slug=slug) for slug in wanted])
        except IntegrityError:
            continue  # claimed meanwhile: look again
        return custom, list(fresh)
    raise RuntimeError("could not claim the short slugs of a batch")


@transaction.atomic
def code_create_many(
    *,
    workspace: Workspace,
    actor: User,
    items: list[dict],
    check_only: bool = False,
    sandbox: bool = False,
) -> list[QRCode]:
    """Create many codes, all or nothing: each item takes `code_create`'s keyword arguments and
    obeys its rules. One refused item refuses the batch with ItemErrors (errors by position).
    With `check_only` nothing is written: the same rules are applied (custom slugs must be
    free, the guard reads every design back) and the unsaved codes are returned."""
    _check_can_edit(actor, workspace.pk)
    cleaned: list[tuple[dict[str, Any], str | None]] = []
    errors: dict[int, ValidationError] = {}
    for index, item in enumerate(items):
        item = dict(item)
        output = (item.pop("image_format", "png"), item.pop("image_size", 400))
        try:
            values, slug = _clean_new_code(workspace=workspace, sandbox=sandbox, **item)
            values.update(_clean_image_output(*output))
            cleaned.append((values, slug))
        except ValidationError as exc:
            errors[index] = exc
            cleaned.append(({}, None))
    if errors:
        raise ItemErrors(errors)
    custom = {i: slug for i, (_, slug) in enumerate(cleaned) if slug}
    dynamic = [i for i, (values, _) in enumerate(cleaned) if values["kind"] == Kind.DYNAMIC]
    if check_only:
        # Unclaimed random slugs of the real length: the payloads the guard reads are the
        # size the created codes' will be.
        custom = _check_slugs_free(custom)
        fresh = [random_base62(SLUG_LENGTH) for _ in range(len(dynamic) - len(custom))]
    else:
        custom, fresh = _claim_slugs(custom, len(dynamic) - len(custom))
    fresh_slugs = iter(fresh)
    codes = []
    for index, (values, _) in enumerate(cleaned):
        slug = None
        if values["kind"] == Kind.DYNAMIC:
            slug = custom.get(index) or next(fresh_slugs)
        codes.append(QRCode(workspace=workspace, slug=slug, created_by=actor, **values))
    _ensure_scannable_many(codes)
    if check_only:
        return codes
    QRCode.objects.bulk_create(codes)
    DestinationChange.objects.bulk_create(
        DestinationChange(
            workspace_id=workspace.pk,
            code=code,
            old_destination="",
            new_destination=code.destination,
            changed_by=actor,
        )
        for code in codes
        if code.is_dynamic
    )
    codes_created.send(sender=QRCode, codes=codes)
    slugs = [code.slug for code in codes if code.slug]
    # Clears "no such slug" answers cached before these slugs existed.
    transaction.on_commit(lambda: redirect_cache_forget_many(slugs))
    return codes


@engine_refusals()
def _ensure_scannable_many(codes: list[QRCode]) -> None:
    # The same guard as `_ensure_scannable`, asked once per distinct design (style and logo)
    # about all of that design's payloads; see `check_many` for which payloads it decodes.
    designs: dict[tuple[str, int | None], list[int]] = {}
    for index, code in enumerate(codes):
        key = (json.dumps(code.style, sort_keys=True), code.logo_id)
        designs.setdefault(key, []).append(index)
    errors: dict[int, ValidationError] = {}
    for positions in designs.values():
        first = codes[positions[0]]
        refused = check_many(
            [code_payload(codes[i]) for i in positions],
            Style.from_dict(first.style),
            logo=first.logo.read_bytes() if first.logo else None,
        )
        for position, fields in refused.items():
            errors[positions[position]] = validation_error(fields)
    if errors:
        raise ItemErrors(errors)
