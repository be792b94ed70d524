"""CSV and PDF reports: the same numbers as the page, and cells a spreadsheet cannot run."""

import csv
import io
import re
import zlib

import pytest

from analytics.exports import report_csv, report_pdf_html, safe_cell
from analytics.selectors import analytics_for_code
from tests.analytics.analytics_data import add_scan, period
from tests.codes.factories import QRCodeFactory


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (WeasyPrint packs objects in streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.fixture
def poster(acme):
    code = QRCodeFactory(workspace=acme, name='=HYPERLINK("http://evil")')
    add_scan(code, "2026-03-02 08:00", visitor="ann", referrer_host="=cmd|' /C calc'!A0")
    add_scan(
        code, "2026-03-02 09:00", visitor="ben", referrer_host="+evil.example", language="-1+1"
    )
    add_scan(
        code,
        "2026-03-03 09:00",
        visitor="cat",
        referrer_host="@sum(1)",
        os="\tTab OS",
        browser="\rCR",
    )
    return code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("t.co", "t.co"),
        ("", ""),
        (12, 12),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_escaped(value, expected):
    assert safe_cell(value) == expected


def test_the_csv_has_the_series_and_every_breakdown_summing_to_the_total(poster):
    report = analytics_for_code(
        workspace=poster.workspace, public_id=poster.public_id,
        period=period(start="2026-03-01", end="2026-03-07"),
    )  # fmt: skip

    rows = list(csv.DictReader(io.StringIO(report_csv(report))))

    series = [r for r in rows if r["section"] == "timeseries_day"]
    assert [(r["key"], r["scans"]) for r in series[:3]] == [
        ("2026-03-01", "0"), ("2026-03-02", "2"), ("2026-03-03", "1"),
    ]  # fmt: skip
    total = next(r for r in rows if r["key"] == "total")
    assert total["scans"] == "3"
    for section in (
        "countries",
        "devices",
        "operating_systems",
        "browsers",
        "referrers",
        "languages",
    ):
        assert sum(int(r["scans"]) for r in rows if r["section"] == section) == 3, section
    referrers = {r["key"] for r in rows if r["section"] == "referrers"}
    assert referrers == {"'=cmd|' /C calc'!A0", "'+evil.example", "'@sum(1)"}
    assert {r["key"] for r in rows if r["section"] == "languages"} >= {"'-1+1"}
    assert next(r for r in rows if r["key"] == "code")["label"].startswith("'=HYPERLINK")
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values()
    )


def test_the_csv_download_is_an_attachment(alice_client, poster):
    response = alice_client.get(
        f"/analytics/codes/{poster.public_id}/export.csv?start=2026-03-01&end=2026-03-07"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="analytics-{poster.public_id}-2026-03-01-2026-03-07.csv"'
    )


def test_the_pdf_report_has_the_charts_and_the_numbers(alice_client, poster):
    report = analytics_for_code(
        workspace=poster.workspace, public_id=poster.public_id,
        period=period(start="2026-03-01", end="2026-03-07"),
    )  # fmt: skip
    html = report_pdf_html(report)
    response = alice_client.get(
        f"/analytics/codes/{poster.public_id}/report.pdf?start=2026-03-01&end=2026-03-07"
    )

    assert html.count("<svg") == 7  # the series and the six breakdowns, as on the page
    assert "Scans per day" in html
    assert "Sun 1 Mar 2026: 0 scans, 0 unique" in html
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    objects = pdf_objects(response.content)
    assert b"Scan report: " in objects  # the document title
    assert objects.count(b"/Type /Page") - objects.count(b"/Type /Pages") >= 1
