"""GitHub's rate limits, for transport.py: when one lifts, and which tokens wait until then.

Private to the GitHub integration: other code imports client.py only. Nothing here
reads a clock; the transport passes `now` from client.py's patchable `_clock`.
"""

import hashlib
import threading
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


class BlockedTokens:
    """Process-wide and thread-safe: token key -> the epoch second before which no
    request with that token may go out. Entries expire by time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}

    def block(self, *, key: str, until: float, now: float) -> None:
        with self._lock:
            # Forget what has expired, so that the registry never outgrows the tokens
            # that are limited right now.
            for stale in [k for k, then in self._until.items() if then <= now]:
                del self._until[stale]
            if until > now:
                self._until[key] = max(until, self._until.get(key, until))

    def blocked_until(self, *, key: str, now: float) -> float | None:
        with self._lock:
            until = self._until.get(key)
            if until is None:
                return None
            if until <= now:
                del self._until[key]
                return None
            return until

    def clear(self) -> None:
        with self._lock:
            self._until.clear()
