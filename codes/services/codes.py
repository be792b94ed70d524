"""Create, change, pause, duplicate and delete codes; read their payload and image."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User, Workspace
from codes.cleaners import (
    FieldErrors,
    clean_content,
    clean_expires_at,
    clean_external_id,
    clean_metadata,
    clean_name,
    clean_scan_limit,
    clean_style,
)
from codes.models import (
    CampaignGroup,
    DestinationChange,
    Kind,
    LogoAsset,
    QRCode,
)
from codes.render_errors import engine_refusals
from codes.rendering import (
    CONTENT_TYPES,
    FORMATS,
    Style,
    encode_content,
    ensure_deliverable,
    ensure_scannable,
    render,
)
from codes.rendering.cache import LRU
from codes.rendering.engine import MAX_SIZE, MIN_SIZE
from codes.services._common import (
    UNSET,
    _check_can_edit,
    _check_group,
    _check_logo,
    _claim_slug,
    _forget_after_commit,
    _lock,
    _record_change,
    _Unset,
    logger,
)
from codes.signals import code_changed
from codes.validation import (
    validate_custom_slug,
    validate_destination,
)

# --- codes --------------------------------------------------------------------------------------


def _clean_new_code(
    *,
    workspace: Workspace,
    kind: str = Kind.DYNAMIC,
    content_type: str = "url",
    destination: str = "",
    content: dict | None = None,
    name: str = "",
    group: CampaignGroup | None = None,
    style: dict | None = None,
    logo: LogoAsset | None = None,
    slug: str | None = None,
    is_active: bool = True,
    expires_at: datetime | None = None,
    scan_limit: int | None = None,
    metadata: dict | None = None,
    external_id: str = "",
    pass_query_string: bool = False,
    sandbox: bool = False,
) -> tuple[dict[str, Any], str | None]:
    """The create rules: one item's model field values and its requested custom slug, or a
    ValidationError naming every field at fault. `code_create` and `code_create_many` share it."""
    errors = FieldErrors()
    if kind not in Kind.values:
        errors["kind"] = ["Choose “static” or “dynamic”."]
    if content_type not in CONTENT_TYPES:
        errors["content_type"] = [f"Choose one of {', '.join(CONTENT_TYPES)}."]
    elif kind == Kind.DYNAMIC and content_type != "url":
        errors["content_type"] = ["A dynamic code redirects to a URL; make this code static."]
    is_url = content_type == "url"
    if is_url and kind in Kind.values:
        destination = errors.run(validate_destination, destination) or ""
        content = {"url": destination} if kind == Kind.STATIC and destination else {}
        if content:
            errors.run(clean_content, "url", content)  # the engine's own URL limits
    elif content_type in CONTENT_TYPES:
        content = errors.run(clean_content, content_type, content) or {}
        destination = ""
    if slug and kind == Kind.STATIC:
        errors["slug"] = ["Only dynamic codes have a short slug."]
    values: dict[str, Any] = {
        "kind": kind,
        "content_type": content_type,
        "content": content,
        "destination": destination,
        "name": errors.run(clean_name, name),
        "group": errors.run(_check_group, group, workspace.pk, sandbox=sandbox),
        "logo": errors.run(_check_logo, logo, workspace.pk),
        "style": errors.run(clean_style, style),
        "expires_at": errors.run(clean_expires_at, expires_at),
        "scan_limit": errors.run(clean_scan_limit, scan_limit),
        "metadata": errors.run(clean_metadata, metadata),
        "external_id": errors.run(clean_external_id, external_id),
        "is_active": bool(is_active),
        "pass_query_string": bool(pass_query_string),
        "is_test": bool(sandbox),
    }
    if slug and kind == Kind.DYNAMIC:
        errors.run(validate_custom_slug, slug)
    errors.raise_if_any()
    return values, (slug or None) if kind == Kind.DYNAMIC else None


def _clean_image_output(image_format: str, image_size: int) -> dict:
    """The format and size `image_url` remembers (the API's `format` and `size` on create)."""
    errors = {}
    if image_format not in FORMATS:
        errors["format"] = f"Choose one of {', '.join(FORMATS)}."
    if isinstance(image_size, bool) or not isinstance(image_size, int):
        errors["size"] = "Give the width in pixels as a whole number."
    elif not MIN_SIZE <= image_size <= MAX_SIZE:
        errors["size"] = f"Choose a size from {MIN_SIZE} to {MAX_SIZE} pixels."
    if errors:
        raise ValidationError(errors)
    return {"image_format": image_format, "image_size": image_size}


@transaction.atomic
def code_create(
    *,
    workspace: Workspace,
    actor: User,
    kind: str = Kind.DYNAMIC,
    content_type: str = "url",
    destination: str = "",
    content: dict | None = None,
    name: str = "",
    group: CampaignGroup | None = None,
    style: dict | None = None,
    logo: LogoAsset | None = None,
    slug: str | None = None,
    is_active: bool = True,
    expires_at: datetime | None = None,
    scan_limit: int | None = None,
    metadata: dict | None = None,
    external_id: str = "",
    pass_query_string: bool = False,
    sandbox: bool = False,
    image_format: str = "png",
    image_size: int = 400,
) -> QRCode:
    """Create a code. Dynamic codes (the default) get a short slug and redirect to
    `destination`; static codes encode `destination` (URL codes) or `content` directly.
    `sandbox`: a test key's code, kept apart from the live data."""
    _check_can_edit(actor, workspace.pk)
    values, custom_slug = _clean_new_code(
        workspace=workspace,
        kind=kind,
        content_type=content_type,
        destination=destination,
        content=content,
        name=name,
        group=group,
        style=style,
        logo=logo,
        slug=slug,
        is_active=is_active,
        expires_at=expires_at,
        scan_limit=scan_limit,
        metadata=metadata,
        external_id=external_id,
        pass_query_string=pass_query_string,
        sandbox=sandbox,
    )
    code = QRCode.objects.create(
        workspace=workspace,
        slug=_claim_slug(custom_slug) if values["kind"] == Kind.DYNAMIC else None,
        created_by=actor,
        **values,
        **_clean_image_output(image_format, image_size),
    )
    _ensure_scannable(code)
    if code.is_dynamic:
        _record_change(code, "", code.destination, actor)
        # Clears a "no such slug" answer cached before this custom slug existed.
        _forget_after_commit(code)
    code_changed.send(sender=QRCode, code=code, action="created")
    return code


@transaction.atomic
def code_update(
    *,
    code: QRCode,
    actor: User,
    name: str | _Unset = UNSET,
    destination: str | _Unset = UNSET,
    content: dict | _Unset = UNSET,
    group: CampaignGroup | _Unset | None = UNSET,
    style: dict | _Unset = UNSET,
    logo: LogoAsset | _Unset | None = UNSET,
    is_active: bool | _Unset = UNSET,
    expires_at: datetime | _Unset | None = UNSET,
    scan_limit: int | _Unset | None = UNSET,
    metadata: dict | _Unset = UNSET,
    external_id: str | _Unset = UNSET,
    pass_query_string: bool | _Unset = UNSET,
) -> QRCode:
    """Change any of the given fields (PATCH semantics: UNSET leaves a field alone).
    A dynamic code's destination change is recorded in its history."""
    _check_can_edit(actor, code.workspace_id)
    code = _lock(code)
    errors = FieldErrors()
    changed: dict[str, Any] = {}
    workspace_id = code.workspace_id
    given = {
        "name": (name, clean_name),
        "group": (group, lambda value: _check_group(value, workspace_id, sandbox=code.is_test)),
        "style": (style, clean_style),
        "logo": (logo, lambda value: _check_logo(value, workspace_id)),
        "expires_at": (expires_at, clean_expires_at),
        "scan_limit": (scan_limit, clean_scan_limit),
        "metadata": (metadata, clean_metadata),
        "external_id": (external_id, clean_external_id),
        "is_active": (is_active, bool),
        "pass_query_string": (pass_query_string, bool),
    }
    for field, (value, cleaner) in given.items():
        if value is not UNSET:
            cleaned = errors.run(cleaner, value)
            if field not in errors:
                changed[field] = cleaned
    old_destination = code.destination
    if destination is not UNSET:
        if code.content_type != "url":
            errors["destination"] = ["This code encodes content, not a URL; change its content."]
        else:
            cleaned = errors.run(validate_destination, destination)
            if cleaned is not None and cleaned != code.destination:
                changed["destination"] = cleaned
                if not code.is_dynamic:
                    changed["content"] = {"url": cleaned}
    if content is not UNSET:
        if code.content_type == "url":
            errors["content"] = ["A URL code's content is its destination; change that."]
        else:
            cleaned = errors.run(clean_content, code.content_type, content)
            if cleaned is not None:
                changed["content"] = cleaned
    errors.raise_if_any()
    if not changed:
        return code
    for field, value in changed.items():
        setattr(code, field, value)
    if changed.keys() & {"style", "logo", "content"}:
        _ensure_scannable(code)
    code.save(update_fields=[*changed, "updated_at"])
    destination_changed = "destination" in changed and code.is_dynamic
    if destination_changed:
        _record_change(code, old_destination, code.destination, actor)
    _forget_after_commit(code)
    code_changed.send(
        sender=QRCode,
        code=code,
        action="updated",
        changed=sorted(changed),
        previous_destination=old_destination if destination_changed else None,
    )
    return code


def code_change_destination(*, code: QRCode, destination: str, actor: User) -> QRCode:
    """Point a dynamic code somewhere else; the printed image stays the same."""
    if not code.is_dynamic:
        raise ValidationError(
            {"destination": "A static code's URL is printed in it; create a dynamic code instead."}
        )
    return code_update(code=code, actor=actor, destination=destination)


@transaction.atomic
def code_rollback_destination(*, code: QRCode, change: DestinationChange, actor: User) -> QRCode:
    """Restore the destination that `change` set (any earlier entry of the code's history)."""
    _check_can_edit(actor, code.workspace_id)
    if change.code_id != code.pk:
        raise Http404("No such destination change.")
    code = _lock(code)
    target = validate_destination(change.new_destination)
    if target == code.destination:
        return code
    old = code.destination
    code.destination = target
    code.save(update_fields=["destination", "updated_at"])
    _record_change(code, old, target, actor, restored_from=change)
    _forget_after_commit(code)
    code_changed.send(
        sender=QRCode,
        code=code,
        action="updated",
        changed=["destination"],
        previous_destination=old,
    )
    return code


def code_activate(*, code: QRCode, actor: User) -> QRCode:
    """Let scans redirect again. Idempotent."""
    return code_update(code=code, actor=actor, is_active=True)


def code_deactivate(*, code: QRCode, actor: User) -> QRCode:
    """Stop redirecting scans (they get the 410 page). Idempotent."""
    return code_update(code=code, actor=actor, is_active=False)


def code_move_to_group(*, code: QRCode, group: CampaignGroup | None, actor: User) -> QRCode:
    """Put the code in `group`, or in no group with None."""
    return code_update(code=code, actor=actor, group=group)


def code_duplicate(*, code: QRCode, actor: User, name: str | None = None) -> QRCode:
    """A copy with a new id and, for a dynamic code, a new random slug; no scans, no
    external id (that names the integrator's original record)."""
    if code.is_deleted:
        raise ValidationError({"code": "This code has been deleted."})
    return code_create(
        workspace=code.workspace,
        actor=actor,
        kind=code.kind,
        content_type=code.content_type,
        destination=code.destination,
        content=None if code.content_type == "url" else dict(code.content),
        name=name if name is not None else f"{code.name or code.public_id} (copy)"[:200],
        group=code.group if code.group and not code.group.is_archived else None,
        style=dict(code.style),
        logo=code.logo,
        is_active=code.is_active,
        expires_at=code.expires_at if code.expires_at and not code.is_expired else None,
        scan_limit=code.scan_limit,
        metadata=dict(code.metadata),
        pass_query_string=code.pass_query_string,
        sandbox=code.is_test,
    )


@transaction.atomic
def code_delete(*, code: QRCode, actor: User) -> QRCode:
    """Soft delete: the row stays as the slug's tombstone and scans get the 410 page."""
    _check_can_edit(actor, code.workspace_id)
    code = QRCode.objects.select_for_update().get(pk=code.pk)
    if code.deleted_at is not None:
        return code
    code.deleted_at = timezone.now()
    code.is_active = False
    code.save(update_fields=["deleted_at", "is_active", "updated_at"])
    _forget_after_commit(code)
    code_changed.send(sender=QRCode, code=code, action="deleted")
    return code


@engine_refusals()
def code_payload(code: QRCode) -> str:
    """What the QR symbol encodes: the short URL of a dynamic code, else the content."""
    if code.is_dynamic:
        return code.short_url
    if code.content_type == "url":
        return encode_content("url", {"url": code.destination})
    return encode_content(code.content_type, code.content)


def _image_style(code: QRCode, margin: int | None, transparent: bool) -> dict:
    style = dict(code.style)
    if margin is not None:
        style["margin"] = margin
    if transparent:
        style["background_color"] = "transparent"
    return style


def code_image_digest(
    *,
    code: QRCode,
    format: str = "png",
    size: int = 400,
    dpi: int = 300,
    margin: int | None = None,
    transparent: bool = False,
) -> str:
    """What the image is made of, hashed: payload, style, logo, and how it is delivered. Equal
    digests mean equal bytes, so it is the image's strong ETag, computed without rendering. A
    dynamic code's payload is its short URL, so a destination change keeps its image."""
    logo = code.logo
    fingerprint = json.dumps(
        [
            code_payload(code),
            _image_style(code, margin, transparent),
            logo.checksum if logo else None,
            format,
            size,
            dpi if format in ("png", "jpeg", "pdf") else None,
        ],
        sort_keys=True,
    )
    return hashlib.sha256(fingerprint.encode()).hexdigest()


# This process's most recently served images, by digest (see CODE_IMAGE_MEMORY_BYTES).
_recent_images = LRU(max_entries=4096, max_bytes=settings.CODE_IMAGE_MEMORY_BYTES)


@engine_refusals()
def code_image(
    *,
    code: QRCode,
    format: str = "png",
    size: int = 400,
    dpi: int = 300,
    margin: int | None = None,
    transparent: bool = False,
    digest: str | None = None,
) -> bytes:
    """The rendered image, cached by `code_image_digest` (pass it in when already known).
    `margin` (quiet zone in modules) and `transparent` (no background) override the code's
    style for this image only; the scannability guard judges the image as delivered."""
    if transparent and format == "jpeg":
        raise ValidationError({"transparent": "JPEG has no transparency; ask for png or webp."})
    options = {"format": format, "size": size, "dpi": dpi}
    digest = digest or code_image_digest(
        code=code, margin=margin, transparent=transparent, **options
    )
    recent = _recent_images.get(digest)
    if recent is not None:
        return recent
    payload = code_payload(code)
    logo = code.logo
    key = "codes:img:" + digest
    try:
        cached = cache.get(key)
    except Exception:
        cached = None  # a cache outage costs a render, not an error
    if cached is not None:
        _recent_images.put(digest, cached, len(cached))
        return cached
    style = Style.from_dict(_image_style(code, margin, transparent))
    logo_bytes = logo.read_bytes() if logo else None
    # Judged as handed out: a 256 px PNG of a dense code may not scan though its design does.
    ensure_deliverable(payload, style, format=format, size=size, logo=logo_bytes)
    image = render(payload, style, format=format, size=size, logo=logo_bytes, dpi=dpi)
    try:
        cache.set(key, image, settings.CODE_IMAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("image cache unavailable; rendered image not stored")
    _recent_images.put(digest, image, len(image))
    return image


@engine_refusals()
def _ensure_scannable(code: QRCode) -> None:
    # The guard decodes the finished design; a code that would not scan is never saved.
    ensure_scannable(
        code_payload(code),
        Style.from_dict(code.style),
        logo=code.logo.read_bytes() if code.logo else None,
    )
