"""The log watch over the API and browser suites (tests/log_watch.py) finds what it is for,
and the production JSON lines leave nothing for it to find, however a value is logged."""

import json
import logging

import pytest

from tests.log_watch import _Lines, leaks

KEY = "qr_live_a1b2c3d4.Zk3Qw9Lm2Xp8Rt5Vb7Nc4Hd6"


@pytest.mark.parametrize(
    "line",
    [
        "client 203.0.113.45 refused",
        "forwarded for 2001:db8:85a3::8a2e:370:7334, next",
        "from [::ffff:198.51.100.7]:443",
        "127.0.0.1 - GET /r/abc",
        f"Authorization: Bearer {KEY}",
        "Authorization: bearer sk_abcdef1234567890",
        f"key={KEY}",
    ],
)
def test_an_address_or_a_key_in_a_line_is_found(line):
    assert leaks(line)


@pytest.mark.parametrize(
    "line",
    [
        "client [address] refused",
        "key qr_live_a1b2c3d4.[secret] used",
        "Bearer [secret]",
        "Bearer qr_live_a1b2c3d4.[secret]",
        "at 07:51:17.123 in Class::method, version 2.4",
        '{"time": "2026-12-03 14:05:01,123", "level": "INFO"}',
    ],
)
def test_masked_lines_times_and_versions_are_not_leaks(line):
    assert not leaks(line)


def test_a_production_line_masks_addresses_and_keys_however_they_are_logged(settings):
    handler = _Lines()
    logger = logging.getLogger("tests.log_watch")
    logger.addHandler(handler)
    try:
        logger.warning("from %s with %s", "203.0.113.45", KEY)
        logger.warning(
            "nested",
            extra={
                "clients": ["198.51.100.7", "2001:db8::1"],
                "request": {"remote": "203.0.113.9", "auth": f"Bearer {KEY}"},
            },
        )
        try:
            raise ValueError(f"cannot reach 203.0.113.45 with {KEY}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert len(handler.lines) == 3
    for line in handler.lines:
        assert not leaks(line), line
    nested = json.loads(handler.lines[1])
    assert nested["clients"] == ["[address]", "[address]"]
    assert nested["request"]["auth"] == "Bearer qr_live_a1b2c3d4.[secret]"
