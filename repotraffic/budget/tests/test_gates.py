"""budget.gates: every backend holds a token to its concurrency, pauses it for every
process, and keeps the reserve of its hour for interactive calls."""

import threading
import uuid

import pytest

from repotraffic.budget.gates import (
    DatabaseGate,
    MemoryGate,
    Permit,
    RedisGate,
    Refusal,
    TokenState,
)
from repotraffic.budget.models import TokenSlot
from repotraffic.traffic.tests.workers import redis_url_or_skip

NOW = 1_800_000_000.0
LEASE = 60.0


@pytest.fixture(params=["memory", "database", "redis"])
def gate(request, settings):
    settings.GITHUB_TOKEN_CONCURRENCY = 2
    settings.GITHUB_RATE_LIMIT_RESERVE = 10
    if request.param == "memory":
        yield MemoryGate()
    elif request.param == "database":
        request.getfixturevalue("db")
        yield DatabaseGate()
    else:
        made = RedisGate(url=redis_url_or_skip(), prefix=f"test-gate-{uuid.uuid4().hex}:")
        yield made
        made.clear()


def take(gate, key="token", now=NOW, interactive=False):
    return gate.take(token_key=key, now=now, lease_seconds=LEASE, interactive=interactive)


def test_a_token_has_as_many_requests_in_flight_as_its_concurrency(gate):
    first, second = take(gate), take(gate)

    assert isinstance(first, Permit) and isinstance(second, Permit)
    assert take(gate) == Refusal(until=None)
    assert isinstance(take(gate, key="another token"), Permit)

    gate.release(permit=first, remaining=None, reset=None)
    assert isinstance(take(gate), Permit)


def test_a_slot_held_by_a_process_that_died_frees_itself_when_its_lease_ends(gate):
    take(gate), take(gate)  # never released

    assert take(gate, now=NOW + LEASE - 1) == Refusal(until=None)
    assert isinstance(take(gate, now=NOW + LEASE), Permit)


def test_a_pause_holds_every_caller_until_it_lifts(gate):
    gate.pause(token_key="token", until=NOW + 300)
    gate.pause(token_key="token", until=NOW + 100)  # a shorter one shortens nothing

    assert take(gate) == Refusal(until=NOW + 300)
    assert take(gate, interactive=True) == Refusal(until=NOW + 300)
    assert gate.paused_until(token_key="token", now=NOW) == NOW + 300
    assert isinstance(take(gate, key="another token"), Permit)
    assert gate.paused_until(token_key="token", now=NOW + 300) is None
    assert isinstance(take(gate, now=NOW + 300), Permit)


def test_the_reserve_of_the_hour_is_kept_for_interactive_calls(gate):
    permit = take(gate)
    gate.release(permit=permit, remaining=10, reset=NOW + 600)

    assert take(gate) == Refusal(until=NOW + 600)
    assert isinstance(take(gate, interactive=True), Permit)
    assert isinstance(take(gate, now=NOW + 600), Permit)  # a new hour


def test_an_answer_that_comes_back_late_does_not_raise_what_is_left(gate):
    slow, fast = take(gate), take(gate)
    gate.release(permit=fast, remaining=10, reset=NOW + 600)
    gate.release(permit=slow, remaining=11, reset=NOW + 600)  # sent first, answered last

    assert take(gate) == Refusal(until=NOW + 600)


def test_a_new_hour_replaces_what_was_left_of_the_last(gate):
    permit = take(gate)
    gate.release(permit=permit, remaining=3, reset=NOW - 1)
    permit = take(gate)
    gate.release(permit=permit, remaining=4999, reset=NOW + 3600)

    assert isinstance(take(gate), Permit)


def test_token_states_tell_each_tokens_current_hour_and_pause(gate):
    gate.release(permit=take(gate, key="used"), remaining=4000, reset=NOW + 600)
    gate.release(permit=take(gate, key="used"), remaining=4100, reset=NOW + 600)  # late
    gate.release(permit=take(gate, key="last hour"), remaining=7, reset=NOW - 1)
    gate.release(permit=take(gate, key="both"), remaining=0, reset=NOW - 1)
    gate.pause(token_key="both", until=NOW + 60)
    gate.pause(token_key="paused before", until=NOW - 60)

    assert gate.token_states(now=NOW) == [
        TokenState(token_key="both", remaining=None, reset=None, paused_until=NOW + 60),
        TokenState(token_key="used", remaining=4000, reset=NOW + 600, paused_until=None),
    ]
    assert gate.token_states(now=NOW + 600) == []


def test_clear_forgets_everything(gate):
    take(gate), take(gate)
    gate.pause(token_key="token", until=NOW + 300)

    gate.clear()

    assert isinstance(take(gate), Permit)


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_threads_never_hold_more_slots_than_the_concurrency(settings, backend):
    settings.GITHUB_TOKEN_CONCURRENCY = 3
    gate: MemoryGate | RedisGate
    if backend == "memory":
        gate = MemoryGate()
    else:
        gate = RedisGate(url=redis_url_or_skip(), prefix=f"test-gate-{uuid.uuid4().hex}:")
    lock = threading.Lock()
    held, peak, granted = [0], [0], [0]

    def work() -> None:
        for _ in range(60):
            permit = take(gate)
            if not isinstance(permit, Permit):
                continue
            with lock:
                held[0] += 1
                granted[0] += 1
                peak[0] = max(peak[0], held[0])
            with lock:
                held[0] -= 1
            gate.release(permit=permit, remaining=None, reset=None)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gate.clear()

    assert granted[0] > 0
    assert peak[0] <= 3


@pytest.mark.django_db
def test_the_database_gate_makes_a_tokens_slots_on_first_use(settings):
    settings.GITHUB_TOKEN_CONCURRENCY = 3
    gate = DatabaseGate()

    permit = take(gate)

    assert isinstance(permit, Permit) and permit.slot == 0
    assert sorted(TokenSlot.objects.filter(token_key="token").values_list("slot", flat=True)) == [
        0,
        1,
        2,
    ]


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_two_processes_gates_are_one(request, settings, backend):
    # Two gate objects over one store, as two processes have.
    settings.GITHUB_TOKEN_CONCURRENCY = 2
    here: DatabaseGate | RedisGate
    there: DatabaseGate | RedisGate
    if backend == "database":
        request.getfixturevalue("db")
        here, there = DatabaseGate(), DatabaseGate()
    else:
        prefix = f"test-gate-{uuid.uuid4().hex}:"
        here = RedisGate(url=redis_url_or_skip(), prefix=prefix)
        there = RedisGate(url=redis_url_or_skip(), prefix=prefix)

    held = take(here)
    take(there)
    assert take(here) == Refusal(until=None)
    here.release(permit=held, remaining=None, reset=None)
    assert isinstance(take(there), Permit)

    there.pause(token_key="paused token", until=NOW + 60)
    assert take(here, key="paused token") == Refusal(until=NOW + 60)
    here.clear()
