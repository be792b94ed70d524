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

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from codes.rendering import Gradient
from codes.rendering import sheets as engine
from codes.rendering.pdf import Drawing
from jobs.models import Job, JobRow, Status
from jobs.services.chunked import ChunkedKind, chunk_done, chunk_rows, pack_start, part_names
from jobs.services.labels import LabelOptions, _Logos, label_item
from jobs.services.lifecycle import _lease_end, fails_when_storage_full, job_finish

CHUNK = 250


class _Cancelled(Exception):
    pass


def _plan_details(job: Job, codes):
    for code in codes:
        yield code, {}


def _cancel_text(job: Job) -> str:
    return f"Cancelled after {job.done:,} of {job.total:,} labels were drawn or written; no PDF was made."


def _chunk_task():
    from jobs.tasks import labels_chunk_task

    return labels_chunk_task


def _pack_task():
    from jobs.tasks import labels_pack_task

    return labels_pack_task


LABELS = ChunkedKind(
    chunk_size=lambda: CHUNK,
    chunk_task=_chunk_task,
    pack_task=_pack_task,
    plan_fields=("id", "external_id"),
    plan_details=_plan_details,
    per_code=lambda job: job.params["copies"],
    # The chunks count codes drawn, the writing counts labels placed.
    restart_progress_to_pack=True,
    cancel_text=_cancel_text,
)


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
    """Draw one chunk's codes into its part file, then mark its rows drawn."""
    todo = chunk_rows(
        LABELS, job_pk=job_pk, index=index, related=("code", "code__logo", "code__group")
    )
    if todo is None:
        return
    job, rows = todo
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
    chunk_done(LABELS, job=job, rows=rows, details=[{"part": part}] * len(rows))


@fails_when_storage_full
def labels_write(*, job_pk: int) -> None:
    """Write the PDF from the parts, in order, and store it as the job's result."""
    job = pack_start(LABELS, job_pk=job_pk)
    if job is None:
        return
    options = LabelOptions.from_params(job.params)
    parts = part_names(job)
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
        default_storage.delete(name)
    labels = placed_count[0]
    job_finish(
        job=job,
        status=Status.SUCCEEDED,
        summary={"labels": labels, "pages": options.sheet.pages_for(labels, options.start_at),
                 "bytes": len(pdf), "sheet": options.sheet.key},
    )  # fmt: skip
