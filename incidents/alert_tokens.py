"""The secret in an alert integration's address: made once, shown once, kept as a digest.

A token is a 12-character public prefix (the row is found by it) followed by 256 random bits.
Only the prefix and a SHA-256 digest of the whole token are stored; a token that comes in is
checked by comparing digests in constant time, so how long the comparison takes says nothing
of how much of a guess was right.
"""

import hmac
import secrets

from incidents.models.api_keys import secret_digest
from incidents.public_ids import LENGTH, new_public_id

PREFIX_LENGTH = LENGTH
SECRET_BYTES = 32


def new_token() -> str:
    """A fresh token: the prefix, then the secret (URL-safe characters only)."""
    return new_public_id() + secrets.token_urlsafe(SECRET_BYTES)


def prefix_of(token: str) -> str:
    return token[:PREFIX_LENGTH]


def digest_of(token: str) -> str:
    return secret_digest(token)  # SHA-256, as an API key's


def token_matches(token: str, digest: str) -> bool:
    """Whether `token` is the one whose digest is `digest` (constant time)."""
    return hmac.compare_digest(digest_of(token), digest)
