"""File storage that fails cleanly when the disk is full.

Django's FileSystemStorage leaves whatever it had written when a write fails half way (an
empty or truncated file under the name it picked). With the media volume full, every upload
and every result file would leave such a stub behind. This storage removes the file it was
creating and raises StorageFull, a ValidationError the dashboard shows on the form and the
API answers as `507 storage_full`; jobs fail with its message (jobs/services/lifecycle.py).
"""

from __future__ import annotations

import contextlib
import errno
import os

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage as DjangoFileSystemStorage

STORAGE_FULL_MESSAGE = (
    "The server's file storage is full, so the file could not be saved; nothing was kept. "
    "Try again once an administrator has freed space."
)
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class StorageFull(ValidationError):
    def __init__(self):
        super().__init__(STORAGE_FULL_MESSAGE, code="storage_full")


def is_storage_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _FULL


class FileSystemStorage(DjangoFileSystemStorage):
    def _save(self, name, content):
        path = self.path(name)
        # save() picked a free name just before; a file there now is another writer's (a
        # race the parent resolves by choosing yet another name), never ours to remove.
        existed = os.path.lexists(path)
        try:
            return super()._save(name, content)
        except OSError as exc:
            if not is_storage_full(exc):
                raise
            if not existed:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
            raise StorageFull() from exc
