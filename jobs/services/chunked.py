"""Jobs over a selection of codes that run in parallel: the ZIP export and the label sheets.

Both plan the selection once (one ledger row per code, in a stable order), hand the rows to as
many worker processes as there are in chunks (each chunk its own task and part file in
storage, its rows marked in one transaction after the part is stored, so a crash redoes the
chunk and overwrites the part), and when no row is left planned exactly one task packs the
parts into the result. What differs per kind is what a plan row remembers, what a chunk
renders and how the parts are packed; this module is the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import transaction
from django.utils import timezone

from codes.models import QRCode
from jobs.models import Job, JobRow, Phase, Status
from jobs.services.lifecycle import _lease_end, job_finish
from jobs.services.selection import code_selection


@dataclass(frozen=True)
class ChunkedKind:
    """How one kind of chunked job plans and names its tasks."""

    chunk_size: Callable[[], int]
    chunk_task: Callable[[], object]  # the Celery task rendering (job_pk, index)
    pack_task: Callable[[], object]  # the Celery task packing (job_pk)
    # The plan: the fields read of each code, and (code, detail) for each code in order.
    plan_fields: tuple[str, ...]
    plan_details: Callable[[Job, Iterator[QRCode]], Iterator[tuple[QRCode, dict]]]
    # Units of progress per code (labels: copies of each code).
    per_code: Callable[[Job], int]
    # Progress restarts at 0 for the packing (labels count the labels written).
    restart_progress_to_pack: bool
    cancel_text: Callable[[Job], str]


def chunked_dispatch(kind: ChunkedKind, *, job: Job) -> None:
    """Plan (once) and enqueue the chunks still to do, or the packing when all are done."""
    if job.phase in ("", Phase.WAITING):
        _plan(kind, job)
        Job.objects.filter(pk=job.pk).update(phase=Phase.RENDERING, phase_started_at=timezone.now())
        job.phase = Phase.RENDERING
    if job.phase == Phase.PACKING:
        kind.pack_task().delay(job.pk)
        return
    size = kind.chunk_size()
    pending = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.PLANNED).values_list(
        "row", flat=True
    )
    chunks = sorted({row // size for row in pending})
    if not chunks:
        _maybe_pack(kind, job)
        return
    task = kind.chunk_task()
    for index in chunks:
        task.delay(job.pk, index)


def _plan(kind: ChunkedKind, job: Job) -> None:
    codes = code_selection(
        workspace=job.workspace, source=job.params["source"], sandbox=job.is_test
    )
    JobRow.objects.filter(job=job).delete()  # a plan redone after a crash starts over
    total = 0
    planned = kind.plan_details(job, codes.only(*kind.plan_fields).iterator(2000))
    while batch := list(islice(planned, 2000)):
        rows = []
        for code, detail in batch:
            rows.append((job.pk, total, JobRow.Outcome.PLANNED.value, code.pk, code.external_id,
                         detail))  # fmt: skip
            total += 1
        _rows_write(
            "INSERT INTO {table} ({job_id}, {row}, {outcome}, {code_id}, {external_id}, {detail})"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )
    total *= kind.per_code(job)
    Job.objects.filter(pk=job.pk).update(total=total, done=0)
    job.total = total


def _rows_write(statement: str, params: list[tuple]) -> None:
    """Run `statement` (JobRow's table and column names in braces) once per parameter tuple
    (a dict in one is a row's `detail`). The ledger is written once per code of an
    export, and the ORM's bulk insert and upsert cost several times this per row."""
    if not params:
        return
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    names = {f.column: quote(f.column) for f in JobRow._meta.concrete_fields}
    detail = JobRow._meta.get_field("detail")
    # One transaction: in autocommit each row would be a commit of its own (on SQLite, 10x
    # the statement's cost).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            statement.format(table=quote(JobRow._meta.db_table), **names),
            [
                tuple(
                    detail.get_db_prep_save(v, connection) if isinstance(v, dict) else v for v in p
                )
                for p in params
            ],
        )


def chunk_rows(
    kind: ChunkedKind, *, job_pk: int, index: int, related: Iterable[str]
) -> tuple[Job, list[JobRow]] | None:
    """The job and the rows of chunk `index` still to do, or None when there is nothing to do
    (finished, cancelled — which finishes it — or done already)."""
    job = Job.objects.select_related("workspace").get(pk=job_pk)
    if job.is_finished:
        return None
    if job.cancel_requested_at is not None:
        job_finish(job=job, status=Status.CANCELLED, error=kind.cancel_text(job))
        return None
    size = kind.chunk_size()
    rows = list(
        JobRow.objects.filter(job=job, row__gte=index * size, row__lt=(index + 1) * size)
        .select_related(*related)
        .order_by("row")
    )
    if not rows or all(r.outcome == JobRow.Outcome.EXPORTED for r in rows):
        _maybe_pack(kind, job)
        return None
    return job, rows


def chunk_done(kind: ChunkedKind, *, job: Job, rows: list[JobRow], details: list[dict]) -> None:
    """Mark the chunk's rows done with their details (a duplicate delivery of the same chunk
    writes the same rows again), count the progress, and pack when it was the last."""
    with transaction.atomic():
        # The rows exist since the plan: one UPDATE statement run per row.
        _rows_write(
            "UPDATE {table} SET {outcome} = %s, {detail} = %s WHERE {job_id} = %s AND {row} = %s",
            [
                (JobRow.Outcome.EXPORTED.value, detail, job.pk, r.row)
                for r, detail in zip(rows, details, strict=True)
            ],
        )
        done = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.EXPORTED).count()
        Job.objects.filter(pk=job.pk).update(
            done=done * kind.per_code(job), lease_until=_lease_end()
        )
    _maybe_pack(kind, job)


def _maybe_pack(kind: ChunkedKind, job: Job) -> None:
    if JobRow.objects.filter(job=job, outcome=JobRow.Outcome.PLANNED).exists():
        return
    changes = {"phase": Phase.PACKING, "phase_started_at": timezone.now()}
    if kind.restart_progress_to_pack:
        changes["done"] = 0
    # Several chunks may finish at once: the phase change lets exactly one enqueue the packing.
    if Job.objects.filter(pk=job.pk, phase=Phase.RENDERING).update(**changes):
        task = kind.pack_task()
        transaction.on_commit(lambda: task.delay(job.pk))


def pack_start(kind: ChunkedKind, *, job_pk: int) -> Job | None:
    """The job to pack, its lease renewed; None when finished or cancelled (finishing it)."""
    job = Job.objects.select_related("workspace").get(pk=job_pk)
    if job.is_finished:
        return None
    if job.cancel_requested_at is not None:
        job_finish(job=job, status=Status.CANCELLED, error=kind.cancel_text(job))
        return None
    Job.objects.filter(pk=job.pk).update(lease_until=_lease_end())
    return job


def part_names(job: Job) -> list[str]:
    """The part files holding the rows' output, in row order, each once."""
    details = JobRow.objects.filter(job=job).order_by("row").values_list("detail", flat=True)
    return list(dict.fromkeys(d["part"] for d in details.iterator(2000) if d.get("part")))
