import datetime as dt
import hashlib
import socket
import threading
import time
from typing import Any

import pytest

from repotraffic.budget.gates import MemoryGate, token_gate
from repotraffic.integrations.github import client, transport
from repotraffic.integrations.github.client import GitHubError, GitHubErrorCause, github_token_check
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import (
    NOW,
    TOKEN,
    expected_daily,
    fetch,
    fetch_error,
)

VIEWS = "/repos/acme/rocket/traffic/views"
CLONES = "/repos/acme/rocket/traffic/clones"
OTHER_CLONES = "/repos/acme/other/traffic/clones"


# --- retries -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "502", "503", "disconnect"])
def test_transient_failures_are_retried_with_backoff_then_succeed(
    fake: FakeGitHub, sleeps: list[float], kind: str
) -> None:
    fake.inject_fault(kind, count=2, path="views")

    window = fetch()

    assert window.views == expected_daily(
        fake=fake, owner="acme", name="rocket", now=NOW, kind="views"
    )
    assert fake.request_counts() == {VIEWS: 3, CLONES: 1}
    assert sleeps == [0.01, 0.02]


def test_timeout_is_retried_then_succeeds(
    fake: FakeGitHub, settings: Any, sleeps: list[float]
) -> None:
    settings.GITHUB_TIMEOUT = 0.3
    fake.inject_fault("timeout", path="views", seconds=1.0)

    window = fetch()

    # Had the 0.3 s timeout not cut the hanging request, it would have had its answer
    # after 1 s: a second request to views is the proof that it gave up and retried.
    assert window.views
    assert fake.request_counts() == {VIEWS: 2, CLONES: 1}
    assert sleeps == [0.01]


def test_persistent_5xx_gives_up_as_unavailable(
    fake: FakeGitHub, settings: Any, sleeps: list[float]
) -> None:
    settings.GITHUB_MAX_RETRIES = 2
    fake.inject_fault("502", count=10)

    error = fetch_error()

    assert error.cause == GitHubErrorCause.UNAVAILABLE
    assert error.transient and error.retry_at is None
    assert "GitHub did not answer (HTTP 502)" in error.message
    assert "3 attempts" in error.message and "will retry on the next run" in error.message
    assert fake.request_counts() == {VIEWS: 3}
    assert sleeps == [0.01, 0.02]


def test_persistent_timeouts_give_up_as_unavailable(fake: FakeGitHub, settings: Any) -> None:
    settings.GITHUB_TIMEOUT = 0.2
    settings.GITHUB_MAX_RETRIES = 1
    fake.inject_fault("timeout", count=5, seconds=0.6)

    error = fetch_error()

    assert error.cause == GitHubErrorCause.UNAVAILABLE
    assert "no answer within 0.2s" in error.message
    assert fake.request_counts() == {VIEWS: 2}


def test_refused_connection_is_unavailable(fake: FakeGitHub, settings: Any) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GITHUB_API_URL = f"http://127.0.0.1:{port}"
    settings.GITHUB_MAX_RETRIES = 1

    error = fetch_error()

    assert error.cause == GitHubErrorCause.UNAVAILABLE
    assert "connection failed" in error.message


# --- rate limits ---------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429])
def test_primary_limit_resetting_soon_is_waited_for(
    fake: FakeGitHub, sleeps: list[float], status: int
) -> None:
    fake.inject_fault("primary_rate_limit", path="views", reset_in=5, status=status)

    assert fetch().views
    assert len(sleeps) == 1 and 4.5 < sleeps[0] <= 7.0
    assert fake.request_counts() == {VIEWS: 2, CLONES: 1}


@pytest.mark.parametrize("status", [403, 429])
def test_primary_limit_resetting_late_raises_rate_limited(
    fake: FakeGitHub, sleeps: list[float], status: int
) -> None:
    fake.inject_fault("primary_rate_limit", reset_in=3600, status=status)
    before = dt.datetime.now(dt.UTC)

    error = fetch_error()

    assert error.cause == GitHubErrorCause.RATE_LIMITED and error.transient
    assert error.retry_at is not None and error.retry_at.tzinfo is not None
    assert error.retry_at.utcoffset() == dt.timedelta(0)
    assert before + dt.timedelta(seconds=3595) < error.retry_at
    assert error.retry_at < before + dt.timedelta(seconds=3605)
    assert "rate limit" in error.message
    assert sleeps == []
    assert fake.request_counts() == {VIEWS: 1}


def test_secondary_limit_with_short_retry_after_is_waited_for(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.inject_fault("secondary_rate_limit", path="clones", retry_after=3)

    assert fetch().clones
    assert len(sleeps) == 1 and 3.5 < sleeps[0] <= 4.0
    assert fake.request_counts() == {VIEWS: 1, CLONES: 2}


def test_secondary_limit_with_long_retry_after_raises_rate_limited(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.inject_fault("secondary_rate_limit", retry_after=600, status=429)
    before = dt.datetime.now(dt.UTC)

    error = fetch_error()

    assert error.cause == GitHubErrorCause.RATE_LIMITED
    assert error.retry_at is not None
    assert before + dt.timedelta(seconds=595) < error.retry_at
    assert error.retry_at < before + dt.timedelta(seconds=605)
    assert sleeps == []


def test_max_wait_setting_decides_between_waiting_and_raising(
    fake: FakeGitHub, settings: Any, sleeps: list[float]
) -> None:
    settings.GITHUB_RATE_LIMIT_MAX_WAIT = 2
    fake.inject_fault("secondary_rate_limit", retry_after=3)

    assert fetch_error().cause == GitHubErrorCause.RATE_LIMITED
    assert sleeps == []


def test_rate_limit_waits_count_against_the_retry_budget(
    fake: FakeGitHub, settings: Any, sleeps: list[float]
) -> None:
    settings.GITHUB_MAX_RETRIES = 2
    fake.inject_fault("secondary_rate_limit", count=10, retry_after=1)

    assert fetch_error().cause == GitHubErrorCause.RATE_LIMITED
    assert len(sleeps) == 2
    assert fake.request_counts() == {VIEWS: 3}


def test_exhausting_the_fakes_real_limit_raises_rate_limited(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.set_rate_limit(3)
    fetch()

    error = fetch_error()

    assert error.cause == GitHubErrorCause.RATE_LIMITED
    assert error.retry_at is not None
    assert error.retry_at > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=59)
    # The third request's answer said none was left of the hour: the fourth is not sent.
    assert fake.request_counts() == {VIEWS: 2, CLONES: 1}
    assert sleeps == []


def test_the_client_never_sleeps_behind_the_policys_back(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No pacing and no sleeping inside the HTTP library (as PyGithub's 0.25 s between
    # requests, or urllib3's retries, would): every wait is client._sleep, decided here.
    this_thread = threading.get_ident()
    slept: list[float] = []
    real_sleep = time.sleep

    def recording_sleep(seconds: float) -> None:
        if threading.get_ident() == this_thread:
            slept.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording_sleep)
    for _ in range(3):
        fetch()

    assert slept == []
    assert fake.request_counts() == {VIEWS: 3, CLONES: 3}


def test_push_refusal_that_spends_the_last_unit_is_not_a_rate_limit(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.add_token("ghp_readonly", push=False)
    fake.set_rate_limit(1)

    error = fetch_error(token="ghp_readonly")

    assert error.cause == GitHubErrorCause.NO_PUSH_ACCESS
    assert sleeps == []


# --- a far rate limit blocks the token for the whole process -------------------

FAR_LIMITS = [
    pytest.param("primary_rate_limit", {"reset_in": 3600}, id="primary"),
    pytest.param("secondary_rate_limit", {"retry_after": 3600, "status": 429}, id="secondary"),
]


def _limit_far_away(fake: FakeGitHub, kind: str, options: dict[str, Any]) -> GitHubError:
    """One fetch of acme/rocket meets a far rate limit; then acme/other exists too."""
    fake.inject_fault(kind, **options)
    error = fetch_error()
    assert error.cause == GitHubErrorCause.RATE_LIMITED
    fake.add_repo("acme", "other")
    fake.reset_requests()
    return error


@pytest.mark.parametrize(("kind", "options"), FAR_LIMITS)
def test_a_far_rate_limit_stops_later_calls_with_the_token_without_a_request(
    fake: FakeGitHub, sleeps: list[float], kind: str, options: dict[str, Any]
) -> None:
    first = _limit_far_away(fake, kind, options)

    later = fetch_error(name="other")

    assert (later.cause, later.message, later.retry_at) == (
        GitHubErrorCause.RATE_LIMITED,
        first.message,
        first.retry_at,
    )
    with pytest.raises(GitHubError) as caught:
        github_token_check(token=TOKEN, interactive=True)
    assert caught.value.retry_at == first.retry_at
    assert fake.request_counts() == {}
    assert sleeps == []


@pytest.mark.parametrize(("kind", "options"), FAR_LIMITS)
def test_a_far_rate_limit_blocks_no_other_token(
    fake: FakeGitHub, kind: str, options: dict[str, Any]
) -> None:
    _limit_far_away(fake, kind, options)
    fake.add_token("ghp_colleague")

    assert fetch(token="ghp_colleague", name="other").views
    assert fake.request_counts() == {"/repos/acme/other/traffic/views": 1, OTHER_CLONES: 1}


@pytest.mark.parametrize(("kind", "options"), FAR_LIMITS)
def test_requests_go_out_again_once_the_clock_passes_retry_at(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, kind: str, options: dict[str, Any]
) -> None:
    first = _limit_far_away(fake, kind, options)
    assert first.retry_at is not None
    key = hashlib.sha256(f"{fake.url}\n{TOKEN}".encode()).hexdigest()
    monkeypatch.setattr(client, "_clock", lambda: first.retry_at.timestamp() - 3600)
    assert fetch_error(name="other").cause == GitHubErrorCause.RATE_LIMITED
    assert fake.request_counts() == {}

    monkeypatch.setattr(client, "_clock", lambda: first.retry_at.timestamp())

    assert token_gate().paused_until(token_key=key, now=first.retry_at.timestamp()) is None
    assert fetch(name="other").views
    assert fake.request_counts() == {"/repos/acme/other/traffic/views": 1, OTHER_CLONES: 1}


def test_a_limit_that_lifts_soon_is_waited_for_by_a_later_call(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    first = _limit_far_away(fake, "primary_rate_limit", {"reset_in": 3600})
    assert first.retry_at is not None
    start = first.retry_at.timestamp() - 30  # the limit lifts within the 60 s we wait
    monkeypatch.setattr(client, "_clock", lambda: start + sum(sleeps))

    assert fetch(name="other").views
    assert len(sleeps) == 1 and 30 <= sleeps[0] <= 32
    assert fake.request_counts() == {"/repos/acme/other/traffic/views": 1, OTHER_CLONES: 1}


def test_a_rate_limit_waited_out_blocks_nothing(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.inject_fault("primary_rate_limit", path="views", reset_in=5)
    fetch()
    fake.reset_requests()

    assert fetch().views
    assert fake.request_counts() == {VIEWS: 1, CLONES: 1}
    assert len(sleeps) == 1


def test_the_registry_keeps_a_digest_never_the_token(fake: FakeGitHub) -> None:
    _limit_far_away(fake, "primary_rate_limit", {"reset_in": 3600})

    gate = token_gate()
    assert isinstance(gate, MemoryGate)
    assert list(gate._tokens) == [hashlib.sha256(f"{fake.url}\n{TOKEN}".encode()).hexdigest()]


# --- an interactive token check gives up quickly ---------------------------------


def test_interactive_policy_caps_retries_timeout_and_backoff(settings: Any) -> None:
    settings.GITHUB_API_URL = "https://api.github.com"
    settings.GITHUB_TIMEOUT = 10
    settings.GITHUB_MAX_RETRIES = 3
    settings.GITHUB_RETRY_BACKOFF = 4.0

    config = transport.config_read(interactive=True)

    assert (config.timeout, config.max_retries, config.backoff) == (5.0, 1, 1.0)
    assert transport.config_read().timeout == 10.0
    # The bound the docstring states: 2 attempts x (connect + read) + one backoff.
    assert (config.max_retries + 1) * 2 * config.timeout + config.backoff < 25


def test_interactive_check_gives_up_after_one_retry_when_github_hangs(
    fake: FakeGitHub, settings: Any, sleeps: list[float]
) -> None:
    settings.GITHUB_TIMEOUT = 0.3
    fake.inject_fault("timeout", count=10, seconds=1.0)

    with pytest.raises(GitHubError) as caught:
        github_token_check(token=TOKEN, interactive=True)

    # Each attempt was cut by the timeout (an uncut one gets its answer after 1 s),
    # and there were two of them with one backoff between.
    assert caught.value.cause == GitHubErrorCause.UNAVAILABLE
    assert "no answer within 0.3s" in caught.value.message
    assert "try again in a minute" in caught.value.message
    assert fake.request_counts() == {"/user": 2}
    assert sleeps == [0.01]


def test_interactive_check_gives_up_after_one_retry_on_repeated_502(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.inject_fault("502", count=10)

    with pytest.raises(GitHubError) as caught:
        github_token_check(token=TOKEN, interactive=True)

    assert caught.value.cause == GitHubErrorCause.UNAVAILABLE
    assert fake.request_counts() == {"/user": 2}
    assert sleeps == [0.01]


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("secondary_rate_limit", {"retry_after": 3}),
        ("primary_rate_limit", {"reset_in": 5, "status": 429}),
    ],
)
def test_interactive_check_never_waits_for_a_rate_limit(
    fake: FakeGitHub, sleeps: list[float], kind: str, options: dict[str, Any]
) -> None:
    fake.inject_fault(kind, **options)

    with pytest.raises(GitHubError) as caught:
        github_token_check(token=TOKEN, interactive=True)

    assert caught.value.cause == GitHubErrorCause.RATE_LIMITED
    assert caught.value.retry_at is not None
    assert fake.request_counts() == {"/user": 1}
    assert sleeps == []
    # Near enough to wait for in the background: nothing is blocked.
    assert fetch().views


def test_background_check_keeps_the_full_policy(fake: FakeGitHub, sleeps: list[float]) -> None:
    fake.inject_fault("502", count=2)
    fake.inject_fault("secondary_rate_limit", retry_after=3)

    assert github_token_check(token=TOKEN) == "alice"
    assert fake.request_counts() == {"/user": 4}
    assert sleeps[:2] == [0.01, 0.02] and len(sleeps) == 3 and sleeps[2] > 3
