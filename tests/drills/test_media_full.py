"""Fault drill 4 (issue 20): the media volume is full.

MEDIA_ROOT is a 1 MiB tmpfs the drill mounts (the tests run as root in CI) and fills until
the kernel answers ENOSPC, leaving a little room or none. Then a logo upload (the dashboard's
and the API's) and a ZIP export must fail with a message that says the storage is full, leave
no file and no row behind, and scans must keep redirecting. Once space is freed, the same
upload works.
"""

import errno
import os
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from codes import services as code_services
from codes.models import LogoAsset
from jobs import services as job_services
from jobs.models import Status
from qrsite.storage import STORAGE_FULL_MESSAGE
from tests.api.conftest import make_key
from tests.codes.views_helpers import logo_png
from tests.jobs.conftest import run

pytestmark = [pytest.mark.drill, pytest.mark.django_db]

FILLER = "filler.bin"


def _fill(root, leave_bytes: int) -> int:
    """Write a file until the volume is full, then give back `leave_bytes`; returns its size."""
    chunk = b"\0" * 65536
    with open(root / FILLER, "wb") as filler:
        while True:
            try:
                filler.write(chunk)
                filler.flush()
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                break
    size = (root / FILLER).stat().st_size
    if leave_bytes:
        os.truncate(root / FILLER, max(size - leave_bytes, 0))
    return size


def _files(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
        if name != FILLER
    )


@pytest.fixture
def full_media(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(root)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0 or shutil.which("mount") is None:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    settings.MEDIA_ROOT = str(root)
    # The whole volume is 1 MiB: "full" is less than a quarter of it free.
    settings.HEALTH_MEDIA_MIN_FREE_BYTES = 256 * 1024
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "qrsite.storage.FileSystemStorage"},
    }
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


def test_a_full_media_volume_refuses_uploads_and_exports_cleanly(
    full_media, alice_client, acme, alice, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_EXPORT_CHUNK = 5
    code = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/full"
    )
    codes = [code] + [
        code_services.code_create(
            workspace=acme, actor=alice, destination=f"https://example.com/{i}", name=f"Item {i}"
        )
        for i in range(19)
    ]
    _fill(full_media, leave_bytes=0)

    # The dashboard's logo upload: the picker comes back with the reason, nothing is kept.
    picker = alice_client.post(
        "/codes/logos/",
        {"logo_upload": _upload()},
        HTTP_HX_REQUEST="true",
    )
    # The API's: 507 in the error envelope.
    api = Client(headers={"Authorization": f"Bearer {make_key(alice, acme, scope='write')}"})
    refused = api.post("/api/v1/logos", {"file": _upload(), "name": "Acme"})
    # A scan of an existing code does not touch the media volume.
    scan = alice_client.get(f"/r/{code.slug}")
    ready_while_full = alice_client.get("/healthz/ready")

    assert picker.status_code == 200
    assert "storage is full" in picker.content.decode()
    assert refused.status_code == 507
    assert refused.json()["error"]["code"] == "storage_full"
    assert refused.json()["error"]["message"] == STORAGE_FULL_MESSAGE
    assert scan.status_code == 302
    assert ready_while_full.status_code == 503
    assert ready_while_full.json()["down"] == ["media"]
    assert LogoAsset.objects.count() == 0
    assert _files(full_media) == []

    # An export with room for its first parts but not for the rest or the ZIP.
    (full_media / FILLER).unlink()
    _fill(full_media, leave_bytes=40_000)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_services.export_start(
            workspace=acme,
            actor=alice,
            source={"codes": [c.public_id for c in codes]},
            formats=["png", "svg"],
            size=600,
        )
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    left_behind = _files(full_media)
    print(
        f"\ndrill media-full: logo upload (dashboard) {picker.status_code} with the reason, "
        f"logo upload (API) {refused.status_code}, scan {scan.status_code}, export "
        f"{job.status} after {job.done} of {job.total} codes: {job.error_summary!r}, "
        f"files left behind {len(left_behind)}, /healthz/ready while full "
        f"{ready_while_full.status_code} {ready_while_full.json()['down']}"
    )
    assert job.status == Status.FAILED
    assert "storage is full" in job.error_summary
    assert not job.result_file
    assert left_behind == []

    # Space freed: the same upload works.
    (full_media / FILLER).unlink()
    stored = api.post("/api/v1/logos", {"file": _upload(), "name": "Acme"})
    assert stored.status_code == 201, stored.content
    assert LogoAsset.objects.count() == 1
    assert alice_client.get("/healthz/ready").json()["checks"]["media"] == "ok"


def _upload():
    return SimpleUploadedFile("logo.png", logo_png(), content_type="image/png")
