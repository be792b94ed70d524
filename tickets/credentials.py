"""Ticket credentials: what a ticket's QR code encodes, how it is signed and checked.

Pure Python (no Django) so the door page's JavaScript (static/tickets/door.js) can mirror it
byte for byte. A credential is 77 bytes:

    version (1) | event tag (4) | ticket serial (4, big-endian) | nonce (4) | signature (64)

The signature is Ed25519 over ``CONTEXT + the first 13 bytes``; the context keeps a ticket
signature from ever being valid for anything else signed with the same key. No personal data
is in the code: the serial and nonce mean something only to the server (and to door devices
holding the event's kit). Reissuing a ticket draws a new nonce, so the old code's signature
still verifies but its (serial, nonce) pair is on the event's revocation list.

The bytes are written in Base45 (RFC 9285), whose alphabet is exactly QR's alphanumeric mode:
116 characters, which segno puts in a version 5 symbol (37 x 37 modules) at error correction
M; base32 (124 characters) and base64 (byte mode) both need version 6.
"""

from __future__ import annotations

import functools
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
CONTEXT = b"qrsite-ticket-v1:"
BODY = struct.Struct(">B4sI4s")
SIGNATURE_BYTES = 64
CREDENTIAL_BYTES = BODY.size + SIGNATURE_BYTES  # 77
PAYLOAD_CHARS = 116  # Base45 of 77 bytes
# Anything longer is not a ticket: refused before any decoding (a pasted 10 kB blob).
MAX_TEXT = 200

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_INDEX = {c: i for i, c in enumerate(BASE45)}


class Unreadable(ValueError):
    """Not a ticket credential of a version we know (garbage, a URL, a truncated code)."""


# --- Base45 (RFC 9285): small and fully specified, mirrored in door.js --------------------------


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += [BASE45[c], BASE45[d], BASE45[e]]
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += [BASE45[c], BASE45[d]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_BASE45_INDEX[c] for c in text]
    except KeyError:
        raise Unreadable("not Base45") from None
    if len(values) % 3 == 1:
        raise Unreadable("a Base45 text cannot be this long")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 2025
            if n > 0xFFFF:
                raise Unreadable("not Base45")
            out += n.to_bytes(2, "big")
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise Unreadable("not Base45")
            out.append(n)
    return bytes(out)


# --- credentials --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    event_tag: bytes
    serial: int
    nonce: bytes
    signature: bytes

    @property
    def signed_part(self) -> bytes:
        return CONTEXT + BODY.pack(VERSION, self.event_tag, self.serial, self.nonce)

    def verifies(self, public_key: bytes) -> bool:
        try:
            _public_key(public_key).verify(self.signature, self.signed_part)
        except (InvalidSignature, ValueError):
            return False
        return True


@functools.lru_cache(maxsize=256)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    # Loaded once per event key: an offline upload verifies thousands of codes with one key.
    return Ed25519PublicKey.from_public_bytes(raw)


def new_nonce() -> bytes:
    return os.urandom(4)


def new_event_tag() -> bytes:
    return os.urandom(4)


def credential_issue(*, private_key: bytes, event_tag: bytes, serial: int, nonce: bytes) -> str:
    """The text a ticket's QR code encodes."""
    body = BODY.pack(VERSION, event_tag, serial, nonce)
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(CONTEXT + body)
    return b45encode(body + signature)


def credential_read(text: str) -> Credential:
    """Parse (not verify) a scanned text; `Unreadable` when it cannot be a credential."""
    # Not str.strip(): a space is a Base45 digit, and one code in ~20 starts or ends with one.
    text = text.strip("\r\n\t")
    if len(text) > MAX_TEXT:
        raise Unreadable("far too long for a ticket")
    raw = b45decode(text.upper())
    if len(raw) != CREDENTIAL_BYTES:
        raise Unreadable("the wrong length for a ticket")
    version, event_tag, serial, nonce = BODY.unpack(raw[: BODY.size])
    if version != VERSION:
        raise Unreadable(f"ticket format {version} is not one this server reads")
    return Credential(event_tag, serial, nonce, raw[BODY.size :])


# --- key pairs, private halves sealed at rest ---------------------------------------------------


def key_pair_new() -> tuple[bytes, bytes]:
    """(private, public) raw 32-byte Ed25519 keys."""
    private = Ed25519PrivateKey.generate()
    return (
        private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        ),
        private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        ),
    )


def _sealing_key(secret: str) -> bytes:
    # HKDF turns any configured string (TICKET_KEY, else SECRET_KEY) into a 256-bit AES key
    # used for this one purpose.
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"qrsite tickets: event keys"
    ).derive(secret.encode())


def private_key_seal(private_key: bytes, *, secret: str, event_id: str) -> bytes:
    """AES-256-GCM; the event id is the associated data, so a sealed key copied onto another
    event's row does not open."""
    iv = os.urandom(12)
    return iv + AESGCM(_sealing_key(secret)).encrypt(iv, private_key, event_id.encode())


def private_key_open(sealed: bytes, *, secret: str, event_id: str) -> bytes:
    try:
        return AESGCM(_sealing_key(secret)).decrypt(sealed[:12], sealed[12:], event_id.encode())
    except InvalidTag:
        raise ValueError(
            "This event's signing key cannot be opened with the configured TICKET_KEY."
        ) from None
