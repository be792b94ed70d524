"""Imports (a spreadsheet's rows) and async bulk creates (the API's JSON), both run by the
creation engine (`jobs.services.creating`)."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.text import slugify

from accounts.models import User, Workspace
from codes import selectors as code_selectors
from codes import services as code_services
from codes.models import BrandTemplate, Kind
from codes.rendering import CONTENT_TYPES
from jobs.mapping import check_destination_template, check_mapping, row_arguments
from jobs.models import ImportFile, Job
from jobs.models import Kind as JobKind
from jobs.services.creating import CreationSource, RowInput
from jobs.services.lifecycle import check_can_edit, job_create
from jobs.spreadsheets import Table, TableError, inspect_table, iter_rows

MODES = ("all_or_nothing", "valid_rows")


class FileRefused(ValidationError):
    """A file that cannot be imported; `status` is 400 or 413 (over a limit)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__({"file": message})
        self.status = status


@transaction.atomic
def import_file_create(*, workspace: Workspace, actor: User, file, name: str) -> ImportFile:
    """Store an uploaded spreadsheet after reading it whole: refused with `FileRefused`
    (nothing stored) when it cannot be imported."""
    check_can_edit(actor, workspace)
    try:
        table = inspect_table(file, name)
    except TableError as exc:
        raise FileRefused(exc.message, exc.status) from None
    upload = ImportFile(
        workspace=workspace,
        uploaded_by=actor,
        original_name=name[:255],
        format=table.format,
        delimiter=table.delimiter,
        header=table.header,
        row_count=table.row_count,
    )
    file.seek(0)
    upload.file.save(f"upload.{table.format}", file, save=False)
    upload.save()
    return upload


def import_preview(*, upload: ImportFile, rows: int = 20) -> list[list[str]]:
    with upload.file.open("rb") as file:
        out = []
        for _, cells, _ in iter_rows(file, _table(upload)):
            out.append(cells)
            if len(out) >= rows:
                break
        return out


def _table(upload: ImportFile) -> Table:
    return Table(
        format=upload.format,
        header=upload.header,
        row_count=upload.row_count,
        delimiter=upload.delimiter,
    )


def _options(*, workspace, kind: str, content_type: str, template: BrandTemplate | None) -> dict:
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = "Choose “static” or “dynamic”."
    if content_type not in CONTENT_TYPES:
        errors["content_type"] = f"Choose one of {', '.join(CONTENT_TYPES)}."
    elif kind == Kind.DYNAMIC and content_type != "url":
        errors["content_type"] = "A dynamic code redirects to a URL; import static codes instead."
    if template is not None and template.workspace_id != workspace.pk:
        errors["template"] = "No such brand style in this workspace."
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "content_type": content_type,
        "style": dict(template.style) if template else {},
        "logo": template.logo.public_id if template and template.logo else None,
    }


@transaction.atomic
def import_start(
    *,
    upload: ImportFile,
    actor: User,
    mapping: dict,
    mode: str = "all_or_nothing",
    kind: str = Kind.DYNAMIC,
    content_type: str = "url",
    template: BrandTemplate | None = None,
    destination_template: str = "",
    sandbox: bool = False,
) -> Job:
    """Queue the import of an uploaded file with this column mapping. A
    `destination_template` (a mail merge) makes each row's destination from its columns,
    e.g. https://example.com/offer?c={customer_id}&utm_campaign={campaign}; the results CSV is
    then the print shop's merge file (the file's columns, short_url, code_id, image_file)."""
    workspace = upload.workspace
    check_can_edit(actor, workspace)
    if mode not in MODES:
        raise ValidationError({"mode": "Choose “all_or_nothing” or “valid_rows”."})
    options = _options(workspace=workspace, kind=kind, content_type=content_type, template=template)
    if destination_template:
        if content_type != "url":
            raise ValidationError({"destination_template": "Only URL codes have a destination."})
        options["destination_template"] = check_destination_template(
            destination_template, upload.header
        )
    mapping = check_mapping(
        mapping, upload.header, content_type, templated=bool(destination_template)
    )
    return job_create(
        workspace=workspace,
        actor=actor,
        kind=JobKind.IMPORT,
        total=upload.row_count,
        params={
            "upload": upload.public_id,
            "file_name": upload.original_name,
            "mapping": mapping,
            "mode": mode,
            **options,
            "template": template.public_id if template else None,
        },
        sandbox=sandbox,
    )


@transaction.atomic
def bulk_create_start(
    *, workspace: Workspace, actor: User, codes: list, defaults: dict, sandbox: bool = False
) -> Job:
    """Queue `POST /codes/bulk`'s items (all or nothing, like the synchronous answer)."""
    check_can_edit(actor, workspace)
    limit = settings.JOBS_IMPORT_MAX_ROWS
    if len(codes) > limit:
        raise ValidationError({"codes": f"Send at most {limit:,} codes per request."})
    body = json.dumps({"codes": codes, "defaults": defaults}).encode()
    return job_create(
        workspace=workspace,
        actor=actor,
        kind=JobKind.BULK_CREATE,
        total=len(codes),
        params={"mode": "all_or_nothing"},
        input_file=ContentFile(body, name="request.json"),
        sandbox=sandbox,
    )


# --- sources for the engine ---------------------------------------------------------------------


def import_source(job: Job) -> CreationSource:
    params = job.params
    upload = ImportFile.objects.get(workspace=job.workspace, public_id=params["upload"])
    table = _table(upload)
    mapping = params["mapping"]
    by_field = {target: column for column, target in mapping.items() if target}
    logo = _logo(job.workspace, params.get("logo"))

    def rows():
        with upload.file.open("rb") as file:
            for number, cells, formulas in iter_rows(file, table):
                try:
                    yield RowInput(
                        number, row_arguments(cells, formulas, table.header, mapping, params)
                    )
                except ValidationError as exc:
                    yield RowInput(number, None, exc)

    def prepare(raw, groups):
        arguments, group = raw
        arguments = {**arguments, "logo": logo}
        if group:
            if group not in groups:
                groups[group] = _group_for_import(job, group)
            arguments["group"] = groups[group]
        return arguments

    def column_for(field):
        return by_field.get(field) or by_field.get(f"content.{field}") or ""

    return CreationSource(rows=rows, prepare=prepare, column_for=column_for)


def _logo(workspace, public_id):
    if not public_id:
        return None
    try:
        return code_selectors.logo_get_for_workspace(workspace=workspace, public_id=public_id)
    except Http404:
        return None


def _group_for_import(job: Job, value: str):
    """A group named in a row: found by name or slug, else created with that name."""
    slug = slugify(value)[:60]
    if not slug:
        raise ValidationError({"group": f"“{value}” cannot name a group."})
    for lookup in ({"slug": slug},):
        try:
            return code_selectors.group_get_for_workspace(
                workspace=job.workspace, sandbox=job.is_test, **lookup
            )
        except Http404:
            pass
    try:
        with transaction.atomic():
            return code_services.group_create(
                workspace=job.workspace,
                actor=job.created_by,
                name=value[:100],
                slug=slug,
                sandbox=job.is_test,
            )
    except (ValidationError, IntegrityError):
        return code_services.group_get_or_create(
            workspace=job.workspace, actor=job.created_by, slug=slug, sandbox=job.is_test
        )


def bulk_source(job: Job) -> CreationSource:
    from rest_framework.exceptions import ValidationError as ShapeError

    from codes.api.lookups import service_arguments
    from codes.api.serializers import CodeCreateSerializer

    with job.input_file.open("rb") as file:
        body = json.load(file)
    defaults = body.get("defaults") or {}
    shape = CodeCreateSerializer()

    def rows():
        for index, raw in enumerate(body["codes"]):
            try:
                data = shape.run_validation({**defaults, **raw})
            except ShapeError as exc:
                yield RowInput(index, None, ValidationError(_flat(exc.detail)))
                continue
            yield RowInput(index, data)

    def prepare(data, groups):
        # Exactly as the synchronous POST /codes/bulk reads an item, in the job's mode.
        return service_arguments(
            workspace=job.workspace,
            actor=job.created_by,
            data=data,
            groups=groups,
            sandbox=job.is_test,
        )

    def column_for(field):
        return {"kind": "type"}.get(field, field)

    return CreationSource(rows=rows, prepare=prepare, column_for=column_for)


def _flat(detail) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            for field, messages in _flat(value).items():
                name = key if not field else f"{key}.{field}"
                out.setdefault(name, []).extend(messages)
    elif isinstance(detail, list):
        for value in detail:
            for field, messages in _flat(value).items():
                out.setdefault(field, []).extend(messages)
    else:
        out[""] = [str(detail)]
    return {(k or "__all__"): v for k, v in out.items()}


class _Preview(Exception):
    pass


def import_preview_check(
    *,
    upload: ImportFile,
    actor: User,
    mapping: dict,
    kind: str = Kind.DYNAMIC,
    content_type: str = "url",
    template: BrandTemplate | None = None,
    destination_template: str = "",
    rows: int = 10,
) -> list[dict]:
    """The first rows as they will be created, each checked by `code_create_many` inside a
    transaction that is rolled back (nothing is written): {row, code, errors}."""
    from jobs.services.creating import _error_items, create_or_refuse, without_duplicates

    workspace = upload.workspace
    check_can_edit(actor, workspace)
    options = _options(workspace=workspace, kind=kind, content_type=content_type, template=template)
    if destination_template:
        options["destination_template"] = check_destination_template(
            destination_template, upload.header
        )
    mapping = check_mapping(
        mapping, upload.header, content_type, templated=bool(destination_template)
    )
    by_field = {target: column for column, target in mapping.items() if target}

    def column_for(field):
        return by_field.get(field) or by_field.get(f"content.{field}") or ""

    logo = _logo(workspace, options.get("logo"))
    fake_job = Job(workspace=workspace, created_by=actor)
    failed: dict[int, ValidationError] = {}
    created: dict[int, object] = {}
    numbers: list[int] = []
    try:
        with transaction.atomic():
            pending = []
            groups: dict = {}
            with upload.file.open("rb") as file:
                for number, cells, formulas in iter_rows(file, _table(upload)):
                    numbers.append(number)
                    try:
                        arguments, group = row_arguments(
                            cells, formulas, upload.header, mapping, options
                        )
                        arguments["logo"] = logo
                        if group:
                            if group not in groups:
                                groups[group] = _group_for_import(fake_job, group)
                            arguments["group"] = groups[group]
                        pending.append((number, arguments))
                    except ValidationError as exc:
                        failed[number] = exc
                    if len(numbers) >= rows:
                        break
            pending = without_duplicates(workspace, pending, {}, failed)
            for number, code in create_or_refuse(workspace, actor, pending, failed):
                created[number] = {
                    "name": code.name,
                    "encodes": code_services.code_payload(code) if not code.is_dynamic else "",
                    "destination": code.destination,
                    "external_id": code.external_id,
                    "group": code.group.name if code.group else "",
                    "kind": code.get_kind_display(),
                }
            raise _Preview
    except _Preview:
        pass
    return [
        {
            "row": number,
            "code": created.get(number),
            "errors": _error_items(failed[number], column_for) if number in failed else [],
        }
        for number in numbers
    ]
