"""ZIP exports: every selected code's images, named by the chosen column (sanitised and
de-duplicated), a manifest that matches the files, and images that decode to their codes."""

import csv
import hashlib
import io
import zipfile

import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from PIL import Image

from codes import services as code_services
from jobs import services
from jobs.models import Status
from tests.jobs.conftest import run

pytestmark = pytest.mark.django_db


def _codes(acme, alice, count, **kwargs):
    return [
        code_services.code_create(
            workspace=acme,
            actor=alice,
            destination=f"https://example.com/e/{i}",
            external_id=f"SKU {i}/A" if i != 3 else "SKU 1/A",  # row 3 repeats row 1's id
            name=f"Item {i}",
            **kwargs,
        )
        for i in range(1, count + 1)
    ]


def _export(acme, alice, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_start(workspace=acme, actor=alice, **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        return run(job)


def _zip(job):
    with job.result_file.open("rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def test_zip_holds_every_image_and_a_matching_manifest(
    acme, alice, small_chunks, django_capture_on_commit_callbacks
):
    codes = _codes(acme, alice, 12, style={"module_shape": "rounded"})

    job = _export(
        acme, alice, django_capture_on_commit_callbacks,
        source={"codes": [c.public_id for c in codes]}, formats=["png", "svg"], size=300,
    )  # fmt: skip

    assert job.status == Status.SUCCEEDED, job.error_summary
    archive = _zip(job)
    names = set(archive.namelist())
    assert "manifest.csv" in names
    assert "SKU-1-A.png" in names
    assert "SKU-1-A-2.png" in names  # de-duplicated, never overwritten
    assert len(names) == 12 * 2 + 1
    manifest = list(csv.DictReader(io.TextIOWrapper(archive.open("manifest.csv"), "utf-8")))
    assert len(manifest) == 24
    by_code = {c.public_id: c for c in codes}
    for entry in manifest:
        body = archive.read(entry["file_name"])
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert entry["short_url"] == by_code[entry["id"]].short_url
        assert entry["decoded"] == "yes"
        if entry["file_name"].endswith(".png"):
            [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(body)))
            assert found.text == entry["short_url"]


def test_export_of_a_group_by_slug(acme, alice, django_capture_on_commit_callbacks):
    group = code_services.group_create(workspace=acme, actor=alice, name="Labels")
    _codes(acme, alice, 2, group=group)
    _codes(acme, alice, 1)

    job = _export(
        acme, alice, django_capture_on_commit_callbacks,
        source={"group": group.slug}, formats=["pdf"], filename="id",
    )  # fmt: skip

    assert job.status == Status.SUCCEEDED
    names = [n for n in _zip(job).namelist() if n != "manifest.csv"]
    assert len(names) == 2
    assert all(n.startswith("code_") and n.endswith(".pdf") for n in names)


def test_over_the_limit_is_refused_and_nothing_queued(acme, alice, settings):
    settings.JOBS_EXPORT_MAX_CODES = 2
    codes = _codes(acme, alice, 3)

    with pytest.raises(ValidationError) as caught:
        services.export_start(
            workspace=acme, actor=alice, source={"codes": [c.public_id for c in codes]},
            formats=["png"],
        )  # fmt: skip

    assert "at most 2" in caught.value.message_dict["codes"][0]
    assert not acme.jobs.exists()


def test_another_workspaces_codes_cannot_be_exported(acme, alice, globex, charlie):
    [code] = _codes(acme, alice, 1)

    with pytest.raises(ValidationError) as caught:
        services.export_start(
            workspace=globex, actor=charlie, source={"codes": [code.public_id]}, formats=["png"]
        )

    assert code.public_id in caught.value.message_dict["codes"][0]


def test_cancelled_export_makes_no_zip(
    acme, alice, small_chunks, django_capture_on_commit_callbacks
):
    codes = _codes(acme, alice, 6)
    job = services.export_start(
        workspace=acme, actor=alice, source={"codes": [c.public_id for c in codes]}, formats=["png"]
    )
    services.job_cancel(job=job, actor=alice)

    job = run(job)

    assert job.status == Status.CANCELLED
    assert not job.result_file
