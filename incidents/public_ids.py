"""Public ids: 12 lowercase letters and digits, as Statuspage's ids look."""

import secrets
import string

ALPHABET = string.ascii_lowercase + string.digits
LENGTH = 12


def new_public_id() -> str:
    """Return a fresh random public id (62 bits of randomness; collisions hit a unique index)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
