"""Pre-aggregated scan counts (rollups) that keep analytics fast over long ranges.

The raw scans stay the truth: every rollup row is recomputed from them, a whole UTC day at a
time (delete and insert in one transaction), never incremented, so running a day twice
cannot count anything twice. Rows exist per scope (a code, a campaign group, a workspace),
because summing a thousand codes' rows per request is as slow as reading the scans.

`uniques` counts first scans: a scan is a unique scan when it is the visitor's first scan of
that code on that UTC day (the visitor hash changes every UTC day, so a person can never be
recognised across days or codes). That makes uniques additive over hours, days, dimensions
and codes, which is what lets rollups answer any time zone exactly.
"""

from django.db import models


class RollupScope(models.IntegerChoices):
    CODE = 1, "Code"
    GROUP = 2, "Campaign group"
    WORKSPACE = 3, "Workspace"
    # The workspace's sandbox codes together (WORKSPACE counts its live codes only).
    SANDBOX = 4, "Workspace sandbox"


class Dimension(models.IntegerChoices):
    COUNTRY = 1, "Country"
    DEVICE_TYPE = 2, "Device type"
    OS = 3, "Operating system"
    BROWSER = 4, "Browser"
    REFERRER = 5, "Referrer"
    LANGUAGE = 6, "Language"
    # "GB:London": the country keeps two Springfields apart; "" when the city is unknown.
    CITY = 7, "City"


class Grain(models.TextChoices):
    DAY = "day", "Day"
    # Only for ScanCodeRollup: top codes over a year would otherwise sum ~1,000 rows per day.
    MONTH = "month", "Month"


class ScanHourRollup(models.Model):
    """Scans per scope per UTC hour: the time series (in any whole-hour time zone) and totals."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    scope = models.PositiveSmallIntegerField(choices=RollupScope.choices)
    # The code's, group's or workspace's primary key (no foreign key: three possible tables).
    scope_id = models.BigIntegerField()
    hour = models.DateTimeField()
    is_bot = models.BooleanField()
    scans = models.PositiveIntegerField()
    uniques = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # Also the index every read uses: one scope, a range of hours.
            # INCLUDE lets PostgreSQL answer from the index alone (SQLite ignores it).
            models.UniqueConstraint(
                fields=["scope", "scope_id", "hour", "is_bot"],
                include=["scans", "uniques"],
                name="rollup_hour_unique",
            ),
        ]
        indexes = [models.Index(fields=["hour"], name="rollup_hour_day")]  # recomputing a day

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.scope_id} at {self.hour:%Y-%m-%d %H}:00"


class ScanDimensionRollup(models.Model):
    """Scans per scope per UTC day per value of one dimension: the breakdowns."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    scope = models.PositiveSmallIntegerField(choices=RollupScope.choices)
    scope_id = models.BigIntegerField()
    dimension = models.PositiveSmallIntegerField(choices=Dimension.choices)
    period = models.DateField(help_text="The UTC day.")
    is_bot = models.BooleanField()
    value = models.CharField(max_length=253, blank=True)
    scans = models.PositiveIntegerField()
    uniques = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # Column order serves the reads: one scope, some dimensions, a range of days.
            models.UniqueConstraint(
                fields=["scope", "scope_id", "dimension", "period", "is_bot", "value"],
                include=["scans", "uniques"],
                name="rollup_dim_unique",
            ),
        ]
        indexes = [models.Index(fields=["period"], name="rollup_dim_day")]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} {self.value!r} on {self.period}"


class ScanCodeRollup(models.Model):
    """Scans per code within a group or workspace per UTC day (or month): top codes.

    Kept apart from the breakdowns because a workspace has a row per code per day here, and
    breakdown reads should not wade through them."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    scope = models.PositiveSmallIntegerField(choices=RollupScope.choices)
    scope_id = models.BigIntegerField()
    grain = models.CharField(max_length=5, choices=Grain.choices, default=Grain.DAY)
    period = models.DateField(help_text="The UTC day, or the first day of the UTC month.")
    is_bot = models.BooleanField()
    code = models.ForeignKey("codes.QRCode", on_delete=models.CASCADE, related_name="+")
    scans = models.PositiveIntegerField()
    uniques = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "scope_id", "grain", "period", "is_bot", "code"],
                include=["scans", "uniques"],
                name="rollup_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["period", "grain"], name="rollup_code_day")]

    def __str__(self) -> str:
        return f"code {self.code_id} on {self.period} ({self.grain})"


class RollupDay(models.Model):
    """The ledger: a row per UTC day whose rollups are complete. Reads use rollups for these
    days only and raw scans for everything else; the row is locked while the day is redone."""

    day = models.DateField(unique=True)
    scans = models.PositiveIntegerField(default=0, help_text="Raw scans the rollup counted.")
    rolled_up_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)


class RollupState(models.Model):
    """One row: the claim on the rollup run (a lease) and the cursor over new scan ids."""

    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Scans with a larger id were inserted since the last check; their days may need redoing
    # (a buffered scan can arrive after its day was rolled up).
    scan_id_checked = models.BigIntegerField(default=0)
    scan_id_seen = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"rollup state (scans checked up to #{self.scan_id_checked})"


class RollupCodeGroup(models.Model):
    """The group each code's history is counted in by the group rollups; a code that moved
    since has its old and new groups rebuilt."""

    code = models.OneToOneField(
        "codes.QRCode", on_delete=models.CASCADE, primary_key=True, related_name="rollup_snapshot"
    )
    group_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code {self.code_id} in group {self.group_id}"
