"""GitHub's rate limits, for transport.py: when one lifts, and how a token is known.

Private to the GitHub integration: other code imports client.py only. Nothing here
reads a clock; the transport passes `now` from client.py's patchable `_clock`.
"""

import hashlib
from collections.abc import Mapping

# GitHub's advice for a secondary limit that names no wait: at least a minute.
SECONDARY_DEFAULT_WAIT_SECONDS = 60.0


def _header_float(*, headers: Mapping[str, str], name: str) -> float | None:
    try:
        return float(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


def limit_until(
    *, status: int, headers: Mapping[str, str], said: str, push_refusal: bool, now: float
) -> float | None:
    """The epoch second a rate limit lifts, or None when the answer is no rate limit.

    `headers` are looked up in lower case (httpx's are case-insensitive); `said` is
    GitHub's message, lower-cased; `push_refusal` whether it refuses access."""
    if status not in (403, 429):
        return None
    retry_after = _header_float(headers=headers, name="retry-after")
    if retry_after is not None:
        return now + max(0.0, retry_after)
    # The request that spends the last unit may itself be refused for another reason.
    if headers.get("x-ratelimit-remaining") == "0" and not push_refusal:
        reset = _header_float(headers=headers, name="x-ratelimit-reset")
        if reset is not None:
            return max(now, reset)
        return now + SECONDARY_DEFAULT_WAIT_SECONDS
    if status == 429 or "rate limit" in said:
        return now + SECONDARY_DEFAULT_WAIT_SECONDS
    return None


def token_key(*, api_url: str, token: str) -> str:
    """What the registry keeps instead of the token: a SHA-256 of it and of the API it
    is for (a limit on one GitHub, e.g. an Enterprise server, does not bind another)."""
    return hashlib.sha256(f"{api_url}\n{token}".encode()).hexdigest()
