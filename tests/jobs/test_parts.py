"""The pack step copies the chunks' part ZIPs into the result: the result must be a valid
ZIP whose every entry has the bytes the part had, whatever the part's entries were."""

import io
import os
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jobs.services.parts import zip_part_into


def _part(entries: dict[str, bytes], *, deflated_png: bool = False) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as part:
        for name, body in entries.items():
            kind = zipfile.ZIP_DEFLATED if deflated_png else zipfile.ZIP_STORED
            part.writestr(name, body, compress_type=kind)
    return default_storage.save("jobs/test/parts/part.zip", ContentFile(buffer.getvalue()))


@pytest.fixture
def parts(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    first = {f"code-{i}.png": os.urandom(3000 + i) for i in range(5)}
    second = {"a.png": b"\x89PNG" + os.urandom(500), "notes.txt": b"plain " * 100}
    third = {"b.png": os.urandom(800)}
    return [
        (_part(first), first),
        (_part(second), second),
        (_part(third, deflated_png=True), third),
    ]


def test_packed_parts_keep_every_entry_byte_for_byte_in_order(parts, tmp_path):
    out = tmp_path / "result.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, _ in parts:
            zip_part_into(archive, name)
        archive.writestr("manifest.csv", "id,file\n" * 50)

    expected = {name: body for _, entries in parts for name, body in entries.items()}
    with zipfile.ZipFile(out) as result:
        assert result.testzip() is None  # every CRC checks
        assert result.namelist() == [*expected, "manifest.csv"]
        for name, body in expected.items():
            assert result.read(name) == body
            info = result.getinfo(name)
            kind = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            assert info.compress_type == kind
        assert result.read("manifest.csv") == b"id,file\n" * 50


def test_a_packed_zip_opens_with_the_system_unzip(parts, tmp_path):
    import subprocess

    out = tmp_path / "result.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, _ in parts:
            zip_part_into(archive, name)
    checked = subprocess.run(["unzip", "-tq", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _built_and_stored(body: bytes):
    """A job whose result was built in a temporary file and stored; the file's path."""
    from jobs.models import Job
    from jobs.services.parts import result_file_built, result_file_store

    job = Job()
    with result_file_built(".zip") as out:
        out.write(body)
        built = out.name
        result_file_store(job.result_file, "codes.zip", out)
    return job, built


def test_a_built_result_is_moved_into_local_storage_and_leaves_no_temporary_file(parts):
    job, built = _built_and_stored(b"result bytes")

    assert not os.path.exists(built)
    with default_storage.open(job.result_file.name, "rb") as stored:
        assert stored.read() == b"result bytes"


def test_a_built_result_is_copied_to_a_storage_without_paths(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    job, built = _built_and_stored(b"remote bytes")

    assert not os.path.exists(built)
    assert job.result_file.read() == b"remote bytes"
