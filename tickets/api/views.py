"""/api/v1/events, their tickets and check-ins; /api/v1/checkins for door devices.

Check-ins and the check-in kit need only the read scope plus a role that checks in (door
staff, editors and up; viewers when the event allows it): a door device's key can admit
people but change nothing. Events and tickets need the write scope to change.

A test key works on the sandbox's events (and so their tickets and check-ins) only; a live key
and the dashboard session on the live ones. The other mode's event is a 404.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from jobs.api.serializers import JobSerializer
from qrsite.api.errors import ApiError
from qrsite.api.serializers import StrictSerializer
from qrsite.api.views import ApiView
from tickets import selectors, services
from tickets.api.serializers import (
    CheckInBatchSerializer,
    CheckInRequestSerializer,
    CheckInSerializer,
    EventSerializer,
    EventWriteSerializer,
    TicketSerializer,
    TicketWriteSerializer,
    checkin_item_clean,
    outcome_data,
)
from tickets.exports import ticket_export_start
from tickets.imports import ticket_import_upload
from tickets.rendering import FORMATS, ticket_image, ticket_pdf
from tickets.services._common import check_can_check_in, role_known
from tickets.services.checkins import ScanItem
from tickets.services.tickets import ItemErrors


def _paginated(name, serializer_class):
    """The schema of a cursor page (what `_page` answers)."""
    return inline_serializer(
        name,
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def _page(view, queryset, serializer_class, ordering):
    from qrsite.api.pagination import CursorPagination

    view.cursor_ordering = ordering
    paginator = CursorPagination()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _EventMixin:
    def event(self):
        return selectors.event_get_for_workspace(
            workspace=self.workspace, public_id=self.kwargs["event_id"], sandbox=self.sandbox
        )

    def ticket(self):
        return selectors.ticket_get_for_event(
            event=self.event(), public_id=self.kwargs["ticket_id"]
        )


@extend_schema(tags=["tickets"])
class EventListView(ApiView):
    @extend_schema(
        summary="List events",
        operation_id="events_list",
        responses={200: _paginated("PaginatedEvents", EventSerializer)},
    )
    def get(self, request):
        events = selectors.event_list_for_workspace(workspace=self.workspace, sandbox=self.sandbox)
        return _page(self, events, EventSerializer, ("-starts_at", "-id"))

    @extend_schema(
        summary="Create an event",
        request=EventWriteSerializer,
        responses={201: EventSerializer},
    )
    def post(self, request):
        data = _valid(EventWriteSerializer, request.data)
        event = services.event_create(
            workspace=self.workspace, actor=self.actor, sandbox=self.sandbox, **data
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["tickets"])
class EventDetailView(_EventMixin, ApiView):
    @extend_schema(summary="Get an event", responses={200: EventSerializer})
    def get(self, request, event_id):
        return Response(EventSerializer(self.event()).data)

    @extend_schema(
        summary="Change an event",
        request=EventWriteSerializer(partial=True),
        responses={200: EventSerializer},
    )
    def patch(self, request, event_id):
        event = self.event()
        data = _valid(EventWriteSerializer, request.data, partial=True)
        event = services.event_update(event=event, actor=self.actor, **data)
        return Response(EventSerializer(event).data)

    @extend_schema(summary="Delete an event with its tickets", responses={204: None})
    def delete(self, request, event_id):
        services.event_delete(event=self.event(), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["tickets"])
class CheckinKitView(_EventMixin, ApiView):
    required_scopes = {"GET": "read"}

    @extend_schema(
        summary="The offline check-in kit",
        description="Public key, revocation list and version, check-in window, and the roster"
        " a door device needs to check tickets in without the network.",
        responses={200: dict},
    )
    def get(self, request, event_id):
        event = self.event()
        check_can_check_in(self.actor, event)
        response = Response(selectors.checkin_kit(event=event))
        response["Cache-Control"] = "private, no-cache"
        return response


@extend_schema(tags=["tickets"])
class EventStatsView(_EventMixin, ApiView):
    @extend_schema(summary="Live check-in numbers", responses={200: dict})
    def get(self, request, event_id):
        return Response(selectors.event_stats(event=self.event()))


@extend_schema(tags=["tickets"])
class TicketListView(_EventMixin, ApiView):
    @extend_schema(
        summary="List an event's tickets",
        operation_id="events_tickets_list",
        responses={200: _paginated("PaginatedTickets", TicketSerializer)},
    )
    def get(self, request, event_id):
        tickets = selectors.ticket_list_for_event(
            event=self.event(),
            search=request.query_params.get("search"),
            status=request.query_params.get("status"),
        )
        return _page(self, tickets, TicketSerializer, ("serial",))

    @extend_schema(
        summary='Issue a ticket, or up to 1,000 with {"tickets": [...]}',
        request=TicketWriteSerializer,
        responses={201: TicketSerializer},
    )
    def post(self, request, event_id):
        event = self.event()
        if isinstance(request.data, dict) and "tickets" in request.data:
            items = request.data["tickets"]
            if not isinstance(items, list) or not items:
                raise ApiError("validation_error", "Give a list of tickets.", field="tickets")
            shaped = []
            for index, item in enumerate(items):
                serializer = TicketWriteSerializer(data=item)
                if not serializer.is_valid():
                    field, messages = next(iter(serializer.errors.items()))
                    raise ApiError(
                        "validation_error", str(messages[0]), field=f"tickets[{index}].{field}"
                    )
                shaped.append(serializer.validated_data)
            try:
                tickets = services.ticket_issue_many(event=event, actor=self.actor, items=shaped)
            except ItemErrors as exc:
                index = min(exc.by_index)
                field, messages = next(iter(exc.by_index[index].message_dict.items()))
                raise ApiError(
                    "validation_error", messages[0], field=f"tickets[{index}].{field}"
                ) from None
            return Response(
                {"tickets": TicketSerializer(tickets, many=True).data},
                status=status.HTTP_201_CREATED,
            )
        data = _valid(TicketWriteSerializer, request.data)
        ticket = services.ticket_issue(event=event, actor=self.actor, **data)
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    mapping = serializers.JSONField(required=False)


@extend_schema(tags=["tickets"])
class TicketImportView(_EventMixin, ApiView):
    """A CSV/XLSX of attendees becomes a `ticket_import` job (poll it at /api/v1/jobs/{id})."""

    required_scopes = {"POST": "write"}
    parser_classes = [MultiPartParser]
    streamed_body = True

    def max_body_bytes(self) -> int:
        return settings.JOBS_IMPORT_MAX_BYTES + 1024 * 1024

    @extend_schema(
        summary="Issue tickets from a spreadsheet (a job)",
        request={"multipart/form-data": TicketImportSerializer},
        responses={202: JobSerializer},
    )
    def post(self, request, event_id):
        from jobs.api.views import accepted
        from jobs.services.imports import FileRefused

        event = self.event()
        data = _valid(TicketImportSerializer, request.data)
        mapping = data.get("mapping")
        if isinstance(mapping, str):
            try:
                mapping = json.loads(mapping)
            except ValueError:
                raise ApiError(
                    "validation_error", "Give the mapping as JSON.", field="mapping"
                ) from None
        file = data["file"]
        try:
            job = ticket_import_upload(
                event=event, actor=self.actor, file=file, name=file.name, mapping=mapping
            )
        except FileRefused as exc:
            if exc.status == 413:
                raise ApiError("payload_too_large", exc.messages[0], field="file") from None
            raise
        return accepted(self, job)


class TicketExportSerializer(StrictSerializer):
    # Plain strings, not choices: drf-spectacular would name the enums after the fields and
    # collide with /render's `format` enum.
    format = serializers.RegexField(
        r"^(zip|pdf)$",
        help_text="zip: a file per ticket and manifest.csv; pdf: one PDF, a ticket per page.",
    )
    files = serializers.ListField(
        child=serializers.RegexField(r"^(pdf|png)$"),
        required=False,
        min_length=1,
        help_text="For zip: pdf (the printable ticket) and/or png (the code); default pdf.",
    )
    size = serializers.IntegerField(
        required=False, min_value=100, max_value=4000, help_text="PNG width in px (600)."
    )
    filename = serializers.RegexField(
        r"^(holder_name|external_id|id)$",
        required=False,
        help_text="Name the ZIP's files by holder_name (default), external_id (the holder's "
        "name where a ticket has none) or id; made safe and unique.",
    )


@extend_schema(tags=["tickets"])
class TicketExportView(_EventMixin, ApiView):
    """Every active ticket of the event as a ZIP or one PDF: a `ticket_export` job."""

    required_scopes = {"POST": "write"}

    @extend_schema(
        summary="Export the event's tickets (a job): a ZIP of files or one PDF",
        description="Revoked tickets are left out. Answers 202 with the job (Location: "
        "/api/v1/jobs/{id}); its result is the ZIP or the PDF.",
        request=TicketExportSerializer,
        responses={202: JobSerializer},
    )
    def post(self, request, event_id):
        from jobs.api.views import accepted

        event = self.event()
        data = _valid(TicketExportSerializer, request.data)
        return accepted(self, ticket_export_start(event=event, actor=self.actor, **data))


@extend_schema(tags=["tickets"])
class TicketDetailView(_EventMixin, ApiView):
    @extend_schema(summary="Get a ticket", responses={200: TicketSerializer})
    def get(self, request, event_id, ticket_id):
        return Response(TicketSerializer(self.ticket()).data)

    @extend_schema(
        summary="Change a ticket's holder, type or external id",
        request=TicketWriteSerializer(partial=True),
        responses={200: TicketSerializer},
    )
    def patch(self, request, event_id, ticket_id):
        ticket = self.ticket()
        data = _valid(TicketWriteSerializer, request.data, partial=True)
        ticket = services.ticket_update(ticket=ticket, actor=self.actor, **data)
        return Response(TicketSerializer(ticket).data)


@extend_schema(tags=["tickets"])
class TicketRevokeView(_EventMixin, ApiView):
    @extend_schema(summary="Revoke a ticket", request=None, responses={200: TicketSerializer})
    def post(self, request, event_id, ticket_id):
        ticket = services.ticket_revoke(ticket=self.ticket(), actor=self.actor)
        return Response(TicketSerializer(ticket).data)


@extend_schema(tags=["tickets"])
class TicketReissueView(_EventMixin, ApiView):
    @extend_schema(
        summary="Reissue a ticket (a new code; the old one stops admitting)",
        request=None,
        responses={200: TicketSerializer},
    )
    def post(self, request, event_id, ticket_id):
        ticket = services.ticket_reissue(ticket=self.ticket(), actor=self.actor)
        return Response(TicketSerializer(ticket).data)


@extend_schema(tags=["tickets"])
class TicketImageView(_EventMixin, ApiView):
    @extend_schema(
        summary="A ticket's QR code (?format=png|svg|pdf&size=400)",
        responses={
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/svg+xml"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, event_id, ticket_id):
        ticket = self.ticket()
        fmt = request.query_params.get("format", "png")
        if fmt not in FORMATS:
            raise ApiError(
                "validation_error", f"Choose one of {', '.join(FORMATS)}.", field="format"
            )
        try:
            size = int(request.query_params.get("size", 400))
        except ValueError:
            size = 0
        if not 100 <= size <= 4000:
            raise ApiError("validation_error", "Give a size from 100 to 4000 px.", field="size")
        image, content_type = ticket_image(ticket=ticket, format=fmt, size=size)
        return HttpResponse(image, content_type=content_type)


@extend_schema(tags=["tickets"])
class TicketPdfView(_EventMixin, ApiView):
    @extend_schema(
        summary="The printable ticket (PDF)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, event_id, ticket_id):
        ticket = self.ticket()
        response = HttpResponse(ticket_pdf(ticket=ticket), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{ticket.public_id}.pdf"'
        return response


@extend_schema(tags=["tickets"])
class EventCheckinListView(_EventMixin, ApiView):
    @extend_schema(
        summary="The event's check-ins",
        operation_id="events_checkins_list",
        responses={200: _paginated("PaginatedCheckIns", CheckInSerializer)},
    )
    def get(self, request, event_id):
        checkins = selectors.checkin_list_for_event(event=self.event())
        return _page(self, checkins, CheckInSerializer, ("scanned_at", "id"))


@extend_schema(tags=["tickets"])
class CheckinUndoView(_EventMixin, ApiView):
    @extend_schema(
        summary="Undo a mistaken check-in", request=None, responses={200: CheckInSerializer}
    )
    def post(self, request, event_id, checkin_id):
        checkin = selectors.checkin_get_for_event(event=self.event(), public_id=checkin_id)
        checkin = services.checkin_undo(checkin=checkin, actor=self.actor)
        return Response(CheckInSerializer(checkin).data)


def _event_from_body(view, public_id):
    event = selectors.event_get_for_workspace(
        workspace=view.workspace, public_id=public_id, sandbox=view.sandbox
    )
    role_known(view.actor, event.workspace_id, view.principal.membership.role)
    return event


@extend_schema(tags=["tickets"])
class CheckinView(ApiView):
    required_scopes = {"POST": "read"}

    @extend_schema(
        summary="Check a scanned ticket in",
        request=CheckInRequestSerializer,
        responses={200: dict},
    )
    def post(self, request):
        data = _valid(CheckInRequestSerializer, request.data)
        event = _event_from_body(self, data["event"])
        outcome = services.checkin_record(
            event=event,
            actor=self.actor,
            item=ScanItem(payload=data["payload"], gate=data["gate"], client_nonce=data["nonce"]),
        )
        return Response(outcome_data(outcome))


@extend_schema(tags=["tickets"])
class CheckinBatchView(ApiView):
    required_scopes = {"POST": "read"}

    def max_body_bytes(self) -> int:
        # Room for the largest allowed upload, so too many items is a 400 that says so.
        return max(settings.API_MAX_BODY_BYTES, (settings.TICKETS_BATCH_MAX_ITEMS + 1) * 600)

    @extend_schema(
        summary="Upload an offline gate's check-ins",
        request=CheckInBatchSerializer,
        responses={200: dict},
    )
    def post(self, request):
        data = _valid(CheckInBatchSerializer, request.data)
        limit = settings.TICKETS_BATCH_MAX_ITEMS
        if len(data["items"]) > limit:
            raise ApiError(
                "validation_error",
                f"Send at most {limit:,} check-ins per upload (got {len(data['items']):,}).",
                field="items",
            )
        event = _event_from_body(self, data["event"])
        items = []
        for index, raw in enumerate(data["items"]):
            try:
                item = checkin_item_clean(raw)
            except ValidationError as exc:
                field, messages = next(iter(exc.message_dict.items()))
                name = f"items[{index}].{field}" if field else f"items[{index}]"
                raise ApiError("validation_error", messages[0], field=name) from None
            items.append(
                ScanItem(
                    payload=item["payload"],
                    gate=item["gate"],
                    client_nonce=item["nonce"],
                    scanned_at=item["scanned_at"],
                    offline=True,
                    device_result=item["device_result"],
                )
            )
        outcomes = services.checkin_batch(event=event, actor=self.actor, items=items)
        results = [outcome_data(o) for o in outcomes]
        return Response(
            {
                "results": results,
                "counted": sum(1 for o in outcomes if not o.replayed),
                "replayed": sum(1 for o in outcomes if o.replayed),
                "conflicts": sum(1 for o in outcomes if o.conflict),
                "revocation_version": event.revocation_version,
            }
        )
