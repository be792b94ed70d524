"""The world map: shapes from the vendored atlas, every country in the frame, colours by
scans, the table alternative and "Unknown" explained."""

import re

import pytest

from analytics import worldmap
from tests.analytics.analytics_data import add_scan
from tests.codes.factories import QRCodeFactory

WEEK = "?start=2026-03-01&end=2026-03-07"


def test_the_atlas_gives_every_large_country_under_its_alpha2_code():
    codes = [shape.code for shape in worldmap.shapes()]
    assert len(codes) == len(set(codes))  # one shape per country (France's overseas parts too)
    assert len(codes) >= 170
    assert {"US", "DE", "FR", "BR", "IN", "CN", "JP", "AU", "ZA", "RU", "FJ"} <= set(codes)
    assert "AQ" not in codes
    names = {shape.code: shape.name for shape in worldmap.shapes()}
    assert names["DE"] == "Germany"
    assert names["GB"] == "United Kingdom"


def test_every_point_lies_inside_the_frame_even_across_the_antimeridian():
    top, bottom = worldmap.TOP, worldmap.TOP + worldmap.HEIGHT
    for shape in worldmap.shapes():
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.path)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert min(xs) >= 0, shape.code
        assert max(xs) <= worldmap.WIDTH, shape.code
        assert min(ys) >= top - 1, shape.code
        assert max(ys) <= bottom + 1, shape.code
    # Fiji straddles 180°: its parts sit at both edges, never in a band across the map.
    fiji = next(s for s in worldmap.shapes() if s.code == "FJ")
    for part in fiji.path.split("M")[1:]:
        xs = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", part)[0::2]]
        assert max(xs) - min(xs) < 30


def test_the_busiest_country_is_darkest_and_a_country_without_scans_grey():
    svg = worldmap.world_map_svg({"US": 40, "FR": 8, "DE": 1})
    by_country = {
        code: fill
        for fill, code in re.findall(r'fill="(#[0-9a-f]+)" data-country="([A-Z]{2})"', svg)
    }
    assert by_country["US"] == worldmap.STEPS[-1]
    assert by_country["FR"] == worldmap.STEPS[0]
    assert by_country["DE"] == worldmap.STEPS[0]
    assert by_country["BR"] == worldmap.NO_SCANS
    assert "<title>United States: 40 scans</title>" in svg
    assert "<title>Brazil: 0 scans</title>" in svg


def test_the_legend_covers_one_to_the_busiest_without_gaps():
    steps = worldmap.legend(40)
    assert [label for _, label in steps] == ["1–8", "9–16", "17–24", "25–32", "33–40"]
    assert worldmap.legend(0) == []


@pytest.mark.django_db
def test_the_report_page_has_the_map_every_country_in_a_table_and_unknown_explained(
    alice_client, acme
):
    code = QRCodeFactory(workspace=acme, name="Poster")
    for i in range(12):
        add_scan(code, "2026-03-02 08:00", visitor=f"fr{i}", country="FR")
    add_scan(code, "2026-03-02 09:00", visitor="sg", country="SG")  # too small to draw
    add_scan(code, "2026-03-02 10:00", visitor="lan", country="")  # a private address
    html = alice_client.get(f"/analytics/codes/{code.public_id}/{WEEK}").content.decode()
    assert 'class="world-map"' in html
    assert f'fill="{worldmap.STEPS[-1]}" data-country="FR"' in html
    table = html.split("Every country as a table", 1)[1]
    assert "Singapore" in table
    assert "France" in table
    assert "Unknown: 1 scan" in html
    assert "local or private network" in html
