"""Reads and the ownership gate for codes, groups, logos and destination history.

Every selector is scoped to a workspace (or to an object already fetched through one), and a
missing object and another workspace's object both raise Http404: a stranger cannot even
learn that an id exists.
"""

from __future__ import annotations

import base64
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Workspace
from codes import read_cache
from codes.models import (
    BrandTemplate,
    CampaignGroup,
    DestinationChange,
    Kind,
    LogoAsset,
    QRCode,
    ScanPageBrand,
)
from qrsite.hot_reads import HotRead

CODE_ORDERINGS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "name": ("name", "id"),
    "most_scanned": ("-scan_count", "-id"),
    "updated": ("-updated_at", "-id"),
}


# One code with its group and logo by public id: every per-code API call and dashboard page
# starts with this read (see qrsite.hot_reads). The workspace is the caller's, already loaded.
_CODE_WITH_GROUP_AND_LOGO = HotRead(
    [(QRCode, "c"), (CampaignGroup, "g"), (LogoAsset, "l")],
    "FROM {c_table} LEFT JOIN {g_table} ON {g}.id = {c}.group_id"
    " LEFT JOIN {l_table} ON {l}.id = {c}.logo_id"
    " WHERE {c}.workspace_id = %s AND {c}.public_id = %s AND {c}.is_test = %s",
)


def code_get_for_workspace(
    *, workspace: Workspace, public_id: str, include_deleted: bool = False, sandbox: bool = False
) -> QRCode:
    """One code of the workspace by its public id (deleted codes only when asked for); a
    sandbox code only for a sandbox caller and a live one only for a live caller."""
    found = _CODE_WITH_GROUP_AND_LOGO.fetch([workspace.pk, public_id, bool(sandbox)])
    if found is None:
        raise Http404("No such code.")
    code, group, logo = found
    if code.deleted_at is not None and not include_deleted:
        raise Http404("No such code.")
    code.workspace = workspace
    code.group = group
    code.logo = logo
    return code


def code_get_for_image(
    *, workspace: Workspace, public_id: str, sandbox: bool, generation: int | None
) -> QRCode:
    """`code_get_for_workspace` for the image endpoint: from this process's memory when it was
    read under the workspace's code `generation` (read before this call; None when unknown),
    else from the database and remembered (`codes.read_cache`)."""
    if generation is not None:
        code = read_cache.lookup(
            workspace_pk=workspace.pk, sandbox=sandbox, public_id=public_id, generation=generation
        )
        if code is not None:
            code.workspace = workspace
            return code
    code = code_get_for_workspace(workspace=workspace, public_id=public_id, sandbox=sandbox)
    if generation is not None:
        read_cache.remember(
            workspace_pk=workspace.pk, sandbox=sandbox, code=code, generation_before_read=generation
        )
    return code


def code_list_for_workspace(
    *,
    workspace: Workspace,
    group: CampaignGroup | None = None,
    ungrouped: bool = False,
    kind: str | None = None,
    content_type: str | None = None,
    is_active: bool | None = None,
    search: str | None = None,
    external_id: str | None = None,
    include_deleted: bool = False,
    ordering: str = "newest",
    sandbox: bool = False,
) -> QuerySet[QRCode]:
    """The workspace's codes (of one mode), filtered; `search` matches name, destination,
    slug and ids."""
    codes = (
        QRCode.objects.in_mode(sandbox=sandbox)
        .filter(workspace=workspace)
        .select_related("group", "logo")
    )
    if not include_deleted:
        codes = codes.alive()
    if group is not None:
        if group.workspace_id != workspace.pk:
            return codes.none()
        codes = codes.filter(group=group)
    if ungrouped:
        codes = codes.filter(group__isnull=True)
    if kind:
        codes = codes.filter(kind=kind)
    if content_type:
        codes = codes.filter(content_type=content_type)
    if is_active is not None:
        codes = codes.filter(is_active=is_active)
    if external_id:
        codes = codes.filter(external_id=external_id)
    if search:
        search = search.strip()
        codes = codes.filter(
            Q(name__icontains=search)
            | Q(destination__icontains=search)
            | Q(slug=search)
            | Q(public_id=search)
            | Q(external_id=search)
        )
    return codes.order_by(*CODE_ORDERINGS.get(ordering, CODE_ORDERINGS["newest"]))


def group_get_for_workspace(
    *,
    workspace: Workspace,
    public_id: str | None = None,
    slug: str | None = None,
    sandbox: bool = False,
) -> CampaignGroup:
    """One group by public id or by slug (the API's `"group": "product-labels"`)."""
    if not public_id and not slug:
        raise Http404("No such group.")
    lookup = {"public_id": public_id} if public_id else {"slug": slug}
    groups = CampaignGroup.objects.in_mode(sandbox=sandbox)
    group = groups.filter(workspace=workspace, **lookup).first()
    if group is None:
        raise Http404("No such group.")
    return group


def group_list_for_workspace(
    *, workspace: Workspace, include_archived: bool = False, sandbox: bool = False
) -> QuerySet[CampaignGroup]:
    """Groups with `code_count` (live codes) annotated, by name."""
    groups = (
        CampaignGroup.objects.in_mode(sandbox=sandbox)
        .filter(workspace=workspace)
        .annotate(code_count=Count("codes", filter=Q(codes__deleted_at__isnull=True)))
    )
    if not include_archived:
        groups = groups.filter(archived_at__isnull=True)
    return groups.order_by("name", "id")


def logo_get_for_workspace(
    *, workspace: Workspace, public_id: str, sandbox: bool = False
) -> LogoAsset:
    logos = LogoAsset.objects.in_mode(sandbox=sandbox)
    logo = logos.filter(workspace=workspace, public_id=public_id).first()
    if logo is None:
        raise Http404("No such logo.")
    return logo


def logo_list_for_workspace(*, workspace: Workspace, sandbox: bool = False) -> QuerySet[LogoAsset]:
    logos = LogoAsset.objects.in_mode(sandbox=sandbox).filter(workspace=workspace)
    return logos.order_by("-created_at", "-id")


def destination_history_for_code(*, code: QRCode) -> QuerySet[DestinationChange]:
    """The code's destination changes, newest first (the last row is its creation)."""
    return (
        DestinationChange.objects.filter(code=code, workspace_id=code.workspace_id)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )


def destination_change_get_for_code(*, code: QRCode, public_id: str) -> DestinationChange:
    change = DestinationChange.objects.filter(
        code=code, workspace_id=code.workspace_id, public_id=public_id
    ).first()
    if change is None:
        raise Http404("No such destination change.")
    return change


# --- Dashboard reads: brand templates, bulk selections, summaries ----------------------------------


def brand_template_list_for_workspace(*, workspace: Workspace) -> QuerySet[BrandTemplate]:
    return (
        BrandTemplate.objects.filter(workspace=workspace)
        .select_related("logo")
        .order_by("name", "id")
    )


def brand_template_get_for_workspace(*, workspace: Workspace, public_id: str) -> BrandTemplate:
    template = (
        BrandTemplate.objects.select_related("logo")
        .filter(workspace=workspace, public_id=public_id)
        .first()
    )
    if template is None:
        raise Http404("No such brand style.")
    return template


def code_list_by_public_ids(*, workspace: Workspace, public_ids: list[str]) -> QuerySet[QRCode]:
    """The workspace's live codes among `public_ids`; foreign and unknown ids are left out."""
    return (
        QRCode.objects.alive()
        .in_mode(sandbox=False)
        .filter(workspace=workspace, public_id__in=list(public_ids))
        .select_related("group", "logo", "workspace")
        .order_by("-created_at", "-id")
    )


def group_choices_for_workspace(
    *, workspace: Workspace, include_archived: bool = False
) -> QuerySet[CampaignGroup]:
    """Groups for pickers and filters: no counts, so no join over the codes (the codes list
    reads this on every request)."""
    groups = CampaignGroup.objects.in_mode(sandbox=False).filter(workspace=workspace)
    if not include_archived:
        groups = groups.filter(archived_at__isnull=True)
    return groups.only("id", "public_id", "name", "color", "archived_at", "workspace_id").order_by(
        "name", "id"
    )


def group_list_with_stats(
    *, workspace: Workspace, include_archived: bool = False, archived_only: bool = False
) -> QuerySet[CampaignGroup]:
    """Groups with `code_count`, `active_count` and `scan_total` of their live codes."""
    alive = Q(codes__deleted_at__isnull=True)
    groups = (
        CampaignGroup.objects.in_mode(sandbox=False)
        .filter(workspace=workspace)
        .annotate(
            code_count=Count("codes", filter=alive),
            active_count=Count("codes", filter=alive & Q(codes__is_active=True)),
            scan_total=Coalesce(Sum("codes__scan_count", filter=alive), 0),
        )
    )
    if archived_only:
        groups = groups.filter(archived_at__isnull=False)
    elif not include_archived:
        groups = groups.filter(archived_at__isnull=True)
    return groups.order_by("name", "id")


def group_stats(*, group: CampaignGroup) -> dict:
    """Live codes, active codes and scans of one group."""
    return (
        QRCode.objects.alive()
        .filter(group=group)
        .aggregate(
            code_count=Count("id"),
            active_count=Count("id", filter=Q(is_active=True)),
            scan_total=Coalesce(Sum("scan_count"), 0),
        )
    )


def workspace_code_stats(*, workspace: Workspace) -> dict:
    """Counts for the overview: codes, active codes, dynamic codes, scans, groups."""
    stats = (
        QRCode.objects.alive()
        .in_mode(sandbox=False)
        .filter(workspace=workspace)
        .aggregate(
            code_count=Count("id"),
            active_count=Count("id", filter=Q(is_active=True)),
            dynamic_count=Count("id", filter=Q(kind=Kind.DYNAMIC)),
            scan_total=Coalesce(Sum("scan_count"), 0),
        )
    )
    stats["group_count"] = (
        CampaignGroup.objects.in_mode(sandbox=False)
        .filter(workspace=workspace, archived_at__isnull=True)
        .count()
    )
    return stats


# --- The trash (issue 18): deleted codes that can still be restored ----------------------------


def trash_cutoff(now=None):
    """Codes deleted before this moment have left the trash (they are due to be purged)."""
    return (now or timezone.now()) - timedelta(days=settings.CODES_TRASH_DAYS)


def code_list_in_trash(*, workspace: Workspace) -> QuerySet[QRCode]:
    """The workspace's deleted codes that can still be restored, most recently deleted first."""
    return (
        QRCode.objects.filter(workspace=workspace)
        .in_trash(since=trash_cutoff())
        .select_related("group")
        .order_by("-deleted_at", "-id")
    )


def code_get_in_trash(*, workspace: Workspace, public_id: str) -> QRCode:
    """One restorable deleted code of the workspace; 404 for any other code, foreign or not."""
    code = code_list_in_trash(workspace=workspace).filter(public_id=public_id).first()
    if code is None:
        raise Http404("No such code in the trash.")
    return code


# --- Scan pages (issue 18) -----------------------------------------------------------------------


def scan_page_brand_get(*, workspace: Workspace) -> ScanPageBrand | None:
    return ScanPageBrand.objects.filter(workspace=workspace).select_related("logo").first()


def scan_page_look(*, workspace_id: int | None) -> dict:
    """What a scan page shows of the workspace whose code was scanned: its colour (#rrggbb or
    "") and its logo as a data: URI ("" for none). Never raises: a page that cannot load the
    brand shows the product's look."""
    if workspace_id is None:
        return {"color": "", "logo": ""}
    try:
        brand = (
            ScanPageBrand.objects.filter(workspace_id=workspace_id).select_related("logo").first()
        )
        if brand is None:
            return {"color": "", "logo": ""}
        logo = ""
        if brand.logo is not None:
            logo = "data:image/png;base64," + base64.b64encode(brand.logo.read_bytes()).decode()
        return {"color": brand.color, "logo": logo}
    except (DatabaseError, OSError):
        return {"color": "", "logo": ""}
