"""Events, their signed tickets, revoked credentials and check-ins.

Every write goes through `tickets.services`; every read a person or key asks for goes through
`tickets.selectors` (scoped to a workspace and a mode, live or sandbox; 404 for missing and
foreign alike).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from qrsite.ids import new_public_id
from qrsite.sandbox import SandboxQuerySet, sandbox_field


def _event_id() -> str:
    return new_public_id("evt")


def _ticket_id() -> str:
    return new_public_id("tkt")


def _checkin_id() -> str:
    return new_public_id("chk")


class Event(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=_event_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="events"
    )
    name = models.CharField(max_length=150)
    venue = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC")
    # Check-ins outside [opens, closes) answer "outside_window"; blank: no limit that side.
    checkin_opens_at = models.DateTimeField(null=True, blank=True)
    checkin_closes_at = models.DateTimeField(null=True, blank=True)
    viewers_can_check_in = models.BooleanField(
        default=False, help_text="Let viewers use the door page too (door staff always can)."
    )
    # In every credential; random, so a code says nothing about how many events exist.
    tag = models.BinaryField(max_length=4, unique=True, editable=False)
    public_key = models.BinaryField(max_length=32, editable=False)
    # The Ed25519 private key sealed with TICKET_KEY (tickets.credentials.private_key_seal).
    private_key_sealed = models.BinaryField(editable=False)
    next_serial = models.PositiveIntegerField(default=1, editable=False)
    # Raised by every revocation or reissue: door devices compare it to refresh their kit.
    revocation_version = models.PositiveIntegerField(default=0, editable=False)
    # Its tickets, check-ins and jobs are sandbox data through it: no other row needs the flag.
    is_test = sandbox_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SandboxQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-starts_at"], name="tickets_event_ws")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="tickets_event_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TicketStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


class Ticket(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=_ticket_id, editable=False)
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="tickets"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tickets")
    serial = models.PositiveIntegerField(editable=False)
    nonce = models.BinaryField(max_length=4, editable=False)
    holder_name = models.CharField(max_length=150)
    holder_email = models.EmailField(blank=True)
    ticket_type = models.CharField(max_length=80, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=TicketStatus.choices, default=TicketStatus.ACTIVE
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    reissued_at = models.DateTimeField(null=True, blank=True)
    # The exact text the QR code encodes (derivable, stored so lists need no signing).
    payload = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "serial"]
        constraints = [
            models.UniqueConstraint("event", "serial", name="tickets_serial_unique"),
            models.UniqueConstraint(
                "event",
                "external_id",
                condition=~Q(external_id=""),
                name="tickets_external_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["event", "holder_name"], name="tickets_holder")]

    def __str__(self) -> str:
        return f"{self.holder_name} ({self.public_id})"

    @property
    def is_revoked(self) -> bool:
        return self.status == TicketStatus.REVOKED


class RevokedCredential(models.Model):
    """A (serial, nonce) that no longer admits: the ticket was revoked, or reissued and this
    is its old code. The door kit carries them all, with the event's revocation version."""

    class Reason(models.TextChoices):
        REVOKED = "revoked", "Ticket revoked"
        REISSUED = "reissued", "Replaced by a reissued code"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revoked")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="revoked")
    serial = models.PositiveIntegerField()
    nonce = models.BinaryField(max_length=4)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    version = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "version"]
        constraints = [
            models.UniqueConstraint("event", "serial", "nonce", name="tickets_revoked_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.serial} ({self.reason})"


class Result(models.TextChoices):
    VALID = "valid", "Valid"
    ALREADY_USED = "already_used", "Already used"
    REVOKED = "revoked", "Revoked"
    WRONG_EVENT = "wrong_event", "Not for this event"
    OUTSIDE_WINDOW = "outside_window", "Outside the check-in window"
    INVALID = "invalid", "Forged or unknown"


class CheckIn(models.Model):
    """Every scan a gate reported, with the answer it got. At most one live `valid` row per
    ticket (the constraint that makes two gates scanning at once admit exactly one)."""

    public_id = models.CharField(max_length=32, unique=True, default=_checkin_id, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkins")
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="checkins"
    )
    result = models.CharField(max_length=20, choices=Result.choices)
    gate = models.CharField(max_length=40, blank=True)
    # The scanning device's id for this scan: an upload sent twice is recorded once.
    client_nonce = models.CharField(max_length=64, blank=True)
    scanned_at = models.DateTimeField(help_text="When the gate scanned it (device time offline).")
    recorded_at = models.DateTimeField(auto_now_add=True)
    offline = models.BooleanField(default=False)
    # An offline gate admitted this ticket, but another gate had admitted it earlier.
    conflict = models.BooleanField(default=False)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-scanned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "ticket",
                condition=Q(result="valid", undone_at__isnull=True),
                name="tickets_one_valid_checkin",
            ),
            models.UniqueConstraint(
                "event",
                "client_nonce",
                condition=~Q(client_nonce=""),
                name="tickets_checkin_nonce_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "result", "scanned_at"], name="tickets_checkin_stats"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.result}"
