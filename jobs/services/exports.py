"""ZIP exports of many codes' images: planned once (which codes, in which order, under which
file names), rendered in chunks by as many worker processes as there are (each chunk its own
task, its own part file in storage), then packed into one ZIP with a `manifest.csv`.

Every image comes from `codes.services.code_image`, the one function that renders delivered
images. Each is decoded back (zxing-cpp) unless it is the plain design the scannability guard
already proves for plain ASCII payloads; the manifest says which.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import tempfile
import zipfile
from itertools import islice

import zxingcpp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from PIL import Image

from accounts.models import User, Workspace
from codes import selectors as code_selectors
from codes import services as code_services
from codes.models import QRCode
from jobs.models import Job, JobRow, Phase, Status
from jobs.models import Kind as JobKind
from jobs.services.lifecycle import (
    _lease_end,
    check_can_edit,
    fails_when_storage_full,
    job_create,
    job_finish,
    safe_cell,
)

FORMATS = ("png", "svg", "pdf")
NAME_COLUMNS = ("external_id", "name", "slug", "id")
MANIFEST_HEADER = [
    "id", "short_url", "destination", "external_id", "file_name", "sha256", "decoded",
]  # fmt: skip
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PLAIN = re.compile(r"[ -~]*")


def code_selection(*, workspace: Workspace, source: dict, sandbox: bool = False):
    """The codes a request names (in the caller's mode), in a stable order; ValidationError
    naming what is wrong."""
    alive = QRCode.objects.alive().in_mode(sandbox=sandbox).filter(workspace=workspace)
    if "codes" in source:
        ids = source["codes"]
        found = set(alive.filter(public_id__in=ids).values_list("public_id", flat=True))
        missing = [i for i in ids if i not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise ValidationError({"codes": f"No such code in this workspace: {shown}."})
        return alive.filter(public_id__in=ids).order_by("id")
    if "group" in source:
        value = source["group"]
        lookup = {"public_id": value} if value.startswith("grp_") else {"slug": value}
        try:
            group = code_selectors.group_get_for_workspace(
                workspace=workspace, sandbox=sandbox, **lookup
            )
        except Http404:
            raise ValidationError({"group": f"No group “{value}” in this workspace."}) from None
        return alive.filter(group=group).order_by("id")
    if "job" in source:
        jobs = Job.objects.in_mode(sandbox=sandbox)
        job = jobs.filter(workspace=workspace, public_id=source["job"]).first()
        if job is None:
            raise ValidationError({"job": f"No job “{source['job']}” in this workspace."})
        created = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.CREATED)
        return alive.filter(pk__in=created.values("code_id")).order_by("id")
    query = dict(source.get("filter") or {})
    if query.get("group"):  # stored as the group's id: job parameters are JSON
        try:
            query["group"] = code_selectors.group_get_for_workspace(
                workspace=workspace, public_id=query["group"], sandbox=sandbox
            )
        except Http404:
            raise ValidationError({"group": "No such group in this workspace."}) from None
    query.pop("ordering", None)
    return (
        code_selectors.code_list_for_workspace(workspace=workspace, sandbox=sandbox, **query)
        .order_by("id")
        .select_related(None)
    )


def export_start(
    *,
    workspace: Workspace,
    actor: User,
    source: dict,
    formats: list[str],
    size: int = 400,
    filename: str = "external_id",
    sandbox: bool = False,
) -> Job:
    """Queue a ZIP of the selected codes' images. `source` is one of {"codes": [ids]},
    {"group": slug or id}, {"job": job id} (the codes it created) or {"filter": {...}}
    (`code_list_for_workspace`'s filters)."""
    check_can_edit(actor, workspace)
    errors = {}
    if not formats or any(f not in FORMATS for f in formats):
        errors["formats"] = f"Choose one or more of {', '.join(FORMATS)}."
    if not isinstance(size, int) or not 64 <= size <= 4096:
        errors["size"] = "Choose a size from 64 to 4096 pixels."
    if filename not in NAME_COLUMNS:
        errors["filename"] = f"Name files by one of {', '.join(NAME_COLUMNS)}."
    if errors:
        raise ValidationError(errors)
    count = code_selection(workspace=workspace, source=source, sandbox=sandbox).count()
    limit = settings.JOBS_EXPORT_MAX_CODES
    if count > limit:
        raise ValidationError(
            {"codes": f"This selection has {count:,} codes; an export holds at most {limit:,} "
             "(JOBS_EXPORT_MAX_CODES). Narrow it with a filter or a group."}
        )  # fmt: skip
    if count == 0:
        raise ValidationError({"codes": "There are no codes to export in this selection."})
    return job_create(
        workspace=workspace,
        actor=actor,
        kind=JobKind.EXPORT,
        total=count,
        params={
            "source": source,
            "formats": list(dict.fromkeys(formats)),
            "size": size,
            "filename": filename,
        },
        sandbox=sandbox,
    )


# --- the work -----------------------------------------------------------------------------------


def _stem(code: QRCode, column: str) -> str:
    value = {
        "external_id": code.external_id,
        "name": code.name,
        "slug": code.slug or "",
        "id": code.public_id,
    }[column]
    stem = _UNSAFE.sub("-", value).strip("-.")[:100]
    return stem or code.public_id


def file_stems(codes, column: str):
    """(code, file stem) in order: the stem by `column`, made unique case-insensitively
    (Windows and macOS unzip so) with -2, -3, … The ZIP's names and a mail merge's agree."""
    used: set[str] = set()
    for code in codes:
        stem = _stem(code, column)
        candidate, n = stem, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{stem}-{n}"
        used.add(candidate.lower())
        yield code, candidate


def export_dispatch(*, job: Job, token: str) -> None:
    """Plan (once) and enqueue the chunks still to render, or the packing when all are done."""
    from jobs.tasks import export_chunk_task, export_pack_task

    if job.phase in ("", Phase.WAITING):
        _plan(job)
        Job.objects.filter(pk=job.pk).update(phase=Phase.RENDERING, phase_started_at=timezone.now())
        job.phase = Phase.RENDERING
    if job.phase == Phase.PACKING:
        export_pack_task.delay(job.pk)
        return
    size = settings.JOBS_EXPORT_CHUNK
    pending = (
        JobRow.objects.filter(job=job, outcome=JobRow.Outcome.PLANNED)
        .values_list("row", flat=True)
        .order_by("row")
    )
    chunks = sorted({row // size for row in pending})
    if not chunks:
        _maybe_pack(job)
        return
    for index in chunks:
        export_chunk_task.delay(job.pk, index)


def _plan(job: Job) -> None:
    codes = code_selection(
        workspace=job.workspace, source=job.params["source"], sandbox=job.is_test
    )
    column = job.params["filename"]
    total = 0
    JobRow.objects.filter(job=job).delete()  # a plan redone after a crash starts over
    iterator = file_stems(
        codes.only("id", "public_id", "external_id", "name", "slug").iterator(2000), column
    )
    while batch := list(islice(iterator, 2000)):
        rows = []
        for code, candidate in batch:
            rows.append(
                JobRow(
                    job=job,
                    row=total,
                    outcome=JobRow.Outcome.PLANNED,
                    code=code,
                    external_id=code.external_id,
                    detail={"stem": candidate},
                )
            )
            total += 1
        JobRow.objects.bulk_create(rows)
    Job.objects.filter(pk=job.pk).update(total=total, done=0)
    job.total = total


def _decodes(png: bytes, payload: str) -> bool:
    image = Image.open(io.BytesIO(png))
    if image.mode != "RGB":
        paper = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        image = paper
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain
    )
    return len(found) == 1 and found[0].text == payload


@fails_when_storage_full
def export_render_chunk(*, job_pk: int, index: int) -> None:
    """Render one chunk into its part file and mark its rows exported, in one transaction
    after the file is stored (a crash before it redoes the chunk; the part is overwritten)."""
    job = Job.objects.select_related("workspace").get(pk=job_pk)
    if job.is_finished:
        return
    if job.cancel_requested_at is not None:
        job_finish(job=job, status=Status.CANCELLED, error=_cancel_text(job))
        return
    size = settings.JOBS_EXPORT_CHUNK
    rows = list(
        JobRow.objects.filter(job=job, row__gte=index * size, row__lt=(index + 1) * size)
        .select_related("code", "code__logo")
        .order_by("row")
    )
    if not rows or all(r.outcome == JobRow.Outcome.EXPORTED for r in rows):
        _maybe_pack(job)
        return
    formats, px = job.params["formats"], job.params["size"]
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as part:
            for item in rows:
                code = item.code
                if code is None:  # deleted for good since the plan
                    item.detail = {**item.detail, "files": [], "missing": True}
                    continue
                payload = code_services.code_payload(code)
                files = []
                png = None
                for fmt in formats:
                    body = code_services.code_image(code=code, format=fmt, size=px)
                    if fmt == "png":
                        png = body
                    name = f"{item.detail['stem']}.{fmt}"
                    part.writestr(name, body)
                    files.append({"name": name, "sha256": hashlib.sha256(body).hexdigest()})
                plain = not code.style and not code.logo_id and _PLAIN.fullmatch(payload)
                if plain:
                    decoded = None  # the guard's proof stands: segno's own output
                else:
                    if png is None:
                        png = code_services.code_image(code=code, format="png", size=px)
                    decoded = _decodes(png, payload)
                item.detail = {**item.detail, "files": files, "decoded": decoded}
        buffer.seek(0)
        # The storage may pick another name when a duplicate delivery saved this part already:
        # each row remembers the part that holds its files.
        part_name = default_storage.save(
            f"jobs/{job.public_id}/parts/{index:06d}.zip", File(buffer, name="part.zip")
        )
    with transaction.atomic():
        for item in rows:
            item.outcome = JobRow.Outcome.EXPORTED
            item.detail["part"] = part_name
        JobRow.objects.bulk_update(rows, ["outcome", "detail"])
        done = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.EXPORTED).count()
        Job.objects.filter(pk=job.pk).update(done=done, lease_until=_lease_end())
    _maybe_pack(job)


def _maybe_pack(job: Job) -> None:
    from jobs.tasks import export_pack_task

    if JobRow.objects.filter(job=job, outcome=JobRow.Outcome.PLANNED).exists():
        return
    # Several chunks may finish at once: the phase change lets exactly one enqueue the packing.
    if Job.objects.filter(pk=job.pk, phase=Phase.RENDERING).update(
        phase=Phase.PACKING, phase_started_at=timezone.now()
    ):
        transaction.on_commit(lambda: export_pack_task.delay(job.pk))


def _cancel_text(job: Job) -> str:
    return f"Cancelled after {job.done:,} of {job.total:,} codes were rendered; no ZIP was made."


@fails_when_storage_full
def export_pack(*, job_pk: int) -> None:
    """Copy every part into the final ZIP (entry by entry, from files on disk: bounded memory),
    add the manifest, store it. Redone whole after a crash."""
    job = Job.objects.select_related("workspace").get(pk=job_pk)
    if job.is_finished:
        return
    if job.cancel_requested_at is not None:
        job_finish(job=job, status=Status.CANCELLED, error=_cancel_text(job))
        return
    Job.objects.filter(pk=job.pk).update(lease_until=_lease_end())
    parts = list(
        dict.fromkeys(
            item.detail.get("part")
            for item in JobRow.objects.filter(job=job).order_by("row").only("detail")
            if item.detail.get("part")
        )
    )
    failed = 0
    with tempfile.TemporaryFile() as out:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for name in parts:
                with (
                    default_storage.open(name, "rb") as part_file,
                    tempfile.TemporaryFile() as local,
                ):
                    shutil.copyfileobj(part_file, local)
                    local.seek(0)
                    with zipfile.ZipFile(local) as part:
                        for info in part.infolist():
                            target = zipfile.ZipInfo(info.filename, info.date_time)
                            # PNG is compressed already; SVG and PDF shrink a lot.
                            target.compress_type = (
                                zipfile.ZIP_STORED
                                if info.filename.endswith(".png")
                                else zipfile.ZIP_DEFLATED
                            )
                            with part.open(info) as src, archive.open(target, "w") as dst:
                                shutil.copyfileobj(src, dst)
            manifest = io.StringIO()
            writer = csv.writer(manifest)
            writer.writerow(MANIFEST_HEADER)
            rows = JobRow.objects.filter(job=job).select_related("code").order_by("row")
            for item in rows.iterator(chunk_size=2000):
                code = item.code
                decoded = item.detail.get("decoded")
                if decoded is False:
                    failed += 1
                for file in item.detail.get("files", []):
                    writer.writerow(
                        [
                            safe_cell(v)
                            for v in (
                                code.public_id if code else "",
                                code.short_url if code and code.slug else "",
                                code.destination if code else "",
                                item.external_id,
                                file["name"],
                                file["sha256"],
                                "yes" if decoded else "no",
                            )
                        ]
                    )
            archive.writestr("manifest.csv", manifest.getvalue())
        out.seek(0)
        job.result_file.save("codes.zip", File(out), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    for name in parts:
        default_storage.delete(name)
    exported = JobRow.objects.filter(job=job, outcome=JobRow.Outcome.EXPORTED).count()
    error = (
        f"{failed:,} image(s) did not decode back (marked “no” in manifest.csv)." if failed else ""
    )
    job_finish(
        job=job,
        status=Status.SUCCEEDED,
        summary={"codes": exported, "files": exported * len(job.params["formats"]),
                 "not_decoded": failed},
        error=error,
    )  # fmt: skip
