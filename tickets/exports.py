"""A whole event's tickets as one download: a `ticket_export` job on the jobs machinery (lease,
progress, cancel, resume after a killed worker, result file with expiry, `job.completed`).

Two outputs, from the same plan (the event's active tickets by serial, each with a file name):
- `zip`: one file per ticket and kind (the printable PDF ticket, the PNG code) named from the
  holder's name, external id or ticket id (sanitised, de-duplicated), and a `manifest.csv`
  with one row per ticket (its payload and files, for a mail merge);
- `pdf`: one PDF, one ticket per page in serial order.

Revoked tickets are left out, also those revoked while the job runs. The tickets are
rendered in chunks, each stored as a part file and marked in the job's ledger (`JobRow`), so
a job resumed by another worker renders only what is left; the parts are joined at the end
(the PDF page by page with pypdf: memory stays bounded by a chunk, not by the event).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
import unicodedata
import zipfile
from contextlib import ExitStack
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from jobs.models import Job, JobRow, Phase, Status
from jobs.models import Kind as JobKind
from jobs.services.lifecycle import (
    Verbatim,
    job_create,
    job_finish,
    job_progress,
    safe_cell,
)
from jobs.services.parts import (
    part_opened,
    result_file_built,
    result_file_store,
    unique_stems,
    zip_part_into,
)
from tickets import selectors
from tickets.models import Event, Ticket, TicketStatus
from tickets.rendering import ticket_image, ticket_pdf, tickets_pdf
from tickets.services._common import check_can_edit

FORMATS = ("zip", "pdf")
FILE_KINDS = ("pdf", "png")
NAME_BY = ("holder_name", "external_id", "id")
PNG_SIZES = (100, 4000)
STEM_MAX = 80
# Anything but letters, digits, "_", "." and "-" (in any script: a name in Japanese stays
# one) becomes "-": no path separators, no characters Windows refuses, no control characters.
_UNSAFE = re.compile(r"[^\w.-]+")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}  # fmt: skip


@transaction.atomic
def ticket_export_start(
    *,
    event: Event,
    actor: User,
    format: str,
    files: list[str] | None = None,
    size: int = 600,
    filename: str = "holder_name",
) -> Job:
    """Queue the export of the event's active tickets: a ZIP of per-ticket `files` (pdf,
    png) or one PDF."""
    check_can_edit(actor, event.workspace_id)
    files = list(dict.fromkeys(files or ["pdf"]))
    errors = {}
    if format not in FORMATS:
        errors["format"] = f"Choose {' or '.join(FORMATS)}."
    if format == "zip" and (not files or any(kind not in FILE_KINDS for kind in files)):
        errors["files"] = f"Choose one or more of {', '.join(FILE_KINDS)}."
    if not isinstance(size, int) or not PNG_SIZES[0] <= size <= PNG_SIZES[1]:
        errors["size"] = f"Give a size from {PNG_SIZES[0]} to {PNG_SIZES[1]} px."
    if filename not in NAME_BY:
        errors["filename"] = f"Name files by one of {', '.join(NAME_BY)}."
    if errors:
        raise ValidationError(errors)
    count = selectors.ticket_list_for_event(event=event, status=TicketStatus.ACTIVE).count()
    if count == 0:
        raise ValidationError(
            {"event": "This event has no active tickets to export (revoked ones are left out)."}
        )
    limit = settings.JOBS_EXPORT_MAX_CODES
    if count > limit:
        raise ValidationError(
            {"event": f"This event has {count:,} tickets; an export holds at most {limit:,} "
             "(JOBS_EXPORT_MAX_CODES)."}
        )  # fmt: skip
    return job_create(
        workspace=event.workspace,
        actor=actor,
        kind=JobKind.TICKET_EXPORT,
        total=count,
        sandbox=event.is_test,
        params={
            "event": event.public_id,
            "format": format,
            "files": files if format == "zip" else [],
            "size": size,
            "filename": filename,
            "file_name": f"tickets of {event.name}",
        },
    )


# --- file names ---------------------------------------------------------------------------------


def file_stem(value: str, fallback: str) -> str:
    """`value` as a file name without extension that every unzip tool keeps as it is."""
    text = unicodedata.normalize("NFKC", value)
    stem = _UNSAFE.sub("-", text).strip("-.")[:STEM_MAX].rstrip("-.")
    if not stem:
        return fallback
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"{stem}-{fallback}"
    return stem


def _stem_of(ticket: Ticket, name_by: str) -> str:
    if name_by == "id":
        return ticket.public_id
    if name_by == "external_id" and ticket.external_id:
        return file_stem(ticket.external_id, ticket.public_id)
    return file_stem(ticket.holder_name, ticket.public_id)


def ticket_stems(tickets, name_by: str):
    """(ticket, stem) in order, each stem unique ignoring case."""
    return unique_stems(tickets, lambda ticket: _stem_of(ticket, name_by))


# --- the job ------------------------------------------------------------------------------------


def ticket_export_run(*, job: Job, token: str) -> None:
    """The job's runner (registered with jobs in TicketsConfig.ready)."""
    event = selectors.event_get_for_workspace(
        workspace=job.workspace, public_id=job.params["event"], sandbox=job.is_test
    )
    if job.phase in ("", Phase.WAITING):
        _plan(job, event)
        if not job_progress(job=job, token=token, done=0, phase=Phase.RENDERING):
            _stop(job, token)
            return
    if job.phase == Phase.RENDERING:
        chunk = settings.JOBS_EXPORT_CHUNK
        pending = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.PLANNED)
        for index in sorted({row // chunk for row in pending.values_list("row", flat=True)}):
            done = _render_chunk(job, event, index, chunk)
            if not job_progress(job=job, token=token, done=done):
                _stop(job, token)
                return
        if not job_progress(job=job, token=token, done=job.total, phase=Phase.PACKING):
            _stop(job, token)
            return
    rows = JobRow.objects.filter(job=job).order_by("row")
    included = sum(1 for r in rows.only("detail") if not r.detail.get("left_out"))
    left_out = job.total - included
    if included == 0:
        _remove_parts(job)
        job_finish(job=job, status=Status.FAILED, token=token,
                   error="Every ticket was revoked while the export ran; there is nothing to "
                   "export.")  # fmt: skip
        return
    if job.params["format"] == "pdf":
        _pack_pdf(job, event)
        summary = {"tickets": included, "pages": included, "left_out": left_out}
    else:
        _pack_zip(job)
        files = included * len(job.params["files"])
        summary = {"tickets": included, "files": files, "left_out": left_out}
    _remove_parts(job)
    error = (
        f"{left_out:,} ticket{'s were' if left_out != 1 else ' was'} revoked while the export "
        "ran and left out."
        if left_out
        else ""
    )
    job_finish(job=job, status=Status.SUCCEEDED, summary=summary, error=error, token=token)


def _plan(job: Job, event: Event) -> None:
    """The ledger: one row per active ticket, by serial, with its file name."""
    JobRow.objects.filter(job=job).delete()  # a plan redone after a crash starts over
    tickets = selectors.ticket_list_for_event(event=event, status=TicketStatus.ACTIVE)
    iterator = ticket_stems(
        tickets.select_related(None)
        .only("id", "public_id", "external_id", "holder_name")
        .iterator(2000),
        job.params["filename"],
    )
    total = 0
    while batch := list(islice(iterator, 2000)):
        JobRow.objects.bulk_create(
            JobRow(
                job=job,
                row=total + offset,
                outcome=JobRow.Outcome.PLANNED,
                external_id=ticket.external_id,
                detail={"ticket": ticket.public_id, "stem": stem},
            )
            for offset, (ticket, stem) in enumerate(batch)
        )
        total += len(batch)
    Job.objects.filter(pk=job.pk).update(total=total, done=0)
    job.total = total


def _part_name(job: Job, index: int) -> str:
    extension = "pdf" if job.params["format"] == "pdf" else "zip"
    return f"jobs/{job.public_id}/parts/{index:06d}.{extension}"


def _render_chunk(job: Job, event: Event, index: int, chunk: int) -> int:
    """Render one chunk into its part file, then mark its rows exported (after the file is
    stored: a worker killed before that renders the chunk again). Returns the rows done."""
    rows = list(
        JobRow.objects.filter(job=job, row__gte=index * chunk, row__lt=(index + 1) * chunk)
        .filter(outcome=JobRow.Outcome.PLANNED)
        .order_by("row")
    )
    found = Ticket.objects.filter(
        event=event, public_id__in=[r.detail["ticket"] for r in rows]
    ).select_related("event")
    by_id = {ticket.public_id: ticket for ticket in found}
    kept = []
    for item in rows:
        ticket = by_id.get(item.detail["ticket"])
        if ticket is None or ticket.is_revoked:
            item.detail["left_out"] = "revoked" if ticket else "deleted"
        else:
            kept.append((item, ticket))
    part = _part_name(job, index)
    if kept:
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as buffer:
            if job.params["format"] == "pdf":
                buffer.write(tickets_pdf(event=event, tickets=[t for _, t in kept]))
            else:
                _write_files(buffer, kept, job.params["files"], job.params["size"])
            buffer.seek(0)
            # This worker holds the job's lease: a part left by a killed one is replaced.
            default_storage.delete(part)
            part = default_storage.save(part, File(buffer, name="part"))
    with transaction.atomic():
        for item in rows:
            item.outcome = JobRow.Outcome.EXPORTED
            if kept:
                item.detail["part"] = part
        JobRow.objects.bulk_update(rows, ["outcome", "detail"])
        return JobRow.objects.filter(job=job, outcome=JobRow.Outcome.EXPORTED).count()


def _write_files(buffer, kept, kinds: list[str], size: int) -> None:
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as part:
        for item, ticket in kept:
            files = []
            for kind in kinds:
                if kind == "pdf":
                    body = ticket_pdf(ticket=ticket)
                else:
                    body, _ = ticket_image(ticket=ticket, format="png", size=size)
                name = f"{item.detail['stem']}.{kind}"
                part.writestr(name, body)
                files.append({"kind": kind, "name": name, "sha256": hashlib.sha256(body).hexdigest()})  # fmt: skip
            item.detail["files"] = files


def _parts(job: Job) -> list[str]:
    details = JobRow.objects.filter(job=job).order_by("row").values_list("detail", flat=True)
    return list(dict.fromkeys(d["part"] for d in details if d.get("part")))


def _remove_parts(job: Job) -> None:
    for name in _parts(job):
        default_storage.delete(name)


def _pack_pdf(job: Job, event: Event) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    with ExitStack() as stack, tempfile.TemporaryFile() as out:
        for name in _parts(job):
            writer.append(PdfReader(stack.enter_context(part_opened(name))))
        writer.add_metadata({"/Title": f"{event.name}: tickets", "/Creator": settings.SITE_NAME})
        writer.write(out)
        out.seek(0)
        job.result_file.save("tickets.pdf", File(out), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)


MANIFEST_HEADER = ["ticket_id", "external_id", "holder_name", "holder_email", "ticket_type",
                   "payload"]  # fmt: skip


def _manifest_rows(job: Job, kinds: list[str]):
    rows = JobRow.objects.filter(job=job).order_by("row")
    for start in range(0, job.total, 2000):
        chunk = [r for r in rows[start : start + 2000] if not r.detail.get("left_out")]
        tickets = Ticket.objects.filter(
            event__public_id=job.params["event"],
            public_id__in=[r.detail["ticket"] for r in chunk],
        )
        by_id = {t.public_id: t for t in tickets}
        for item in chunk:
            ticket = by_id.get(item.detail["ticket"])
            if ticket is None:  # deleted since its chunk was rendered
                continue
            files = {f["kind"]: f for f in item.detail.get("files", [])}
            cells = [ticket.public_id, ticket.external_id, ticket.holder_name,
                     ticket.holder_email, ticket.ticket_type, Verbatim(ticket.payload)]  # fmt: skip
            for kind in kinds:
                cells += [files[kind]["name"], files[kind]["sha256"]]
            yield [safe_cell(cell) for cell in cells]


def _pack_zip(job: Job) -> None:
    """Copy every part's entries into the final ZIP (from files on disk: bounded memory) and
    add the manifest."""
    kinds = job.params["files"]
    with result_file_built(".zip") as out:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for name in _parts(job):
                zip_part_into(archive, name)
            header = MANIFEST_HEADER + [f"{kind}_{col}" for kind in kinds for col in ("file", "sha256")]  # fmt: skip
            with archive.open("manifest.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow(header)
                writer.writerows(_manifest_rows(job, kinds))
                text.flush()
                text.detach()
        result_file_store(job.result_file, "tickets.zip", out)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)


def _stop(job: Job, token: str) -> None:
    """job_progress said stop: finish as cancelled if that is why (another worker may have
    taken the job over instead; then it carries on)."""
    job.refresh_from_db(fields=["cancel_requested_at", "lease_token", "done", "total"])
    if job.cancel_requested_at is None or job.lease_token != token:
        return
    _remove_parts(job)
    job_finish(
        job=job,
        status=Status.CANCELLED,
        error=f"Cancelled after {job.done:,} of {job.total:,} tickets were rendered; no file "
        "was made.",
        token=token,
    )
