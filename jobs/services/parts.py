"""What every export job does with its files: unique names for them, its chunks' part files
opened for reading, and their entries copied into the final ZIP. The codes export, the label
sheets and the ticket export share these."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.core.files.storage import default_storage

Item = TypeVar("Item")


def unique_stems(items: Iterable[Item], stem_of: Callable[[Item], str]) -> Iterator[tuple]:
    """(item, file stem) in order, each stem unique ignoring case (Windows and macOS unzip
    so): a repeated one gets -2, -3, …"""
    used: set[str] = set()
    for item in items:
        stem = stem_of(item)
        candidate, n = stem, 1
        while candidate.casefold() in used:
            n += 1
            candidate = f"{stem}-{n}"
        used.add(candidate.casefold())
        yield item, candidate


@contextlib.contextmanager
def part_opened(name: str):
    """A stored part file, seekable: opened in place on local storage, else copied to a
    temporary file first (remote storages stream, and a ZIP or a PDF is read from its end)."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        path = None
    # Django's in-memory storage answers path() with a name it never writes to.
    if path is None or not os.path.isfile(path):
        with default_storage.open(name, "rb") as remote, tempfile.TemporaryFile() as local:
            shutil.copyfileobj(remote, local)
            local.seek(0)
            yield local
        return
    with open(path, "rb") as local:
        yield local


def zip_part_into(archive: zipfile.ZipFile, name: str) -> None:
    """Copy every entry of the stored part ZIP `name` into `archive`, entry by entry (bounded
    memory): PNG stored as it is (compressed already), the rest deflated."""
    with part_opened(name) as local, zipfile.ZipFile(local) as part:
        for info in part.infolist():
            target = zipfile.ZipInfo(info.filename, info.date_time)
            target.compress_type = (
                zipfile.ZIP_STORED if info.filename.endswith(".png") else zipfile.ZIP_DEFLATED
            )
            with part.open(info) as src, archive.open(target, "w") as dst:
                shutil.copyfileobj(src, dst)
