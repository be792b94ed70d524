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


class CheckInItemSerializer(serializers.Serializer):
    payload = serializers.CharField(max_length=20_000, trim_whitespace=False, allow_blank=True)
    gate = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    nonce = serializers.CharField(max_length=64)
    scanned_at = serializers.DateTimeField()
    device_result = serializers.ChoiceField(
        choices=Result.values, required=False, allow_blank=True, default=""
    )


class CheckInBatchSerializer(serializers.Serializer):
    event = serializers.CharField(max_length=40)
    items = serializers.ListField(child=serializers.DictField(), allow_empty=False)


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
        "at": serializers.DateTimeField().to_representation(checkin.scanned_at),
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
