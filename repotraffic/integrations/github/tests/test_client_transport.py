"""transport.py: one connection pool per token for the whole process (across calls,
repositories, threads; not across fork), its bound, and redirects."""

import os
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from repotraffic.integrations.github import rate_limits, transport
from repotraffic.integrations.github.client import (
    GitHubErrorCause,
    github_popular_fetch,
    github_repository_get,
    github_token_check,
    github_token_key,
)
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import (
    API_TEST_URL,
    NOW,
    TOKEN,
    fetch,
    fetch_error,
)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every TCP connection this process opens (to the fake) while the test runs."""
    opened: list[Any] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        opened.append(address)
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield opened


def test_one_connection_serves_every_call_and_repository_of_a_token(
    fake: FakeGitHub, connections: list[Any]
) -> None:
    fake.add_repo("acme", "other")

    for name in ("rocket", "other"):
        github_repository_get(token=TOKEN, owner="acme", name=name)
        fetch(name=name)
        github_popular_fetch(token=TOKEN, owner="acme", name=name)

    assert sum(fake.request_counts().values()) == 10
    assert len(connections) == 1
    assert len(transport.http_clients) == 1


def test_each_token_has_its_own_pool_keyed_by_a_digest(fake: FakeGitHub) -> None:
    fake.add_token("ghp_colleague")

    fetch()
    fetch(token="ghp_colleague")

    assert len(transport.http_clients) == 2
    keys = list(transport.http_clients._clients)
    assert keys == [
        rate_limits.token_key(api_url=fake.url, token=token) for token in (TOKEN, "ghp_colleague")
    ]


def test_the_public_token_key_is_the_pools_key_and_never_the_token(fake: FakeGitHub) -> None:
    fetch()

    key = github_token_key(token=f" {TOKEN} ")

    assert list(transport.http_clients._clients) == [key]
    assert TOKEN not in key and len(key) == 64
    assert github_token_key(token="ghp_other") != key


def test_threads_share_the_tokens_pool(fake: FakeGitHub) -> None:
    names = [f"repo{n}" for n in range(16)]
    for name in names:
        fake.add_repo("acme", name)
    fake.set_latency(20)  # the requests overlap

    with ThreadPoolExecutor(max_workers=8) as pool:
        windows = list(pool.map(lambda name: fetch(name=name), names))

    assert all(window.views_fetched_on for window in windows)
    assert len(transport.http_clients) == 1
    assert sum(fake.request_counts().values()) == 32


def test_the_least_recently_used_pool_is_closed_past_the_bound(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport.http_clients, "size", 2)
    for token in "abc":
        fake.add_token(f"ghp_{token}")
    key = {token: rate_limits.token_key(api_url=fake.url, token=f"ghp_{token}") for token in "abc"}
    fetch(token="ghp_a")
    fetch(token="ghp_b")
    pool_a, pool_b = (transport.http_clients._clients[key[token]] for token in "ab")
    fetch(token="ghp_a")  # now b is the least recently used

    fetch(token="ghp_c")

    assert list(transport.http_clients._clients) == [key["a"], key["c"]]
    assert pool_b.is_closed and not pool_a.is_closed


def test_a_forked_child_opens_its_own_pool(fake: FakeGitHub) -> None:
    fetch()
    parents = next(iter(transport.http_clients._clients.values()))

    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        status = 1
        try:
            empty_at_start = len(transport.http_clients) == 0
            fetch()
            own = next(iter(transport.http_clients._clients.values()))
            status = 0 if empty_at_start and own is not parents else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert not parents.is_closed  # still the parent's, and still used
    assert fetch().views


def test_clear_closes_every_pool(fake: FakeGitHub) -> None:
    fetch()
    pools = list(transport.http_clients._clients.values())

    transport.http_clients.clear()

    assert len(transport.http_clients) == 0 and all(pool.is_closed for pool in pools)


def test_pools_are_made_once_under_contention() -> None:
    pools = transport.HttpClients(size=4)
    built: list[httpx.Client] = []
    start = threading.Barrier(8)

    def build() -> httpx.Client:
        built.append(httpx.Client())
        return built[-1]

    def get(_: int) -> httpx.Client:
        start.wait()
        return pools.get(key="k", build=build)

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = set(pool.map(get, range(8)))

    assert len(built) == 1 and got == {built[0]}
    pools.clear()


# --- redirects -----------------------------------------------------------------


def redirecting(location: str, *, status: int = 301) -> Any:
    """A GitHub that redirects the paths of acme/rocket to `location` followed by the
    path, and answers every other path itself."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.startswith("/repos/acme/rocket/"):
            return httpx.Response(status, headers={"Location": location + request.url.path})
        kind = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(
            200, json={kind: []}, headers={"Date": "Thu, 12 Nov 2026 18:00:00 GMT"}
        )

    return handle, seen


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_on_the_apis_host_is_followed_with_the_token(
    github_answers: Any, status: int
) -> None:
    # GitHub's answer for a renamed repository: its new address, by id, on its own host.
    handle, seen = redirecting(f"{API_TEST_URL}/repositories/42", status=status)
    github_answers(handle)

    window = fetch()

    assert window.views == [] and window.views_fetched_on is not None
    assert [request.url.path for request in seen] == [
        "/repos/acme/rocket/traffic/views",
        "/repositories/42/repos/acme/rocket/traffic/views",
        "/repos/acme/rocket/traffic/clones",
        "/repositories/42/repos/acme/rocket/traffic/clones",
    ]
    assert all(request.headers["authorization"] == f"Bearer {TOKEN}" for request in seen)


@pytest.mark.parametrize(
    "location",
    ["https://evil.example", "http://api.github.test", "https://api.github.test:8443"],
)
def test_a_redirect_away_from_the_api_is_refused_without_following_it(
    github_answers: Any, location: str
) -> None:
    handle, seen = redirecting(location)
    github_answers(handle)

    error = fetch_error()

    assert error.cause == GitHubErrorCause.MALFORMED
    assert "a redirect away from the API" in error.message
    assert [request.url.host for request in seen] == ["api.github.test"]


def test_endless_redirects_are_malformed(github_answers: Any) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": str(request.url)})

    github_answers(handle)

    error = fetch_error()

    assert error.cause == GitHubErrorCause.MALFORMED
    assert "more than 3 redirects" in error.message


def test_a_redirect_without_a_location_is_an_unexpected_answer(github_answers: Any) -> None:
    github_answers(lambda request: httpx.Response(301))

    error = fetch_error()

    assert error.cause == GitHubErrorCause.MALFORMED
    assert "GitHub answered HTTP 301" in error.message


def test_every_request_says_who_and_which_api_version(github_answers: Any) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"login": "alice"})

    github_answers(handle)

    assert github_token_check(token=TOKEN) == "alice"
    (request,) = seen
    assert request.headers["user-agent"] == transport.USER_AGENT
    assert request.headers["x-github-api-version"] == transport.API_VERSION
    assert request.headers["accept"] == "application/vnd.github+json"
    assert TOKEN not in repr(transport.http_clients._clients)


@pytest.mark.parametrize(
    ("links", "last"),
    [
        ({"last": "https://api.github.test/repositories/1/stargazers?per_page=100&page=7"}, 7),
        ({"last": "https://api.github.test/repositories/1/stargazers?page=x"}, None),
        ({"last": "http://[not a host/"}, None),
        ({"next": "https://api.github.test/x?page=2"}, None),
    ],
)
def test_a_links_page_number_is_read_or_none(links: dict[str, str], last: int | None) -> None:
    answer = transport.Answer(body=b"[]", day=NOW.date(), links=links)

    assert answer.page("last") == last
    assert answer.has_next == ("next" in links)
