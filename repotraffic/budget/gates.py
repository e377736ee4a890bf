"""One gate per GitHub token, shared by every process that uses the token: every web
process, worker and pool process, on one machine or many.

Before each request to GitHub a process takes one of the token's slots; it gives the
slot back with what the answer said of the token's hour (X-RateLimit-Remaining and
X-RateLimit-Reset). The gate refuses a slot:
- while the token is paused: a rate limit seen by any process pauses it everywhere
  until the limit lifts (`pause`);
- while fewer than GITHUB_RATE_LIMIT_RESERVE requests are left of the token's hour,
  until that hour resets, except to a call someone waits for (checking a token or a
  new repository): the scheduled work stops short of the limit, and people can still
  add repositories;
- while GITHUB_TOKEN_CONCURRENCY requests with the token are in flight: the caller
  waits for one to end.

Three backends with one behaviour: Redis when the broker is Redis (one script per step,
so each is atomic), else the database (conditional UPDATEs on budget.TokenGate and
budget.TokenSlot, which SQLite's single writer and PostgreSQL's row locks both
serialise); REPOTRAFFIC_GATE_URL=memory keeps it in this process alone (the tests that
run in one process). A slot is leased, not owned: one a killed process held frees itself when
its lease ends. Nothing here reads a clock or sleeps on its own: the caller passes
`now` (epoch seconds), as transport.py does from its patchable clock.
"""

import datetime as dt
import functools
import threading
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import Least

from repotraffic.budget.models import TokenGate, TokenSlot

# Redis keys live this long after their last use; a token unused for a day starts afresh.
_REDIS_TTL_SECONDS = 24 * 3600
_REDIS_PREFIX = "repotraffic:gate:"


@dataclass(frozen=True)
class Refusal:
    """Why no slot was given: `until` the token is paused (epoch seconds), or None when
    its slots are all taken."""

    until: float | None


@dataclass(frozen=True)
class Permit:
    """A slot taken: give it back with `Gate.release`."""

    token_key: str
    holder: str
    slot: int | None = None  # the database backend's slot number


@dataclass(frozen=True)
class TokenState:
    """What a gate knows of one token's hour, for /metrics: what GitHub last said is left
    of it (X-RateLimit-Remaining) and when it resets, and until when the token is paused
    (epoch seconds; None where unknown or not paused)."""

    token_key: str
    remaining: int | None
    reset: float | None
    paused_until: float | None


class Gate(Protocol):
    def take(
        self, *, token_key: str, now: float, lease_seconds: float, interactive: bool
    ) -> Permit | Refusal: ...

    def release(self, *, permit: Permit, remaining: int | None, reset: float | None) -> None: ...

    def pause(self, *, token_key: str, until: float) -> None: ...

    def paused_until(self, *, token_key: str, now: float) -> float | None: ...

    def token_states(
        self, *, now: float, token_keys: Collection[str] | None = None
    ) -> list[TokenState]:
        """Every token (or, given `token_keys`, every one of those) whose hour has not
        reset at `now`, or that is paused then; the figures of an hour that has reset are
        None (GitHub has not said them yet)."""
        ...

    def clear(self) -> None: ...


def gate_concurrency() -> int:
    """GITHUB_TOKEN_CONCURRENCY: requests in flight at once per token."""
    return max(1, int(settings.GITHUB_TOKEN_CONCURRENCY))


def _reserve() -> int:
    return max(0, int(settings.GITHUB_RATE_LIMIT_RESERVE))


def _holder() -> str:
    return uuid.uuid4().hex


def _at(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def _refused_until(
    *,
    paused_until: float | None,
    remaining: int | None,
    reset: float | None,
    now: float,
    interactive: bool,
) -> float | None:
    """Until when a token's state refuses a slot (epoch seconds), or None: while it is
    paused, to anyone; while no more than the reserve is left of its hour, to all but
    interactive calls. The rule of the memory and database gates (Redis's is _TAKE)."""
    if paused_until is not None and paused_until > now:
        return paused_until
    if (
        not interactive
        and remaining is not None
        and reset is not None
        and reset > now
        and remaining <= _reserve()
    ):
        return reset
    return None


@dataclass
class _TokenState:
    paused_until: float = 0.0
    remaining: int | None = None
    reset: float = 0.0
    slots: dict[str, float] = field(default_factory=dict)  # holder -> lease end


class MemoryGate:
    """The gate in this process's memory, thread-safe: for one process alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, _TokenState] = {}

    def take(
        self, *, token_key: str, now: float, lease_seconds: float, interactive: bool
    ) -> Permit | Refusal:
        with self._lock:
            state = self._tokens.setdefault(token_key, _TokenState())
            until = _refused_until(
                paused_until=state.paused_until,
                remaining=state.remaining,
                reset=state.reset,
                now=now,
                interactive=interactive,
            )
            if until is not None:
                return Refusal(until=until)
            state.slots = {holder: end for holder, end in state.slots.items() if end > now}
            if len(state.slots) >= gate_concurrency():
                return Refusal(until=None)
            holder = _holder()
            state.slots[holder] = now + lease_seconds
            return Permit(token_key=token_key, holder=holder)

    def release(self, *, permit: Permit, remaining: int | None, reset: float | None) -> None:
        with self._lock:
            state = self._tokens.setdefault(permit.token_key, _TokenState())
            state.slots.pop(permit.holder, None)
            if remaining is None or reset is None:
                return
            if state.reset == reset and state.remaining is not None:
                remaining = min(state.remaining, remaining)
            state.remaining, state.reset = remaining, reset

    def pause(self, *, token_key: str, until: float) -> None:
        with self._lock:
            state = self._tokens.setdefault(token_key, _TokenState())
            state.paused_until = max(state.paused_until, until)

    def paused_until(self, *, token_key: str, now: float) -> float | None:
        with self._lock:
            state = self._tokens.get(token_key)
            return state.paused_until if state and state.paused_until > now else None

    def token_states(
        self, *, now: float, token_keys: Collection[str] | None = None
    ) -> list[TokenState]:
        with self._lock:
            return [
                TokenState(
                    token_key=key,
                    remaining=state.remaining if state.reset > now else None,
                    reset=state.reset if state.reset > now else None,
                    paused_until=state.paused_until if state.paused_until > now else None,
                )
                for key, state in sorted(self._tokens.items())
                if (state.reset > now or state.paused_until > now)
                and (token_keys is None or key in token_keys)
            ]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


class DatabaseGate:
    """The gate in budget.TokenGate and budget.TokenSlot. Each step is one or two
    statements that commit on their own: GitHub is never asked inside a transaction."""

    @staticmethod
    def _epoch(at: dt.datetime | None) -> float | None:
        return None if at is None else at.timestamp()

    def take(
        self, *, token_key: str, now: float, lease_seconds: float, interactive: bool
    ) -> Permit | Refusal:
        state = TokenGate.objects.filter(token_key=token_key).first()
        if state is not None:
            until = _refused_until(
                paused_until=self._epoch(state.paused_until),
                remaining=state.remaining,
                reset=self._epoch(state.reset_at),
                now=now,
                interactive=interactive,
            )
            if until is not None:
                return Refusal(until=until)
        count = gate_concurrency()
        at = _at(now)
        free = Q(lease_until__isnull=True) | Q(lease_until__lte=at)
        holder = _holder()
        slots = TokenSlot.objects.filter(token_key=token_key, slot__lt=count)
        for _ in range(2):
            for slot in slots.filter(free).order_by("slot").values_list("slot", flat=True):
                # Conditional: of two processes that saw the slot free, one takes it.
                taken = slots.filter(free, slot=slot).update(
                    holder=holder, lease_until=_at(now + lease_seconds)
                )
                if taken:
                    return Permit(token_key=token_key, holder=holder, slot=slot)
            if slots.count() >= count:
                break
            # A token's first request (or a larger GITHUB_TOKEN_CONCURRENCY): its slots.
            TokenSlot.objects.bulk_create(
                [TokenSlot(token_key=token_key, slot=slot) for slot in range(count)],
                ignore_conflicts=True,
            )
        return Refusal(until=None)

    def release(self, *, permit: Permit, remaining: int | None, reset: float | None) -> None:
        if permit.slot is not None:
            TokenSlot.objects.filter(
                token_key=permit.token_key, slot=permit.slot, holder=permit.holder
            ).update(holder="", lease_until=None)
        if remaining is None or reset is None:
            return
        reset_at = _at(reset)
        updated = TokenGate.objects.filter(token_key=permit.token_key).update(
            # Answers may come back out of order: within one hour the lowest count is
            # the latest; a new reset time starts a new hour.
            remaining=Case(
                When(
                    reset_at=reset_at,
                    remaining__isnull=False,
                    then=Least(F("remaining"), remaining),
                ),
                default=remaining,
            ),
            reset_at=reset_at,
        )
        if not updated:
            self._state_create(
                TokenGate(token_key=permit.token_key, remaining=remaining, reset_at=reset_at)
            )

    def pause(self, *, token_key: str, until: float) -> None:
        at = _at(until)
        updated = TokenGate.objects.filter(
            Q(paused_until__isnull=True) | Q(paused_until__lt=at), token_key=token_key
        ).update(paused_until=at)
        if not updated and not TokenGate.objects.filter(token_key=token_key).exists():
            self._state_create(TokenGate(token_key=token_key, paused_until=at))

    @staticmethod
    def _state_create(state: TokenGate) -> None:
        try:
            with transaction.atomic():
                state.save(force_insert=True)
        except IntegrityError:
            pass  # another process made the row first; its figures are as good

    def paused_until(self, *, token_key: str, now: float) -> float | None:
        state = TokenGate.objects.filter(token_key=token_key).first()
        if state is None or state.paused_until is None or state.paused_until <= _at(now):
            return None
        return state.paused_until.timestamp()

    def token_states(
        self, *, now: float, token_keys: Collection[str] | None = None
    ) -> list[TokenState]:
        at = _at(now)
        current = TokenGate.objects.filter(Q(reset_at__gt=at) | Q(paused_until__gt=at))
        if token_keys is not None:
            current = current.filter(token_key__in=list(token_keys))
        states = []
        for state in current.order_by("token_key"):
            hour = state.reset_at is not None and state.reset_at > at
            paused = state.paused_until is not None and state.paused_until > at
            states.append(
                TokenState(
                    token_key=state.token_key,
                    remaining=state.remaining if hour else None,
                    reset=self._epoch(state.reset_at) if hour else None,
                    paused_until=self._epoch(state.paused_until) if paused else None,
                )
            )
        return states

    def clear(self) -> None:
        TokenGate.objects.all().delete()
        TokenSlot.objects.all().delete()


# KEYS: the token's slots (a sorted set: holder -> lease end) and its state (a hash).
# ARGV: now, concurrency, lease end, holder, reserve, interactive ("1" or "0"), ttl.
_TAKE = """
local now = tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[2], 'paused_until') or '0')
if paused > now then return {'paused', tostring(paused)} end
local remaining = redis.call('HGET', KEYS[2], 'remaining')
local reset = tonumber(redis.call('HGET', KEYS[2], 'reset') or '0')
if ARGV[6] == '0' and remaining and reset > now and tonumber(remaining) <= tonumber(ARGV[5]) then
  return {'paused', tostring(reset)}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {'busy', ''} end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[7])
return {'ok', ''}
"""
# ARGV: holder, remaining ("" if unknown), reset, ttl.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '' then return 0 end
local stored = redis.call('HGET', KEYS[2], 'remaining')
local stored_reset = redis.call('HGET', KEYS[2], 'reset')
if not (stored and stored_reset == ARGV[3] and tonumber(stored) < tonumber(ARGV[2])) then
  redis.call('HSET', KEYS[2], 'remaining', ARGV[2], 'reset', ARGV[3])
end
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""
# ARGV: until, ttl.
_PAUSE = """
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused_until') or '0')
if tonumber(ARGV[1]) > paused then redis.call('HSET', KEYS[1], 'paused_until', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


class RedisGate:
    """The gate in Redis, under `prefix`: each step one Lua script, so atomic."""

    def __init__(self, *, url: str, prefix: str = _REDIS_PREFIX) -> None:
        import redis

        # redis-py's pool notices a fork and opens new connections in the child.
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix
        self._take = self._redis.register_script(_TAKE)
        self._release = self._redis.register_script(_RELEASE)
        self._pause = self._redis.register_script(_PAUSE)

    def _keys(self, token_key: str) -> list[str]:
        return [f"{self._prefix}{token_key}:slots", f"{self._prefix}{token_key}:state"]

    def take(
        self, *, token_key: str, now: float, lease_seconds: float, interactive: bool
    ) -> Permit | Refusal:
        holder = _holder()
        outcome, until = self._take(
            keys=self._keys(token_key),
            args=[
                repr(now),
                gate_concurrency(),
                repr(now + lease_seconds),
                holder,
                _reserve(),
                "1" if interactive else "0",
                _REDIS_TTL_SECONDS,
            ],
        )
        if outcome == b"ok":
            return Permit(token_key=token_key, holder=holder)
        return Refusal(until=float(until) if outcome == b"paused" else None)

    def release(self, *, permit: Permit, remaining: int | None, reset: float | None) -> None:
        known = remaining is not None and reset is not None
        self._release(
            keys=self._keys(permit.token_key),
            args=[
                permit.holder,
                str(remaining) if known else "",
                repr(float(reset)) if known and reset is not None else "",
                _REDIS_TTL_SECONDS,
            ],
        )

    def pause(self, *, token_key: str, until: float) -> None:
        self._pause(keys=self._keys(token_key)[1:], args=[repr(until), _REDIS_TTL_SECONDS])

    def paused_until(self, *, token_key: str, now: float) -> float | None:
        paused = self._redis.hget(self._keys(token_key)[1], "paused_until")
        if paused is None or float(paused) <= now:
            return None
        return float(paused)

    def token_states(
        self, *, now: float, token_keys: Collection[str] | None = None
    ) -> list[TokenState]:
        suffix = ":state"
        if token_keys is None:
            keys = list(self._redis.scan_iter(match=f"{self._prefix}*{suffix}", count=1000))
        else:  # named: no scan of the whole keyspace
            keys = [f"{self._prefix}{key}{suffix}".encode() for key in sorted(token_keys)]
        pipeline = self._redis.pipeline(transaction=False)
        for key in keys:
            pipeline.hmget(key, "remaining", "reset", "paused_until")
        states = []
        for key, (remaining, reset, paused) in zip(keys, pipeline.execute(), strict=True):
            hour = remaining is not None and reset is not None and float(reset) > now
            paused_until = float(paused) if paused is not None and float(paused) > now else None
            if not hour and paused_until is None:
                continue
            states.append(
                TokenState(
                    token_key=key.decode()[len(self._prefix) : -len(suffix)],
                    remaining=int(remaining) if hour else None,
                    reset=float(reset) if hour else None,
                    paused_until=paused_until,
                )
            )
        return sorted(states, key=lambda state: state.token_key)

    def clear(self) -> None:
        for key in self._redis.scan_iter(match=f"{self._prefix}*"):
            self._redis.delete(key)


def gate_url() -> str:
    """Where the gate lives: REPOTRAFFIC_GATE_URL (redis://..., "database" or "memory"),
    else the broker when it is Redis, else the database."""
    url = settings.REPOTRAFFIC_GATE_URL or settings.CELERY_BROKER_URL
    if url in ("database", "memory") or url.startswith(("redis://", "rediss://")):
        return url
    return "database"


@functools.cache
def _gate_for(url: str) -> Gate:
    if url == "memory":
        return MemoryGate()
    return DatabaseGate() if url == "database" else RedisGate(url=url)


def token_gate() -> Gate:
    """This process's gate, for the configured place (read at call time)."""
    return _gate_for(gate_url())
