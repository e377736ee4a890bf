"""How many API requests the fake GitHub answers at once, per account, so that tests and
benchmarks can check that our client, across all its worker processes, never keeps more
requests open for one token than its cap allows.

A request counts from the moment the fake starts handling it (before the simulated
latency) until its reply is built, whether it ends in an answer, an error or a fault.
Requests are keyed by the login of their token (`FakeGitHub.add_token`), not by the
token: GitHub counts concurrent requests per account too, and the peaks are served over
HTTP (GET /_fake/state), where tokens never appear. Requests with no token or one the
fake does not know are counted under "". Give each token its own login (the default)
to see each token's peak on its own.
"""

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator


class ConcurrencyMeter:
    """Requests in flight and the peak reached, per key; safe across handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Only keys with a request open, so the meter stays as small as the traffic.
        self._in_flight: Counter[str] = Counter()
        self._peaks: dict[str, int] = {}

    @contextlib.contextmanager
    def request(self, key: str) -> Iterator[None]:
        """Counts one request under `key` for as long as the block runs."""
        self._enter(key)
        try:
            yield
        finally:
            self._leave(key)

    def _enter(self, key: str) -> None:
        with self._lock:
            self._in_flight[key] += 1
            self._peaks[key] = max(self._peaks.get(key, 0), self._in_flight[key])

    def _leave(self, key: str) -> None:
        with self._lock:
            self._in_flight[key] -= 1
            if self._in_flight[key] <= 0:
                del self._in_flight[key]

    def peaks(self) -> dict[str, int]:
        with self._lock:
            return dict(self._peaks)

    def reset(self) -> None:
        """Starts the peaks again from the requests still open, so that a peak measured
        after a reset never misses one that began before it."""
        with self._lock:
            self._peaks = dict(self._in_flight)
