"""Two groups or two codes side by side over the same period: totals, change, top country and
device, and both series in one chart (A solid, B dashed)."""

from __future__ import annotations

from django.shortcuts import render

from accounts.decorators import workspace_required
from analytics import selectors
from analytics.charts import time_series_chart
from analytics.views import _period, _query
from codes import selectors as code_selectors

MAX_CHOICES = 200


def _report(workspace, subject_id: str, period):
    """The report of a code (`code_…`) or a group (`grp_…`) of this workspace; 404 otherwise."""
    if subject_id.startswith("grp_"):
        return selectors.analytics_for_group(
            workspace=workspace, public_id=subject_id, period=period
        )
    return selectors.analytics_for_code(workspace=workspace, public_id=subject_id, period=period)


def _top(report, name: str) -> str:
    rows = [row for row in report.breakdowns.get(name, []) if row.value is not None]
    return f"{rows[0].label} ({rows[0].share:.0%})" if rows else "—"


@workspace_required
def compare(request):
    workspace = request.workspace
    period, errors = _period(request)
    groups = list(code_selectors.group_choices_for_workspace(workspace=workspace))
    codes = list(
        code_selectors.code_list_for_workspace(workspace=workspace, kind="dynamic")[:MAX_CHOICES]
    )
    choices = [(g.public_id, f"Group: {g.name}") for g in groups] + [
        (c.public_id, f"Code: {c.name or c.public_id}") for c in codes
    ]
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    context = {"choices": choices, "a": a, "b": b, "period": period, "errors": errors}
    if a and b:
        first, second = _report(workspace, a, period), _report(workspace, b, period)
        name_a, name_b = str(first.subject), str(second.subject)
        context.update(
            first=first,
            second=second,
            names=(name_a, name_b),
            rows=[
                ("Scans", first.totals.scans, second.totals.scans),
                ("Unique scans", first.totals.unique_scans, second.totals.unique_scans),
                ("Scans the period before", first.previous.scans, second.previous.scans),
                ("Top country", _top(first, "countries"), _top(second, "countries")),
                ("Top device", _top(first, "devices"), _top(second, "devices")),
                ("Top referrer", _top(first, "referrers"), _top(second, "referrers")),
            ],
            chart=time_series_chart(
                first.series,
                second.series,
                interval=period.interval,
                title=f"Scans per {period.interval}: {name_a} (solid) and {name_b} (dashed)",
                compare_label=name_b,
            ),
            query=_query(period),
        )
    return render(request, "analytics/compare.html", context, status=400 if errors else 200)
