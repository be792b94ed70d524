"""Label-sheet jobs: the selection planned once (one ledger row per code), the codes' vector
drawings computed in chunks by as many worker processes as there are (each chunk its own task
and part file: the encoding and path building are the cost), then one task writes the PDF
from the parts in order, so fonts, logos and module shapes are embedded once for the file.

A chunk redone after a crash overwrites its part; the writing is redone whole.
"""

from __future__ import annotations

import json
import tempfile
import zlib
from itertools import islice

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from codes.rendering import Gradient
from codes.rendering import sheets as engine
from codes.rendering.pdf import Drawing
from jobs.models import Job, JobRow, Phase, Status
from jobs.services.exports import code_selection
from jobs.services.labels import LabelOptions, _Logos, label_item
from jobs.services.lifecycle import _lease_end, fails_when_storage_full, job_finish

CHUNK = 250


class _Cancelled(Exception):
    pass


def labels_dispatch(*, job: Job, token: str) -> None:
    """Plan (once) and enqueue the chunks still to draw, or the writing when all are done."""
    from jobs.tasks import labels_chunk_task, labels_pack_task

    if job.phase in ("", Phase.WAITING):
        _plan(job)
        Job.objects.filter(pk=job.pk).update(phase=Phase.RENDERING, phase_started_at=timezone.now())
        job.phase = Phase.RENDERING
    if job.phase == Phase.PACKING:
        labels_pack_task.delay(job.pk)
        return
    pending = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.PLANNED).values_list(
        "row", flat=True
    )
    chunks = sorted({row // CHUNK for row in pending})
    if not chunks:
        _maybe_pack(job)
        return
    for index in chunks:
        labels_chunk_task.delay(job.pk, index)


def _plan(job: Job) -> None:
    codes = code_selection(
        workspace=job.workspace, source=job.params["source"], sandbox=job.is_test
    )
    JobRow.objects.filter(job=job).delete()  # a plan redone after a crash starts over
    total = 0
    iterator = codes.only("id", "external_id").iterator(2000)
    while batch := list(islice(iterator, 2000)):
        rows = []
        for code in batch:
            rows.append(JobRow(job=job, row=total, outcome=JobRow.Outcome.PLANNED, code=code,
                               external_id=code.external_id))  # fmt: skip
            total += 1
        JobRow.objects.bulk_create(rows)
    copies = job.params["copies"]
    Job.objects.filter(pk=job.pk).update(total=total * copies, done=0)
    job.total = total * copies


def _paint(paint):
    return {"gradient": paint.to_dict()} if isinstance(paint, Gradient) else paint


def _unpaint(paint):
    return Gradient.from_dict(paint["gradient"]) if isinstance(paint, dict) else paint


def _encode_item(item: engine.LabelItem, logo_id) -> dict:
    art = item.art
    return {
        "w": art.width,
        "h": art.height,
        "fills": [[_paint(p), path] for p, path in art.fills],
        "origin": list(art.origin),
        "logo_box": list(art.logo_box) if art.logo_box else None,
        "label": [_paint(art.label[0]), art.label[1]] if art.label else None,
        "stamps": [list(s) for s in art.stamps],
        "stamped": [_paint(art.stamped[0]), art.stamped[1]] if art.stamped else None,
        "logo": logo_id,
        "lines": list(item.lines),
    }


def _decode_item(data: dict, logos: dict) -> engine.LabelItem:
    art = Drawing(
        width=data["w"],
        height=data["h"],
        fills=tuple((_unpaint(p), path) for p, path in data["fills"]),
        origin=tuple(data["origin"]),
        logo_box=tuple(data["logo_box"]) if data["logo_box"] else None,
        label=(_unpaint(data["label"][0]), data["label"][1]) if data["label"] else None,
        stamps=tuple(tuple(s) for s in data["stamps"]),
        stamped=(_unpaint(data["stamped"][0]), data["stamped"][1]) if data["stamped"] else None,
    )
    return engine.LabelItem(art, logos.get(data["logo"]), tuple(data["lines"]))


@fails_when_storage_full
def labels_draw_chunk(*, job_pk: int, index: int) -> None:
    """Draw one chunk's codes into its part file, then mark its rows drawn (one transaction
    after the file is stored: a crash before it redoes the chunk)."""
    job = Job.objects.select_related("workspace").get(pk=job_pk)
    if job.is_finished:
        return
    if job.cancel_requested_at is not None:
        job_finish(job=job, status=Status.CANCELLED, error=_cancel_text(job))
        return
    rows = list(
        JobRow.objects.filter(job=job, row__gte=index * CHUNK, row__lt=(index + 1) * CHUNK)
        .select_related("code", "code__logo", "code__group")
        .order_by("row")
    )
    if not rows or all(r.outcome == JobRow.Outcome.EXPORTED for r in rows):
        _maybe_pack(job)
        return
    options = LabelOptions.from_params(job.params)
    logos = _Logos()
    lines = []
    for row in rows:
        code = row.code
        if code is None or code.deleted_at is not None:
            lines.append("null")  # deleted since the plan: its labels are left out
            continue
        item = label_item(code, options, logos)
        lines.append(json.dumps(_encode_item(item, code.logo.public_id if code.logo_id else None)))
    body = zlib.compress("\n".join(lines).encode(), 6)
    part = default_storage.save(
        f"jobs/{job.public_id}/parts/{index:06d}.jsonl.z", ContentFile(body, name="part")
    )
    with transaction.atomic():
        for row in rows:
            row.outcome = JobRow.Outcome.EXPORTED
            row.detail = {"part": part}
        JobRow.objects.bulk_update(rows, ["outcome", "detail"])
        drawn = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.EXPORTED).count()
        Job.objects.filter(pk=job.pk).update(done=drawn * options.copies, lease_until=_lease_end())
    _maybe_pack(job)


def _maybe_pack(job: Job) -> None:
    from jobs.tasks import labels_pack_task

    if JobRow.objects.filter(job=job, outcome=JobRow.Outcome.PLANNED).exists():
        return
    # Several chunks may finish at once: the phase change lets exactly one enqueue the writing.
    if Job.objects.filter(pk=job.pk, phase=Phase.RENDERING).update(
        phase=Phase.PACKING, phase_started_at=timezone.now(), done=0
    ):
        transaction.on_commit(lambda: labels_pack_task.delay(job.pk))


def _cancel_text(job: Job) -> str:
    return f"Cancelled after {job.done:,} of {job.total:,} labels were drawn or written; no PDF was made."


@fails_when_storage_full
def labels_write(*, job_pk: int) -> None:
    """Write the PDF from the parts, in order, and store it as the job's result."""
    job = Job.objects.select_related("workspace").get(pk=job_pk)
    if job.is_finished:
        return
    if job.cancel_requested_at is not None:
        job_finish(job=job, status=Status.CANCELLED, error=_cancel_text(job))
        return
    Job.objects.filter(pk=job.pk).update(lease_until=_lease_end())
    options = LabelOptions.from_params(job.params)
    parts = list(
        dict.fromkeys(
            r.detail.get("part")
            for r in JobRow.objects.filter(job=job).order_by("row").only("detail")
        )
    )
    logo_ids = set(
        JobRow.objects.filter(job=job, code__logo__isnull=False).values_list(
            "code__logo__public_id", flat=True
        )
    )
    logos = {}
    if logo_ids:
        from codes.models import LogoAsset
        from codes.rendering import prepare_logo

        for asset in LogoAsset.objects.filter(workspace=job.workspace, public_id__in=logo_ids):
            logos[asset.public_id] = prepare_logo(asset.read_bytes())

    placed_count = [0]

    def items():
        for name in parts:
            with default_storage.open(name, "rb") as handle:
                text = zlib.decompress(handle.read()).decode()
            for line in text.split("\n"):
                data = json.loads(line)
                if data is None:
                    continue
                item = _decode_item(data, logos)
                for _ in range(options.copies):
                    placed_count[0] += 1
                    yield item

    every = max(options.sheet.per_sheet * 20, 1)

    def progress(placed: int) -> None:
        if placed % every < options.sheet.per_sheet:
            Job.objects.filter(pk=job.pk).update(done=placed, lease_until=_lease_end())
            if Job.objects.filter(pk=job.pk, cancel_requested_at__isnull=False).exists():
                raise _Cancelled

    try:
        pdf = engine.write_labels(items(), options.sheet, options.design,
                                  start_at=options.start_at, title=f"Labels {job.public_id}",
                                  progress=progress)  # fmt: skip
    except _Cancelled:
        job.refresh_from_db(fields=["done", "total"])
        job_finish(job=job, status=Status.CANCELLED, error=_cancel_text(job))
        return
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        out.write(pdf)
        out.seek(0)
        job.result_file.save("labels.pdf", File(out), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name, done=placed_count[0])
    for name in parts:
        if name:
            default_storage.delete(name)
    labels = placed_count[0]
    job_finish(
        job=job,
        status=Status.SUCCEEDED,
        summary={"labels": labels, "pages": options.sheet.pages_for(labels, options.start_at),
                 "bytes": len(pdf), "sheet": options.sheet.key},
    )  # fmt: skip
