"""Helpers shared by the code, group, logo and template services."""

from __future__ import annotations

import logging
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from accounts import selectors as account_selectors
from accounts.models import ROLES_THAT_EDIT, User
from codes.cache import redirect_cache_forget
from codes.models import (
    CampaignGroup,
    DestinationChange,
    LogoAsset,
    QRCode,
    SlugClaim,
)
from codes.validation import (
    SLUG_LENGTH,
    validate_custom_slug,
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
    role = account_selectors.role_in(user=actor, workspace_id=workspace_id)
    if role is None:
        raise Http404("No such code.")
    if role not in ROLES_THAT_EDIT:
        raise PermissionDenied("Viewers cannot change anything in this workspace.")


def _check_group(
    group: CampaignGroup | None, workspace_id: int, *, sandbox: bool = False
) -> CampaignGroup | None:
    # A foreign group, and a group of the other mode (sandbox or live), are refused exactly
    # like a missing one.
    if group is not None and (
        group.workspace_id != workspace_id or group.pk is None or group.is_test != sandbox
    ):
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


def _record_change(code: QRCode, old: str, new: str, actor: User, restored_from=None) -> None:
    DestinationChange.objects.create(
        workspace_id=code.workspace_id,
        code=code,
        old_destination=old,
        new_destination=new,
        changed_by=actor,
        restored_from=restored_from,
    )


def _save_changes(instance, changed: dict[str, Any]) -> None:
    """Set the changed fields and save only those (plus `updated_at`); nothing when unchanged."""
    for field, value in changed.items():
        setattr(instance, field, value)
    if changed:
        instance.save(update_fields=[*changed, "updated_at"])
