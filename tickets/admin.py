"""Events, tickets and check-ins in Django admin: searchable (holder, email, external id) and
filterable, read-only; revoking, reissuing and undoing are actions that call the services
(the admin is no second write path). Keys and nonces never show."""

from django.contrib import admin

from qrsite.admin_tools import ServiceAdmin
from tickets import services
from tickets.models import CheckIn, Event, RevokedCredential, Ticket


@admin.register(Event)
class EventAdmin(ServiceAdmin):
    list_display = ["public_id", "name", "workspace", "starts_at", "revocation_version"]
    list_filter = ["starts_at", "workspace"]
    search_fields = ["public_id", "name", "venue", "workspace__name"]
    list_select_related = ["workspace"]
    exclude = ["tag", "public_key", "private_key_sealed"]
    date_hierarchy = "starts_at"


@admin.register(Ticket)
class TicketAdmin(ServiceAdmin):
    list_display = ["public_id", "holder_name", "holder_email", "ticket_type", "external_id",
                    "event", "status", "created_at"]  # fmt: skip
    list_filter = ["status", "ticket_type", "event"]
    search_fields = ["public_id", "holder_name", "holder_email", "external_id", "event__name"]
    list_select_related = ["event"]
    exclude = ["nonce"]
    actions = ["revoke", "reissue"]

    @admin.action(description="Revoke selected tickets", permissions=["operate"])
    def revoke(self, request, queryset):
        self.run_each(
            request,
            queryset.select_related("event"),
            lambda t: services.ticket_revoke(ticket=t, actor=request.user),
            "tickets revoked",
        )

    @admin.action(description="Reissue selected tickets (new codes)", permissions=["operate"])
    def reissue(self, request, queryset):
        self.run_each(
            request,
            queryset.select_related("event"),
            lambda t: services.ticket_reissue(ticket=t, actor=request.user),
            "tickets reissued",
        )


@admin.register(CheckIn)
class CheckInAdmin(ServiceAdmin):
    list_display = ["public_id", "scanned_at", "result", "gate", "ticket", "event", "offline",
                    "conflict", "undone_at"]  # fmt: skip
    list_filter = ["result", "offline", "conflict", "event"]
    search_fields = ["public_id", "ticket__holder_name", "ticket__external_id", "gate"]
    list_select_related = ["ticket", "event"]
    date_hierarchy = "scanned_at"
    actions = ["undo"]

    @admin.action(description="Undo selected check-ins", permissions=["operate"])
    def undo(self, request, queryset):
        self.run_each(
            request,
            queryset.select_related("event"),
            lambda c: services.checkin_undo(checkin=c, actor=request.user),
            "check-ins undone",
        )


@admin.register(RevokedCredential)
class RevokedCredentialAdmin(ServiceAdmin):
    list_display = ["event", "ticket", "serial", "reason", "version", "revoked_at"]
    list_filter = ["reason", "event"]
    search_fields = ["ticket__holder_name", "ticket__external_id"]
    exclude = ["nonce"]
