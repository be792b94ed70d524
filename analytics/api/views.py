"""GET analytics for a code, a campaign group and the workspace. Read scope suffices.

The API pipeline (key auth, rate limit, scope, error envelope) comes from `ApiView`; bad
query parameters raise Django's ValidationError, which the envelope reports with the field.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response

from analytics import selectors
from analytics.api.serializers import (
    CodeAnalyticsSerializer,
    GroupAnalyticsSerializer,
    WorkspaceAnalyticsSerializer,
    serialize_report,
)
from analytics.ranges import MAX_DAYS, parse_period
from qrsite.api.views import ApiView

PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day, included (default: 29 days before end)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description=f"Last day, included (default: today). At most {MAX_DAYS} days after start."),
    OpenApiParameter("timezone", str, description="IANA time zone the dates and buckets are in (default UTC), e.g. Europe/Paris."),
    OpenApiParameter("interval", str, enum=["hour", "day", "week", "month"], description="Time-series bucket (default day; hour for ranges up to 31 days)."),
    OpenApiParameter("include_bots", bool, description="Count crawler and link-preview scans too (default false)."),
    OpenApiParameter("limit", int, description="Rows per breakdown before the rest is summed into an Other row (default 10, at most 500)."),
]  # fmt: skip
EXAMPLE = OpenApiExample(
    "A week of a code",
    value={
        "code": {"id": "code_abc123", "name": "Product 123 - Label QR", "short_url": "https://qr.example/r/abc123"},
        "start": "2026-03-01", "end": "2026-03-08", "timezone": "UTC", "interval": "day",
        "include_bots": False, "scans": 42, "unique_scans": 37, "bot_scans": 3,
        "previous_period": {"start": "2026-02-21", "end": "2026-02-28", "scans": 30, "unique_scans": 28, "scans_change": 0.4, "unique_scans_change": 0.3214},
        "timeseries": [{"period": "2026-03-01", "start": "2026-03-01T00:00:00+00:00", "scans": 5, "unique_scans": 5}],
        "countries": [{"value": "FR", "label": "France", "scans": 30, "unique_scans": 26, "share": 0.7143}],
        "devices": [{"value": "mobile", "label": "Mobile", "scans": 39, "unique_scans": 34, "share": 0.9286}],
        "operating_systems": [], "browsers": [], "referrers": [], "languages": [],
    },
    response_only=True,
)  # fmt: skip


def _limit(raw: str | None) -> int:
    if raw in (None, ""):
        return selectors.DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= selectors.MAX_LIMIT:
        raise ValidationError({"limit": f"Use a whole number from 1 to {selectors.MAX_LIMIT}."})
    return value


class _AnalyticsView(ApiView):
    required_scopes = {"GET": "read", "HEAD": "read"}

    def options_from(self, request) -> dict:
        return {
            "period": parse_period(request.query_params),
            "limit": _limit(request.query_params.get("limit")),
        }


class CodeAnalyticsView(_AnalyticsView):
    @extend_schema(
        operation_id="code_analytics", tags=["analytics"], parameters=PARAMETERS,
        responses=CodeAnalyticsSerializer, examples=[EXAMPLE],
        summary="Scan analytics of a code",
    )  # fmt: skip
    def get(self, request, id):
        report = selectors.analytics_for_code(
            workspace=self.workspace,
            public_id=id,
            **self.options_from(request),
            sandbox=self.sandbox,
        )
        return Response(serialize_report(report))


class GroupAnalyticsView(_AnalyticsView):
    @extend_schema(
        operation_id="group_analytics", tags=["analytics"], parameters=PARAMETERS,
        responses=GroupAnalyticsSerializer, summary="Scan analytics of a campaign group",
    )  # fmt: skip
    def get(self, request, id):
        report = selectors.analytics_for_group(
            workspace=self.workspace,
            public_id=id,
            **self.options_from(request),
            sandbox=self.sandbox,
        )
        return Response(serialize_report(report))


class WorkspaceAnalyticsView(_AnalyticsView):
    @extend_schema(
        operation_id="workspace_analytics", tags=["analytics"], parameters=PARAMETERS,
        responses=WorkspaceAnalyticsSerializer, summary="Scan analytics of the whole workspace",
    )  # fmt: skip
    def get(self, request):
        report = selectors.analytics_for_workspace(
            workspace=self.workspace, **self.options_from(request), sandbox=self.sandbox
        )
        return Response(serialize_report(report))
