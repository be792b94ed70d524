"""Saved styles ("brand templates") and bulk actions over a selection of codes."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from accounts.models import User, Workspace
from codes.cleaners import (
    FieldErrors,
    clean_name,
    clean_style,
)
from codes.models import (
    BrandTemplate,
    CampaignGroup,
    LogoAsset,
    QRCode,
)
from codes.services._common import (
    UNSET,
    _check_can_edit,
    _check_logo,
    _save_changes,
    _Unset,
)
from codes.services.codes import (
    code_activate,
    code_deactivate,
    code_delete,
    code_move_to_group,
    code_update,
)

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
    _save_changes(template, changed)
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
