import datetime as dt

from repotraffic.budget.gates import Permit, token_gate


def gate_hour_set(*, token_key: str, remaining: int, seconds_left: float = 1800) -> float:
    """Makes the gate know, as from GitHub's answer, that `remaining` requests are left of
    the token's hour, which resets in `seconds_left`; returns the reset (epoch seconds).
    Forgets everything else the gate knew."""
    gate = token_gate()
    gate.clear()
    now = dt.datetime.now(dt.UTC).timestamp()
    permit = gate.take(token_key=token_key, now=now, lease_seconds=30, interactive=True)
    assert isinstance(permit, Permit)
    gate.release(permit=permit, remaining=remaining, reset=now + seconds_left)
    return now + seconds_left
