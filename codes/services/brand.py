"""A workspace's look on its scan pages (logo and accent colour)."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import ROLES_THAT_MANAGE, Membership, User, Workspace
from codes.models import LogoAsset, ScanPageBrand
from codes.services._common import _check_can_edit

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@transaction.atomic
def scan_page_brand_set(
    *, workspace: Workspace, actor: User, color: str, logo: LogoAsset | None
) -> ScanPageBrand:
    """Set the logo (None: none) and colour ("" : the product's) of the workspace's scan pages.
    Owners and admins only: what strangers see when they scan is the workspace's public face."""
    _check_can_edit(actor, workspace.pk)  # 404 for a stranger, 403 for a viewer
    manages = Membership.objects.filter(
        user=actor, workspace=workspace, role__in=ROLES_THAT_MANAGE
    ).exists()
    if not (manages or actor.is_superuser or actor.is_staff):
        raise PermissionDenied("Only owners and admins can change the scan pages.")
    if color and not _HEX.match(color):
        raise ValidationError({"color": "Give the colour as #rrggbb, e.g. #1e40af."})
    if logo is not None and logo.workspace_id != workspace.pk:
        raise ValidationError({"logo": "Choose one of this workspace's logos."})
    brand, _ = ScanPageBrand.objects.select_for_update().get_or_create(workspace=workspace)
    brand.color = color.lower()
    brand.logo = logo
    brand.save()
    return brand
