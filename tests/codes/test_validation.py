import pytest
from django.core.exceptions import ValidationError

from codes.validation import (
    is_safe_destination,
    validate_color,
    validate_custom_slug,
    validate_destination,
)

# Every way we know of to send a scanner somewhere it should not go.
MALICIOUS_DESTINATIONS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "ftp://example.com/file",
    "//evil.example",
    "///evil.example",
    "/relative/path",
    "evil.example",
    "https://",
    "http:///path-only",
    "https://user:secret@example.com/",
    "https://user@example.com/",
    "https://example.com@evil.example/",
    "https://good.example\\@evil.example/",
    "https:\\\\evil.example",
    "https://example.com/\x00",
    "https://example.com/a\nLocation: https://evil.example",
    "https://example.com/\r\n",
    "https://exa mple.com/",
    "https://example.com/\x7f",
    "https://example.com:99999/",
    "https://example.com:port/",
    "https://-bad-.example/",
    "https://example.com/" + "a" * 2048,
    "http://127.0.0.1:8000/r/abc1234",
    "http://127.0.0.1:8000/x/../r/abc1234",
    "http://127.0.0.1:8000/%72/abc1234",
    "HTTP://127.0.0.1:8000/r/abc1234",
]


@pytest.mark.parametrize("url", MALICIOUS_DESTINATIONS)
def test_malicious_destination_is_refused_with_a_field_error(url):
    with pytest.raises(ValidationError) as caught:
        validate_destination(url)
    assert "destination" in caught.value.message_dict
    assert not is_safe_destination(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://example.com/path?q=1#frag",
        "https://sub.example.co.uk:8443/a/b",
        "https://bücher.example/straße",
        "https://[2001:db8::1]/",
        "https://192.0.2.10/landing",
        "http://127.0.0.1:8000/dashboard",
        "https://example.com/r/not-ours",
    ],
)
def test_ordinary_urls_are_accepted(url):
    assert validate_destination(url) == url
    assert is_safe_destination(url)


def test_loop_to_a_dedicated_short_domain_is_refused(settings):
    settings.SHORT_URL_BASE = "https://qr.example/"
    with pytest.raises(ValidationError):
        validate_destination("https://qr.example/anything")
    assert validate_destination("https://www.qr.example/anything")


def test_surrounding_spaces_are_trimmed():
    assert validate_destination("  https://example.com/a ") == "https://example.com/a"


@pytest.mark.parametrize("slug", ["spring-sale", "Menu_2026", "abc"])
def test_custom_slugs_accepted(slug):
    assert validate_custom_slug(slug) == slug


@pytest.mark.parametrize("slug", ["ab", "-lead", "has space", "a/b", "x" * 65, "admin", "API", "r"])
def test_bad_or_reserved_custom_slugs_refused(slug):
    with pytest.raises(ValidationError) as caught:
        validate_custom_slug(slug)
    assert "slug" in caught.value.message_dict


def test_colours_are_hex():
    assert validate_color("#ABCDEF") == "#abcdef"
    with pytest.raises(ValidationError):
        validate_color("#12345")
