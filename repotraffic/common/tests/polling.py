"""Waiting for another process or thread in tests: one helper for every suite."""

import time
from collections.abc import Callable


def poll_until(
    condition: Callable[[], object],
    *,
    what: str,
    seconds: float = 10.0,
    interval: float = 0.05,
    details: Callable[[], str] | None = None,
) -> None:
    """Return as soon as `condition()` is true; fail the test after `seconds`.

    The deadline only bounds the wait: no test asserts how long anything took.
    `details` adds what helps to understand a timeout (a log's tail, say).
    """
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            message = f"timed out after {seconds:g} s waiting for {what}"
            if details is not None:
                message += f"\n{details()}"
            raise AssertionError(message)
        time.sleep(interval)
