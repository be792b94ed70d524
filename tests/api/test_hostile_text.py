"""Text an attacker sends to make the server fail: NUL characters and lone surrogates (valid
JSON escapes that no database or UTF-8 encoder accepts), JSON nested thousands of levels deep,
time-zone offsets no database stores, invisible format characters in destinations. Each is a
400 naming the field, on create and on PATCH, and nothing is written."""

import json

import pytest

from codes.models import DestinationChange, QRCode
from tests.api.test_bad_input import assert_envelope, nothing_written

OK = "https://example.com/ok"
DEEP = 5000

# Raw JSON, so the escapes reach the server as a client would send them.
NUL = "\\u0000"
SURROGATE = "\\ud800"

BAD_TEXT = [
    ("metadata value NUL", f'{{"metadata": {{"k": "a{NUL}b"}}}}', "metadata"),
    ("metadata key NUL", f'{{"metadata": {{"k{NUL}": "v"}}}}', "metadata"),
    ("metadata value surrogate", f'{{"metadata": {{"k": "a{SURROGATE}"}}}}', "metadata"),
    ("metadata key surrogate", f'{{"metadata": {{"{SURROGATE}": "v"}}}}', "metadata"),
    ("metadata nested value", f'{{"metadata": {{"k": [{{"x": "{NUL}"}}]}}}}', "metadata"),
    ("metadata deep", '{"metadata": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}", "metadata"),
    ("metadata deep list", '{"metadata": {"a": ' + "[" * DEEP + "]" * DEEP + "}}", "metadata"),
    ("metadata 30 deep", '{"metadata": ' + '{"a": ' * 30 + "1" + "}" * 30 + "}", "metadata"),
    ("metadata 950 deep", '{"metadata": ' + "[" * 950 + "]" * 950 + "}", "metadata"),
    ("gradient 30 deep", '{"gradient": ' + "[" * 30 + "]" * 30 + "}", "gradient"),
    ("gradient NUL", f'{{"style": {{"gradient": {{"kind": "{NUL}"}}}}}}', "gradient"),
    ("style option surrogate", f'{{"style": {{"{SURROGATE}": 1}}}}', "style"),
    ("name NUL", f'{{"name": "a{NUL}"}}', "name"),
    ("name surrogate", f'{{"name": "a{SURROGATE}"}}', "name"),
    ("external id NUL", f'{{"external_id": "a{NUL}"}}', "external_id"),
    ("external id surrogate", f'{{"external_id": "{SURROGATE}"}}', "external_id"),
    ("label NUL", f'{{"frame": "banner", "label": "a{NUL}"}}', "label"),
    ("label in style NUL", f'{{"style": {{"frame": "banner", "label": "a{NUL}"}}}}', "label"),
    (
        "label in style surrogate",
        f'{{"style": {{"frame": "banner", "label": "{SURROGATE}"}}}}',
        "label",
    ),
    ("style deep", '{"style": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}", "style"),
    ("destination NUL", f'{{"destination": "https://example.com/{NUL}"}}', "destination"),
    (
        "destination surrogate",
        f'{{"destination": "https://example.com/{SURROGATE}"}}',
        "destination",
    ),
    ("destination RLO", '{"destination": "https://example.com/\\u202egpj.exe"}', "destination"),
    ("destination zero width", '{"destination": "https://exa\\u200bmple.com/"}', "destination"),
    ("destination BOM", '{"destination": "https://example.com/\\ufeff"}', "destination"),
    ("group NUL", f'{{"group": "g{NUL}"}}', "group"),
    ("logo surrogate", f'{{"logo": "{SURROGATE}"}}', "logo"),
    ("top-level deep", '{"destination": "' + OK + '", "x": ' + "[" * DEEP + "]" * DEEP + "}", "x"),
]

CONTENT = [
    ("content NUL", f'{{"content": {{"first_name": "A{NUL}"}}}}', "first_name"),
    ("content surrogate", f'{{"content": {{"first_name": "{SURROGATE}"}}}}', "first_name"),
    ("content key NUL", f'{{"content": {{"first{NUL}": "A"}}}}', "content"),
    ("content deep", '{"content": {"first_name": ' + "[" * DEEP + "]" * DEEP + "}}", "content"),
    ("content 30 deep", '{"content": {"first_name": ' + "[" * 30 + "]" * 30 + "}}", "first_name"),
    ("content key surrogate", f'{{"content": {{"{SURROGATE}": "A"}}}}', "content"),
]


def _with(raw: str, **base) -> str:
    body = json.dumps(base)[:-1]
    return body + ", " + raw[1:] if base else raw


@pytest.mark.parametrize(("case", "raw", "field"), BAD_TEXT, ids=[c[0] for c in BAD_TEXT])
def test_create_refuses_unstorable_text_naming_the_field(client_write, case, raw, field):
    body = raw if '"destination"' in raw else _with(raw, destination=OK, type="dynamic")

    response = client_write.post("/api/v1/codes", body)

    assert_envelope(response, 400, "validation_error", field)
    assert nothing_written()


@pytest.mark.parametrize(("case", "raw", "field"), CONTENT, ids=[c[0] for c in CONTENT])
def test_create_refuses_unstorable_content_naming_the_field(client_write, case, raw, field):
    body = _with(raw, type="static", content_type="vcard")

    response = client_write.post("/api/v1/codes", body)

    assert_envelope(response, 400, "validation_error", field)
    assert nothing_written()


@pytest.mark.parametrize(("case", "raw", "field"), BAD_TEXT, ids=[c[0] for c in BAD_TEXT])
def test_patch_refuses_unstorable_text_and_changes_nothing(client_write, case, raw, field):
    code = client_write.post("/api/v1/codes", {"destination": OK, "type": "dynamic"}).json()
    before = QRCode.objects.values().get(public_id=code["id"])

    response = client_write.patch(f"/api/v1/codes/{code['id']}", raw)

    assert_envelope(response, 400, "validation_error", field)
    assert QRCode.objects.values().get(public_id=code["id"]) == before
    assert DestinationChange.objects.count() == 1


def test_bulk_create_refuses_unstorable_metadata_naming_the_item(client_write):
    body = (
        '{"codes": [{"destination": "' + OK + '"}, {"destination": "' + OK + '", '
        f'"metadata": {{"k": "{NUL}"}}}}]}}'
    )

    response = client_write.post("/api/v1/codes/bulk", body)

    error = assert_envelope(response, 400, "validation_error")
    assert error["field"] == "codes[1].metadata"
    assert nothing_written()


GROUP_TEXT = [
    ("name NUL", f'{{"name": "a{NUL}"}}', "name"),
    ("name surrogate", f'{{"name": "{SURROGATE}"}}', "name"),
    ("description NUL", f'{{"name": "ok", "description": "a{NUL}"}}', "description"),
    ("description surrogate", f'{{"name": "ok", "description": "{SURROGATE}"}}', "description"),
    ("slug surrogate", f'{{"name": "ok", "slug": "{SURROGATE}"}}', "slug"),
]


@pytest.mark.parametrize(("case", "raw", "field"), GROUP_TEXT, ids=[c[0] for c in GROUP_TEXT])
def test_group_create_and_patch_refuse_unstorable_text(client_write, case, raw, field):
    response = client_write.post("/api/v1/groups", raw)
    assert_envelope(response, 400, "validation_error", field)

    group = client_write.post("/api/v1/groups", {"name": "Spring"}).json()
    response = client_write.patch(f"/api/v1/groups/{group['id']}", raw)
    assert_envelope(response, 400, "validation_error", field)


def test_key_create_refuses_unstorable_name(client_admin):
    for raw in (
        f'{{"name": "a{NUL}", "scope": "read"}}',
        f'{{"name": "{SURROGATE}", "scope": "read"}}',
    ):
        response = client_admin.post("/api/v1/keys", raw)
        assert_envelope(response, 400, "validation_error", "name")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/codes", "/api/v1/codes/bulk", "/api/v1/groups", "/api/v1/keys", "/api/v1/render"],
)
def test_deep_json_anywhere_is_a_400(client_admin, path):
    response = client_admin.post(path, "[" * DEEP + "]" * DEEP)

    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] in ("validation_error", "malformed_json")


@pytest.mark.parametrize(
    "query",
    [
        "created_before=2026-01-01T00:00:00%2B16:10",
        "created_after=2026-01-01T00:00:00-14:30",
        "created_before=2026-01-01T00:00:00%2B23:59",
        "created_after=9999-12-31T23:59:59-10:00",
        "created_before=0001-01-01T00:00:00%2B10:00",
        "search=a%00b",
        "external_id=%00",
        "group=%00",
        "metadata=k:%00",
    ],
)
def test_list_filters_refuse_what_the_database_cannot_compare(client_read, query):
    response = client_read.get(f"/api/v1/codes?{query}")

    assert_envelope(response, 400, "validation_error", query.split("=")[0])


def test_list_filter_with_the_widest_real_offset_works(client_read):
    response = client_read.get("/api/v1/codes?created_before=2026-01-01T00:00:00%2B14:00")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-02&end=0001-01-20",
        "end=9999-12-31",
        "start=9999-12-01&end=9999-12-31",
        "timezone=Etc/GMT%2B12&start=0001-01-01&end=0001-01-01",
    ],
)
def test_analytics_dates_at_the_ends_of_the_calendar_are_a_400(client_read, query):
    response = client_read.get(f"/api/v1/analytics?{query}")

    error = assert_envelope(response, 400, "validation_error")
    assert error["field"] in ("start", "end")


# Refusals that quote the client's input back (an unknown field, a value that is not a choice):
# the echoed lone surrogate must travel as a JSON escape, not turn the 400 into a 500.
ECHOED = [
    ("/api/v1/codes", f'{{"destination": "{OK}", "type": "{SURROGATE}"}}', "type"),
    ("/api/v1/codes", f'{{"destination": "{OK}", "{SURROGATE}": 1}}', None),
    ("/api/v1/codes", f'{{"type": "static", "content_type": "{SURROGATE}"}}', "content_type"),
    ("/api/v1/keys", f'{{"name": "k", "scope": "{SURROGATE}"}}', "scope"),
    (
        "/api/v1/codes/bulk",
        f'{{"codes": [{{"destination": "{OK}", "type": "{SURROGATE}"}}]}}',
        None,
    ),
]


@pytest.mark.parametrize(("path", "raw", "field"), ECHOED)
def test_a_refusal_echoing_a_lone_surrogate_is_a_400(client_admin, path, raw, field):
    response = client_admin.post(path, raw)

    error = assert_envelope(response, 400, "validation_error", field)
    assert "\\ud800" in response.content.decode("ascii", errors="replace")
    assert error["message"]
    assert nothing_written()
