"""A whole event's tickets as a job: one PDF (a ticket per page, every code decodes to its
payload), a ZIP of per-ticket files with a manifest, revoked tickets left out, the door role
refused, cancel and resume on the jobs machinery."""

import csv
import hashlib
import io
import subprocess
import zipfile

import pytest
import zxingcpp
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from jobs.models import Job, JobRow, Status
from jobs.services import job_cancel
from tests.api.conftest import ApiClient, make_key
from tests.jobs.conftest import run
from tickets import exports, services
from tickets.exports import file_stem, ticket_export_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    import uuid

    from qrsite.api import ratelimit

    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"api:rl:test-{uuid.uuid4().hex}")


@pytest.fixture
def two_per_chunk(settings):
    settings.JOBS_EXPORT_CHUNK = 2


@pytest.fixture
def crowd(event, alice):
    """Five holders whose names make poor file names, and one revoked ticket."""
    tickets = services.ticket_issue_many(
        event=event,
        actor=alice,
        items=[
            {
                "holder_name": "Ada Lovelace",
                "external_id": "o-1",
                "holder_email": "ada@example.com",
            },
            {"holder_name": "ada lovelace", "external_id": "o-2"},
            {"holder_name": "../../etc/passwd", "external_id": ""},
            {"holder_name": "José Núñez", "external_id": "o/4"},
            {"holder_name": "Revoked Rita", "external_id": "o-5"},
            {"holder_name": "山田 太郎", "external_id": "=HYPERLINK(1)"},
        ],
    )
    services.ticket_revoke(ticket=tickets[4], actor=alice)
    return [t for t in tickets if t.holder_name != "Revoked Rita"], tickets[4]


def _pages(pdf: bytes, tmp_path) -> list[str]:
    """Every page rasterised at 150 dpi and decoded: the one QR code's text per page."""
    path = tmp_path / "tickets.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "p")], check=True)
    texts = []
    for page in sorted(tmp_path.glob("p-*.png")):
        (found,) = zxingcpp.read_barcodes(Image.open(page), formats=zxingcpp.BarcodeFormat.QRCode)
        texts.append(found.text)
    return texts


def test_the_combined_pdf_has_every_active_ticket_in_serial_order(
    event, crowd, alice, two_per_chunk, tmp_path
):
    active, _ = crowd

    job = run(ticket_export_start(event=event, actor=alice, format="pdf"))

    assert job.status == Status.SUCCEEDED, job.error_summary
    assert job.summary == {"tickets": 5, "pages": 5, "left_out": 0}
    pdf = job.result_file.read()
    # Three parts (two tickets a chunk) joined into one file, one ticket per page.
    assert _pages(pdf, tmp_path) == [t.payload for t in sorted(active, key=lambda t: t.serial)]
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "tickets.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert [p.split("\n")[0] for p in text.split("\f") if p.strip()] == ["Spring Gala"] * 5
    assert "Revoked Rita" not in text
    assert "José Núñez" in text
    assert not default_storage.listdir(f"jobs/{job.public_id}/parts")[1], "parts left behind"


def test_the_zip_holds_a_pdf_and_png_per_holder_and_a_manifest(event, crowd, alice, two_per_chunk):
    active, revoked = crowd

    job = run(ticket_export_start(event=event, actor=alice, format="zip", files=["pdf", "png"]))

    assert job.status == Status.SUCCEEDED, job.error_summary
    assert job.summary == {"tickets": 5, "files": 10, "left_out": 0}
    archive = zipfile.ZipFile(io.BytesIO(job.result_file.read()))
    stems = ["Ada-Lovelace", "ada-lovelace-2", "etc-passwd", "José-Núñez", "山田-太郎"]
    assert sorted(archive.namelist()) == sorted(
        ["manifest.csv"] + [f"{s}.{kind}" for s in stems for kind in ("pdf", "png")]
    )
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [row["ticket_id"] for row in manifest] == [t.public_id for t in active]
    assert [row["pdf_file"] for row in manifest] == [f"{s}.pdf" for s in stems]
    assert manifest[0]["holder_email"] == "ada@example.com"
    assert manifest[4]["external_id"] == "'=HYPERLINK(1)"  # shown as text, never evaluated
    for row, ticket in zip(manifest, active, strict=True):
        assert row["payload"] == ticket.payload
        png = archive.read(row["png_file"])
        assert hashlib.sha256(png).hexdigest() == row["png_sha256"]
        assert hashlib.sha256(archive.read(row["pdf_file"])).hexdigest() == row["pdf_sha256"]
        (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
        assert found.text == ticket.payload
    assert revoked.public_id not in archive.read("manifest.csv").decode()


def test_zip_files_can_be_named_by_external_id(event, crowd, alice):
    job = run(
        ticket_export_start(
            event=event, actor=alice, format="zip", files=["png"], filename="external_id"
        )
    )

    names = zipfile.ZipFile(io.BytesIO(job.result_file.read())).namelist()
    # No external id: the holder's name; "o/4" is no folder.
    assert names[:5] == ["o-1.png", "o-2.png", "etc-passwd.png", "o-4.png", "HYPERLINK-1.png"]


@pytest.mark.parametrize(
    ("value", "stem"),
    [
        ("Ada Lovelace", "Ada-Lovelace"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("CON", "CON-tkt_x"),
        ("nul.txt", "nul.txt-tkt_x"),
        ("tab\there\x00", "tab-here"),
        ("...", "tkt_x"),
        ("x" * 300, "x" * 80),
        ("Ｆｕｌｌ ｗｉｄｔｈ", "Full-width"),
    ],
)
def test_file_stems_are_safe_on_every_system(value, stem):
    assert file_stem(value, "tkt_x") == stem


def test_a_ticket_revoked_while_the_job_runs_is_left_out(
    event, crowd, alice, two_per_chunk, monkeypatch
):
    active, _ = crowd
    render = exports._render_chunk

    def revoke_the_last_after_the_first_chunk(job, event, index, chunk):
        if index == 1:
            services.ticket_revoke(ticket=active[-1], actor=alice)
        return render(job, event, index, chunk)

    monkeypatch.setattr(exports, "_render_chunk", revoke_the_last_after_the_first_chunk)

    job = run(ticket_export_start(event=event, actor=alice, format="zip", files=["png"]))

    assert job.status == Status.SUCCEEDED
    assert job.summary == {"tickets": 4, "files": 4, "left_out": 1}
    assert "1 ticket was revoked while the export ran" in job.error_summary
    manifest = zipfile.ZipFile(io.BytesIO(job.result_file.read())).read("manifest.csv").decode()
    assert active[-1].public_id not in manifest


def test_an_event_without_active_tickets_is_refused(event, alice, tickets):
    for ticket in tickets:
        services.ticket_revoke(ticket=ticket, actor=alice)

    with pytest.raises(ValidationError) as caught:
        ticket_export_start(event=event, actor=alice, format="pdf")

    assert "no active tickets" in caught.value.message_dict["event"][0]
    assert not Job.objects.exists()


def test_door_staff_and_viewers_cannot_start_an_export(event, ticket, dora, carol, charlie):
    from django.http import Http404

    for person in (dora, carol):
        with pytest.raises(PermissionDenied):
            ticket_export_start(event=event, actor=person, format="pdf")
    with pytest.raises(Http404):
        ticket_export_start(event=event, actor=charlie, format="pdf")
    assert not Job.objects.exists()


def test_a_cancelled_export_stops_between_chunks_and_leaves_no_file(
    event, crowd, alice, two_per_chunk, monkeypatch
):
    render = exports._render_chunk
    rendered = []

    def cancel_after_the_first_chunk(job, event, index, chunk):
        done = render(job, event, index, chunk)
        rendered.append(index)
        job_cancel(job=job, actor=alice)
        return done

    monkeypatch.setattr(exports, "_render_chunk", cancel_after_the_first_chunk)

    job = run(ticket_export_start(event=event, actor=alice, format="pdf"))

    assert job.status == Status.CANCELLED
    assert rendered == [0]
    assert job.error_summary == "Cancelled after 2 of 5 tickets were rendered; no file was made."
    assert not job.result_file
    assert not default_storage.listdir(f"jobs/{job.public_id}/parts")[1]


def test_a_job_whose_worker_died_resumes_with_the_chunks_left(
    event, crowd, alice, two_per_chunk, monkeypatch, tmp_path
):
    active, _ = crowd
    render = exports._render_chunk
    rendered = []

    class WorkerKilled(BaseException):
        """What the process sees of a SIGKILL: nothing after this line runs."""

    def killed_in_the_second_chunk(job, event, index, chunk):
        if index == 1 and "killed" not in rendered:
            rendered.append("killed")
            raise WorkerKilled
        rendered.append(index)
        return render(job, event, index, chunk)

    monkeypatch.setattr(exports, "_render_chunk", killed_in_the_second_chunk)
    job = ticket_export_start(event=event, actor=alice, format="pdf")
    with pytest.raises(WorkerKilled):
        run(job)
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    assert job.done == 2
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now())  # the lease ran out

    job = run(job)

    assert job.status == Status.SUCCEEDED, job.error_summary
    assert rendered == [0, "killed", 1, 2]  # the first chunk was not rendered again
    assert _pages(job.result_file.read(), tmp_path) == [t.payload for t in active]
    assert JobRow.objects.filter(job=job).count() == 5


# --- the API ------------------------------------------------------------------------------------


def test_the_api_answers_202_with_the_job_and_its_result_is_the_pdf(alice, acme, event, tickets):
    key = make_key(alice, acme, "write")

    response = ApiClient(key).post(
        f"/api/v1/events/{event.public_id}/tickets/export", {"format": "pdf"}
    )

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "ticket_export"
    assert response["Location"] == body["url"]
    assert response["Location"].endswith(f"/api/v1/jobs/{body['id']}")
    run(Job.objects.get(public_id=body["id"]))
    result = ApiClient(key).get(f"/api/v1/jobs/{body['id']}/result")
    assert result.status_code == 200
    assert b"".join(result.streaming_content).startswith(b"%PDF-")
    assert result["Content-Disposition"].endswith('tickets.pdf"')


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "format"),
        ({"format": "docx"}, "format"),
        ({"format": "zip", "files": ["svg"]}, "files.0"),
        ({"format": "zip", "files": []}, "files"),
        ({"format": "zip", "size": 50}, "size"),
        ({"format": "zip", "filename": "email"}, "filename"),
        ({"format": "pdf", "pages": 2}, "pages"),
    ],
)
def test_bad_export_requests_are_400_naming_the_field(alice, acme, event, tickets, body, field):
    response = ApiClient(make_key(alice, acme, "write")).post(
        f"/api/v1/events/{event.public_id}/tickets/export", body
    )

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert not Job.objects.exists()


def test_a_door_user_cannot_start_an_export_over_the_api(dora, event, tickets):
    client = Client()
    client.force_login(dora)
    client.cookies["csrftoken"] = "t" * 32

    response = client.post(
        f"/api/v1/events/{event.public_id}/tickets/export",
        '{"format": "pdf"}',
        content_type="application/json",
        HTTP_X_CSRFTOKEN="t" * 32,
    )

    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_finished_export_is_announced_by_the_job_completed_webhook(
    alice, acme, event, tickets, settings, django_capture_on_commit_callbacks
):
    from accounts.models import Membership
    from webhooks import services as webhook_services
    from webhooks.models import WebhookEvent

    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    webhook_services.endpoint_create(
        workspace=acme,
        actor=Membership.objects.get(user=alice, workspace=acme),
        url="http://127.0.0.1:9/hooks",
        events=["job.completed"],
    )
    job = ticket_export_start(event=event, actor=alice, format="zip", files=["png"])

    with django_capture_on_commit_callbacks(execute=True):
        run(job)

    (announced,) = WebhookEvent.objects.filter(type="job.completed")
    assert announced.data["job"]["id"] == job.public_id
    assert announced.data["job"]["kind"] == "ticket_export"


# --- the dashboard ------------------------------------------------------------------------------


def test_the_event_page_starts_the_export_and_the_job_page_offers_the_file(
    alice_client, event, tickets
):
    page = alice_client.get(reverse("tickets:event_detail", args=[event.public_id]))
    assert b'data-action="export-tickets"' in page.content
    assert "Revoked tickets are left out" in page.content.decode()

    response = alice_client.post(
        reverse("tickets:tickets_export", args=[event.public_id]),
        {"output": "zip-pdf-png", "filename": "id"},
    )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.public_id])
    assert job.params["files"] == ["pdf", "png"]
    run(job)
    detail = alice_client.get(response["Location"]).content.decode()
    assert "Download ZIP" in detail
    assert "3 tickets in 6 files, with manifest.csv" in detail


def test_door_staff_see_no_export_button(dora, event, tickets):
    client = Client()
    client.force_login(dora)

    page = client.get(reverse("tickets:event_detail", args=[event.public_id]))

    assert page.status_code == 200
    assert b'data-action="export-tickets"' not in page.content
