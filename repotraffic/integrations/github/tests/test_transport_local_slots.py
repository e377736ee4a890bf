"""The threads of one process queue for their token's slots in the process (LocalSlots):
no more than the cap ask the shared gate at once, and a slot freed by one request goes
to the next at once, without polling the gate."""

import threading

import pytest

from repotraffic.budget import gates
from repotraffic.integrations.github.client import github_repository_get


@pytest.fixture
def takes(monkeypatch):
    """Every answer of the shared gate to a request for a slot: a permit, or a refusal."""
    answers: list[str] = []
    gate = gates.token_gate()
    take = gate.take

    def counted(**kwargs):
        taken = take(**kwargs)
        answers.append("permit" if isinstance(taken, gates.Permit) else "refused")
        return taken

    monkeypatch.setattr(gate, "take", counted)
    return answers


def test_many_threads_of_one_process_never_poll_the_gate(github, settings, takes):
    settings.GITHUB_TOKEN_CONCURRENCY = 2
    github.add_repo("acme", "rocket")
    github.set_latency(50)
    github.concurrency_reset()
    failures: list[BaseException] = []

    def one() -> None:
        try:
            github_repository_get(token=settings.GITHUB_TOKEN, owner="acme", name="rocket")
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert github.concurrency_peaks()["server"] == 2  # the cap, used to the full
    assert takes == ["permit"] * 8  # each asked the gate once, and got its slot
