"""Share keys: the secret in a read-only page link, /share/<key>/repos."""

import hashlib
import secrets

# An API token is 32 hex characters; a share key starts with this and holds "_" or "-"
# most of the time, so the two are never confused by a person reading them.
SHARE_KEY_PREFIX = "s_"


def share_key_generate() -> str:
    """s_ and 192 random bits, URL-safe (32 characters of base64url)."""
    return SHARE_KEY_PREFIX + secrets.token_urlsafe(24)


def share_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
