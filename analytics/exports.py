"""Reports to take away: a CSV of the series and every breakdown, and a PDF with the charts.

Referrer hosts, languages, OS and browser names and code names come from scanners and users;
a spreadsheet would run a cell that starts with = + - @ (or a tab or carriage return that
hides one) as a formula, so such cells are prefixed with an apostrophe (OWASP's advice).
"""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils.text import slugify

from analytics.charts import report_charts
from analytics.selectors import BREAKDOWN_TITLES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# external_id: the code's own id in the caller's systems (a mail merge's recipient), on the
# rows that are one code: the code report's summary and each top code.
CSV_HEADER = ["section", "key", "label", "scans", "unique_scans", "share", "external_id"]


def safe_cell(value):
    """A value a spreadsheet shows as text, never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _subject_name(report) -> str:
    return getattr(report.subject, "name", "") or getattr(report.subject, "public_id", "")


def filename(report, fmt: str) -> str:
    if report.kind == "code":  # public ids are [A-Za-z0-9_] already, and case matters
        name = report.subject.public_id
    else:
        name = slugify(_subject_name(report))[:60] or report.kind
    return f"analytics-{name}-{report.period.start}-{report.period.end}.{fmt}"


def report_rows(report):
    """Tidy rows: one table a spreadsheet can filter by its `section` column."""
    period, totals = report.period, report.totals
    external_id = report.subject.external_id if report.kind == "code" else ""
    yield ["summary", report.kind, _subject_name(report), "", "", "", external_id]
    yield [
        "summary",
        "period",
        f"{period.start} to {period.end} ({period.timezone_name})",
        "",
        "",
        "",
    ]
    yield [
        "summary",
        "bots",
        "included" if period.include_bots else "excluded",
        totals.bot_scans,
        "",
        "",
    ]
    yield ["summary", "total", "This period", totals.scans, totals.unique_scans, ""]
    yield ["summary", "previous", f"{report.previous_period.start} to {report.previous_period.end}",
           report.previous.scans, report.previous.unique_scans, ""]  # fmt: skip
    for point in report.series:
        yield [f"timeseries_{period.interval}", point.label, point.start.isoformat(),
               point.scans, point.unique_scans, ""]  # fmt: skip
    for name, rows in report.breakdowns.items():
        for row in rows:
            key = "(other)" if row.value is None else row.value
            yield [name, key, row.label, row.scans, row.unique_scans, f"{row.share:.4f}"]
    for row in report.top_codes or []:
        yield ["top_codes", row.code.public_id, row.code.name, row.scans, row.unique_scans,
               f"{row.share:.4f}", row.code.external_id]  # fmt: skip


def report_csv(report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in report_rows(report):
        row += [""] * (len(CSV_HEADER) - len(row))  # most rows are not one code's
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def report_pdf_html(report, *, request=None) -> str:
    return render_to_string(
        "analytics/pdf.html",
        {
            "report": report,
            "charts": report_charts(report),
            "titles": BREAKDOWN_TITLES,
            "subject_name": _subject_name(report),
        },
        request=request,
    )


def report_pdf(report, *, request=None) -> bytes:
    """A printable report with the same charts as the page (WeasyPrint draws the inline SVG)."""
    from weasyprint import HTML

    html = report_pdf_html(report, request=request)
    # No base URL: the template is self-contained, so nothing is fetched while rendering.
    return HTML(string=html).write_pdf()
