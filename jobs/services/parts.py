"""What every export job does with its files: unique names for them, its chunks' part files
opened for reading, and their entries copied into the final ZIP. The codes export, the label
sheets and the ticket export share these."""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.conf import settings
from django.core.files import File
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


class _MovableFile(File):
    # Local storage moves a file that has a path instead of copying it (Django's
    # FileSystemStorage._save): a 250 MB ZIP is renamed into place, not written twice.
    def temporary_file_path(self) -> str:
        return self.file.name


@contextlib.contextmanager
def result_file_built(suffix: str) -> Iterator:
    """A temporary file to build a job's result in, with a path (see `result_file_store`);
    removed afterwards unless the storage took it."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
        suffix=suffix, delete=False, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    try:
        yield handle
    finally:
        handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)


def result_file_store(field, name: str, handle) -> None:
    """Save the built file as `field` (a FieldFile, not saving the model)."""
    handle.flush()
    handle.seek(0)
    field.save(name, _MovableFile(handle), save=False)


def zip_part_into(archive: zipfile.ZipFile, name: str) -> None:
    """Copy every entry of the stored part ZIP `name` into `archive`, entry by entry (bounded
    memory): PNG stored as it is (compressed already), the rest deflated."""
    with part_opened(name) as local, zipfile.ZipFile(local) as part:
        infos = part.infolist()
        if infos and all(i.filename.endswith(".png") and _copyable_raw(archive, i) for i in infos):
            _copy_region(archive, local, infos, part.start_dir)
            return
        for info in infos:
            if info.filename.endswith(".png") and _copyable_raw(archive, info):
                _copy_raw(archive, local, info)
                continue
            target = zipfile.ZipInfo(info.filename, info.date_time)
            target.compress_type = (
                zipfile.ZIP_STORED if info.filename.endswith(".png") else zipfile.ZIP_DEFLATED
            )
            with part.open(info) as src, archive.open(target, "w") as dst:
                shutil.copyfileobj(src, dst)


def _copyable_raw(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    # A stored entry with its sizes in its local header (no data descriptor, no ZIP64) is
    # the same bytes in any archive: only its offset, kept in the central directory, moves.
    return (
        info.compress_type == zipfile.ZIP_STORED
        and not info.flag_bits & 0x08
        and info.file_size < zipfile.ZIP64_LIMIT
        and archive.mode == "w"
        and not archive._writing
        and hasattr(archive, "start_dir")
    )


def _copy_region(archive: zipfile.ZipFile, source, infos, end: int) -> None:
    """A part of stored PNGs only (the usual case): everything before its central directory
    is its entries, back to back, so it is copied in one piece."""
    _append_raw(archive, source, 0, end, infos)  # the part's own records, no longer needed


def _copy_raw(archive: zipfile.ZipFile, source, info: zipfile.ZipInfo) -> None:
    """Copy one entry's local header and data byte for byte (no decompressing, no CRC pass)."""
    source.seek(info.header_offset)
    fields = struct.unpack(zipfile.structFileHeader, source.read(zipfile.sizeFileHeader))
    if fields[0] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"{info.filename}: bad local header")
    length = (
        zipfile.sizeFileHeader
        + fields[zipfile._FH_FILENAME_LENGTH]
        + fields[zipfile._FH_EXTRA_FIELD_LENGTH]
        + info.compress_size
    )
    _append_raw(archive, source, info.header_offset, length, [copy.copy(info)])


def _append_raw(archive: zipfile.ZipFile, source, start: int, length: int, infos) -> None:
    """Append `length` bytes of `source` from `start` (whole entries) to the archive and list
    `infos`, the entries in them, at their offsets moved by where the bytes landed."""
    archive.fp.seek(archive.start_dir)
    shift = archive.fp.tell() - start
    source.seek(start)
    _copy_bytes(source, archive.fp, length)
    archive.start_dir = archive.fp.tell()
    for info in infos:
        info.header_offset += shift
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info
    archive._didModify = True


def _copy_bytes(source, target, count: int) -> None:
    while count > 0:
        block = source.read(min(count, 1024 * 1024))
        if not block:
            raise zipfile.BadZipFile("truncated part")
        target.write(block)
        count -= len(block)
