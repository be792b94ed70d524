"""The analytics report as JSON. Output only: the input is query parameters (`analytics.ranges`)."""

from rest_framework import serializers


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class PointSerializer(serializers.Serializer):
    period = serializers.CharField(
        source="label", help_text="2026-03-01, 2026-03-01T14:00 or 2026-03."
    )
    start = serializers.SerializerMethodField(
        help_text="When the bucket starts, in the report's time zone."
    )
    scans = serializers.IntegerField()
    unique_scans = serializers.IntegerField()

    def get_start(self, point) -> str:
        return point.start.isoformat()


class RowSerializer(serializers.Serializer):
    value = serializers.CharField(
        allow_null=True,
        help_text='The raw value ("" when unknown); null for the "Other" row that sums the rest.',
    )
    label = serializers.CharField()
    scans = serializers.IntegerField()
    unique_scans = serializers.IntegerField()
    share = serializers.SerializerMethodField(help_text="Share of all scans in the period, 0..1.")

    def get_share(self, row) -> float:
        return _ratio(row.share)


class TopCodeSerializer(serializers.Serializer):
    id = serializers.CharField(source="code.public_id")
    name = serializers.CharField(source="code.name")
    scans = serializers.IntegerField()
    unique_scans = serializers.IntegerField()
    share = serializers.SerializerMethodField()

    def get_share(self, row) -> float:
        return _ratio(row.share)


class PreviousPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    scans = serializers.IntegerField()
    unique_scans = serializers.IntegerField()
    scans_change = serializers.FloatField(
        allow_null=True, help_text="0.25 is +25 %; null when the previous period had none."
    )
    unique_scans_change = serializers.FloatField(allow_null=True)


class AnalyticsSerializer(serializers.Serializer):
    """Counts, the time series, geographic distribution and device breakdowns for a period."""

    start = serializers.DateField()
    end = serializers.DateField()
    timezone = serializers.CharField()
    interval = serializers.ChoiceField(choices=["hour", "day", "week", "month"])
    include_bots = serializers.BooleanField()
    scans = serializers.IntegerField(help_text="Scans in the period (bots only with include_bots).")
    unique_scans = serializers.IntegerField(
        help_text="Scans that were a visitor's first of the code that UTC day; the visitor hash "
        "changes daily, so nobody is followed across days or codes."
    )
    bot_scans = serializers.IntegerField(
        help_text="Crawler, link-preview and HEAD scans, always reported."
    )
    previous_period = PreviousPeriodSerializer()
    timeseries = PointSerializer(many=True)
    countries = RowSerializer(many=True)
    devices = RowSerializer(many=True)
    operating_systems = RowSerializer(many=True)
    browsers = RowSerializer(many=True)
    referrers = RowSerializer(many=True)
    languages = RowSerializer(many=True)
    cities = RowSerializer(
        many=True,
        help_text='Value "GB:London" (country, then the city\'s English name). Known only when '
        'the server has a MaxMind City database; "" counts the scans whose city is unknown.',
    )


class CodeRefSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    short_url = serializers.CharField()


class GroupRefSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    slug = serializers.CharField()


class WorkspaceRefSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()


class CodeAnalyticsSerializer(AnalyticsSerializer):
    code = CodeRefSerializer()


class GroupAnalyticsSerializer(AnalyticsSerializer):
    group = GroupRefSerializer()
    top_codes = TopCodeSerializer(many=True)


class WorkspaceAnalyticsSerializer(AnalyticsSerializer):
    workspace = WorkspaceRefSerializer()
    top_codes = TopCodeSerializer(many=True)


def report_data(report) -> dict:
    """The flat dictionary the serializers above read a report from."""
    period, previous = report.period, report.previous_period
    data = {
        report.kind: report.subject,
        "start": period.start,
        "end": period.end,
        "timezone": period.timezone_name,
        "interval": period.interval,
        "include_bots": period.include_bots,
        "scans": report.totals.scans,
        "unique_scans": report.totals.unique_scans,
        "bot_scans": report.totals.bot_scans,
        "previous_period": {
            "start": previous.start,
            "end": previous.end,
            "scans": report.previous.scans,
            "unique_scans": report.previous.unique_scans,
            "scans_change": _ratio(report.change("scans")),
            "unique_scans_change": _ratio(report.change("unique_scans")),
        },
        "timeseries": report.series,
        **report.breakdowns,
    }
    if report.top_codes is not None:
        data["top_codes"] = report.top_codes
    return data


SERIALIZERS = {
    "code": CodeAnalyticsSerializer,
    "group": GroupAnalyticsSerializer,
    "workspace": WorkspaceAnalyticsSerializer,
}


def serialize_report(report) -> dict:
    return SERIALIZERS[report.kind](report_data(report)).data
