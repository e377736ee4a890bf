import datetime as dt
import socket
import time
from typing import Any

import pytest

from repotraffic.integrations.github.client import GitHubErrorCause
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.conftest import NOW, expected_daily, fetch, fetch_error

VIEWS = "/repos/acme/rocket/traffic/views"
CLONES = "/repos/acme/rocket/traffic/clones"


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
    started = time.monotonic()

    window = fetch()

    assert 0.3 <= time.monotonic() - started < 1.0
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
    assert fake.request_counts() == {VIEWS: 2, CLONES: 2}
    assert sleeps == []


def test_pygithub_neither_throttles_nor_sleeps_on_its_own(fake: FakeGitHub) -> None:
    # PyGithub's default spacing (0.25s between requests) would make six requests
    # take well over a second; the policy must be entirely ours.
    started = time.monotonic()
    for _ in range(3):
        fetch()

    assert time.monotonic() - started < 0.75
    assert fake.request_counts() == {VIEWS: 3, CLONES: 3}


def test_push_refusal_that_spends_the_last_unit_is_not_a_rate_limit(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.add_token("ghp_readonly", push=False)
    fake.set_rate_limit(1)

    error = fetch_error(token="ghp_readonly")

    assert error.cause == GitHubErrorCause.NO_PUSH_ACCESS
    assert sleeps == []
