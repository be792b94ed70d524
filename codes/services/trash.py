"""The trash: a deleted code can be restored for `TRASH_DAYS` days, then it is purged.

While in the trash a code keeps its slug and its row, so its short URL answers with the
"no longer exists" page (codes/scan.py) and nobody else can take the slug. Purging removes the
row and, with it, its scans; the slug stays claimed for ever (`SlugClaim`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from codes.models import QRCode
from codes.selectors import trash_cutoff
from codes.services._common import _check_can_edit, _forget_after_commit
from codes.signals import code_changed


@transaction.atomic
def code_restore(*, code: QRCode, actor: User, activate: bool = False) -> QRCode:
    """Take a code out of the trash. It comes back paused unless `activate` (an undo right after
    a delete, which knows the code was active): a restored code should not redirect before
    someone has looked at it. Idempotent."""
    _check_can_edit(actor, code.workspace_id)
    code = QRCode.objects.select_for_update().get(pk=code.pk)
    if code.deleted_at is None:
        return code
    if code.deleted_at < trash_cutoff():
        raise ValidationError({"code": "This code was deleted too long ago to restore."})
    code.deleted_at = None
    code.is_active = activate
    code.save(update_fields=["deleted_at", "is_active", "updated_at"])
    _forget_after_commit(code)
    code_changed.send(sender=QRCode, code=code, action="updated", changed=["deleted_at"])
    return code


def codes_purge_deleted(*, now=None, batch_size: int = 500) -> int:
    """Delete for good the codes that have been in the trash longer than allowed; returns how
    many. In batches, each its own transaction, so a big purge never holds long locks."""
    cutoff = trash_cutoff(now)
    purged = 0
    while True:
        ids = list(
            QRCode.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return purged
        with transaction.atomic():
            QRCode.objects.filter(pk__in=ids, deleted_at__lt=cutoff).delete()
        purged += len(ids)
