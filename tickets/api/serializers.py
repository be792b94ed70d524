"""Shapes of the tickets API: what it accepts and what it answers."""

from rest_framework import serializers

from tickets.models import CheckIn, Event, Result, Ticket


class EventSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    checkin_kit_url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "name",
            "venue",
            "starts_at",
            "ends_at",
            "time_zone",
            "checkin_opens_at",
            "checkin_closes_at",
            "viewers_can_check_in",
            "revocation_version",
            "checkin_kit_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_checkin_kit_url(self, event) -> str:
        return f"/api/v1/events/{event.public_id}/checkin-kit"


class EventWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField(max_length=64, required=False)
    checkin_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    checkin_closes_at = serializers.DateTimeField(required=False, allow_null=True)
    viewers_can_check_in = serializers.BooleanField(required=False)


class TicketSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    # Plain text in the schema: an enum named "status" collides with the codes' and jobs'.
    status = serializers.CharField(read_only=True, help_text="active or revoked")
    event = serializers.CharField(source="event.public_id", read_only=True)
    image_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "event",
            "holder_name",
            "holder_email",
            "ticket_type",
            "external_id",
            "status",
            "payload",
            "image_url",
            "pdf_url",
            "created_at",
            "revoked_at",
            "reissued_at",
        ]
        read_only_fields = fields

    def _base(self, ticket) -> str:
        return f"/api/v1/events/{ticket.event.public_id}/tickets/{ticket.public_id}"

    def get_image_url(self, ticket) -> str:
        return self._base(ticket) + "/image"

    def get_pdf_url(self, ticket) -> str:
        return self._base(ticket) + "/pdf"


class TicketWriteSerializer(serializers.Serializer):
    holder_name = serializers.CharField(max_length=150)
    holder_email = serializers.EmailField(required=False, allow_blank=True)
    ticket_type = serializers.CharField(max_length=80, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=255, required=False, allow_blank=True)


class CheckInSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    ticket = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "result",
            "ticket",
            "gate",
            "scanned_at",
            "recorded_at",
            "offline",
            "conflict",
            "undone_at",
        ]
        read_only_fields = fields

    def get_ticket(self, checkin) -> str | None:
        return checkin.ticket.public_id if checkin.ticket_id else None


class CheckInRequestSerializer(serializers.Serializer):
    event = serializers.CharField(max_length=40)
    payload = serializers.CharField(max_length=20_000, trim_whitespace=False, allow_blank=True)
    gate = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    nonce = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


def checkin_item_clean(raw) -> dict:
    """One uploaded scan, checked by hand: a DRF serializer per item cost ~0.5 ms each, most of
    a 5,000-scan upload's time. Raises ValidationError({field: message})."""
    from django.core.exceptions import ValidationError
    from django.utils.dateparse import parse_datetime

    if not isinstance(raw, dict):
        raise ValidationError({"": "Each item is an object."})
    payload = raw.get("payload")
    if not isinstance(payload, str) or len(payload) > 20_000:
        raise ValidationError({"payload": "Give the scanned text (at most 20,000 characters)."})
    gate = raw.get("gate", "")
    if not isinstance(gate, str) or len(gate) > 40:
        raise ValidationError({"gate": "Name the gate in at most 40 characters."})
    nonce = raw.get("nonce")
    if not isinstance(nonce, str) or not nonce.strip() or len(nonce) > 64:
        raise ValidationError({"nonce": "Give this scan's nonce (1 to 64 characters)."})
    when = raw.get("scanned_at")
    try:
        scanned_at = parse_datetime(when) if isinstance(when, str) else None
    except ValueError:
        scanned_at = None
    if scanned_at is None or scanned_at.tzinfo is None:
        raise ValidationError(
            {"scanned_at": "Give when it was scanned, ISO 8601 with a zone (2026-03-09T18:02Z)."}
        )
    device_result = raw.get("device_result", "") or ""
    if device_result not in Result.values and device_result != "":
        raise ValidationError({"device_result": f"One of {', '.join(Result.values)}."})
    return {
        "payload": payload,
        "gate": gate,
        "nonce": nonce,
        "scanned_at": scanned_at,
        "device_result": device_result,
    }


class CheckInBatchSerializer(serializers.Serializer):
    event = serializers.CharField(max_length=40)
    # Items are checked one by one in the view (checkin_item_clean), naming the bad one.
    items = serializers.ListField(allow_empty=False)


_DATETIME = serializers.DateTimeField()


def _ticket_brief(ticket) -> dict | None:
    if ticket is None:
        return None
    return {
        "id": ticket.public_id,
        "holder_name": ticket.holder_name,
        "ticket_type": ticket.ticket_type,
        "status": ticket.status,
        "external_id": ticket.external_id,
    }


def _checkin_brief(checkin) -> dict | None:
    if checkin is None:
        return None
    return {
        "id": checkin.public_id,
        "at": _DATETIME.to_representation(checkin.scanned_at),
        "gate": checkin.gate,
    }


def outcome_data(outcome) -> dict:
    """One answer: {"result", "ticket", "first_checkin", "checkin", "replayed", "conflict"}."""
    return {
        "result": outcome.result,
        "ticket": _ticket_brief(outcome.ticket),
        "first_checkin": _checkin_brief(outcome.first_checkin),
        "checkin": outcome.checkin.public_id,
        "replayed": outcome.replayed,
        "conflict": outcome.conflict,
    }
