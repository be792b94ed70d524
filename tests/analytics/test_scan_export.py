"""The per-scan CSV: one row per scan, never an IP or the visitor hash, formula-safe, the
day's first scan flagged, streamed when small and a job when large."""

import csv
import io

import pytest
from django.urls import reverse

from analytics.scan_export import COLUMNS
from jobs.models import Job, Kind, Status
from tests.analytics.analytics_data import add_scan
from tests.codes.factories import CampaignGroupFactory, QRCodeFactory
from tests.jobs.conftest import run

pytestmark = pytest.mark.django_db
WEEK = "?start=2026-03-01&end=2026-03-07"


@pytest.fixture
def poster(acme):
    group = CampaignGroupFactory(workspace=acme, name="Spring", slug="spring")
    code = QRCodeFactory(workspace=acme, group=group, name="=Poster")
    add_scan(code, "2026-02-28 23:00", visitor="vh-ann-7f3")  # before the period, another day
    add_scan(code, "2026-03-02 08:00", visitor="vh-ann-7f3", referrer_host="=cmd|' /C calc'!A0")
    add_scan(code, "2026-03-02 09:00", visitor="vh-ann-7f3", country="DE")  # same visitor, same day
    add_scan(code, "2026-03-03 09:00", visitor="vh-ann-7f3", device_type="desktop")  # next day
    add_scan(code, "2026-03-03 10:00", visitor="bot", is_bot=True, browser="Googlebot")
    return code


def _rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_every_scan_of_the_period_is_a_row_with_the_days_first_scan_flagged(alice_client, poster):
    url = reverse("analytics:code_scans", args=[poster.public_id]) + WEEK
    response = alice_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert [row["scanned_at_utc"] for row in rows] == [
        "2026-03-02T08:00:00Z",
        "2026-03-02T09:00:00Z",
        "2026-03-03T09:00:00Z",
    ]
    assert [row["unique_of_the_day"] for row in rows] == ["yes", "no", "yes"]
    assert rows[1]["country"] == "DE"
    assert {row["code_id"] for row in rows} == {poster.public_id}


def test_no_ip_and_no_visitor_hash_and_formulas_are_defused(alice_client, poster):
    rows = _rows(alice_client.get(reverse("analytics:code_scans", args=[poster.public_id]) + WEEK))
    assert list(rows[0]) == COLUMNS
    assert not any("ip" in column.split("_") or "hash" in column for column in COLUMNS)
    assert "vh-ann-7f3" not in str(rows)
    assert rows[0]["referrer_host"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["code_name"] == "'=Poster"


def test_bots_are_rows_only_when_asked_for(alice_client, poster):
    url = reverse("analytics:group_scans", args=[poster.group.public_id]) + WEEK
    assert len(_rows(alice_client.get(url))) == 3
    rows = _rows(alice_client.get(url + "&include_bots=true"))
    assert [row["is_bot"] for row in rows] == ["no", "no", "no", "yes"]


def test_a_large_export_becomes_a_job_whose_file_has_the_same_rows(
    alice_client, poster, settings, acme
):
    settings.ANALYTICS_SCAN_EXPORT_STREAM_ROWS = 2
    url = reverse("analytics:workspace_scans") + WEEK
    response = alice_client.get(url)
    job = Job.objects.get(kind=Kind.SCAN_EXPORT)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.public_id])
    assert job.total == 3
    job = run(job)
    assert job.status == Status.SUCCEEDED
    assert job.summary == {"rows": 3}
    rows = list(csv.DictReader(io.StringIO(job.result_file.read().decode())))
    assert [row["unique_of_the_day"] for row in rows] == ["yes", "no", "yes"]
    page = alice_client.get(reverse("jobs:detail", args=[job.public_id])).content.decode()
    assert "Download scans CSV" in page


def test_a_stranger_gets_404_for_anothers_code(poster, charlie):
    from django.test import Client

    client = Client()
    client.force_login(charlie)
    url = reverse("analytics:code_scans", args=[poster.public_id]) + WEEK
    assert client.get(url).status_code == 404
