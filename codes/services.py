"""Every write to codes, groups, logos and destination history: the one write path.

The dashboard, the API, admin actions and tasks all call these. Each takes the acting user
(`actor`), checks that they may edit the workspace (404 for a stranger, 403 for a viewer),
runs in a transaction and raises `ValidationError({field: message})` without writing anything
when the input is refused. Redirect-cache invalidation runs after commit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from datetime import datetime
from typing import Any, Final

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import ROLES_THAT_EDIT, Membership, User, Workspace
from codes.cache import redirect_cache_forget, redirect_cache_forget_many
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
    DEFAULT_GROUP_COLOR,
    BrandTemplate,
    CampaignGroup,
    DestinationChange,
    Kind,
    LogoAsset,
    QRCode,
    SlugClaim,
)
from codes.rendering import (
    CONTENT_TYPES,
    SpecError,
    Style,
    check_many,
    encode_content,
    ensure_scannable,
    prepare_logo,
    render,
)
from codes.validation import (
    SLUG_LENGTH,
    validate_color,
    validate_custom_slug,
    validate_destination,
)
from qrsite.ids import random_base62

logger = logging.getLogger(__name__)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()  # "leave this field as it is" in partial updates


# --- helpers ------------------------------------------------------------------------------------


def _check_can_edit(actor: User, workspace_id: int) -> None:
    """Strangers get 404 (they must not learn the object exists), viewers 403."""
    if actor.is_superuser or actor.is_staff:
        return  # the admin site is an operator's tool, gated by model permissions
    memo = actor.__dict__.setdefault("_codes_roles", {})
    if workspace_id not in memo:
        memo[workspace_id] = (
            Membership.objects.filter(user=actor, workspace_id=workspace_id)
            .values_list("role", flat=True)
            .first()
        )
    role = memo[workspace_id]
    if role is None:
        raise Http404("No such code.")
    if role not in ROLES_THAT_EDIT:
        raise PermissionDenied("Viewers cannot change anything in this workspace.")


def _check_group(group: CampaignGroup | None, workspace_id: int) -> CampaignGroup | None:
    # A foreign group is refused exactly like a missing one.
    if group is not None and (group.workspace_id != workspace_id or group.pk is None):
        raise ValidationError({"group": "No such group in this workspace."})
    if group is not None and group.is_archived:
        raise ValidationError({"group": "This group is archived; unarchive it first."})
    return group


def _check_logo(logo: LogoAsset | None, workspace_id: int) -> LogoAsset | None:
    if logo is not None and (logo.workspace_id != workspace_id or logo.pk is None):
        raise ValidationError({"logo": "No such logo in this workspace."})
    return logo


def _claim_slug(custom: str | None) -> str:
    if custom:
        slug = validate_custom_slug(custom)
        try:
            with transaction.atomic():
                SlugClaim.objects.create(slug=slug)
        except IntegrityError:
            raise ValidationError({"slug": f"The slug “{slug}” is taken."}) from None
        return slug
    # 62^7 ≈ 3.5e12 slugs: a collision is rare, several in a row practically impossible.
    for _ in range(10):
        slug = random_base62(SLUG_LENGTH)
        try:
            with transaction.atomic():
                SlugClaim.objects.create(slug=slug)
        except IntegrityError:
            continue
        return slug
    raise RuntimeError("could not find a free short slug")


def _lock(code: QRCode) -> QRCode:
    # Row lock: two concurrent edits must not both read the same "old" destination.
    locked = QRCode.objects.select_for_update().get(pk=code.pk)
    if locked.deleted_at is not None:
        raise ValidationError({"code": "This code has been deleted."})
    return locked


def _forget_after_commit(code: QRCode) -> None:
    slug = code.slug
    if slug:
        transaction.on_commit(lambda: redirect_cache_forget(slug))


def _ensure_scannable(code: QRCode) -> None:
    # The guard decodes the finished design; a code that would not scan is never saved.
    ensure_scannable(
        code_payload(code),
        Style.from_dict(code.style),
        logo=code.logo.read_bytes() if code.logo else None,
    )


def _record_change(code: QRCode, old: str, new: str, actor: User, restored_from=None) -> None:
    DestinationChange.objects.create(
        workspace_id=code.workspace_id,
        code=code,
        old_destination=old,
        new_destination=new,
        changed_by=actor,
        restored_from=restored_from,
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
        "group": errors.run(_check_group, group, workspace.pk),
        "logo": errors.run(_check_logo, logo, workspace.pk),
        "style": errors.run(clean_style, style),
        "expires_at": errors.run(clean_expires_at, expires_at),
        "scan_limit": errors.run(clean_scan_limit, scan_limit),
        "metadata": errors.run(clean_metadata, metadata),
        "external_id": errors.run(clean_external_id, external_id),
        "is_active": bool(is_active),
        "pass_query_string": bool(pass_query_string),
    }
    if slug and kind == Kind.DYNAMIC:
        errors.run(validate_custom_slug, slug)
    errors.raise_if_any()
    return values, (slug or None) if kind == Kind.DYNAMIC else None


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
) -> QRCode:
    """Create a code. Dynamic codes (the default) get a short slug and redirect to
    `destination`; static codes encode `destination` (URL codes) or `content` directly."""
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
    )
    code = QRCode.objects.create(
        workspace=workspace,
        slug=_claim_slug(custom_slug) if values["kind"] == Kind.DYNAMIC else None,
        created_by=actor,
        **values,
    )
    _ensure_scannable(code)
    if code.is_dynamic:
        _record_change(code, "", code.destination, actor)
        # Clears a "no such slug" answer cached before this custom slug existed.
        _forget_after_commit(code)
    return code


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


def _claim_slugs(custom: dict[int, str], random_count: int) -> tuple[dict[int, str], list[str]]:
    """Claims every custom slug (by item position) and `random_count` random ones with a few
    queries; raises ItemErrors naming the custom slugs already taken."""
    custom = {i: validate_custom_slug(slug) for i, slug in custom.items()}
    seen: dict[str, int] = {}
    errors: dict[int, ValidationError] = {}
    for index, slug in custom.items():
        if slug in seen:
            errors[index] = ValidationError({"slug": f"The slug “{slug}” is taken."})
        seen[slug] = index
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
def code_create_many(*, workspace: Workspace, actor: User, items: list[dict]) -> list[QRCode]:
    """Create many codes, all or nothing: each item takes `code_create`'s keyword arguments and
    obeys its rules. One refused item refuses the batch with ItemErrors (errors by position)."""
    _check_can_edit(actor, workspace.pk)
    cleaned: list[tuple[dict[str, Any], str | None]] = []
    errors: dict[int, ValidationError] = {}
    for index, item in enumerate(items):
        try:
            cleaned.append(_clean_new_code(workspace=workspace, **item))
        except ValidationError as exc:
            errors[index] = exc
            cleaned.append(({}, None))
    if errors:
        raise ItemErrors(errors)
    custom = {i: slug for i, (_, slug) in enumerate(cleaned) if slug}
    dynamic = [i for i, (values, _) in enumerate(cleaned) if values["kind"] == Kind.DYNAMIC]
    custom, fresh = _claim_slugs(custom, len(dynamic) - len(custom))
    fresh_slugs = iter(fresh)
    codes = []
    for index, (values, _) in enumerate(cleaned):
        slug = None
        if values["kind"] == Kind.DYNAMIC:
            slug = custom.get(index) or next(fresh_slugs)
        codes.append(QRCode(workspace=workspace, slug=slug, created_by=actor, **values))
    _ensure_scannable_many(codes)
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
    slugs = [code.slug for code in codes if code.slug]
    # Clears "no such slug" answers cached before these slugs existed.
    transaction.on_commit(lambda: redirect_cache_forget_many(slugs))
    return codes


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
            errors[positions[position]] = SpecError(fields)
    if errors:
        raise ItemErrors(errors)


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
        "group": (group, lambda value: _check_group(value, workspace_id)),
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
    if "destination" in changed and code.is_dynamic:
        _record_change(code, old_destination, code.destination, actor)
    _forget_after_commit(code)
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
    return code


def code_payload(code: QRCode) -> str:
    """What the QR symbol encodes: the short URL of a dynamic code, else the content."""
    if code.is_dynamic:
        return code.short_url
    if code.content_type == "url":
        return encode_content("url", {"url": code.destination})
    return encode_content(code.content_type, code.content)


def code_image(*, code: QRCode, format: str = "png", size: int = 400) -> bytes:
    """The rendered image, cached by what it depends on: payload, style, logo, format, size.
    A dynamic code's payload is its short URL, so a destination change keeps its image."""
    payload = code_payload(code)
    logo = code.logo
    fingerprint = json.dumps(
        [payload, code.style, logo.checksum if logo else None, format, size], sort_keys=True
    )
    key = "codes:img:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    try:
        cached = cache.get(key)
    except Exception:
        cached = None  # a cache outage costs a render, not an error
    if cached is not None:
        return cached
    image = render(
        payload,
        Style.from_dict(code.style),
        format=format,
        size=size,
        logo=logo.read_bytes() if logo else None,
    )
    try:
        cache.set(key, image, settings.CODE_IMAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("image cache unavailable; rendered image not stored")
    return image


# --- campaign groups ----------------------------------------------------------------------------


def _clean_group_slug(workspace_id: int, slug: str, *, exclude_pk: int | None = None) -> str:
    cleaned = slugify(slug)[:60]
    if not cleaned:
        raise ValidationError({"slug": "Use letters, digits and hyphens."})
    taken = CampaignGroup.objects.filter(workspace_id=workspace_id, slug=cleaned)
    if taken.exclude(pk=exclude_pk).exists():
        raise ValidationError({"slug": f"A group with the slug “{cleaned}” already exists."})
    return cleaned


@transaction.atomic
def group_create(
    *,
    workspace: Workspace,
    actor: User,
    name: str,
    slug: str | None = None,
    description: str = "",
    color: str = DEFAULT_GROUP_COLOR,
) -> CampaignGroup:
    """Create a campaign group; `slug` (how the API names it) defaults to the slugified name."""
    _check_can_edit(actor, workspace.pk)
    errors = FieldErrors()
    name = errors.run(clean_name, name, required=True, limit=100)
    if slug or name:
        slug = errors.run(_clean_group_slug, workspace.pk, slug or name)
    color = errors.run(validate_color, color)
    errors.raise_if_any()
    return CampaignGroup.objects.create(
        workspace=workspace,
        name=name,
        slug=slug,
        description=str(description or "").strip(),
        color=color,
    )


@transaction.atomic
def group_update(
    *,
    group: CampaignGroup,
    actor: User,
    name: str | _Unset = UNSET,
    slug: str | _Unset = UNSET,
    description: str | _Unset = UNSET,
    color: str | _Unset = UNSET,
) -> CampaignGroup:
    _check_can_edit(actor, group.workspace_id)
    errors = FieldErrors()
    changed: dict[str, Any] = {}
    if name is not UNSET:
        changed["name"] = errors.run(clean_name, name, required=True, limit=100)
    if slug is not UNSET:
        changed["slug"] = errors.run(
            _clean_group_slug, group.workspace_id, slug, exclude_pk=group.pk
        )
    if description is not UNSET:
        changed["description"] = str(description or "").strip()
    if color is not UNSET:
        changed["color"] = errors.run(validate_color, color)
    errors.raise_if_any()
    for field, value in changed.items():
        setattr(group, field, value)
    if changed:
        group.save(update_fields=[*changed, "updated_at"])
    return group


@transaction.atomic
def group_archive(*, group: CampaignGroup, actor: User) -> CampaignGroup:
    """Hide the group from pickers; its codes keep working. Idempotent."""
    _check_can_edit(actor, group.workspace_id)
    if group.archived_at is None:
        group.archived_at = timezone.now()
        group.save(update_fields=["archived_at", "updated_at"])
    return group


@transaction.atomic
def group_unarchive(*, group: CampaignGroup, actor: User) -> CampaignGroup:
    _check_can_edit(actor, group.workspace_id)
    if group.archived_at is not None:
        group.archived_at = None
        group.save(update_fields=["archived_at", "updated_at"])
    return group


@transaction.atomic
def group_delete(*, group: CampaignGroup, actor: User) -> None:
    """Delete the group; its codes stay, ungrouped, and keep redirecting."""
    _check_can_edit(actor, group.workspace_id)
    group.delete()


# --- logos --------------------------------------------------------------------------------------


@transaction.atomic
def logo_create(*, workspace: Workspace, actor: User, data: bytes, name: str = "") -> LogoAsset:
    """Store an uploaded logo re-encoded as PNG (metadata and anything hidden stripped).
    The same picture uploaded twice gives back the first asset."""
    _check_can_edit(actor, workspace.pk)
    # The engine refuses SVG, non-images, oversized files and decompression bombs ("logo").
    prepared = prepare_logo(data)
    existing = LogoAsset.objects.filter(workspace=workspace, checksum=prepared.sha256).first()
    if existing is not None:
        return existing
    logo = LogoAsset(
        workspace=workspace,
        name=clean_name(name, field="name", limit=100),
        width=prepared.width,
        height=prepared.height,
        size_bytes=len(prepared.png),
        checksum=prepared.sha256,
        created_by=actor,
    )
    logo.image.save("logo.png", ContentFile(prepared.png), save=False)
    logo.save()
    return logo


# --- Brand templates and bulk actions (the dashboard's; the API may call them too) -----------------


def _clean_template_name(workspace_id: int, name: str, *, exclude_pk: int | None = None) -> str:
    name = clean_name(name, required=True, limit=100)
    taken = BrandTemplate.objects.filter(workspace_id=workspace_id, name__iexact=name)
    if taken.exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": f"A brand style called “{name}” already exists."})
    return name


@transaction.atomic
def brand_template_create(
    *,
    workspace: Workspace,
    actor: User,
    name: str,
    style: dict | None = None,
    logo: LogoAsset | None = None,
) -> BrandTemplate:
    """Save a style (and logo) under a name for reuse across the workspace's codes."""
    _check_can_edit(actor, workspace.pk)
    errors = FieldErrors()
    values = {
        "name": errors.run(_clean_template_name, workspace.pk, name),
        "style": errors.run(clean_style, style),
        "logo": errors.run(_check_logo, logo, workspace.pk),
    }
    errors.raise_if_any()
    return BrandTemplate.objects.create(workspace=workspace, created_by=actor, **values)


@transaction.atomic
def brand_template_update(
    *,
    template: BrandTemplate,
    actor: User,
    name: str | _Unset = UNSET,
    style: dict | _Unset = UNSET,
    logo: LogoAsset | _Unset | None = UNSET,
) -> BrandTemplate:
    """Rename or restyle a brand template; codes that used it keep their own copy."""
    _check_can_edit(actor, template.workspace_id)
    errors = FieldErrors()
    changed: dict[str, Any] = {}
    if name is not UNSET:
        changed["name"] = errors.run(
            _clean_template_name, template.workspace_id, name, exclude_pk=template.pk
        )
    if style is not UNSET:
        changed["style"] = errors.run(clean_style, style)
    if logo is not UNSET:
        changed["logo"] = errors.run(_check_logo, logo, template.workspace_id)
    errors.raise_if_any()
    for field, value in changed.items():
        setattr(template, field, value)
    if changed:
        template.save(update_fields=[*changed, "updated_at"])
    return template


@transaction.atomic
def brand_template_delete(*, template: BrandTemplate, actor: User) -> None:
    """Delete the template; codes styled with it keep their look."""
    _check_can_edit(actor, template.workspace_id)
    template.delete()


@dataclasses.dataclass
class BulkResult:
    """What a bulk action did: the codes changed and, per refused code, why."""

    done: list[QRCode] = dataclasses.field(default_factory=list)
    refused: list[tuple[QRCode, str]] = dataclasses.field(default_factory=list)


def _each(codes, apply) -> BulkResult:
    result = BulkResult()
    for code in codes:
        try:
            # A savepoint per code: one refusal (a style that does not scan on a dense code)
            # leaves the others applied and this one untouched.
            with transaction.atomic():
                result.done.append(apply(code))
        except ValidationError as exc:
            result.refused.append((code, " ".join(exc.messages)))
    return result


def brand_template_apply(*, template: BrandTemplate, codes, actor: User) -> BulkResult:
    """Give each code the template's style and logo, through `code_update` (scan-checked)."""
    for code in codes:
        if code.workspace_id != template.workspace_id:
            raise Http404("No such code.")
    return _each(
        codes,
        lambda code: code_update(
            code=code, actor=actor, style=dict(template.style), logo=template.logo
        ),
    )


def codes_bulk_update(
    *, codes, actor: User, action: str, group: CampaignGroup | None = None
) -> BulkResult:
    """Activate, deactivate, move (to `group`, None = no group) or delete many codes, each
    through its own service so every rule and cache invalidation applies as for one."""
    actions = {
        "activate": lambda code: code_activate(code=code, actor=actor),
        "deactivate": lambda code: code_deactivate(code=code, actor=actor),
        "move": lambda code: code_move_to_group(code=code, group=group, actor=actor),
        "delete": lambda code: code_delete(code=code, actor=actor),
    }
    if action not in actions:
        raise ValidationError({"action": f"Choose one of {', '.join(actions)}."})
    return _each(codes, actions[action])
