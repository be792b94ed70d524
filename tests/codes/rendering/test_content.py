import datetime as dt

import pytest
import vobject

from codes.rendering import CONTENT_TYPES, SpecError, Style, encode_content, render
from codes.rendering.content import KINDS, fold

from .conftest import decode


def parse_wifi(payload: str) -> dict[str, str]:
    """A small WIFI: parser following the ZXing format: backslash escapes, quoted hex values."""
    assert payload.startswith("WIFI:")
    assert payload.endswith(";;")
    fields, key, value, i = {}, "", [], 5
    body = payload[5:-1]
    in_key = True
    while i - 5 < len(body):
        ch = body[i - 5]
        if in_key:
            if ch == ":":
                in_key = False
            else:
                key += ch
        elif ch == "\\":
            i += 1
            value.append(body[i - 5])
        elif ch == ";":
            text = "".join(value)
            if len(text) >= 2 and text[0] == text[-1] == '"':
                text = text[1:-1]
            fields[key] = text
            key, value, in_key = "", [], True
        else:
            value.append(ch)
        i += 1
    return fields


def parse_mecard(payload: str) -> dict[str, str]:
    assert payload.startswith("MECARD:")
    assert payload.endswith(";;")
    fields = parse_wifi("WIFI:" + payload[7:])
    return fields


def test_every_content_type_describes_fields_for_forms():
    assert set(CONTENT_TYPES) == {
        "url", "text", "vcard", "mecard", "wifi", "email", "sms", "phone", "geo", "event",
    }  # fmt: skip
    for ct in CONTENT_TYPES.values():
        assert ct.label
        assert ct.fields
        for field in ct.fields:
            assert field.kind in KINDS
            assert field.label
            if field.kind == "choice":
                assert field.choices


def test_url_is_kept_verbatim():
    assert (
        encode_content("url", {"url": "https://example.com/a?b=1"}) == "https://example.com/a?b=1"
    )


@pytest.mark.parametrize(
    "url", ["example.com", "ftp://x.org/file", "https://", "javascript:alert(1)"]
)
def test_url_without_web_scheme_is_refused(url):
    with pytest.raises(SpecError) as exc:
        encode_content("url", {"url": url})
    assert "https://" in exc.value.fields["url"]


def test_vcard_round_trips_through_vobject():
    data = {
        "first_name": "Zoë",
        "last_name": "O'Brien; Jr.",
        "organization": "Acme, Inc.",
        "title": "Head of \\ backslashes",
        "phone": "+49 30 1234567",
        "phones": ["+1 (555) 010-9999"],
        "email": "zoe@example.com",
        "website": "https://example.com/zoe",
        "street": "Main St. 1",
        "city": "Berlin",
        "region": "BE",
        "postal_code": "10115",
        "country": "Germany",
        "note": "Line one\nLine two, with a comma; and a semicolon " + "long " * 30,
    }
    payload = encode_content("vcard", data)
    assert all(len(line.encode()) <= 75 for line in payload.split("\r\n"))
    card = vobject.readOne(payload)
    assert card.n.value.given == "Zoë"
    assert card.n.value.family == "O'Brien; Jr."
    assert card.fn.value == "Zoë O'Brien; Jr."
    assert card.org.value == ["Acme, Inc."]
    assert card.title.value == "Head of \\ backslashes"
    assert [t.value for t in card.contents["tel"]] == ["+49301234567", "+15550109999"]
    assert card.email.value == "zoe@example.com"
    assert card.url.value == "https://example.com/zoe"
    assert card.adr.value.street == "Main St. 1"
    assert card.adr.value.city == "Berlin"
    assert card.adr.value.code == "10115"
    assert card.adr.value.country == "Germany"
    assert card.note.value == data["note"].strip()


def test_vcard_needs_a_name_or_organization():
    with pytest.raises(SpecError) as exc:
        encode_content("vcard", {"email": "a@example.com"})
    assert "first_name" in exc.value.fields


def test_folding_never_splits_a_utf8_character():
    line = "NOTE:" + "é" * 80
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_wifi_escapes_special_characters_and_parses_back():
    data = {
        "ssid": 'My;Net,work:"x"\\',
        "password": "pa;ss:wo,rd",
        "security": "WPA",
        "hidden": True,
    }
    payload = encode_content("wifi", data)
    assert parse_wifi(payload) == {
        "T": "WPA",
        "S": data["ssid"],
        "P": data["password"],
        "H": "true",
    }


def test_wifi_quotes_hex_looking_values():
    payload = encode_content(
        "wifi", {"ssid": "CAFE1234", "password": "deadbeef00", "security": "WEP"}
    )
    assert 'S:"CAFE1234";' in payload
    assert parse_wifi(payload)["P"] == "deadbeef00"


def test_open_wifi_has_no_password():
    payload = encode_content("wifi", {"ssid": "Corner Cafe", "security": "nopass"})
    assert payload == "WIFI:T:nopass;S:Corner Cafe;;"
    with pytest.raises(SpecError) as exc:
        encode_content("wifi", {"ssid": "Cafe", "security": "nopass", "password": "x"})
    assert "password" in exc.value.fields


@pytest.mark.parametrize(
    ("security", "password"),
    [("WPA", "short"), ("WPA", None), ("WEP", "abcdef"), ("WPA2", "password1")],
)
def test_wifi_refuses_bad_keys(security, password):
    data = {"ssid": "Net", "security": security}
    if password:
        data["password"] = password
    with pytest.raises(SpecError) as exc:
        encode_content("wifi", data)
    assert set(exc.value.fields) & {"password", "security"}


def test_mecard_escapes_and_parses_back():
    payload = encode_content(
        "mecard",
        {"name": "Doe, Jane", "phone": "+44 20 7946 0958", "email": "jane@example.com",
         "website": "https://example.com", "address": "1 High St; London", "note": "hi: there"},
    )  # fmt: skip
    fields = parse_mecard(payload)
    assert fields == {
        "N": "Doe, Jane",
        "TEL": "+442079460958",
        "EMAIL": "jane@example.com",
        "URL": "https://example.com",
        "ADR": "1 High St; London",
        "NOTE": "hi: there",
    }


def test_email_builds_mailto_with_body_and_no_subject():
    # segno's helper would emit "mailto:a@example.com&body=..." here (no "?").
    payload = encode_content("email", {"to": "a@example.com", "body": "Hello there & more"})
    assert payload == "mailto:a@example.com?body=Hello%20there%20%26%20more"
    both = encode_content("email", {"to": "a@example.com", "subject": "Hi", "body": "x"})
    assert both == "mailto:a@example.com?subject=Hi&body=x"


def test_bad_email_is_refused_with_the_field():
    with pytest.raises(SpecError) as exc:
        encode_content("email", {"to": "not-an-email"})
    assert "to" in exc.value.fields


def test_sms_and_phone_use_e164():
    assert (
        encode_content("sms", {"number": "0049 30 123456", "message": "Hi"})
        == "SMSTO:+4930123456:Hi"
    )
    assert encode_content("phone", {"number": "+1 (555) 010-1234"}) == "tel:+15550101234"


@pytest.mark.parametrize("number", ["030 123456", "+0123", "+1234567890123456", "call me"])
def test_phone_refuses_non_e164(number):
    with pytest.raises(SpecError) as exc:
        encode_content("phone", {"number": number})
    assert "+49" in exc.value.fields["number"]


def test_geo_uses_segno_format_and_checks_ranges():
    assert encode_content("geo", {"latitude": 52.52, "longitude": "13.405"}) == "geo:52.52,13.405"
    with pytest.raises(SpecError) as exc:
        encode_content("geo", {"latitude": 91, "longitude": 0})
    assert "latitude" in exc.value.fields
    with pytest.raises(SpecError) as exc:
        encode_content("geo", {"latitude": 0, "longitude": -180.5})
    assert "longitude" in exc.value.fields


def test_event_is_a_vevent_in_utc_and_parses_back():
    start = dt.datetime(2026, 3, 8, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    payload = encode_content(
        "event",
        {"title": "Launch, party; yes", "start": start, "end": "2026-03-08T18:00:00+01:00",
         "location": "Hall 1", "description": "Bring\nfriends"},
    )  # fmt: skip
    event = vobject.readOne(payload)
    assert event.summary.value == "Launch, party; yes"
    assert event.dtstart.value == start
    assert event.dtend.value == dt.datetime(2026, 3, 8, 17, 0, tzinfo=dt.UTC)
    assert event.description.value == "Bring\nfriends"
    assert "DTSTART:20260308T143000Z" in payload


def test_event_end_must_follow_start():
    with pytest.raises(SpecError) as exc:
        encode_content("event", {"title": "x", "start": "2026-03-08", "end": "2026-03-07"})
    assert exc.value.fields == {"end": "must be after start"}


def test_unknown_fields_and_types_are_refused():
    with pytest.raises(SpecError) as exc:
        encode_content("url", {"url": "https://a.example", "colour": "red"})
    assert "colour" in exc.value.fields
    with pytest.raises(SpecError) as exc:
        encode_content("fax", {})
    assert "content_type" in exc.value.fields


def test_required_fields_are_named():
    with pytest.raises(SpecError) as exc:
        encode_content("event", {"location": "Hall"})
    assert set(exc.value.fields) == {"title", "start"}


def test_control_characters_are_refused():
    with pytest.raises(SpecError) as exc:
        encode_content("mecard", {"name": "a\x00b"})
    assert "control" in exc.value.fields["name"]


def test_spec_error_names_its_fields_and_is_no_django_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(SpecError) as exc:
        encode_content("phone", {"number": "nope"})
    assert list(exc.value.fields) == ["number"]
    assert str(exc.value).startswith("number: ")
    assert not isinstance(exc.value, ValidationError)  # the codes app converts it


def test_vcard_decoded_from_the_image_parses_into_the_same_fields():
    data = {"first_name": "Zoë", "last_name": "Ng", "organization": "Acme, Inc.",
            "phone": "+49 30 1234567", "email": "zoe@example.com", "note": "a; b\nc"}  # fmt: skip
    (text,) = decode(render(encode_content("vcard", data), Style(module_shape="rounded")))
    card = vobject.readOne(text)
    assert (card.n.value.given, card.n.value.family) == ("Zoë", "Ng")
    assert card.org.value == ["Acme, Inc."]
    assert card.tel.value == "+49301234567"
    assert card.email.value == "zoe@example.com"
    assert card.note.value == "a; b\nc"


def test_wifi_decoded_from_the_image_parses_into_the_same_fields():
    data = {"ssid": "Café;Guest", "password": "s3cret:pass,word", "security": "WPA"}
    (text,) = decode(render(encode_content("wifi", data), Style(module_shape="dots")))
    assert parse_wifi(text) == {"T": "WPA", "S": "Café;Guest", "P": "s3cret:pass,word"}
