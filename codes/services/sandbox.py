"""Wiping a workspace's sandbox: everything test keys made, gone in one transaction.

Codes, groups and logos are this app's; the apps above (jobs, webhooks, tickets) hear
`codes.signals.sandbox_wiped` inside the same transaction and delete their own sandbox rows,
so the wipe is all or nothing. Live data is never touched: every delete is filtered on
`is_test=True`. Slugs stay claimed (`SlugClaim`), so a wiped code's short URL is never handed
to anyone else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User, Workspace
from codes.cache import redirect_cache_forget_many
from codes.models import CampaignGroup, LogoAsset, QRCode
from codes.services._common import _check_can_edit
from codes.signals import sandbox_wiped


@dataclass(frozen=True)
class SandboxWipe:
    codes: int
    groups: int
    logos: int
    events: int  # the tickets app's, as its receiver counted them


@transaction.atomic
def sandbox_wipe(*, workspace: Workspace, actor: User) -> SandboxWipe:
    """Delete the workspace's sandbox objects: codes with their scans, groups and logos, and
    through the apps above jobs, test-mode webhook endpoints and events with their tickets.
    Idempotent."""
    _check_can_edit(actor, workspace.pk)
    codes = QRCode.objects.in_mode(sandbox=True).filter(workspace=workspace)
    slugs = [slug for slug in codes.values_list("slug", flat=True) if slug]
    code_count = codes.count()
    # Receivers first: their rows may point at the codes (job rows, export selections).
    reported: Counter[str] = Counter()
    for _, counts in sandbox_wiped.send(sender=QRCode, workspace=workspace):
        reported.update(counts or {})
    codes.delete()
    groups, _ = CampaignGroup.objects.in_mode(sandbox=True).filter(workspace=workspace).delete()
    logos = list(LogoAsset.objects.in_mode(sandbox=True).filter(workspace=workspace))
    for logo in logos:
        storage, name = logo.image.storage, logo.image.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    LogoAsset.objects.filter(pk__in=[logo.pk for logo in logos]).delete()
    # A wiped dynamic code's slug must stop redirecting at once, not when its cache expires.
    transaction.on_commit(lambda: redirect_cache_forget_many(slugs))
    return SandboxWipe(codes=code_count, groups=groups, logos=len(logos), events=reported["events"])
