"""Campaign groups."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User, Workspace
from codes.cleaners import (
    FieldErrors,
    clean_name,
    clean_text,
)
from codes.models import (
    DEFAULT_GROUP_COLOR,
    CampaignGroup,
)
from codes.services._common import (
    UNSET,
    _check_can_edit,
    _save_changes,
    _Unset,
)
from codes.validation import (
    validate_color,
)

# --- campaign groups ----------------------------------------------------------------------------


def _clean_group_slug(
    workspace_id: int, slug: str, *, exclude_pk: int | None = None, sandbox: bool = False
) -> str:
    cleaned = slugify(slug)[:60]
    if not cleaned:
        raise ValidationError({"slug": "Use letters, digits and hyphens."})
    taken = CampaignGroup.objects.in_mode(sandbox=sandbox).filter(
        workspace_id=workspace_id, slug=cleaned
    )
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
    sandbox: bool = False,
) -> CampaignGroup:
    """Create a campaign group; `slug` (how the API names it) defaults to the slugified name.
    `sandbox`: a test key's group, for sandbox codes only."""
    _check_can_edit(actor, workspace.pk)
    errors = FieldErrors()
    name = errors.run(clean_name, name, required=True, limit=100)
    if slug or name:
        slug = errors.run(_clean_group_slug, workspace.pk, slug or name, sandbox=sandbox)
    description = errors.run(clean_text, description, field="description")
    color = errors.run(validate_color, color)
    errors.raise_if_any()
    return CampaignGroup.objects.create(
        workspace=workspace,
        name=name,
        slug=slug,
        description=description.strip(),
        color=color,
        is_test=bool(sandbox),
    )


def group_get_or_create(
    *, workspace: Workspace, actor: User, slug: str, sandbox: bool = False
) -> CampaignGroup:
    """The workspace's group with this slug, created (named after it) when there is none: an
    integrator can name a new group in the request that first uses it. Two requests naming
    the same new group at once both get the one group."""
    _check_can_edit(actor, workspace.pk)
    groups = CampaignGroup.objects.in_mode(sandbox=sandbox)
    existing = groups.filter(workspace=workspace, slug=slug).first()
    if existing is not None:
        return existing
    if slugify(slug) != slug:
        raise ValidationError({"group": f"No group “{slug}” in this workspace."})
    try:
        # A savepoint: losing the race to a concurrent create must not spoil the caller's
        # transaction (a bulk create goes on with the group the other request made).
        with transaction.atomic():
            return group_create(
                workspace=workspace, actor=actor, name=slug, slug=slug, sandbox=sandbox
            )
    except (ValidationError, IntegrityError):
        existing = groups.filter(workspace=workspace, slug=slug).first()
        if existing is None:
            raise ValidationError({"group": f"Could not create the group “{slug}”."}) from None
        return existing


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
            _clean_group_slug, group.workspace_id, slug, exclude_pk=group.pk, sandbox=group.is_test
        )
    if description is not UNSET:
        changed["description"] = (
            errors.run(clean_text, description, field="description") or ""
        ).strip()
    if color is not UNSET:
        changed["color"] = errors.run(validate_color, color)
    errors.raise_if_any()
    _save_changes(group, changed)
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
