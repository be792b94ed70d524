"""POST /labels (a PDF for small runs, a 202 job above), GET /label-sheets (the presets)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from codes.rendering import sheets as engine
from jobs import services
from jobs.api.serializers import FilterSerializer, JobSerializer
from jobs.api.views import accepted, filter_source
from jobs.services.labels import DEFAULT_SCAN_DISTANCE_M, LINE_FIELDS
from qrsite.api.serializers import StrictSerializer
from qrsite.api.views import ApiView

OPTION_FIELDS = ("sheet", "print_shop", "lines", "start_at", "copies", "font_size", "align",
                 "code_size", "padding", "scan_distance_m", "background")  # fmt: skip


class LabelsSerializer(StrictSerializer):
    codes = serializers.ListField(child=serializers.CharField(), required=False, min_length=1)
    group = serializers.CharField(required=False, help_text="A group's slug or id.")
    job = serializers.CharField(required=False, help_text="The codes an import job created.")
    filter = serializers.DictField(required=False, help_text="Like GET /codes: q, group, type, "
                                   "content_type, active.")  # fmt: skip
    sheet = serializers.JSONField(
        default="avery-l7163",
        help_text="A preset id from GET /label-sheets, or a custom grid: {page_size (a4, "
        "letter, a5) or page_width and page_height, columns, rows, label_width, label_height, "
        "left, top, column_gap, row_gap, corner_radius, round}, all in mm.",
    )
    print_shop = serializers.DictField(
        required=False,
        help_text="Instead of a sheet: pieces for a print shop, {trim_width, trim_height, "
        "bleed (mm, default 3), columns, rows}, with crop marks.",
    )
    lines = serializers.ListField(
        child=serializers.CharField(), default=["name", "short_url"], max_length=engine.MAX_LINES,
        help_text=f"Up to {engine.MAX_LINES} text lines: {', '.join(LINE_FIELDS)}, "
        "metadata.<key>, or text:<fixed words>.",
    )  # fmt: skip
    start_at = serializers.IntegerField(default=1, help_text="The first free label on the first "
                                        "sheet (1 = top left), for partly used sheets.")  # fmt: skip
    copies = serializers.IntegerField(default=1, help_text="Labels per code (a shelf's worth).")
    font_size = serializers.FloatField(default=9.0, help_text="Points; shrunk to fit, to 5 pt.")
    align = serializers.ChoiceField(choices=["left", "center", "right"], default="left")
    code_size = serializers.FloatField(required=False, allow_null=True, help_text="mm across, "
                                       "quiet zone included; default: as large as fits.")  # fmt: skip
    padding = serializers.FloatField(default=2.0, help_text="mm kept clear inside the label edge.")
    scan_distance_m = serializers.FloatField(default=DEFAULT_SCAN_DISTANCE_M, help_text="How far "
                                             "away the code is scanned from; sets its minimum "
                                             "printed size.")  # fmt: skip
    background = serializers.CharField(required=False, help_text="Label background colour; on "
                                       "print-shop pieces it fills the bleed.")  # fmt: skip
    # A plain string, not a choice: drf-spectacular would name its enum after the field and
    # collide with /render's `format` enum.
    format = serializers.RegexField(
        r"^(pdf|png)$", default="pdf",
        help_text="pdf, or png: a proof of the first page (outlines drawn), whatever the run's size.",
    )  # fmt: skip

    def validate(self, attrs):
        given = [k for k in ("codes", "group", "job", "filter") if k in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"codes": "Name the codes one way: codes, group, job or filter."}
            )
        return attrs


LABELS_DOC = {
    "tags": ["jobs"],
    "summary": "Print labels: a PDF of label sheets or print-shop pieces",
    "description": (
        f"Up to {settings.LABELS_SYNC_MAX} labels: the PDF itself (200, application/pdf; "
        "X-Label-Count and X-Page-Count headers). More: 202 with a `labels` job "
        "(Location: the job; its result is the PDF). `format: png` returns a proof of the first "
        "page with the label outlines drawn. A code that would print too small to scan is "
        "refused (400 on code_size) with the smallest size that works. Needs the write scope."
    ),
    "request": LabelsSerializer,
    "responses": {
        200: OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf or image/png"),
        202: JobSerializer,
    },
    "examples": [
        OpenApiExample("A group on Avery L7163", request_only=True, value={
            "sheet": "avery-l7163", "group": "spring-shelves", "lines": ["name", "short_url"],
            "start_at": 5}),
        OpenApiExample("Print shop, 3 mm bleed", request_only=True, value={
            "print_shop": {"trim_width": 85, "trim_height": 55, "bleed": 3},
            "codes": ["code_7Hq2LmN8xYp1aB3c"], "lines": ["name"], "background": "#FFD60A"}),
    ],
}  # fmt: skip


class LabelsView(ApiView):
    required_scopes = {"POST": "write"}

    @extend_schema(**LABELS_DOC)
    def post(self, request):
        serializer = LabelsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "filter" in data:
            query = FilterSerializer(data=data["filter"])
            query.is_valid(raise_exception=True)
            source = {
                "filter": filter_source(self.workspace, query.validated_data, sandbox=self.sandbox)
            }
        else:
            source = {k: data[k] for k in ("codes", "group", "job") if k in data}
        given = {k: data[k] for k in OPTION_FIELDS if k in data and data[k] is not None}
        options = services.label_options(**given)
        args = {"workspace": self.workspace, "actor": self.actor, "source": source,
                "options": options, "sandbox": self.sandbox}  # fmt: skip
        if data["format"] == "png":
            proof = services.labels_proof(**args)
            response = HttpResponse(proof["png"], content_type="image/png")
            return _counted(response, proof["labels"], proof["pages"])
        count = services.labels_count(**args)
        if count > settings.LABELS_SYNC_MAX:
            return accepted(self, services.labels_start(**args))
        pdf, pages = services.labels_pdf(**args)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="labels.pdf"'
        return _counted(response, count, pages)


def _counted(response, labels: int, pages: int):
    response["X-Label-Count"] = str(labels)
    response["X-Page-Count"] = str(pages)
    return response


class SheetSerializer(serializers.Serializer):
    id = serializers.CharField(source="key")
    title = serializers.CharField()
    page_width = serializers.FloatField()
    page_height = serializers.FloatField()
    columns = serializers.IntegerField()
    rows = serializers.IntegerField()
    per_sheet = serializers.IntegerField()
    label_width = serializers.FloatField()
    label_height = serializers.FloatField()
    left = serializers.FloatField()
    top = serializers.FloatField()
    column_gap = serializers.FloatField()
    row_gap = serializers.FloatField()
    corner_radius = serializers.FloatField()
    round = serializers.BooleanField()


class SheetListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SheetSerializer(many=True)


class LabelSheetsView(ApiView):
    required_scopes = {"GET": "read"}

    @extend_schema(
        tags=["jobs"],
        summary="The label sheet presets, with their dimensions in mm",
        responses={200: SheetListSerializer},
    )
    def get(self, request):
        sheets = list(engine.PRESETS.values())
        return Response({"count": len(sheets), "results": SheetSerializer(sheets, many=True).data})
