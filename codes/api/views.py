"""The codes API: validate the shape, call a service or selector, serialise. Every object is
fetched through a workspace-scoped selector, so another workspace's id is a 404."""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from codes import read_cache, selectors, services
from codes.api import schema_docs as docs
from codes.api.bulk_async import bulk_async_handler, prefers_async
from codes.api.filters import CodeFilter
from codes.api.lookups import (
    code_create_from_input,
    codes_create_from_input,
    resolve_group,
    resolve_logo,
)
from codes.api.renderers import FORMAT_BY_MEDIA_TYPE, JSON_AND_IMAGES
from codes.api.serializers import (
    BulkCreateSerializer,
    BulkIdsSerializer,
    BulkUpdateSerializer,
    CheckReportSerializer,
    CodeCreateSerializer,
    CodeSerializer,
    CodeUpdateSerializer,
    DestinationChangeSerializer,
    GroupCreateSerializer,
    GroupSerializer,
    GroupUpdateSerializer,
    ImageQuerySerializer,
    RenderSerializer,
)
from codes.models import CampaignGroup, QRCode
from codes.render_errors import engine_refusals
from codes.rendering import (
    RASTER_FORMATS,
    Style,
    check,
    content_type_for,
    encode_content,
    ensure_deliverable,
    render,
)
from codes.validation import validate_destination
from qrsite.api.errors import django_error_items, flatten_errors, validation_response
from qrsite.api.views import ApiView, ApiViewSet

API_NAMES = {"kind": "type"}
# One instance validates every image request's query: its fields hold no per-request state,
# and building them costs more than the checks on the warm image path.
_IMAGE_QUERY = ImageQuerySerializer()


@functools.lru_cache(maxsize=512)
def _image_options(query_string: str) -> tuple:
    """The image request's validated options: the same query always validates the same way,
    and an integrator's cached images repeat theirs. A refused query raises (never kept)."""
    return tuple(_IMAGE_QUERY.run_validation(QueryDict(query_string)).items())


# A year: what a versioned image URL answers never changes (RFC 9111 "immutable").
IMAGE_MAX_AGE = 365 * 24 * 3600


def _etag_matches(etag: str, header: str) -> bool:
    """RFC 9110 If-None-Match: `*` or a list of tags, weak ones (W/) compared weakly."""
    if header.strip() == "*":
        return True
    tags = (tag.strip() for tag in header.split(","))
    return any(tag.removeprefix("W/") == etag for tag in tags if tag)


def _image_response(body: bytes, fmt: str, name: str, *, status_code=200) -> HttpResponse:
    response = HttpResponse(body, status=status_code, content_type=content_type_for(fmt))
    response["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return response


class CodeViewSet(ApiViewSet):
    queryset = QRCode.objects.none()  # for the schema generator; requests use the selectors
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    filterset_class = CodeFilter
    error_field_aliases = API_NAMES
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @property
    def cursor_ordering(self):
        if self.action == "destinations":
            return ("-changed_at", "-id")
        return ("-created_at", "-id")

    def get_renderers(self):
        if self.action in ("create", "image"):
            return [renderer() for renderer in JSON_AND_IMAGES]
        return super().get_renderers()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no caller
            return QRCode.objects.none()
        return selectors.code_list_for_workspace(workspace=self.workspace, sandbox=self.sandbox)

    def get_serializer_class(self):  # for the schema generator only
        return CodeSerializer

    def get_code(self):
        return selectors.code_get_for_workspace(
            workspace=self.workspace, public_id=self.kwargs["id"], sandbox=self.sandbox
        )

    def generations_to_read(self, request, principal) -> list[str]:
        if self.action == "image" and read_cache.enabled():
            return [read_cache.generation_key(principal.workspace.pk)]
        return []

    def _code_generation(self, request) -> int | None:
        """The workspace's code generation as the rate limit's round trip read it; None when
        Redis could not be read (nothing kept is trusted then)."""
        read = request._ratelimit.read
        if read is None or not read_cache.enabled():
            return None
        found = read.get(read_cache.generation_key(self.workspace.pk))
        # Not started yet, or lost with Redis's data: start it (never trusting older entries).
        return found if found is not None else read_cache.generation(self.workspace.pk)

    def _out(self, code, **context):
        return CodeSerializer(code, context={"request": self.request, **context}).data

    def _location(self, code) -> str:
        path = reverse("api:v1:code-detail", kwargs={"id": code.public_id})
        return self.request.build_absolute_uri(path)

    @extend_schema(**docs.LIST)
    def list(self, request):
        codes = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(codes)
        return self.get_paginated_response(
            CodeSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(**docs.CREATE)
    def create(self, request):
        serializer = CodeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        size = data["size"]
        image_format = FORMAT_BY_MEDIA_TYPE.get(request.accepted_media_type)
        with transaction.atomic():
            code = code_create_from_input(
                workspace=self.workspace, actor=self.actor, data=data, sandbox=self.sandbox
            )
            if image_format:
                body = services.code_image(code=code, format=image_format, size=size)
        if image_format:
            response = _image_response(body, image_format, code.public_id, status_code=201)
            response["Location"] = self._location(code)
            return response
        return Response(
            self._out(code),
            status=status.HTTP_201_CREATED,
            headers={"Location": self._location(code)},
        )

    @extend_schema(**docs.RETRIEVE)
    def retrieve(self, request, id=None):
        return Response(self._out(self.get_code()))

    @extend_schema(**docs.UPDATE)
    def partial_update(self, request, id=None):
        code = self.get_code()
        serializer = CodeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        with transaction.atomic():
            if "group" in changes:
                changes["group"] = resolve_group(
                    workspace=self.workspace,
                    actor=self.actor,
                    value=changes["group"],
                    sandbox=self.sandbox,
                )
            if "logo" in changes:
                changes["logo"] = resolve_logo(
                    workspace=self.workspace, value=changes["logo"], sandbox=self.sandbox
                )
            if "style" in changes:
                changes["style"] = {**code.style, **changes["style"]}
            code = services.code_update(code=code, actor=self.actor, **changes)
        return Response(self._out(code))

    @extend_schema(**docs.DESTROY)
    def destroy(self, request, id=None):
        services.code_delete(code=self.get_code(), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(**docs.IMAGE)
    @action(detail=True, methods=["get"])
    def image(self, request, id=None):
        code = selectors.code_get_for_image(
            workspace=self.workspace,
            public_id=id,
            sandbox=self.sandbox,
            generation=self._code_generation(request),
        )
        options = dict(_image_options(request.META.get("QUERY_STRING", "")))
        version = options.pop("v", None)
        options.setdefault("format", code.image_format)
        options.setdefault("size", code.image_size)
        # The image depends on what the code encodes and how it looks, never on where a
        # dynamic code redirects: the ETag is answered without rendering.
        digest = services.code_image_digest(code=code, **options)
        etag = f'"{digest[:32]}"'
        if _etag_matches(etag, request.headers.get("If-None-Match", "")):
            response = HttpResponse(status=304)
        else:
            body = services.code_image(code=code, digest=digest, **options)
            response = _image_response(body, options["format"], code.public_id)
        response["ETag"] = etag
        design_options = {"format": code.image_format, "size": code.image_size, "dpi": 300}
        if options == {**design_options, "transparent": False}:
            design_version = digest[:16]  # this is the design's own image
        else:
            design_version = services.code_image_digest(code=code, **design_options)[:16]
        if version is not None and version == design_version:
            # The versioned URL names this very design: its bytes never change.
            response["Cache-Control"] = f"private, max-age={IMAGE_MAX_AGE}, immutable"
        else:
            # Same URL, possibly a new design after a PATCH: keep it, but ask (304) each time.
            response["Cache-Control"] = "private, no-cache"
        response["Vary"] = "Authorization, Cookie"
        return response

    @extend_schema(**docs.DESTINATIONS)
    @action(detail=True, methods=["get"])
    def destinations(self, request, id=None):
        history = selectors.destination_history_for_code(code=self.get_code()).select_related(
            "restored_from"
        )
        page = self.paginate_queryset(history)
        return self.get_paginated_response(DestinationChangeSerializer(page, many=True).data)

    @extend_schema(**docs.ROLLBACK)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"destinations/(?P<change_id>[^/]+)/rollback",
        url_name="rollback",
    )
    def rollback(self, request, id=None, change_id=None):
        code = self.get_code()
        change = selectors.destination_change_get_for_code(code=code, public_id=change_id)
        code = services.code_rollback_destination(code=code, change=change, actor=self.actor)
        return Response(self._out(code))

    # --- bulk -----------------------------------------------------------------------------------

    @extend_schema(**docs.BULK_CREATE)
    @action(detail=False, methods=["post"], url_path="bulk", url_name="bulk")
    def bulk_create(self, request):
        handler = bulk_async_handler()
        items = request.data.get("codes") if isinstance(request.data, dict) else None
        wants_job = isinstance(items, list) and (
            len(items) > settings.API_BULK_MAX or prefers_async(request)
        )
        if handler is not None and wants_job:
            return handler(view=self, request=request)
        serializer = BulkCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        defaults = serializer.validated_data.get("defaults", {})
        # One serializer validates every item (as DRF's ListSerializer does): building the
        # ~40 fields a thousand times would cost more than the checks themselves.
        shape = CodeCreateSerializer()
        items, errors = [], []
        for index, raw in enumerate(serializer.validated_data["codes"]):
            try:
                items.append((index, shape.run_validation({**defaults, **raw})))
            except ValidationError as exc:
                errors += [{"index": index, **e} for e in flatten_errors(exc.detail)]
        valid = dict(items)
        created = []
        with transaction.atomic():
            # Items refused for their shape are left out; the others still go to the service,
            # so one answer lists every problem of the batch.
            try:
                if valid:
                    created = codes_create_from_input(
                        workspace=self.workspace,
                        actor=self.actor,
                        items=valid,
                        sandbox=self.sandbox,
                    )
            except services.ItemErrors as exc:
                for index, error in exc.by_index.items():
                    errors += [{"index": index, **e} for e in django_error_items(error)]
            if errors:
                # All or nothing: one refused item undoes the whole batch.
                transaction.set_rollback(True)
        if errors:
            errors.sort(key=lambda e: e["index"])
            return validation_response(request, errors, view=self)
        # One serializer for every code: building its fields a thousand times would cost more
        # than the representations themselves.
        shape_out = CodeSerializer(context={"request": request})
        codes = [shape_out.to_representation(code) for code in created]
        return Response({"count": len(codes), "codes": codes}, status=status.HTTP_201_CREATED)

    def _codes_by_ids(self, ids: list[str]) -> list:
        found = {
            code.public_id: code
            for code in selectors.code_list_for_workspace(
                workspace=self.workspace, sandbox=self.sandbox
            ).filter(public_id__in=ids)
        }
        missing = [
            {"index": i, "field": "ids", "code": "not_found", "message": f"No code “{pk}”."}
            for i, pk in enumerate(ids)
            if pk not in found
        ]
        if missing:
            raise _BulkRefused(missing)
        return [found[pk] for pk in ids]

    @extend_schema(**docs.BULK_UPDATE)
    @action(detail=False, methods=["post"], url_path="bulk/update", url_name="bulk-update")
    def bulk_update(self, request):
        serializer = BulkUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            codes = self._codes_by_ids(data["ids"])
        except _BulkRefused as exc:
            return validation_response(request, exc.errors, view=self)
        with transaction.atomic():
            group = None
            if "group" in data:
                group = resolve_group(
                    workspace=self.workspace,
                    actor=self.actor,
                    value=data["group"],
                    sandbox=self.sandbox,
                )
            updated = []
            for code in codes:
                if data.get("is_active") is True:
                    code = services.code_activate(code=code, actor=self.actor)
                elif data.get("is_active") is False:
                    code = services.code_deactivate(code=code, actor=self.actor)
                if "group" in data:
                    code = services.code_move_to_group(code=code, group=group, actor=self.actor)
                updated.append(code)
        return Response({"count": len(updated), "codes": [self._out(c) for c in updated]})

    @extend_schema(**docs.BULK_DELETE)
    @action(detail=False, methods=["post"], url_path="bulk/delete", url_name="bulk-delete")
    def bulk_delete(self, request):
        serializer = BulkIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            codes = self._codes_by_ids(serializer.validated_data["ids"])
        except _BulkRefused as exc:
            return validation_response(request, exc.errors, view=self)
        with transaction.atomic():
            for code in codes:
                services.code_delete(code=code, actor=self.actor)
        return Response({"count": len(codes)})


class _BulkRefused(Exception):
    def __init__(self, errors):
        self.errors = errors


class GroupViewSet(ApiViewSet):
    queryset = CampaignGroup.objects.none()  # for the schema generator
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"
    cursor_ordering = ("name", "id")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        return GroupSerializer

    def _groups(self):
        include = self.request.query_params.get("include_archived", "").lower() in ("1", "true")
        return selectors.group_list_for_workspace(
            workspace=self.workspace,
            include_archived=include or self.action != "list",
            sandbox=self.sandbox,
        )

    def get_group(self):
        group = self._groups().filter(public_id=self.kwargs["id"]).first()
        if group is None:
            raise Http404("No such group.")
        return group

    def _refetch(self, group):
        return self._groups().get(pk=group.pk)

    @extend_schema(**docs.GROUP_LIST)
    def list(self, request):
        page = self.paginate_queryset(self._groups())
        return self.get_paginated_response(GroupSerializer(page, many=True).data)

    @extend_schema(**docs.GROUP_CREATE)
    def create(self, request):
        serializer = GroupCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = services.group_create(
            workspace=self.workspace,
            actor=self.actor,
            sandbox=self.sandbox,
            **serializer.validated_data,
        )
        return Response(GroupSerializer(self._refetch(group)).data, status=status.HTTP_201_CREATED)

    @extend_schema(**docs.GROUP_RETRIEVE)
    def retrieve(self, request, id=None):
        return Response(GroupSerializer(self.get_group()).data)

    @extend_schema(**docs.GROUP_UPDATE)
    def partial_update(self, request, id=None):
        group = self.get_group()
        serializer = GroupUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        archived = changes.pop("archived", None)
        with transaction.atomic():
            group = services.group_update(group=group, actor=self.actor, **changes)
            if archived is True:
                group = services.group_archive(group=group, actor=self.actor)
            elif archived is False:
                group = services.group_unarchive(group=group, actor=self.actor)
        return Response(GroupSerializer(self._refetch(group)).data)

    @extend_schema(**docs.GROUP_DESTROY)
    def destroy(self, request, id=None):
        services.group_delete(group=self.get_group(), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _spec(workspace, data: dict, *, sandbox: bool) -> tuple[str, Style, bytes | None]:
    """Payload, style and logo bytes from a validated render or check body."""
    if data["content_type"] == "url":
        if not data.get("destination"):
            raise ValidationError({"destination": ["Give the URL to encode."]})
        payload = encode_content("url", {"url": validate_destination(data["destination"])})
    else:
        payload = encode_content(data["content_type"], data.get("content") or {})
    logo = resolve_logo(workspace=workspace, value=data.get("logo"), sandbox=sandbox)
    return payload, Style.from_dict(data["style"]), logo.read_bytes() if logo else None


class CheckView(ApiView):
    """The scannability report for a spec, as the image would be delivered; nothing stored."""

    required_scopes = {"POST": "read"}

    @extend_schema(**docs.CHECK)
    @engine_refusals()
    def post(self, request):
        serializer = RenderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        payload, style, logo_bytes = _spec(self.workspace, data, sandbox=self.sandbox)
        fmt = data["format"]
        size = data["size"] if fmt in RASTER_FORMATS else None
        report = check(payload, style, logo=logo_bytes, size=size)
        return Response(CheckReportSerializer(report).data)


class RenderView(ApiView):
    """Stateless: an image from a spec, nothing stored (a read: it changes nothing)."""

    required_scopes = {"POST": "read"}

    def get_renderers(self):
        return [renderer() for renderer in JSON_AND_IMAGES]

    @extend_schema(**docs.RENDER)
    @engine_refusals()  # no service in between: this endpoint calls the engine itself
    def post(self, request):
        serializer = RenderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fmt = data["format"]
        if "format" not in request.data:
            fmt = FORMAT_BY_MEDIA_TYPE.get(request.accepted_media_type, fmt)
        payload, style, logo_bytes = _spec(self.workspace, data, sandbox=self.sandbox)
        ensure_deliverable(payload, style, format=fmt, size=data["size"], logo=logo_bytes)
        body = render(payload, style, format=fmt, size=data["size"], logo=logo_bytes)
        return _image_response(body, fmt, "qr-code")
