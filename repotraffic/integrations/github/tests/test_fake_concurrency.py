"""fake_concurrency.py: the fake counts the API requests it answers at once, per login,
so that a test can hold our client to a per-token cap."""

import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.fake_concurrency import ConcurrencyMeter
from repotraffic.integrations.github.tests.helpers import TOKEN, http_get, http_post_json

REPO_PATH = "/repos/acme/rocket"
# Long enough that requests started together are all still waiting when the last begins.
OVERLAP_LATENCY_MS = 300
SECOND_TOKEN = "ghp_second_token"


def _get(fake: FakeGitHub, token: str | None) -> int:
    headers = {"User-Agent": "repotraffic-tests", "X-GitHub-Api-Version": "2022-11-28"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.get(fake.url + REPO_PATH, headers=headers, timeout=5).status_code


def _get_at_once(fake: FakeGitHub, tokens: Sequence[str | None]) -> list[int]:
    """One request per token, each from its own thread and connection, all let go together."""
    barrier = threading.Barrier(len(tokens))

    def get(token: str | None) -> int:
        barrier.wait(timeout=5)
        return _get(fake, token)

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(get, tokens))


@pytest.fixture
def overlapping(fake: FakeGitHub) -> FakeGitHub:
    fake.add_token(SECOND_TOKEN, login="bob")
    fake.set_latency(OVERLAP_LATENCY_MS)
    return fake


def test_requests_at_once_are_counted_per_login(overlapping: FakeGitHub) -> None:
    statuses = _get_at_once(overlapping, [TOKEN] * 4 + [SECOND_TOKEN] * 2)

    assert statuses == [200] * 6
    assert overlapping.concurrency_peaks() == {"alice": 4, "bob": 2}


def test_requests_one_after_another_peak_at_one(fake: FakeGitHub) -> None:
    for _ in range(3):
        assert _get(fake, TOKEN) == 200

    assert fake.concurrency_peaks() == {"alice": 1}


def test_requests_without_a_known_token_are_counted_under_the_empty_key(
    overlapping: FakeGitHub,
) -> None:
    statuses = _get_at_once(overlapping, [None, "ghp_unknown", TOKEN])

    assert statuses == [401, 401, 200]
    assert overlapping.concurrency_peaks() == {"": 2, "alice": 1}


def test_a_faulted_request_leaves_the_count(overlapping: FakeGitHub) -> None:
    overlapping.inject_fault("500")
    assert _get(overlapping, TOKEN) == 500

    assert _get_at_once(overlapping, [TOKEN] * 2) == [200, 200]
    assert overlapping.concurrency_peaks() == {"alice": 2}


def test_reset_zeroes_the_peaks(overlapping: FakeGitHub) -> None:
    _get_at_once(overlapping, [TOKEN] * 3)

    overlapping.concurrency_reset()

    assert overlapping.concurrency_peaks() == {}
    assert _get(overlapping, TOKEN) == 200
    assert overlapping.concurrency_peaks() == {"alice": 1}


def test_reset_keeps_the_requests_still_in_flight(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting, release = threading.Event(), threading.Event()

    def held(seconds: float) -> None:
        waiting.set()
        release.wait(timeout=5)

    monkeypatch.setattr(fake, "wait", held)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_get, fake, TOKEN)
        assert waiting.wait(timeout=5)
        fake.concurrency_reset()
        during = fake.concurrency_peaks()
        release.set()
        assert pending.result(timeout=5) == 200
    fake.concurrency_reset()

    assert during == {"alice": 1}
    assert fake.concurrency_peaks() == {}


def test_the_control_endpoint_reports_and_resets_the_peaks(overlapping: FakeGitHub) -> None:
    _get_at_once(overlapping, [TOKEN] * 3)

    _, _, body = http_get(overlapping.url + "/_fake/state")
    assert json.loads(body)["concurrency_peaks"] == {"alice": 3}
    assert TOKEN not in body.decode()

    status, state = http_post_json(overlapping.url + "/_fake/state", {"concurrency_reset": True})
    assert (status, state["concurrency_peaks"]) == (200, {})
    assert overlapping.concurrency_peaks() == {}


def test_meter_counts_a_request_that_raises_as_finished() -> None:
    meter = ConcurrencyMeter()
    with pytest.raises(RuntimeError), meter.request("alice"):
        raise RuntimeError("the reply failed")

    with meter.request("alice"):
        assert meter.peaks() == {"alice": 1}
    meter.reset()
    assert meter.peaks() == {}
