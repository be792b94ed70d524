"""Dashboard pages: the jobs list, a job's live progress, the import (upload, map, preview,
start), the ZIP export of a selection and the Print page (label sheets)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import editor_required, workspace_required
from codes import selectors as code_selectors
from jobs import selectors, services
from jobs.api.serializers import progress
from jobs.forms import ExportForm, MappingForm, UploadForm
from jobs.mapping import guess_mapping
from jobs.services.imports import FileRefused, import_preview_check
from jobs.services.labels import LINE_FIELDS
from qrsite.content_policy import uploaded_file_headers_set
from qrsite.forms import add_service_errors
from qrsite.htmx import go, page_or_fragment

MATCH_FIELDS = ("q", "group", "kind", "type", "status")


@workspace_required
def job_list(request):
    jobs = selectors.job_list_for_workspace(workspace=request.workspace)
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page, "jobs": page.object_list})


@workspace_required
def job_detail(request, job_id):
    job = selectors.job_get_for_workspace(workspace=request.workspace, public_id=job_id)
    context = {
        "job": job,
        "progress": progress(job),
        "failed_rows": selectors.job_failed_rows(job=job) if job.is_finished else [],
        "expired": bool(job.result_expires_at and job.result_expires_at < timezone.now()),
        "can_edit": request.membership.can_edit,
        "export_form": ExportForm(),
    }
    return page_or_fragment(request, "jobs/detail.html", context, fragment="status")


@editor_required
@require_POST
def job_cancel(request, job_id):
    job = selectors.job_get_for_workspace(workspace=request.workspace, public_id=job_id)
    try:
        services.job_cancel(job=job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The job stops after the chunk it is working on.")
    return go(request, reverse("jobs:detail", args=[job.public_id]))


def _download(request, job_id, field):
    job = selectors.job_get_for_workspace(workspace=request.workspace, public_id=job_id)
    file = getattr(job, field)
    if not file or (job.result_expires_at and job.result_expires_at < timezone.now()):
        raise Http404("This file is not there (any more).")
    name = file.name.rsplit("/", 1)[-1]
    return uploaded_file_headers_set(
        FileResponse(file.open("rb"), as_attachment=True, filename=f"{job.public_id}-{name}")
    )


@workspace_required
def job_result(request, job_id):
    return _download(request, job_id, "result_file")


@workspace_required
def job_errors(request, job_id):
    return _download(request, job_id, "errors_file")


# --- import ---------------------------------------------------------------------------------------


@editor_required
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            file = form.cleaned_data["file"]
            try:
                upload = services.import_file_create(
                    workspace=request.workspace, actor=request.user, file=file, name=file.name
                )
            except FileRefused as exc:
                form.add_error("file", exc.messages[0])
                status = exc.status
            else:
                url = reverse("jobs:import_map", args=[upload.public_id])
                return redirect(f"{url}?as={form.cleaned_data['row_kind']}")
        else:
            status = 400
    return render(request, "jobs/import_upload.html", {"form": form}, status=status)


def _templates(request):
    return list(code_selectors.brand_template_list_for_workspace(workspace=request.workspace))


def _template(request, form):
    public_id = form.cleaned_data.get("template")
    if not public_id:
        return None
    return code_selectors.brand_template_get_for_workspace(
        workspace=request.workspace, public_id=public_id
    )


@editor_required
def import_map(request, upload_id):
    upload = selectors.import_file_get_for_workspace(
        workspace=request.workspace, public_id=upload_id
    )
    row_kind = request.POST.get("row_kind") or request.GET.get("as") or "dynamic:url"
    content_type = row_kind.partition(":")[2] or "url"
    templates = _templates(request)
    initial = {"row_kind": row_kind, "mode": "all_or_nothing"}
    guessed = guess_mapping(upload.header, content_type) if content_type else {}
    form = MappingForm(
        request.POST or None,
        header=upload.header,
        content_type=content_type,
        initial_mapping=guessed,
        templates=templates,
        initial=initial,
    )
    preview, status = None, 200
    if request.method == "POST" and form.is_valid():
        kind, content_type = form.kind_and_type()
        arguments = {
            "mapping": form.mapping(),
            "kind": kind,
            "content_type": content_type,
            "template": _template(request, form),
            "destination_template": form.cleaned_data.get("destination_template", ""),
        }
        try:
            if request.POST.get("start"):
                job = services.import_start(
                    upload=upload, actor=request.user, mode=form.cleaned_data["mode"], **arguments
                )
                return go(request, reverse("jobs:detail", args=[job.public_id]))
            preview = import_preview_check(upload=upload, actor=request.user, **arguments)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
    elif request.method == "GET":
        try:
            preview = import_preview_check(
                upload=upload, actor=request.user, mapping=guessed,
                kind=row_kind.partition(":")[0], content_type=content_type,
            )  # fmt: skip
        except ValidationError:
            # The guessed mapping does not do yet (no URL column: a mail merge's list): the
            # page asks for the mapping; an unbound form cannot carry errors.
            preview = None
    elif request.method == "POST":
        status = 400
    context = {"upload": upload, "form": form, "preview": preview,
               "preview_errors": sum(1 for p in preview or [] if p["errors"])}  # fmt: skip
    return page_or_fragment(
        request, "jobs/import_map.html", context, fragment="preview", status=status
    )


# --- export ---------------------------------------------------------------------------------------


def _selection(request) -> tuple[dict, str]:
    """The source the list, a group page or a job page posted, and a sentence naming it."""
    data = request.POST
    if data.get("job"):
        return {"job": data["job"]}, "the codes this job created"
    if data.get("all_matching"):
        params = QueryDict(mutable=True)
        for name in MATCH_FIELDS:
            if data.get(f"match_{name}"):
                params[name] = data[f"match_{name}"]
        from codes.views.listing import FilterForm

        groups = code_selectors.group_choices_for_workspace(
            workspace=request.workspace, include_archived=True
        )
        query = FilterForm(params, groups=list(groups)).query()
        query["group"] = query["group"].public_id if query.get("group") else None
        if data.get("list_group"):
            query["group"] = data["list_group"]
        query = {k: v for k, v in query.items() if v not in (None, False)}
        return {"filter": query}, "every code matching the list's filters"
    ids = data.getlist("codes")
    return {"codes": ids}, f"{len(ids)} selected code{'s' if len(ids) != 1 else ''}"


@editor_required
@require_POST
def export_create(request):
    source, described = _selection(request)
    form = ExportForm(request.POST if request.POST.get("formats") else None)
    hidden = [(k, v) for k in request.POST for v in request.POST.getlist(k)
              if k not in ("csrfmiddlewaretoken", "formats", "size", "filename", "action")]  # fmt: skip
    if form.is_bound and form.is_valid():
        try:
            job = services.export_start(
                workspace=request.workspace,
                actor=request.user,
                source=source,
                formats=form.cleaned_data["formats"],
                size=form.cleaned_data["size"],
                filename=form.cleaned_data["filename"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return go(request, reverse("jobs:detail", args=[job.public_id]))
    context = {"form": form, "hidden": hidden, "described": described}
    status = 400 if form.errors and not request.htmx else 200  # htmx swaps no 4xx
    response = render(request, "jobs/export.html", context, status=status)
    if request.htmx:
        # Posted by the codes list's form, whose htmx target is its results: this is a page.
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML show:top"
    return response


# --- print labels ---------------------------------------------------------------------------------

PRINT_SOURCE_FIELDS = ("print_group", "print_code", "job", "codes", "all_matching", "list_group")


def _print_source(request) -> tuple[dict, str, list[tuple[str, str]]]:
    """What to print (from the list's bulk form, a group, a job or a code page), a sentence
    naming it, and the hidden fields that carry it through the Print page's own posts."""
    data = request.POST if request.method == "POST" else request.GET
    if data.get("print_group"):
        group = code_selectors.group_get_for_workspace(
            workspace=request.workspace, public_id=data["print_group"]
        )
        source, described = {"group": group.public_id}, f"the codes of “{group.name}”"
    elif data.get("print_code"):
        code = code_selectors.code_get_for_workspace(
            workspace=request.workspace, public_id=data["print_code"]
        )
        source, described = {"codes": [code.public_id]}, f"“{code.name or code.public_id}”"
    elif request.method == "GET" and data.get("job"):
        source, described = {"job": data["job"]}, "the codes this job created"
    else:
        source, described = _selection(request)
    hidden = [
        (k, v)
        for k in data
        if k in PRINT_SOURCE_FIELDS or k.startswith("match_")
        for v in data.getlist(k)
    ]
    return source, described, hidden


@editor_required
def print_labels(request):
    """The Print page: options, a proof of the first page (HTMX swaps it as options change;
    without JS the Update proof button does), and the download (a job when it is large)."""
    from base64 import b64encode

    from django.conf import settings

    from jobs.forms import PrintForm

    source, described, hidden = _print_source(request)
    bound = request.method == "POST" and "sheet" in request.POST
    initial = {"copies": 14} if request.GET.get("print_code") else {}
    form = PrintForm(request.POST if bound else None, initial=initial)
    proof = None
    status = 200
    if not bound:
        form = PrintForm({**{n: f.initial for n, f in form.fields.items()}, **initial})
    if form.is_valid():
        args = {"workspace": request.workspace, "actor": request.user, "source": source}
        try:
            options = services.label_options(**form.options())
            if request.POST.get("do") == "download":
                if services.labels_count(**args, options=options) > settings.LABELS_SYNC_MAX:
                    job = services.labels_start(**args, options=options)
                    return go(request, reverse("jobs:detail", args=[job.public_id]))
                pdf, _pages = services.labels_pdf(**args, options=options)
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = 'attachment; filename="labels.pdf"'
                return response
            proof = services.labels_proof(**args, options=options)
            proof["src"] = "data:image/png;base64," + b64encode(proof["png"]).decode()
        except ValidationError as exc:
            _form_errors(form, exc)
    if form.errors:
        status = 400 if not request.htmx else 200  # htmx swaps no 4xx
    context = {"form": form, "proof": proof, "hidden": hidden, "described": described,
               "sync_max": settings.LABELS_SYNC_MAX, "line_fields": LINE_FIELDS}  # fmt: skip
    if request.htmx and not bound:
        # Posted by the codes list's bulk form, whose htmx target is its results: a page.
        response = render(request, "jobs/print.html", context)
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML show:top"
        return response
    return page_or_fragment(request, "jobs/print.html", context, fragment="proof", status=status)


def _form_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, reasons in exc.message_dict.items():
        field = form.field_for(name)
        form.add_error(field if field in form.fields else None, reasons)
