"""The jobs API: start imports and exports (202 + Location), poll, cancel, download results.
Write scope starts and cancels, read scope polls and downloads."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from codes import selectors as code_selectors
from jobs import selectors, services
from jobs.api import schema_docs as docs
from jobs.api.serializers import (
    BulkAsyncSerializer,
    ExportSerializer,
    FilterSerializer,
    ImportSerializer,
    JobSerializer,
)
from jobs.models import Job
from jobs.services.imports import FileRefused
from qrsite.api.errors import ApiError
from qrsite.api.views import ApiView, ApiViewSet
from qrsite.content_policy import uploaded_file_headers_set


def accepted(view, job: Job, *, headers: dict | None = None) -> Response:
    data = JobSerializer(job, context={"request": view.request}).data
    return Response(
        data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"], **(headers or {})}
    )


class JobViewSet(ApiViewSet):
    queryset = Job.objects.none()  # for the schema generator
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return JobSerializer

    def get_job(self) -> Job:
        return selectors.job_get_for_workspace(
            workspace=self.workspace, public_id=self.kwargs["id"], sandbox=self.sandbox
        )

    @extend_schema(**docs.LIST)
    def list(self, request):
        jobs = selectors.job_list_for_workspace(
            workspace=self.workspace,
            kind=request.query_params.get("kind") or None,
            sandbox=self.sandbox,
        )
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(
            JobSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(**docs.RETRIEVE)
    def retrieve(self, request, id=None):
        return Response(JobSerializer(self.get_job(), context={"request": request}).data)

    @extend_schema(**docs.CANCEL)
    @action(detail=True, methods=["post"])
    def cancel(self, request, id=None):
        job = services.job_cancel(job=self.get_job(), actor=self.actor)
        return Response(JobSerializer(job, context={"request": request}).data)

    def _file(self, field: str):
        job = self.get_job()
        file = getattr(job, field)
        if not file:
            raise Http404("This job has no such file (yet).")
        if job.result_expires_at and job.result_expires_at < timezone.now():
            raise Http404(f"This job's files expired on {job.result_expires_at:%Y-%m-%d}.")
        name = file.name.rsplit("/", 1)[-1]
        return uploaded_file_headers_set(
            FileResponse(file.open("rb"), as_attachment=True, filename=f"{job.public_id}-{name}")
        )

    @extend_schema(**docs.RESULT)
    @action(detail=True, methods=["get"])
    def result(self, request, id=None):
        return self._file("result_file")

    @extend_schema(**docs.ERRORS)
    @action(detail=True, methods=["get"])
    def errors(self, request, id=None):
        return self._file("errors_file")


class ImportView(ApiView):
    required_scopes = {"POST": "write"}
    parser_classes = [MultiPartParser]
    streamed_body = True

    def max_body_bytes(self) -> int:
        # The file's own limit is checked (and named) once it is read; this bounds the rest.
        return settings.JOBS_IMPORT_MAX_BYTES + 1024 * 1024

    @extend_schema(**docs.IMPORT)
    def post(self, request):
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = None
        if data.get("template"):
            try:
                template = code_selectors.brand_template_get_for_workspace(
                    workspace=self.workspace, public_id=data["template"]
                )
            except Http404:
                raise ApiError(
                    "validation_error", "No such brand style in this workspace.", field="template"
                ) from None
        file = data["file"]
        try:
            upload = services.import_file_create(
                workspace=self.workspace, actor=self.actor, file=file, name=file.name
            )
        except FileRefused as exc:
            if exc.status == 413:
                raise ApiError("payload_too_large", exc.messages[0], field="file") from None
            raise
        job = services.import_start(
            upload=upload,
            actor=self.actor,
            mapping=data["mapping"],
            mode=data["mode"],
            kind=data["type"],
            content_type=data["content_type"],
            template=template,
            destination_template=data.get("destination_template", ""),
            sandbox=self.sandbox,
        )
        return accepted(self, job)


class ExportView(ApiView):
    required_scopes = {"POST": "write"}

    @extend_schema(**docs.EXPORT)
    def post(self, request):
        serializer = ExportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "filter" in data:
            query = FilterSerializer(data=data["filter"])
            query.is_valid(raise_exception=True)
            source = {"filter": self._filter(query.validated_data)}
        else:
            source = {k: data[k] for k in ("codes", "group", "job") if k in data}
        job = services.export_start(
            workspace=self.workspace,
            actor=self.actor,
            source=source,
            formats=data["formats"],
            size=data["size"],
            filename=data["filename"],
            sandbox=self.sandbox,
        )
        return accepted(self, job)

    def _filter(self, given: dict) -> dict:
        return filter_source(self.workspace, given, sandbox=self.sandbox)


def filter_source(workspace, given: dict, *, sandbox: bool = False) -> dict:
    """An export's or a label run's `filter` as `code_list_for_workspace` takes it."""
    query = {
        "search": given.get("q"),
        "kind": given.get("type"),
        "content_type": given.get("content_type"),
        "is_active": given.get("active"),
    }
    if given.get("group"):
        value = given["group"]
        lookup = {"public_id": value} if value.startswith("grp_") else {"slug": value}
        try:
            group = code_selectors.group_get_for_workspace(
                workspace=workspace, sandbox=sandbox, **lookup
            )
        except Http404:
            raise ApiError(
                "validation_error",
                f"No group “{value}” in this workspace.",
                field="filter.group",
            ) from None
        query["group"] = group.public_id
    return {k: v for k, v in query.items() if v is not None}


def bulk_create_async(*, view, request) -> Response:
    """POST /codes/bulk answered with a job (installed into codes at start-up)."""
    serializer = BulkAsyncSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    job = services.bulk_create_start(
        workspace=view.workspace,
        actor=view.actor,
        codes=serializer.validated_data["codes"],
        defaults=serializer.validated_data.get("defaults") or {},
        sandbox=view.sandbox,
    )
    return accepted(view, job, headers={"Preference-Applied": "respond-async"})
