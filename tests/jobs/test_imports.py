"""Imports through the services: validation before anything is created, both modes, the
results and errors files, idempotent chunks."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from codes import services as code_services
from codes.models import CampaignGroup, QRCode
from jobs import services
from jobs.models import JobRow, Status
from tests.jobs.conftest import csv_bytes, run, upload, url_rows

pytestmark = pytest.mark.django_db

MAPPING = {"url": "destination", "name": "name", "sku": "external_id"}


def _start(acme, alice, data, mapping=MAPPING, **kwargs):
    file = services.import_file_create(workspace=acme, actor=alice, file=upload(data), name="c.csv")
    return services.import_start(upload=file, actor=alice, mapping=mapping, **kwargs)


def _csv(field):
    with field.open("rb") as f:
        return list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8")))


def test_import_creates_every_row_with_its_external_id(acme, alice, small_chunks):
    job = run(_start(acme, alice, csv_bytes(url_rows(25))))

    assert job.status == Status.SUCCEEDED
    assert job.done == job.total == 25
    codes = QRCode.objects.filter(workspace=acme)
    assert codes.count() == 25
    assert set(codes.values_list("external_id", flat=True)) == {f"sku-{i}" for i in range(1, 26)}
    results = _csv(job.result_file)
    assert [r["row"] for r in results] == [str(i) for i in range(1, 26)]
    first = codes.get(external_id="sku-1")
    assert results[0]["code_id"] == first.public_id
    assert results[0]["short_url"] == first.short_url
    assert results[0]["status"] == "created"
    assert job.summary == {"rows": 25, "created": 25, "failed": 0}


def test_all_or_nothing_creates_nothing_and_names_the_bad_row(acme, alice, small_chunks):
    rows = url_rows(60)
    rows[45][0] = "not a url"  # data row 45

    job = run(_start(acme, alice, csv_bytes(rows)))

    assert job.status == Status.FAILED
    assert not QRCode.objects.filter(workspace=acme).exists()
    errors = _csv(job.errors_file)
    assert [(e["row"], e["column"]) for e in errors] == [("45", "url")]
    assert "nothing was created" in job.error_summary


def test_valid_rows_mode_creates_the_others_and_reports_the_rest(acme, alice, small_chunks):
    rows = url_rows(30)
    rows[7][0] = "ftp://example.com/x"
    rows[20][2] = "sku-3"  # duplicate external id within the file

    job = run(_start(acme, alice, csv_bytes(rows), mode="valid_rows"))

    assert job.status == Status.SUCCEEDED
    assert QRCode.objects.filter(workspace=acme).count() == 28
    errors = {e["row"]: e for e in _csv(job.errors_file)}
    assert set(errors) == {"7", "20"}
    assert errors["20"]["column"] == "sku"
    assert "also in row 3" in errors["20"]["reason"]
    assert job.summary["failed"] == 2


def test_external_id_already_in_the_workspace_is_reported(acme, alice):
    existing = code_services.code_create(
        workspace=acme, actor=alice, destination="https://example.com/x", external_id="sku-2"
    )

    job = run(_start(acme, alice, csv_bytes(url_rows(3))))

    assert job.status == Status.FAILED
    [error] = _csv(job.errors_file)
    assert error["row"] == "2"
    assert existing.public_id in error["reason"]
    assert QRCode.objects.filter(workspace=acme).count() == 1


def test_formula_cell_as_destination_is_refused(acme, alice):
    rows = url_rows(2)
    rows[2][0] = '=HYPERLINK("https://evil.example","x")'

    job = run(_start(acme, alice, csv_bytes(rows)))

    assert job.status == Status.FAILED
    [error] = _csv(job.errors_file)
    assert error["column"] == "url"
    assert "formula" in error["reason"]
    # The results file never hands a formula back to a spreadsheet.
    assert all(not r["error"].startswith("=") for r in _csv(job.result_file))


def test_rows_redone_after_a_crash_are_not_created_twice(acme, alice, small_chunks):
    job = _start(acme, alice, csv_bytes(url_rows(30)), mode="valid_rows")
    run(job)
    assert QRCode.objects.filter(workspace=acme).count() == 30
    # As if the worker died after the work but before finishing: the job runs again.
    type(job).objects.filter(pk=job.pk).update(
        status=Status.RUNNING, lease_until=None, phase="creating"
    )

    job = run(job)

    assert job.status == Status.SUCCEEDED
    assert QRCode.objects.filter(workspace=acme).count() == 30
    assert JobRow.objects.filter(job=job).count() == 30


def test_group_column_puts_codes_in_groups(acme, alice):
    rows = [
        ["url", "campaign"],
        ["https://example.com/a", "Spring launch"],
        ["https://example.com/b", "Spring launch"],
    ]

    job = run(
        _start(acme, alice, csv_bytes(rows), mapping={"url": "destination", "campaign": "group"})
    )

    assert job.status == Status.SUCCEEDED
    group = CampaignGroup.objects.get(workspace=acme)
    assert group.name == "Spring launch"
    assert group.codes.count() == 2


def test_vcard_per_row_as_static_codes(acme, alice):
    rows = [
        ["first", "last", "phone", "email"],
        ["Dana", "Demo", "+14155550100", "dana@example.com"],
    ]
    mapping = {"first": "content.first_name", "last": "content.last_name",
               "phone": "content.phone", "email": "content.email"}  # fmt: skip

    job = run(
        _start(acme, alice, csv_bytes(rows), mapping=mapping, kind="static", content_type="vcard")
    )

    assert job.status == Status.SUCCEEDED, job.error_summary
    code = QRCode.objects.get(workspace=acme)
    assert code.content_type == "vcard"
    assert code.content["email"] == "dana@example.com"
    assert "BEGIN:VCARD" in code_services.code_payload(code)


def test_mapping_naming_a_missing_column_is_refused(acme, alice):
    with pytest.raises(ValidationError) as caught:
        _start(acme, alice, csv_bytes(url_rows(2)), mapping={"link": "destination"})

    assert "no column “link”" in caught.value.message_dict["mapping"][0]


def test_viewer_cannot_import(acme, alice, carol):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_file_create(
            workspace=acme, actor=carol, file=upload(csv_bytes(url_rows(1))), name="c.csv"
        )


def test_cancel_stops_between_chunks_and_keeps_what_was_created(
    acme, alice, small_chunks, monkeypatch, django_capture_on_commit_callbacks
):
    from jobs.services import creating

    job = _start(acme, alice, csv_bytes(url_rows(50)), mode="valid_rows")
    real_chunk = creating._chunk
    calls = []

    def chunk_then_cancel(*args, **kwargs):
        result = real_chunk(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:  # someone presses Cancel while the second chunk runs
            services.job_cancel(job=job, actor=alice)
        return result

    monkeypatch.setattr(creating, "_chunk", chunk_then_cancel)
    received = []
    from jobs.signals import job_finished

    job_finished.connect(lambda sender, job, **kw: received.append(job.status), weak=False)
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)

    assert job.status == Status.CANCELLED
    assert len(calls) == 2  # no chunk after the cancel
    assert QRCode.objects.filter(workspace=acme).count() == 20
    assert "Cancelled after 20 of 50 rows; 20 codes were created" in job.error_summary
    assert [r["status"] for r in _csv(job.result_file)] == ["created"] * 20
    assert received == [Status.CANCELLED]  # subscribers hear of it once, after the commit


def test_xlsx_formula_cell_is_refused_as_destination(acme, alice):
    from tests.jobs.conftest import xlsx_bytes

    data = xlsx_bytes([["url", "sku"], ['=HYPERLINK("https://evil.example")', "a"]])
    file = services.import_file_create(
        workspace=acme, actor=alice, file=upload(data, "b.xlsx"), name="b.xlsx"
    )
    job = run(
        services.import_start(
            upload=file, actor=alice, mapping={"url": "destination", "sku": "external_id"}
        )
    )

    assert job.status == Status.FAILED
    [error] = _csv(job.errors_file)
    assert "formula" in error["reason"]
    assert not QRCode.objects.filter(workspace=acme).exists()
