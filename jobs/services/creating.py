"""The engine behind imports and async bulk creates: rows in chunks through `code_create_many`.

Each chunk is one transaction that creates its codes and records every row in the job's
ledger (`JobRow`), so a worker killed mid-chunk leaves nothing of it and the chunk is redone
whole; rows already in the ledger are skipped. In all-or-nothing mode every row is first
checked by the same service without writing (`code_create_many(check_only=True)`: the very
rules `code_create` applies, cleaners, free custom slugs and the scannability guard; groups a
row names are made inside a transaction that is rolled back), and nothing is created unless
every row passed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from codes import services as code_services
from codes.models import QRCode
from jobs.models import Job, JobRow, Phase, Status
from jobs.services.lifecycle import job_finish, job_progress, job_release, save_csv

logger = logging.getLogger(__name__)
RESULT_HEADER = ["row", "external_id", "code_id", "short_url", "destination", "status", "error"]
ERRORS_HEADER = ["row", "column", "field", "reason"]


@dataclass
class RowInput:
    row: int
    raw: object  # what `prepare` turns into code_create's keyword arguments
    error: ValidationError | None = None


class _DryRun(Exception):
    pass


@dataclass
class CreationSource:
    """What a job creates: its rows, how one becomes service arguments, and how an error's
    field is named for the user (a column of their file, or the API's field)."""

    rows: Callable[[], Iterator[RowInput]]
    prepare: Callable[[object, dict], dict]
    column_for: Callable[[str], str]


def _error_items(exc: ValidationError, column_for) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "column": column_for(field), "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "column": "", "message": m} for m in exc.messages]


def creation_run(*, job: Job, token: str, source: CreationSource) -> None:
    mode = job.params.get("mode", "all_or_nothing")
    try:
        if mode == "all_or_nothing" and job.phase in ("", Phase.CHECKING):
            failed = _pass(job, token, source, dry_run=True)
            if failed is None:
                return  # stopped: cancelled or taken over
            if failed:
                _finish(job, token, source, Status.FAILED, nothing_created=True)
                return
        if _pass(job, token, source, dry_run=False) is None:
            return
        _finish(job, token, source, Status.SUCCEEDED)
    except Exception:
        job_release(job=job, token=token)  # let a retry (or the resume) take it at once
        raise


def _pass(job: Job, token: str, source: CreationSource, *, dry_run: bool) -> int | None:
    """One pass over every row in chunks; the number of failed rows, None when stopped."""
    phase = Phase.CHECKING if dry_run else Phase.CREATING
    if job.phase != phase:
        job_progress(job=job, token=token, done=0, phase=phase)
    done_rows = set(
        JobRow.objects.filter(job=job)
        .exclude(outcome=JobRow.Outcome.PLANNED)
        .values_list("row", flat=True)
    )
    if dry_run:
        done_rows = set()  # the check is redone whole; its failures are recorded once
    seen: dict[str, int] = {}
    failed_total = 0
    processed = 0
    rows = source.rows()
    while chunk := list(islice(rows, settings.JOBS_CHUNK_ROWS)):
        todo = [r for r in chunk if r.row not in done_rows]
        if todo:
            failed_total += _chunk(job, todo, source, seen, dry_run=dry_run)
        processed += len(chunk)
        if not job_progress(job=job, token=token, done=processed):
            _stop_if_cancelled(job, token, source)
            return None
    if not dry_run:
        failed_total = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.FAILED).count()
    return failed_total


def _chunk(job: Job, chunk: list[RowInput], source: CreationSource, seen, *, dry_run) -> int:
    failed: dict[int, ValidationError] = {}
    created: list[tuple[int, QRCode]] = []
    try:
        with transaction.atomic():
            groups: dict = {}
            pending: list[tuple[int, dict]] = []
            for item in chunk:
                if item.error is not None:
                    failed[item.row] = item.error
                    continue
                try:
                    pending.append((item.row, source.prepare(item.raw, groups)))
                except ValidationError as exc:
                    failed[item.row] = exc
            pending = without_duplicates(job.workspace, pending, seen, failed)
            created = create_or_refuse(
                job.workspace,
                job.created_by,
                pending,
                failed,
                check_only=dry_run,
                sandbox=job.is_test,
            )
            if dry_run:
                raise _DryRun
            _record(job, created, failed, source)
    except _DryRun:
        _record(job, [], failed, source)
    return len(failed)


def create_or_refuse(
    workspace, actor, pending, failed, *, check_only: bool = False, sandbox: bool = False
) -> list[tuple[int, QRCode]]:
    """`code_create_many` for the rows in `pending`; the refused ones go to `failed` and the
    others are asked again (the service refuses a batch as a whole), until the rest passes."""
    while pending:
        try:
            with transaction.atomic():
                codes = code_services.code_create_many(
                    workspace=workspace,
                    actor=actor,
                    items=[arguments for _, arguments in pending],
                    check_only=check_only,
                    sandbox=sandbox,
                )
        except code_services.ItemErrors as exc:
            for position, error in exc.by_index.items():
                failed[pending[position][0]] = error
            pending = [p for i, p in enumerate(pending) if i not in exc.by_index]
            continue
        return [(row, code) for (row, _), code in zip(pending, codes, strict=True)]
    return []


def without_duplicates(workspace, pending, seen, failed):
    """External ids must be unique: within the file, and against the workspace's codes."""
    ids = {args.get("external_id") for _, args in pending if args.get("external_id")}
    existing = dict(
        QRCode.objects.alive()
        .filter(workspace=workspace, external_id__in=ids)
        .values_list("external_id", "public_id")
    )
    kept = []
    for row, args in pending:
        external_id = args.get("external_id") or ""
        if external_id and external_id in seen:
            failed[row] = ValidationError(
                {"external_id": f"“{external_id}” is also in row {seen[external_id]}."}
            )
        elif external_id and external_id in existing:
            failed[row] = ValidationError(
                {"external_id": f"A code with external id “{external_id}” already exists "
                 f"({existing[external_id]})."}
            )  # fmt: skip
        else:
            if external_id:
                seen[external_id] = row
            kept.append((row, args))
    return kept


def _record(job, created, failed, source) -> None:
    rows = [
        JobRow(
            job=job,
            row=row,
            outcome=JobRow.Outcome.CREATED,
            code=code,
            external_id=code.external_id,
        )
        for row, code in created
    ]
    rows += [
        JobRow(
            job=job,
            row=row,
            outcome=JobRow.Outcome.FAILED,
            detail={"errors": _error_items(error, source.column_for)},
        )
        for row, error in failed.items()
    ]
    # ignore_conflicts: a check pass redone after a crash records a failure only once.
    JobRow.objects.bulk_create(rows, ignore_conflicts=True)


def _stop_if_cancelled(job, token, source) -> None:
    job.refresh_from_db(fields=["cancel_requested_at", "lease_token", "status"])
    if job.cancel_requested_at is not None and job.lease_token == token:
        _finish(job, token, source, Status.CANCELLED)


def _finish(job, token, source, status, *, nothing_created=False) -> None:
    created = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.CREATED).count()
    failed = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.FAILED).count()
    _write_reports(job, failed)
    if status == Status.FAILED and nothing_created:
        error = (
            f"{failed:,} row{'s are' if failed != 1 else ' is'} wrong, so nothing was created "
            "(all-or-nothing). Fix them (see the errors file) and import again, or import the "
            "valid rows only."
        )
    elif status == Status.CANCELLED:
        error = (
            f"Cancelled after {job.done:,} of {job.total:,} rows; {created:,} codes were created."
        )
    elif failed:
        error = f"{failed:,} row{'s were' if failed != 1 else ' was'} not imported (see the errors file)."
    else:
        error = ""
    summary = {"rows": job.total, "created": created, "failed": failed}
    job_finish(job=job, status=status, summary=summary, error=error, token=token)


def _write_reports(job: Job, failed: int) -> None:
    rows = JobRow.objects.filter(job=job).select_related("code").order_by("row")

    def results():
        for item in rows.iterator(chunk_size=2000):
            code = item.code
            message = "; ".join(
                f"{e['column'] or e['field']}: {e['message']}" if e["column"] or e["field"]
                else e["message"]
                for e in item.detail.get("errors", [])
            )  # fmt: skip
            yield [
                item.row,
                item.external_id,
                code.public_id if code else "",
                code.short_url if code and code.slug else "",
                code.destination if code else "",
                item.outcome,
                message,
            ]

    def errors():
        for item in rows.filter(outcome=JobRow.Outcome.FAILED).iterator(chunk_size=2000):
            for e in item.detail.get("errors", []):
                yield [item.row, e["column"], e["field"], e["message"]]

    if job.params.get("destination_template"):
        _write_merge_file(job, rows)
    else:
        save_csv(job, "result_file", "results.csv", RESULT_HEADER, results())
    if failed:
        save_csv(job, "errors_file", "errors.csv", ERRORS_HEADER, errors())


MERGE_COLUMNS = ["short_url", "code_id", "image_file", "status", "error"]


def _write_merge_file(job: Job, rows) -> None:
    """A mail merge's results: every column of the uploaded file, then the row's short URL,
    code id and the image's name in the ZIP an export of this job makes (named by external
    id, as `exports.file_stems` names them)."""
    from jobs.models import ImportFile
    from jobs.services.exports import file_stems
    from jobs.services.imports import _table
    from jobs.spreadsheets import iter_rows

    upload = ImportFile.objects.get(workspace=job.workspace, public_id=job.params["upload"])
    created = [r.code for r in rows.filter(outcome=JobRow.Outcome.CREATED).order_by("code_id")]
    images = {code.pk: f"{stem}.png" for code, stem in file_stems(created, "external_id")}
    ledger = {r.row: r for r in rows.iterator(chunk_size=2000)}

    def merged():
        with upload.file.open("rb") as file:
            for number, cells, _ in iter_rows(file, _table(upload)):
                item = ledger.get(number)
                code = item.code if item else None
                errors = "; ".join(
                    e["message"] for e in (item.detail.get("errors", []) if item else [])
                )
                yield [
                    *cells,
                    code.short_url if code and code.slug else "",
                    code.public_id if code else "",
                    images.get(code.pk, "") if code else "",
                    item.outcome if item else "",
                    errors,
                ]

    save_csv(job, "result_file", "merge.csv", [*upload.header, *MERGE_COLUMNS], merged())
