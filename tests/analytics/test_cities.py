"""Cities, when a MaxMind City database is configured: recorded with their country (never the
address), counted in the analytics page, the API and the per-scan CSV.

The database is a real .mmdb in MaxMind's City layout, written by mmdb-writer for each test
and read by the same geoip2 reader production uses.
"""

import csv
import io
import json
import uuid
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from analytics.models import Scan
from analytics.rollups import rollup_day
from analytics.selectors import analytics_for_workspace
from analytics.services import scan_flush_buffer, scan_record_many
from tests.analytics.analytics_data import add_scan, period
from tests.analytics.scanning import scan as send_scan
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db

LONDON = "81.2.69.142"
LINKOPING = "89.160.20.128"
COUNTRY_ONLY = "2.125.160.216"  # the database knows its country (GB), not its city
NOT_IN_DATABASE = "203.0.113.9"
WEEK = "?start=2026-03-01&end=2026-03-07"


def scan(client, code, **extra) -> Scan:
    assert send_scan(client, code, **extra).status_code == 302
    return Scan.objects.filter(code=code).order_by("-id").first()


def _place(city: str | None, iso: str, country: str) -> dict:
    record = {"country": {"iso_code": iso, "geoname_id": 1, "names": {"en": country}}}
    if city:
        record["city"] = {"geoname_id": 2, "names": {"en": city, "de": f"{city} (de)"}}
    return record


@pytest.fixture
def city_database(tmp_path, settings):
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoLite2-City",
        languages=["en", "de"],
        description="test cities",
    )
    writer.insert_network(IPSet(["81.2.69.0/24"]), _place("London", "GB", "United Kingdom"))
    writer.insert_network(IPSet(["89.160.20.0/24"]), _place("Linköping", "SE", "Sweden"))
    writer.insert_network(IPSet(["2.125.160.0/24"]), _place(None, "GB", "United Kingdom"))
    path = tmp_path / "GeoLite2-City.mmdb"
    writer.to_db_file(str(path))
    settings.GEOIP_CITY_PATH = str(path)
    return path


def test_a_scan_records_its_city_and_country_and_never_the_address(client, code, city_database):
    london = scan(client, code, REMOTE_ADDR=LONDON)
    linkoping = scan(client, code, REMOTE_ADDR=LINKOPING)

    assert (london.country, london.city) == ("GB", "London")
    assert (linkoping.country, linkoping.city) == ("SE", "Linköping")  # English name, as stored
    stored = list(Scan.objects.values_list(*[f.attname for f in Scan._meta.concrete_fields]))
    assert LONDON not in str(stored)
    assert LINKOPING not in str(stored)


def test_an_address_the_database_places_in_a_country_only_has_no_city(client, code, city_database):
    row = scan(client, code, REMOTE_ADDR=COUNTRY_ONLY)
    assert (row.country, row.city) == ("GB", "")


def test_an_address_missing_from_the_city_database_still_gets_its_country(
    client, code, city_database
):
    # 81.2.69.160 is a UK address in the bundled country database, but not in this file.
    row = scan(client, code, REMOTE_ADDR="81.2.70.160")
    assert (row.country, row.city) == ("GB", "")
    private = scan(client, code, REMOTE_ADDR="192.168.1.20")
    assert (private.country, private.city) == ("", "")
    assert scan(client, code, REMOTE_ADDR=NOT_IN_DATABASE).city == ""


def test_a_trusted_country_header_wins_and_a_city_elsewhere_is_dropped(
    client, code, city_database, settings
):
    settings.TRUSTED_COUNTRY_HEADER = "CF-IPCountry"
    elsewhere = scan(client, code, REMOTE_ADDR=LONDON, HTTP_CF_IPCOUNTRY="FR")
    same = scan(client, code, REMOTE_ADDR=LONDON, HTTP_CF_IPCOUNTRY="GB")
    assert (elsewhere.country, elsewhere.city) == ("FR", "")
    assert (same.country, same.city) == ("GB", "London")


def test_without_a_city_database_no_city_is_recorded(client, code, settings):
    settings.GEOIP_CITY_PATH = ""
    row = scan(client, code, REMOTE_ADDR=LONDON)
    assert (row.country, row.city) == ("GB", "")


def test_a_broken_city_database_costs_the_city_not_the_scan(client, code, tmp_path, settings):
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"not a maxmind database")
    settings.GEOIP_CITY_PATH = str(broken)
    row = scan(client, code, REMOTE_ADDR=LONDON)
    assert (row.country, row.city) == ("GB", "")  # the country from the country database


def test_buffered_events_carry_the_city_and_older_ones_without_it_still_load(code):
    now = timezone.now().timestamp()
    base = {
        "code_id": code.pk, "workspace_id": code.workspace_id, "scanned_at": now,
        "country": "GB", "device_type": "mobile", "os": "iOS", "browser": "Mobile Safari",
        "referrer_host": "", "language": "en", "is_bot": False, "visitor_hash": "v",
    }  # fmt: skip
    with_city = {**base, "event_id": uuid.uuid4().hex, "city": "London"}
    before_cities = {**base, "event_id": uuid.uuid4().hex}  # buffered by an older release
    scan_record_many(payloads=[json.dumps(with_city), json.dumps(before_cities)])
    assert sorted(Scan.objects.values_list("city", flat=True)) == ["", "London"]
    assert scan_flush_buffer() == 0  # nothing left behind in a buffer


@pytest.fixture
def places(code):
    add_scan(code, "2026-03-02 08:00", country="GB", city="London", visitor="a")
    add_scan(code, "2026-03-02 09:00", country="GB", city="London", visitor="b")
    add_scan(code, "2026-03-03 09:00", country="US", city="London", visitor="c")  # Ontario's
    add_scan(code, "2026-03-03 10:00", country="SE", city="Linköping", visitor="d")
    add_scan(code, "2026-03-04 10:00", country="GB", city="", visitor="e")
    return code


def _cities(report) -> list[tuple]:
    return [(row.value, row.label, row.scans) for row in report.breakdowns["cities"]]


def test_top_cities_keep_same_named_cities_apart_and_count_the_unknown(places, city_database):
    report = analytics_for_workspace(
        workspace=places.workspace, period=period(start="2026-03-01", end="2026-03-07")
    )
    assert _cities(report) == [
        ("GB:London", "London, United Kingdom", 2),
        ("", "Unknown", 1),
        ("SE:Linköping", "Linköping, Sweden", 1),
        ("US:London", "London, United States", 1),
    ]
    assert sum(row.scans for row in report.breakdowns["cities"]) == report.totals.scans


def test_rolled_up_days_give_the_same_cities_as_the_raw_scans(places, city_database):
    for day in range(1, 8):
        rollup_day(day=date(2026, 3, day))
    options = {
        "workspace": places.workspace,
        "period": period(start="2026-03-01", end="2026-03-07"),
    }
    rolled = analytics_for_workspace(**options)
    raw = analytics_for_workspace(**options, use_rollups=False)
    assert _cities(rolled) == _cities(raw)
    assert _cities(rolled)[0] == ("GB:London", "London, United Kingdom", 2)


def test_the_analytics_page_shows_top_cities_and_explains_unknown(
    alice_client, places, city_database
):
    response = alice_client.get(reverse("analytics:workspace") + WEEK)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="bd-cities"' in page
    assert "London, United Kingdom" in page
    assert "Linköping, Sweden" in page
    assert 'id="unknown-city"' in page
    assert "places many addresses in a country only" in page


def test_without_a_city_database_or_known_cities_the_page_has_no_cities_card(
    alice_client, code, settings
):
    settings.GEOIP_CITY_PATH = ""
    add_scan(code, "2026-03-02 08:00", country="GB")
    page = alice_client.get(reverse("analytics:workspace") + WEEK).content.decode()
    assert 'id="bd-countries"' in page
    assert 'id="bd-cities"' not in page


def test_cities_recorded_earlier_still_show_once_the_database_is_gone(
    alice_client, places, settings
):
    settings.GEOIP_CITY_PATH = ""
    page = alice_client.get(reverse("analytics:workspace") + WEEK).content.decode()
    assert "London, United Kingdom" in page
    assert "recorded only while the server has a MaxMind City database" in page


def test_the_api_reports_cities(places, city_database, alice, acme):
    response = ApiClient(make_key(alice, acme, "read")).get("/api/v1/analytics/" + WEEK)
    assert response.status_code == 200, response.content
    cities = {row["value"]: row["scans"] for row in response.json()["cities"]}
    assert cities == {"GB:London": 2, "US:London": 1, "SE:Linköping": 1, "": 1}


def test_the_per_scan_csv_fills_the_city_column(alice_client, places, city_database):
    url = reverse("analytics:workspace_scans") + WEEK
    body = b"".join(alice_client.get(url).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(row["country"], row["city"]) for row in rows] == [
        ("GB", "London"),
        ("GB", "London"),
        ("US", "London"),
        ("SE", "Linköping"),
        ("GB", ""),
    ]
