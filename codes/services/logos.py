"""Logo assets: validated, re-encoded rasters."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import User, Workspace
from codes.cleaners import (
    clean_name,
)
from codes.models import (
    LogoAsset,
)
from codes.render_errors import engine_refusals
from codes.rendering import (
    prepare_logo,
)
from codes.services._common import (
    _check_can_edit,
)

# --- logos --------------------------------------------------------------------------------------


@transaction.atomic
def logo_create(
    *, workspace: Workspace, actor: User, data: bytes, name: str = "", sandbox: bool = False
) -> LogoAsset:
    """Store an uploaded logo re-encoded as PNG (metadata and anything hidden stripped).
    The same picture uploaded twice (in the same mode) gives back the first asset."""
    _check_can_edit(actor, workspace.pk)
    # The engine refuses SVG, non-images, oversized files and decompression bombs ("logo").
    with engine_refusals():
        prepared = prepare_logo(data)
    existing = (
        LogoAsset.objects.in_mode(sandbox=sandbox)
        .filter(workspace=workspace, checksum=prepared.sha256)
        .first()
    )
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
        is_test=bool(sandbox),
    )
    logo.image.save("logo.png", ContentFile(prepared.png), save=False)
    logo.save()
    return logo
