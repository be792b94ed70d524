"""Public identifiers: prefixed, random, unguessable. Integer primary keys never leave the server."""

import secrets
import string

BASE62 = string.digits + string.ascii_letters


def random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def new_public_id(prefix: str, length: int = 16) -> str:
    # 16 base62 characters carry ~95 bits of entropy: collisions are not a practical concern.
    return f"{prefix}_{random_base62(length)}"
