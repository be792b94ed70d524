"""What a scan stores: useful facts, and never the scanner's IP address."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from analytics.models import DailySalt, Scan
from analytics.services import scan_salt_cleanup
from analytics.useragent import describe_user_agent
from codes import services

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
IPV4 = "81.2.69.160"  # a UK address in the bundled database
IPV6 = "2a02:c7c:1234:5678::9abc"


def scan(client, code, **extra):
    extra.setdefault("HTTP_USER_AGENT", PHONE)
    extra.setdefault("REMOTE_ADDR", IPV4)
    response = client.get(f"/r/{code.slug}", **extra)
    assert response.status_code == 302
    return Scan.objects.filter(code=code).order_by("-id").first()


def _every_text_value_in_the_database() -> list[str]:
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                values.extend(str(value) for value in row if value is not None)
    return values


def test_no_raw_ip_anywhere_in_the_database_after_scans(client, code):
    scan(client, code, REMOTE_ADDR=IPV4)
    scan(client, code, REMOTE_ADDR=IPV6, HTTP_USER_AGENT=DESKTOP)
    scan(
        client,
        code,
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
        HTTP_REFERER="https://news.example/story?id=1",
    )
    values = _every_text_value_in_the_database()
    assert Scan.objects.count() == 3
    for ip in (IPV4, IPV6, "10.0.0.1", "198.51.100.23", "2a02:c7c:1234:5678:0:0:0:9abc"):
        assert not [value for value in values if ip in value], ip
    # Nor the user-agent string: only what was parsed from it.
    assert not [value for value in values if "AppleWebKit" in value]


def test_a_scan_records_country_device_os_browser_referrer_and_language(client, code):
    row = scan(
        client,
        code,
        HTTP_REFERER="https://news.example/story?id=1",
        HTTP_ACCEPT_LANGUAGE="de-CH,de;q=0.9,en;q=0.8",
    )
    assert (row.country, row.device_type, row.os, row.browser) == (
        "GB",
        "mobile",
        "iOS",
        "Mobile Safari",
    )
    assert (row.referrer_host, row.language, row.is_bot) == ("news.example", "de-ch", False)
    assert row.workspace_id == code.workspace_id
    assert len(row.visitor_hash) == 32


@pytest.mark.parametrize(
    ("agent", "device"),
    [(PHONE, "mobile"), (IPAD, "tablet"), (ANDROID_PHONE, "mobile"), (DESKTOP, "desktop")],
)
def test_device_types(agent, device):
    assert describe_user_agent(agent).device_type == device


def test_same_visitor_same_day_is_one_unique_and_next_day_a_new_one(client, code):
    with time_machine.travel(datetime(2026, 3, 8, 9, 0, tzinfo=UTC), tick=False):
        first = scan(client, code).visitor_hash
        again = scan(client, code).visitor_hash
        other = scan(client, code, REMOTE_ADDR="81.2.69.161").visitor_hash
    with time_machine.travel(datetime(2026, 3, 9, 9, 0, tzinfo=UTC), tick=False):
        next_day = scan(client, code).visitor_hash
    assert first == again
    assert other != first
    assert next_day != first
    assert Scan.objects.filter(code=code).values("visitor_hash").distinct().count() == 3


def test_the_same_person_on_two_codes_gets_two_hashes(client, code, acme, alice):
    other = services.code_create(workspace=acme, actor=alice, destination="https://e.com/")
    assert scan(client, code).visitor_hash != scan(client, other).visitor_hash


def test_global_privacy_control_means_no_visitor_hash(client, code):
    row = scan(client, code, HTTP_SEC_GPC="1")
    assert row.visitor_hash == ""
    assert row.country == "GB"


def test_old_salts_are_deleted(client, code):
    with time_machine.travel(datetime(2026, 3, 8, 9, 0, tzinfo=UTC), tick=False):
        scan(client, code)
    with time_machine.travel(datetime(2026, 3, 9, 9, 0, tzinfo=UTC), tick=False):
        scan(client, code)
        assert DailySalt.objects.count() == 2
        assert scan_salt_cleanup() == 1
    assert list(DailySalt.objects.values_list("day", flat=True)) == [
        datetime(2026, 3, 9, tzinfo=UTC).date()
    ]


def test_country_header_is_ignored_unless_trusted(client, code, settings):
    assert scan(client, code, HTTP_CF_IPCOUNTRY="FR").country == "GB"
    settings.TRUSTED_COUNTRY_HEADER = "CF-IPCountry"
    assert scan(client, code, HTTP_CF_IPCOUNTRY="FR").country == "FR"
    # Placeholders and junk fall back to the IP database.
    assert scan(client, code, HTTP_CF_IPCOUNTRY="XX").country == "GB"
    assert scan(client, code, HTTP_CF_IPCOUNTRY="<script>").country == "GB"


def test_forwarded_for_is_trusted_only_behind_configured_proxies(client, code, settings):
    row = scan(client, code, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=IPV4)
    assert row.country == ""
    settings.TRUSTED_PROXY_COUNT = 1
    row = scan(client, code, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {IPV4}")
    assert row.country == "GB"


def test_private_and_unparseable_addresses_have_no_country(client, code):
    assert scan(client, code, REMOTE_ADDR="192.168.1.20").country == ""
    assert scan(client, code, REMOTE_ADDR="not-an-ip").country == ""


def test_a_maxmind_database_is_used_when_configured(settings, tmp_path):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    from analytics import geo

    writer = MMDBWriter(
        ip_version=6, ipv4_compatible=True, database_type="GeoLite2-Country", languages=["en"]
    )
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "NZ"}})
    settings.GEOIP_PATH = str(tmp_path / "GeoLite2-Country.mmdb")
    writer.to_db_file(settings.GEOIP_PATH)
    # The bundled database puts this address in the UK; the configured one says otherwise.
    assert geo.country_for({}, IPV4) == "NZ"
    assert geo.country_for({}, "198.51.100.7") == ""


def test_scan_time_is_the_request_time(client, code):
    moment = datetime(2026, 3, 8, 14, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        row = scan(client, code)
    assert row.scanned_at == moment
    assert row.scanned_at - moment < timedelta(seconds=1)


def test_a_failing_country_lookup_costs_the_country_not_the_scan_and_logs_no_address(
    client, code, monkeypatch, caplog
):
    from analytics import geo

    class Broken:
        def country(self, ip):
            raise ValueError(f"cannot look up {ip}")

    monkeypatch.setitem(geo._readers, "", Broken())
    row = scan(client, code)
    assert row.country == ""
    assert "country lookup failed" in caplog.text
    assert IPV4 not in caplog.text
