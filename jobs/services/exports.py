"""ZIP exports of many codes' images: planned once (which codes, in which order, under which
file names), rendered in chunks by as many worker processes as there are (each chunk its own
task, its own part file in storage), then packed into one ZIP with a `manifest.csv`.

Images come from `codes.services.images.CodeImages`: one engine batch per design (the guard
judges each design once per symbol size, each logo is read once). Each image is decoded back
(zxing-cpp, from the raster as delivered) unless it is the plain design the scannability guard
already proves for plain ASCII payloads; the manifest says which.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage

from accounts.models import User, Workspace
from codes.models import QRCode, short_url_for
from codes.services.images import CodeImages
from jobs.models import Job, JobRow, Status
from jobs.models import Kind as JobKind
from jobs.services.chunked import (
    ChunkedKind,
    chunk_done,
    chunk_rows,
    pack_start,
    part_names,
)
from jobs.services.lifecycle import (
    check_can_edit,
    fails_when_storage_full,
    job_create,
    job_finish,
    safe_cell,
)
from jobs.services.parts import (
    result_file_built,
    result_file_store,
    unique_stems,
    zip_part_into,
)
from jobs.services.selection import code_selection

FORMATS = ("png", "svg", "pdf")
NAME_COLUMNS = ("external_id", "name", "slug", "id")
MANIFEST_HEADER = [
    "id", "short_url", "destination", "external_id", "file_name", "sha256", "decoded",
]  # fmt: skip
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


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
    """(code, file stem) in order: the stem by `column`, made unique. The ZIP's names and a
    mail merge's agree."""
    return unique_stems(codes, lambda code: _stem(code, column))


def _plan_details(job: Job, codes):
    for code, stem in file_stems(codes, job.params["filename"]):
        yield code, {"stem": stem}


def _cancel_text(job: Job) -> str:
    return f"Cancelled after {job.done:,} of {job.total:,} codes were rendered; no ZIP was made."


def _chunk_task():
    from jobs.tasks import export_chunk_task

    return export_chunk_task


def _pack_task():
    from jobs.tasks import export_pack_task

    return export_pack_task


EXPORT = ChunkedKind(
    chunk_size=lambda: settings.JOBS_EXPORT_CHUNK,
    chunk_task=_chunk_task,
    pack_task=_pack_task,
    plan_fields=("id", "public_id", "external_id", "name", "slug"),
    plan_details=_plan_details,
    per_code=lambda job: 1,
    restart_progress_to_pack=False,
    cancel_text=_cancel_text,
)


@fails_when_storage_full
def export_render_chunk(*, job_pk: int, index: int) -> None:
    """Render one chunk into its part file (a ZIP, stored: PNG is compressed already), then
    mark its rows exported with their files and whether each image decoded."""
    todo = chunk_rows(EXPORT, job_pk=job_pk, index=index, related=("code", "code__logo"))
    if todo is None:
        return
    job, rows = todo
    images = CodeImages(formats=job.params["formats"], size=job.params["size"])
    details = []
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as part:
            for item in rows:
                code = item.code
                if code is None:  # deleted for good since the plan
                    details.append({**item.detail, "files": [], "missing": True})
                    continue
                rendered = images.render(code)
                files = []
                for fmt, body in rendered.files.items():
                    name = f"{item.detail['stem']}.{fmt}"
                    part.writestr(name, body)
                    files.append({"name": name, "sha256": hashlib.sha256(body).hexdigest()})
                details.append({**item.detail, "files": files, "decoded": rendered.decoded})
        buffer.seek(0)
        # The storage may pick another name when a duplicate delivery saved this part already:
        # each row remembers the part that holds its files.
        part_name = default_storage.save(
            f"jobs/{job.public_id}/parts/{index:06d}.zip", File(buffer, name="part.zip")
        )
    for detail in details:
        detail["part"] = part_name
    chunk_done(EXPORT, job=job, rows=rows, details=details)


@fails_when_storage_full
def export_pack(*, job_pk: int) -> None:
    """Copy every part into the final ZIP (entry by entry, from files on disk: bounded memory),
    add the manifest, store it. Redone whole after a crash."""
    job = pack_start(EXPORT, job_pk=job_pk)
    if job is None:
        return
    parts = part_names(job)
    failed = 0
    with result_file_built(".zip") as out:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for name in parts:
                zip_part_into(archive, name)
            manifest = io.StringIO()
            writer = csv.writer(manifest)
            writer.writerow(MANIFEST_HEADER)
            # Plain values, not model instances: this loop runs once per code, alone at the end.
            rows = (
                JobRow.objects.filter(job=job)
                .order_by("row")
                .values_list(
                    "detail", "external_id", "code__public_id", "code__slug", "code__destination"
                )
            )
            for detail, external_id, public_id, slug, destination in rows.iterator(chunk_size=2000):
                decoded = detail.get("decoded")
                if decoded is False:
                    failed += 1
                for file in detail.get("files", []):
                    writer.writerow(
                        [
                            safe_cell(v)
                            for v in (
                                public_id or "",
                                short_url_for(slug) if public_id else "",
                                destination or "",
                                external_id,
                                file["name"],
                                file["sha256"],
                                "yes" if decoded else "no",
                            )
                        ]
                    )
            archive.writestr("manifest.csv", manifest.getvalue())
        result_file_store(job.result_file, "codes.zip", out)
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
