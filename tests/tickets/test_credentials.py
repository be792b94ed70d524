"""The signed credential: round trip, and every way a scanned text can be wrong."""

import base64

import pytest
import segno

from tickets import credentials as c


@pytest.fixture(scope="module")
def keys():
    return c.key_pair_new()


def issue(keys, serial=42, tag=b"\x01\x02\x03\x04", nonce=b"\xaa\xbb\xcc\xdd"):
    return c.credential_issue(private_key=keys[0], event_tag=tag, serial=serial, nonce=nonce)


def test_a_signed_credential_reads_back_and_verifies(keys):
    text = issue(keys)

    credential = c.credential_read(text)

    assert (credential.event_tag, credential.serial, credential.nonce) == (
        b"\x01\x02\x03\x04",
        42,
        b"\xaa\xbb\xcc\xdd",
    )
    assert credential.verifies(keys[1])
    assert len(text) == c.PAYLOAD_CHARS


def test_another_key_does_not_verify_it(keys):
    _, other_public = c.key_pair_new()

    assert not c.credential_read(issue(keys)).verifies(other_public)


def test_every_flipped_byte_breaks_the_signature(keys):
    raw = bytearray(c.b45decode(issue(keys)))
    for position in range(1, len(raw)):  # byte 0 is the version: refused as unreadable
        flipped = bytearray(raw)
        flipped[position] ^= 0x01
        credential = c.credential_read(c.b45encode(bytes(flipped)))
        assert not credential.verifies(keys[1]), position


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://example.com/r/aB3dE5f",
        "X" * 10_000,
        "not base45 at all!",
        "AB",
    ],
)
def test_what_is_not_a_credential_is_unreadable(text):
    with pytest.raises(c.Unreadable):
        c.credential_read(text)


def test_a_truncated_credential_is_unreadable(keys):
    text = issue(keys)
    for cut in (1, 2, 3, 30, 115):
        with pytest.raises(c.Unreadable):
            c.credential_read(text[:cut])


def test_an_unknown_format_version_is_unreadable(keys):
    raw = bytearray(c.b45decode(issue(keys)))
    raw[0] = 2

    with pytest.raises(c.Unreadable, match="format 2"):
        c.credential_read(c.b45encode(bytes(raw)))


def test_base45_matches_rfc_9285_examples():
    assert c.b45encode(b"AB") == "BB8"
    assert c.b45encode(b"Hello!!") == "%69 VD92EX0"
    assert c.b45encode(b"base-45") == "UJCLQE7W581"
    assert c.b45decode("QED8WEX0") == b"ietf!"
    with pytest.raises(c.Unreadable):
        c.b45decode("GGW")  # 65536: one more than two bytes hold


def test_a_typical_ticket_fits_version_5_at_error_correction_m(keys):
    symbol = segno.make(issue(keys, serial=4_000_000_000), error="m", boost_error=False)

    assert symbol.mode == "alphanumeric"
    assert symbol.version == 5
    # base32 of the same bytes would need version 6
    raw = c.b45decode(issue(keys))
    b32 = base64.b32encode(raw).decode().rstrip("=")
    assert segno.make(b32, error="m", boost_error=False).version == 6


def test_a_sealed_private_key_opens_only_with_its_secret_and_event(keys):
    sealed = c.private_key_seal(keys[0], secret="one", event_id="evt_a")

    assert c.private_key_open(sealed, secret="one", event_id="evt_a") == keys[0]
    assert keys[0] not in sealed
    with pytest.raises(ValueError, match="TICKET_KEY"):
        c.private_key_open(sealed, secret="two", event_id="evt_a")
    with pytest.raises(ValueError, match="TICKET_KEY"):
        c.private_key_open(sealed, secret="one", event_id="evt_b")


def test_a_code_that_starts_with_a_space_still_reads():
    # A space is a Base45 digit. The first character depends on the version and the event
    # tag's first byte only: for 5 tags in 256 every ticket of the event starts with one.
    private, public = c.key_pair_new()
    text = c.credential_issue(private_key=private, event_tag=b"\x32abc", serial=7, nonce=b"nnnn")

    assert text.startswith(" ")
    assert c.credential_read(text).verifies(public)
    assert c.credential_read(text + "\r\n").verifies(public)
