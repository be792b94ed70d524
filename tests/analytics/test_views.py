"""Analytics pages: full page, HTMX fragment, no-JS fallbacks, errors and who may see what."""

import pytest

from tests.analytics.analytics_data import add_scan
from tests.codes.factories import CampaignGroupFactory, QRCodeFactory


@pytest.fixture
def poster(acme):
    group = CampaignGroupFactory(workspace=acme, name="Spring", slug="spring")
    code = QRCodeFactory(workspace=acme, group=group, name="Poster")
    add_scan(
        code, "2026-03-02 08:00", visitor="ann", country="FR", referrer_host="=cmd|' /C calc'!A0"
    )
    add_scan(code, "2026-03-03 09:00", visitor="ben", country="DE", device_type="desktop")
    return code


WEEK = "?start=2026-03-01&end=2026-03-07"


def test_the_code_page_shows_totals_chart_breakdowns_and_table_alternatives(alice_client, poster):
    response = alice_client.get(f"/analytics/codes/{poster.public_id}/{WEEK}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert 'role="img"' in html
    assert "Show as a table" in html
    assert "France" in html
    assert "Germany" in html
    assert "Mon 2 Mar 2026: 1 scan, 1 unique" in html  # a tooltip of the series chart
    assert '<html lang="en">' in html  # the whole page


def test_an_htmx_request_gets_only_the_report_fragment(alice_client, poster):
    response = alice_client.get(
        f"/analytics/codes/{poster.public_id}/?range=7d", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report"')
    assert "<html" not in html


def test_presets_are_plain_links_and_the_custom_range_a_get_form(alice_client, poster):
    html = alice_client.get(f"/analytics/codes/{poster.public_id}/{WEEK}").content.decode()

    assert f'href="/analytics/codes/{poster.public_id}/?timezone=UTC&amp;range=30d"' in html
    assert (
        f'<form id="custom-range" class="range-form" method="get" action="/analytics/codes/{poster.public_id}/"'
        in html
    )


def test_a_bad_range_shows_a_message_and_the_default_period(alice_client, poster):
    response = alice_client.get(
        f"/analytics/codes/{poster.public_id}/?start=2026-03-08&end=2026-03-01"
    )

    assert response.status_code == 400
    assert "end must be on or after start." in response.content.decode()
    assert "Showing the last 30 days instead." in response.content.decode()


def test_group_and_workspace_pages_list_top_codes(alice_client, poster, acme):
    group_page = alice_client.get(f"/analytics/groups/{poster.group.public_id}/{WEEK}")
    workspace_page = alice_client.get(f"/analytics/{WEEK}")

    assert group_page.status_code == workspace_page.status_code == 200
    assert "Top codes" in group_page.content.decode()
    assert (
        f"/analytics/codes/{poster.public_id}/?start=2026-03-01" in workspace_page.content.decode()
    )


def test_an_empty_period_says_what_to_do(alice_client, poster):
    html = alice_client.get(
        f"/analytics/codes/{poster.public_id}/?start=2025-01-01&end=2025-01-07"
    ).content.decode()

    assert "No scans in this period" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 200), ("carol", 200), ("charlie", 404), ("anonymous", 302)],
)
@pytest.mark.parametrize(
    "page",
    [
        "code", "group", "code_csv", "group_pdf", "workspace",
        "code_scans", "group_scans", "workspace_scans",
    ],
)  # fmt: skip
def test_permission_matrix(persona, status, page, poster, client, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = {
        "code": f"/analytics/codes/{poster.public_id}/",
        "group": f"/analytics/groups/{poster.group.public_id}/",
        "code_csv": f"/analytics/codes/{poster.public_id}/export.csv",
        "group_pdf": f"/analytics/groups/{poster.group.public_id}/report.pdf",
        "workspace": "/analytics/",
        "code_scans": f"/analytics/codes/{poster.public_id}/scans.csv",
        "group_scans": f"/analytics/groups/{poster.group.public_id}/scans.csv",
        "workspace_scans": "/analytics/scans.csv",
    }[page]
    own_workspace = page in ("workspace", "workspace_scans")
    expected = 200 if own_workspace and persona == "charlie" else status
    assert client.get(url + WEEK).status_code == expected


def test_the_navigation_links_to_analytics(alice_client):
    assert 'href="/analytics/"' in alice_client.get("/").content.decode()
