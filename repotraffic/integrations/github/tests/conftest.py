import functools
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from repotraffic.integrations.github import client, transport
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import API_TEST_URL, NOW, TOKEN


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeGitHub, settings: Any) -> Iterator[FakeGitHub]:
    """The shared fake, wiped, with one token and one public repository, clock fixed."""
    fake_server.reset()
    fake_server.add_token(TOKEN, login="alice")
    fake_server.add_repo("acme", "rocket")
    fake_server.set_now(NOW)
    settings.GITHUB_API_URL = fake_server.url
    settings.GITHUB_TIMEOUT = 2.0
    settings.GITHUB_MAX_RETRIES = 3
    settings.GITHUB_RETRY_BACKOFF = 0.01
    settings.GITHUB_RATE_LIMIT_MAX_WAIT = 60.0
    yield fake_server
    fake_server.reset()


@pytest.fixture(autouse=True)
def _rate_limit_blocks_forgotten() -> Iterator[None]:
    """A token blocked by one test's rate limit must not refuse the next test's requests."""
    client.github_rate_limit_blocks_clear()
    yield
    client.github_rate_limit_blocks_clear()


@pytest.fixture(autouse=True)
def _http_clients_closed() -> Iterator[None]:
    """Each test starts without connections, and leaves none to a server it stopped."""
    transport.http_clients.clear()
    yield
    transport.http_clients.clear()


@pytest.fixture
def github_answers(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Callable[[Callable[[httpx.Request], httpx.Response]], None]:
    """Answers the client's requests with a handler (httpx's mocked transport) instead of
    the fake: for answers no fault of the fake gives. The API is https://api.github.test."""
    settings.GITHUB_API_URL = API_TEST_URL
    settings.GITHUB_MAX_RETRIES = 3
    settings.GITHUB_RETRY_BACKOFF = 0.01

    def serve(handler: Callable[[httpx.Request], httpx.Response]) -> None:
        transport.http_clients.clear()
        build = functools.partial(
            transport._http_client_build, transport=httpx.MockTransport(handler)
        )
        monkeypatch.setattr(transport, "_http_client_build", build)

    return serve


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the client decides on, recorded instead of slept; the client's clock
    moves on by what it would have slept, as it would have."""
    calls: list[float] = []
    monkeypatch.setattr(client, "_sleep", calls.append)
    monkeypatch.setattr(client, "_clock", lambda: time.time() + sum(calls))
    return calls


@pytest.fixture
def waits(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the fake's handlers ask for, recorded (and still waited)."""
    asked: list[float] = []
    real_wait = fake.wait

    def recording_wait(seconds: float) -> None:
        asked.append(seconds)
        real_wait(seconds)

    monkeypatch.setattr(fake, "wait", recording_wait)
    return asked
