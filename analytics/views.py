"""Analytics pages for a code, a campaign group and the workspace, and their CSV and PDF
exports. Thin: parse the period, call a selector, render. An HTMX request (a range preset or
the custom-range form) gets only the report fragment; without JavaScript the same links and
the GET form load the whole page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify

from accounts.decorators import workspace_required
from analytics import exports, selectors
from analytics.charts import report_charts
from analytics.queries import Scope
from analytics.ranges import INTERVALS, PRESETS, parse_period
from analytics.rollup_models import RollupScope
from analytics.scan_export import csv_lines, scan_export_count, scan_export_rows
from codes.selectors import code_get_for_workspace, group_get_for_workspace
from qrsite.htmx import page_or_fragment

COMMON_ZONES = [
    "UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York",
    "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
    "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
]  # fmt: skip


def _period(request):
    """The asked-for period, or the default one and the errors to show instead of failing."""
    try:
        return parse_period(request.GET, default_interval=None), {}
    except ValidationError as error:
        fallback = {"timezone": request.GET.get("timezone", "")}
        try:
            period = parse_period(fallback, default_interval=None)
        except ValidationError:
            period = parse_period({}, default_interval=None)
        return period, error.message_dict


def _query(period, **overrides) -> dict:
    query = {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "timezone": period.timezone_name,
        "interval": period.interval,
    }
    if period.include_bots:
        query["include_bots"] = "true"
    query.update(overrides)
    return {key: value for key, value in query.items() if value not in (None, "")}


def _page(request, report, errors: dict, *, title: str, route: str, args=()):
    period = report.period
    query = urlencode(_query(period))
    urls = {
        "page": reverse(f"analytics:{route}", args=args),
        "csv": reverse(f"analytics:{route}_csv", args=args) + "?" + query,
        "pdf": reverse(f"analytics:{route}_pdf", args=args) + "?" + query,
        "scans": reverse(f"analytics:{route}_scans", args=args) + "?" + query,
    }
    preset = request.GET.get("range", "")
    if preset not in PRESETS:
        preset = next(
            (key for key, days in PRESETS.items() if period.days == days and not errors), "custom"
        )
    context = {
        "report": report,
        "charts": report_charts(report),
        "errors": errors,
        "title": title,
        "preset": preset,
        "presets": [
            (
                key,
                f"{days} days",
                urls["page"]
                + "?"
                + urlencode(_query(period, start=None, end=None, interval=None, range=key)),
            )
            for key, days in PRESETS.items()
        ],
        "urls": urls,
        "query_string": query,
        "intervals": INTERVALS,
        "zones": COMMON_ZONES
        if period.timezone_name in COMMON_ZONES
        else [period.timezone_name, *COMMON_ZONES],
    }
    status = 400 if errors and not request.htmx else 200  # htmx swaps 200s only
    return page_or_fragment(
        request, "analytics/report.html", context, fragment="report", status=status
    )


def _export(request, report, fmt: str):
    if fmt == "csv":
        body, content_type = exports.report_csv(report), "text/csv; charset=utf-8"
    else:
        body, content_type = exports.report_pdf(report, request=request), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(report, fmt)}"'
    return response


def _scan_export(request, *, scope: Scope, period, label: str):
    """Every scan of the period as CSV: streamed when small, a job (and its page) when large."""
    count = scan_export_count(scope=scope, period=period)
    if count > settings.ANALYTICS_SCAN_EXPORT_STREAM_ROWS:
        from jobs.services import scan_export_start

        job = scan_export_start(
            workspace=request.workspace,
            actor=request.user,
            scope=scope,
            period_query=_query(period),
            label=label,
        )
        messages.info(
            request,
            f"{count:,} scans are more than a download can carry at once: the file is being "
            "prepared, and this page gives it to you when it is ready.",
        )
        return redirect("jobs:detail", job_id=job.public_id)
    stem = slugify(label)[:60] or "scans"
    response = StreamingHttpResponse(
        csv_lines(scan_export_rows(scope=scope, period=period)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="scans-{stem}-{period.start}-{period.end}.csv"'
    )
    return response


@workspace_required
def workspace_report(request, fmt: str | None = None):
    period, errors = _period(request)
    if fmt == "scans":
        workspace = request.workspace
        scope = Scope(RollupScope.WORKSPACE, workspace.pk, workspace.pk)
        return _scan_export(request, scope=scope, period=period, label=workspace.name)
    report = selectors.analytics_for_workspace(workspace=request.workspace, period=period)
    if fmt:
        return _export(request, report, fmt)
    return _page(request, report, errors, title="All codes", route="workspace")


@workspace_required
def code_report(request, code_id: str, fmt: str | None = None):
    period, errors = _period(request)
    if fmt == "scans":
        code = code_get_for_workspace(workspace=request.workspace, public_id=code_id)
        scope = Scope(RollupScope.CODE, code.pk, request.workspace.pk)
        return _scan_export(request, scope=scope, period=period, label=code.name or code_id)
    report = selectors.analytics_for_code(
        workspace=request.workspace, public_id=code_id, period=period
    )
    if fmt:
        return _export(request, report, fmt)
    return _page(request, report, errors, title=str(report.subject), route="code", args=[code_id])


@workspace_required
def group_report(request, group_id: str, fmt: str | None = None):
    period, errors = _period(request)
    if fmt == "scans":
        group = group_get_for_workspace(workspace=request.workspace, public_id=group_id)
        scope = Scope(RollupScope.GROUP, group.pk, request.workspace.pk)
        return _scan_export(request, scope=scope, period=period, label=group.name)
    report = selectors.analytics_for_group(
        workspace=request.workspace, public_id=group_id, period=period
    )
    if fmt:
        return _export(request, report, fmt)
    return _page(request, report, errors, title=report.subject.name, route="group", args=[group_id])
