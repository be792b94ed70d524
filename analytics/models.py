"""Recorded scans and the daily salt behind the visitor hash.

Privacy: a scan never stores the scanner's IP address or user-agent string. The IP is used
in memory for the country (and city) lookup and, mixed with the user agent, the code and a secret salt
that changes every day (and is deleted after), for a visitor hash that counts unique
visitors within a day but cannot be traced back or linked across days.
"""

from django.db import models


class DeviceType(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    TABLET = "tablet", "Tablet"
    DESKTOP = "desktop", "Desktop"
    BOT = "bot", "Bot"
    OTHER = "other", "Other"


class Scan(models.Model):
    """One scan of a dynamic code.

    `is_bot` flags crawlers, link previews and HEAD requests: they are kept, not dropped, and
    left out of `QRCode.scan_count` and of human counts. `visitor_hash` is empty when the
    scanner asked not to be tracked (Sec-GPC: 1). `event_id` makes buffered flushes idempotent.
    """

    scanned_at = models.DateTimeField()
    # No single-column indexes on the two keys: the (key, scanned_at) indexes below lead with
    # them and serve every lookup by key, and each extra index is written on every scan.
    code = models.ForeignKey(
        "codes.QRCode", on_delete=models.CASCADE, related_name="scans", db_index=False
    )
    # Denormalised from the code so workspace-wide reports need no join.
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    # Only with GEOIP_CITY_PATH set, and only with the country it lies in (`country`).
    city = models.CharField(max_length=100, blank=True, help_text="English name")
    device_type = models.CharField(
        max_length=10, choices=DeviceType.choices, default=DeviceType.OTHER
    )
    os = models.CharField(max_length=50, blank=True)
    browser = models.CharField(max_length=50, blank=True)
    referrer_host = models.CharField(max_length=253, blank=True)
    language = models.CharField(max_length=35, blank=True)
    is_bot = models.BooleanField(default=False)
    visitor_hash = models.CharField(max_length=32, blank=True)
    event_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-scanned_at", "-id"]
        indexes = [
            # Analytics read time ranges per code and per workspace; these serve both the
            # range scan and the ordering.
            models.Index(fields=["code", "scanned_at"], name="scan_code_time"),
            models.Index(fields=["workspace", "scanned_at"], name="scan_ws_time"),
        ]

    def __str__(self) -> str:
        return f"scan of code {self.code_id} at {self.scanned_at:%Y-%m-%d %H:%M:%S}"


class DailySalt(models.Model):
    """The secret mixed into visitor hashes on one UTC day; deleted once the day is over,
    so yesterday's hashes can no longer be recomputed from an IP address."""

    day = models.DateField(unique=True)
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)


# --- Rollups (issue 6): pre-aggregated counts, defined in their own module ------------------------
from analytics.rollup_models import (  # noqa: E402, F401
    RollupCodeGroup,
    RollupDay,
    RollupState,
    ScanCodeRollup,
    ScanDimensionRollup,
    ScanHourRollup,
)


def _report_subscription_id() -> str:
    from qrsite.ids import new_public_id

    return new_public_id("rpt")


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly (Mondays, for the week before)"
    MONTHLY = "monthly", "Monthly (on the 1st, for the month before)"


class ReportSubscription(models.Model):
    """A teammate who gets a PDF scan report of the workspace (or one group) by email, weekly or
    monthly, sent by the beat task `analytics.report_subscriptions_send_task`."""

    public_id = models.CharField(
        max_length=32, unique=True, default=_report_subscription_id, editable=False
    )
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        "codes.CampaignGroup", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    frequency = models.CharField(max_length=10, choices=ReportFrequency.choices)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The day the last report went out: the send task claims a day by moving this forward, so
    # two beat runs (or two workers) never send the same report twice.
    last_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        # No unique constraint: `group` is null for the workspace report, and NULLs are
        # distinct in a unique index; report_subscription_create refuses the duplicate.

    def __str__(self) -> str:
        return f"{self.frequency} report for {self.recipient_id}"
