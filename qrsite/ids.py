"""Public identifiers: prefixed, random, unguessable. Integer primary keys never leave the server."""

import secrets
import string

BASE62 = string.digits + string.ascii_letters


# Random bytes below 248 (4 × 62) map evenly onto the 62 characters; the rest are dropped.
_EVEN_BELOW = 4 * len(BASE62)


def random_base62(length: int) -> str:
    # One read of the system's randomness per id, not one `secrets.choice` per character: a
    # bulk import draws tens of thousands of ids (a code's, its slug's, its history's).
    chars: list[str] = []
    while len(chars) < length:
        chars += [BASE62[b % 62] for b in secrets.token_bytes(length + 4) if b < _EVEN_BELOW]
    return "".join(chars[:length])


def new_public_id(prefix: str, length: int = 16) -> str:
    # 16 base62 characters carry ~95 bits of entropy: collisions are not a practical concern.
    return f"{prefix}_{random_base62(length)}"
