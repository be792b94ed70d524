"""Shapes of the jobs API: a job as JSON, and the bodies that start imports and exports."""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from codes.models import Kind as CodeKind
from codes.rendering import CONTENT_TYPES
from jobs.models import Job, Status
from jobs.services.exports import FORMATS, NAME_COLUMNS
from jobs.services.imports import MODES
from qrsite.api.serializers import StrictSerializer


def progress(job: Job) -> dict:
    """done / total, and while running the rate and the time left of the current phase."""
    rate = seconds_left = None
    since = job.phase_started_at or job.started_at
    if job.status == Status.RUNNING and since and job.done:
        elapsed = max((timezone.now() - since).total_seconds(), 0.001)
        rate = job.done / elapsed
        seconds_left = max(job.total - job.done, 0) / rate
    return {
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "rate_per_second": round(rate, 1) if rate else None,
        "seconds_left": round(seconds_left) if seconds_left is not None else None,
    }


class JobSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    kind = serializers.CharField()
    status = serializers.CharField()
    phase = serializers.CharField()
    progress = serializers.SerializerMethodField()
    summary = serializers.JSONField()
    error = serializers.CharField(source="error_summary")
    cancel_requested = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    result_url = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()
    result_expires_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_progress(self, job) -> dict:
        return progress(job)

    def get_cancel_requested(self, job) -> bool:
        return job.cancel_requested_at is not None

    def get_created_by(self, job) -> str | None:
        return job.created_by.email if job.created_by else None

    def _link(self, job, name):
        request = self.context.get("request")
        path = reverse(f"api:v1:{name}", kwargs={"id": job.public_id})
        return request.build_absolute_uri(path) if request else path

    def _file_link(self, job, field, name) -> str | None:
        if not getattr(job, field):
            return None
        if job.result_expires_at and job.result_expires_at < timezone.now():
            return None
        return self._link(job, name)

    def get_result_url(self, job) -> str | None:
        return self._file_link(job, "result_file", "job-result")

    def get_errors_url(self, job) -> str | None:
        return self._file_link(job, "errors_file", "job-errors")

    def get_url(self, job) -> str:
        return self._link(job, "job-detail")


class ImportSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text=f"CSV (UTF-8) or XLSX, a header row, at most "
        f"{settings.JOBS_IMPORT_MAX_ROWS:,} rows and {settings.JOBS_IMPORT_MAX_BYTES // 2**20} MB."
    )
    mapping = serializers.CharField(
        help_text='JSON object from column name to field, e.g. {"url": "destination", '
        '"sku": "external_id"}. Fields: destination, name, external_id, group, slug, metadata '
        "(keyed by the column), metadata.<key>, content.<field> for static content types."
    )
    mode = serializers.ChoiceField(choices=MODES, default="all_or_nothing")
    type = serializers.ChoiceField(choices=CodeKind.values, default=CodeKind.DYNAMIC)
    content_type = serializers.ChoiceField(choices=list(CONTENT_TYPES), default="url")
    template = serializers.CharField(required=False, help_text="A brand style's id (tpl_...).")
    destination_template = serializers.CharField(
        required=False,
        help_text="A mail merge: each row's destination from its columns, e.g. "
        "https://example.com/offer?c={customer_id}&utm_source=mail&utm_campaign={campaign} "
        "(values percent-encoded). The results CSV is then the merge file: the file's columns, "
        "short_url, code_id, image_file (the name in the ZIP of POST /exports {job}).",
    )

    def validate_mapping(self, value):
        try:
            mapping = json.loads(value)
        except ValueError:
            raise serializers.ValidationError("Send the mapping as a JSON object.") from None
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str | None) for k, v in mapping.items()
        ):
            raise serializers.ValidationError("Send an object from column name to field name.")
        return mapping


class ExportSerializer(StrictSerializer):
    codes = serializers.ListField(child=serializers.CharField(), required=False, min_length=1)
    group = serializers.CharField(required=False, help_text="A group's slug or id.")
    job = serializers.CharField(required=False, help_text="The codes an import job created.")
    filter = serializers.DictField(
        required=False,
        help_text="Like GET /codes: q, group, type, content_type, active.",
    )
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=FORMATS), default=["png"], min_length=1
    )
    size = serializers.IntegerField(default=400, min_value=64, max_value=4096)
    filename = serializers.ChoiceField(choices=NAME_COLUMNS, default="external_id")

    def validate(self, attrs):
        given = [k for k in ("codes", "group", "job", "filter") if k in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"codes": "Name the codes one way: codes, group, job or filter."}
            )
        return attrs


class FilterSerializer(StrictSerializer):
    q = serializers.CharField(required=False, max_length=200)
    group = serializers.CharField(required=False)
    type = serializers.ChoiceField(choices=CodeKind.values, required=False)
    content_type = serializers.ChoiceField(choices=list(CONTENT_TYPES), required=False)
    active = serializers.BooleanField(required=False)


class BulkAsyncSerializer(StrictSerializer):
    codes = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=settings.JOBS_IMPORT_MAX_ROWS
    )
    defaults = serializers.DictField(required=False)
