"""Codes this process read for the image endpoint, so a warm image call skips the database.

An integrator's cached image (`image_url`, then `If-None-Match`) is answered from this
process's memory of rendered images, but each call still read its code (one statement and,
with `CONN_HEALTH_CHECKS`, the connection's health check before it: two database round trips,
about a third of the call). This keeps the code with its group and logo per (workspace, mode,
public id) and trusts it only while the workspace's *code generation* in Redis is the one it
was read under (`qrsite.confirmed`). Every save or delete of a code, group or logo moves the
workspace's generation once its transaction commits, so an edit, a new logo or a deletion is
seen by every process on its next request. The generation is read in the rate limit's round
trip (`CodeViewSet.generations_to_read`), so a hit costs no round trip of its own.

Scan counters are written with `UPDATE` (no signal) and do not move the generation: nothing the
image endpoint answers depends on them, which is why only that endpoint reads from here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from qrsite import confirmed


def _generation_name(workspace_pk: int) -> str:
    return f"codes:generation:{workspace_pk}"


def generation_key(workspace_pk: int) -> str:
    """The workspace's code generation as the round trip reads it."""
    return confirmed.raw_key(_generation_name(workspace_pk))


def generation(workspace_pk: int) -> int | None:
    """The workspace's code generation now, started if it does not exist yet (its own round
    trip: for the first read after a workspace's first image, or after Redis lost it)."""
    return confirmed.read_generation(_generation_name(workspace_pk)) if enabled() else None


def _copy(code):
    copy = confirmed.clone(code)
    copy.group = confirmed.clone(code.group) if code.group is not None else None
    copy.logo = confirmed.clone(code.logo) if code.logo is not None else None
    return copy


_memory = confirmed.ConfirmedMemory(
    seconds=lambda: settings.CODE_READ_CACHE_SECONDS,
    entries=lambda: settings.CODE_READ_CACHE_ENTRIES,
    copy=_copy,
)


def enabled() -> bool:
    return _memory.enabled()


def lookup(*, workspace_pk: int, sandbox: bool, public_id: str, generation: int):
    """A private copy of the code when it was read under `generation`, else None (and the
    stale entry is dropped)."""
    key = (workspace_pk, bool(sandbox), public_id)
    found = _memory.lookup(key)
    if found is None:
        return None
    code, stored_under = found
    if stored_under != generation:
        _memory.forget(key)
        return None
    return code


def remember(*, workspace_pk: int, sandbox: bool, code, generation_before_read: int) -> None:
    _memory.remember((workspace_pk, bool(sandbox), code.public_id), code, generation_before_read)


def clear() -> None:
    _memory.clear()


def _changed(sender, instance, **kwargs) -> None:
    workspace_pk = instance.workspace_id
    # This process's entries go at once; the other processes' once the change is committed.
    _memory.forget_where(lambda key: key[0] == workspace_pk)
    name = _generation_name(workspace_pk)
    transaction.on_commit(lambda: confirmed.bump_generation(name))


def connect_receivers() -> None:
    from codes.models import CampaignGroup, LogoAsset, QRCode

    for model in (QRCode, CampaignGroup, LogoAsset):
        uid = f"codes.read_cache.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
