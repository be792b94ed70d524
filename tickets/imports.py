"""Issuing an event's tickets from a spreadsheet of attendees: a `ticket_import` job.

The upload is the jobs app's (`import_file_create`: the same limits and bad-file checks as a
code import); the job runs on the jobs machinery (lease, progress, cancel, resume) and keeps
its per-row ledger (`JobRow`), so a chunk redone after a killed worker issues nothing twice.
Rows are issued in chunks through `ticket_issue_many`; a refused row is reported in the
errors file and the others are issued (valid rows mode).
"""

from __future__ import annotations

from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from jobs.models import ImportFile, Job, JobRow, Phase, Status
from jobs.services.lifecycle import Verbatim, job_create, job_finish, job_progress, save_csv
from jobs.spreadsheets import Table, iter_rows
from tickets import selectors
from tickets.models import Event
from tickets.services._common import check_can_edit
from tickets.services.tickets import ItemErrors, ticket_issue_many

TICKET_IMPORT = "ticket_import"
FIELDS = ("holder_name", "holder_email", "ticket_type", "external_id")
# Header names (lower case) recognised for each field when no mapping is given.
ALIASES = {
    "holder_name": {"holder_name", "holder", "name", "full name", "attendee", "attendee name"},
    "holder_email": {"holder_email", "email", "e-mail", "email address"},
    "ticket_type": {"ticket_type", "ticket type", "type", "category"},
    "external_id": {"external_id", "external id", "order_id", "ticket_id", "order", "reference"},
}
RESULT_HEADER = ["row", "external_id", "ticket_id", "holder_name", "payload", "status", "error"]
ERRORS_HEADER = ["row", "column", "field", "reason"]


def mapping_guess(header: list[str]) -> dict[str, str]:
    """{column: field} for the columns whose names say what they hold."""
    mapping = {}
    for column in header:
        for field, names in ALIASES.items():
            if column.strip().lower() in names and field not in mapping.values():
                mapping[column] = field
    return mapping


def _check_mapping(mapping: dict, header: list[str]) -> dict[str, str]:
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": "Give {column: field} pairs."})
    errors = []
    for column, field in mapping.items():
        if column not in header:
            errors.append(f"The file has no column “{column}”.")
        elif field not in FIELDS:
            errors.append(f"“{field}” is not a ticket field ({', '.join(FIELDS)}).")
    if "holder_name" not in mapping.values():
        errors.append("Map a column to holder_name: every ticket names its holder.")
    if errors:
        raise ValidationError({"mapping": errors})
    return dict(mapping)


@transaction.atomic
def ticket_import_start(
    *, event: Event, actor: User, upload: ImportFile, mapping: dict | None = None
) -> Job:
    """Queue the issue of one ticket per row of `upload`."""
    check_can_edit(actor, event.workspace_id)
    if upload.workspace_id != event.workspace_id:
        raise ValidationError({"upload": "No such upload in this workspace."})
    mapping = _check_mapping(
        mapping if mapping is not None else mapping_guess(upload.header), upload.header
    )
    return job_create(
        workspace=event.workspace,
        actor=actor,
        kind=TICKET_IMPORT,
        total=upload.row_count,
        sandbox=event.is_test,
        params={
            "event": event.public_id,
            "upload": upload.public_id,
            "file_name": upload.original_name,
            "mapping": mapping,
            "mode": "valid_rows",
        },
    )


def ticket_import_run(*, job: Job, token: str) -> None:
    """The job's runner (registered with jobs in TicketsConfig.ready)."""
    event = selectors.event_get_for_workspace(
        workspace=job.workspace, public_id=job.params["event"], sandbox=job.is_test
    )
    upload = ImportFile.objects.get(workspace=job.workspace, public_id=job.params["upload"])
    table = Table(
        format=upload.format,
        header=upload.header,
        row_count=upload.row_count,
        delimiter=upload.delimiter,
    )
    mapping = job.params["mapping"]
    column_of = {field: column for column, field in mapping.items()}
    positions = {column: upload.header.index(column) for column in mapping}
    if job.phase != Phase.CREATING:
        job_progress(job=job, token=token, done=0, phase=Phase.CREATING)
    done = set(JobRow.objects.filter(job=job).values_list("row", flat=True))
    processed = 0
    with upload.file.open("rb") as file:
        rows = iter_rows(file, table)
        while chunk := list(islice(rows, settings.JOBS_CHUNK_ROWS)):
            todo = [
                (number, {mapping[c]: cells[i] for c, i in positions.items()})
                for number, cells, _ in chunk
                if number not in done
            ]
            if todo:
                _issue_chunk(job, event, todo, column_of)
            processed += len(chunk)
            if not job_progress(job=job, token=token, done=processed):
                job.refresh_from_db(fields=["cancel_requested_at", "lease_token"])
                if job.cancel_requested_at is not None and job.lease_token == token:
                    _finish(job, token, Status.CANCELLED)
                return
    _finish(job, token, Status.SUCCEEDED)


def _issue_chunk(job: Job, event: Event, todo: list[tuple[int, dict]], column_of) -> None:
    failed: dict[int, ValidationError] = {}
    with transaction.atomic():
        pending = todo
        tickets = []
        while pending:
            try:
                with transaction.atomic():
                    tickets = ticket_issue_many(
                        event=event, actor=job.created_by, items=[item for _, item in pending]
                    )
                break
            except ItemErrors as exc:
                for position, error in exc.by_index.items():
                    failed[pending[position][0]] = error
                pending = [p for i, p in enumerate(pending) if i not in exc.by_index]
        ledger = [
            JobRow(
                job=job,
                row=number,
                outcome=JobRow.Outcome.CREATED,
                external_id=ticket.external_id,
                detail={"ticket": ticket.public_id},
            )
            for (number, _), ticket in zip(pending, tickets, strict=True)
        ]
        ledger += [
            JobRow(
                job=job,
                row=number,
                outcome=JobRow.Outcome.FAILED,
                detail={
                    "errors": [
                        {"field": field, "column": column_of.get(field, ""), "message": message}
                        for field, messages in error.message_dict.items()
                        for message in messages
                    ]
                },
            )
            for number, error in failed.items()
        ]
        JobRow.objects.bulk_create(ledger)


def _finish(job: Job, token: str, status: str) -> None:
    from tickets.models import Ticket

    rows = JobRow.objects.filter(job=job).order_by("row")
    created = rows.filter(outcome=JobRow.Outcome.CREATED).count()
    failed = rows.filter(outcome=JobRow.Outcome.FAILED).count()

    def results():
        for chunk_start in range(0, created + failed, 2000):
            chunk = list(rows[chunk_start : chunk_start + 2000])
            ids = [r.detail.get("ticket") for r in chunk if r.detail.get("ticket")]
            tickets = {t.public_id: t for t in Ticket.objects.filter(public_id__in=ids)}
            for item in chunk:
                ticket = tickets.get(item.detail.get("ticket"))
                message = "; ".join(
                    f"{e['column'] or e['field']}: {e['message']}"
                    for e in item.detail.get("errors", [])
                )
                yield [
                    item.row,
                    item.external_id,
                    ticket.public_id if ticket else "",
                    ticket.holder_name if ticket else "",
                    Verbatim(ticket.payload) if ticket else "",
                    item.outcome,
                    message,
                ]

    def errors():
        for item in rows.filter(outcome=JobRow.Outcome.FAILED):
            for e in item.detail.get("errors", []):
                yield [item.row, e["column"], e["field"], e["message"]]

    save_csv(job, "result_file", "results.csv", RESULT_HEADER, results())
    if failed:
        save_csv(job, "errors_file", "errors.csv", ERRORS_HEADER, errors())
    if status == Status.CANCELLED:
        error = f"Cancelled after {job.done:,} of {job.total:,} rows; {created:,} tickets issued."
    elif failed:
        error = (
            f"{failed:,} row{'s were' if failed != 1 else ' was'} not issued (see the errors file)."
        )
    else:
        error = ""
    job_finish(
        job=job,
        status=status,
        summary={"rows": job.total, "created": created, "failed": failed},
        error=error,
        token=token,
    )


@transaction.atomic
def ticket_import_upload(
    *, event: Event, actor: User, file, name: str, mapping: dict | None = None
) -> Job:
    """Store the attendees file and queue its import, all or nothing (a refused mapping
    leaves no upload behind)."""
    from jobs.services import import_file_create

    check_can_edit(actor, event.workspace_id)
    upload = import_file_create(workspace=event.workspace, actor=actor, file=file, name=name)
    return ticket_import_start(event=event, actor=actor, upload=upload, mapping=mapping)
