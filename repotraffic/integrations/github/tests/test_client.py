import datetime as dt
import json
import logging
import pickle
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from repotraffic.integrations.github import answers, client, transport
from repotraffic.integrations.github.client import (
    GitHubError,
    GitHubErrorCause,
    github_token_check,
)
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


# --- success -------------------------------------------------------------------


def test_fetch_makes_two_requests_and_reports_the_documented_figures(fake: FakeGitHub) -> None:
    window = fetch()

    assert window.views == expected_daily(
        fake=fake, owner="acme", name="rocket", now=NOW, kind="views"
    )
    assert window.clones == expected_daily(
        fake=fake, owner="acme", name="rocket", now=NOW, kind="clones"
    )
    assert fake.request_counts() == {VIEWS: 1, CLONES: 1}
    for logged in fake.requests_log():
        assert logged["query"] == "per=day"
        assert logged["headers"]["x-github-api-version"] == "2022-11-28"
        assert logged["headers"]["user-agent"] == "repotraffic"


def test_fetch_dates_each_answer_by_githubs_date_header(fake: FakeGitHub) -> None:
    # GitHub's clock, not ours, decides which day is "today" in its window.
    fake.set_now("2024-02-29T23:00:00Z")

    window = fetch()

    assert (window.views_fetched_on, window.clones_fetched_on) == (
        dt.date(2024, 2, 29),
        dt.date(2024, 2, 29),
    )


@pytest.mark.parametrize(
    ("headers", "day"),
    [
        ({"date": "Sat, 14 Nov 2026 23:59:59 GMT"}, dt.date(2026, 11, 14)),
        ({"Date": "Sun, 15 Nov 2026 01:00:00 +0200"}, dt.date(2026, 11, 14)),
        ({"date": "not a date"}, dt.date(2031, 1, 2)),
        ({}, dt.date(2031, 1, 2)),
    ],
)
def test_an_answers_day_comes_from_its_date_header_else_our_clock(
    headers: dict[str, str], day: dt.date
) -> None:
    assert transport.answer_day(headers, today=lambda: dt.date(2031, 1, 2)) == day


def test_an_answer_without_a_date_header_is_dated_by_the_patchable_clock(
    github_answers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "_utc_today", lambda: dt.date(2031, 1, 2))
    github_answers(lambda request: httpx.Response(200, json={"views": [], "clones": []}))

    window = fetch()

    assert window.views_fetched_on == window.clones_fetched_on == dt.date(2031, 1, 2)


def test_fetch_scales_today_and_the_oldest_day_and_omits_zero_days(fake: FakeGitHub) -> None:
    # A repository whose window holds a day without views and one without clones.
    today = NOW.date()
    window_days = [today - dt.timedelta(days=age) for age in range(15)]
    name = next(
        f"repo{n}"
        for n in range(200)
        if any(fake.truth("acme", f"repo{n}", day)[0] == 0 for day in window_days[1:14])
        and any(fake.truth("acme", f"repo{n}", day)[2] == 0 for day in window_days[1:14])
    )
    fake.add_repo("acme", name)

    window = fetch(name=name)

    views = {bucket.day: bucket for bucket in window.views}
    clones = {bucket.day: bucket for bucket in window.clones}
    for day in window_days[1:14]:
        true_views, _, true_clones, _ = fake.truth("acme", name, day)
        assert (day in views) == (true_views > 0)
        assert (day in clones) == (true_clones > 0)
    hour = NOW.hour  # 18:30:15 counts as 18 whole hours
    if today in views:
        assert views[today].count == fake.truth("acme", name, today)[0] * hour * 9 // 240
    oldest = today - dt.timedelta(days=14)
    if oldest in views:
        expected = fake.truth("acme", name, oldest)[0] * (24 - hour) // 24
        assert views[oldest].count == expected
    assert [bucket.day for bucket in window.views] == sorted(views)


def test_yesterday_is_revised_up_after_six_utc(fake: FakeGitHub) -> None:
    yesterday = NOW.date() - dt.timedelta(days=1)
    # A repository busy enough yesterday for 9/10 to differ from the whole.
    name = next(
        f"repo{n}" for n in range(200) if fake.truth("acme", f"repo{n}", yesterday)[0] >= 10
    )
    fake.add_repo("acme", name)
    true_views = fake.truth("acme", name, yesterday)[0]

    fake.set_now(dt.datetime.combine(NOW.date(), dt.time(5, 59, 59), tzinfo=dt.UTC))
    early = {bucket.day: bucket.count for bucket in fetch(name=name).views}
    fake.set_now(dt.datetime.combine(NOW.date(), dt.time(6, 0, 0), tzinfo=dt.UTC))
    late = {bucket.day: bucket.count for bucket in fetch(name=name).views}

    assert early[yesterday] == true_views * 9 // 10
    assert late[yesterday] == true_views


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seconds=st.integers(min_value=0, max_value=86399),
    days=st.integers(min_value=0, max_value=3000),
    name=st.sampled_from(["rocket", "launchpad", "widgets", "Zed.js"]),
)
def test_fetch_matches_the_documented_rule_at_any_time(
    fake: FakeGitHub, seconds: int, days: int, name: str
) -> None:
    now = dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=days, seconds=seconds)
    fake.set_now(now)
    fake.add_repo("octo", name)

    window = fetch(owner="octo", name=name)

    assert window.views == expected_daily(fake=fake, owner="octo", name=name, now=now, kind="views")
    assert window.clones == expected_daily(
        fake=fake, owner="octo", name=name, now=now, kind="clones"
    )


def test_a_github_enterprise_server_url_keeps_its_prefix_and_finds_no_traffic(
    fake: FakeGitHub, settings: Any
) -> None:
    # GitHub Enterprise Server's REST API (…/api/v3) has no traffic endpoints.
    settings.GITHUB_API_URL = f"{fake.url}/api/v3/"

    error = fetch_error()

    assert error.cause == GitHubErrorCause.NOT_FOUND
    assert fake.request_counts() == {f"/api/v3{VIEWS}": 1}


def test_private_repository_the_token_can_push_to_is_fetched(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "secret", private=True, push_tokens=[TOKEN])

    assert fetch(name="secret").views


# --- errors --------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_token_is_no_token_without_asking_github(fake: FakeGitHub, token: Any) -> None:
    error = fetch_error(token=token)

    assert error.cause == GitHubErrorCause.NO_TOKEN
    assert "GITHUB_TOKEN" in error.message
    assert "POST /api/users/github-token" in error.message
    assert not error.transient and error.retry_at is None
    assert fake.request_counts() == {}


def test_token_with_a_space_inside_is_refused_before_sending(fake: FakeGitHub) -> None:
    error = fetch_error(token="ghp_abc def")

    assert error.cause == GitHubErrorCause.BAD_CREDENTIALS
    assert "ghp_abc" not in error.message
    assert fake.request_counts() == {}


def test_unknown_token_is_bad_credentials(fake: FakeGitHub) -> None:
    error = fetch_error(token="ghp_revoked")

    assert error.cause == GitHubErrorCause.BAD_CREDENTIALS
    assert "401" in error.message and "Bad credentials" in error.message
    assert "ghp_revoked" not in error.message
    assert not error.transient
    assert fake.request_counts() == {VIEWS: 1}


@pytest.mark.parametrize("kind", ["classic", "fine_grained", "app"])
def test_token_without_push_access_names_the_repository_and_the_permission(
    fake: FakeGitHub, kind: str
) -> None:
    fake.add_token("ghp_readonly", push=False, kind=kind)

    error = fetch_error(token="ghp_readonly")

    assert error.cause == GitHubErrorCause.NO_PUSH_ACCESS
    assert "acme/rocket" in error.message
    assert "Administration: read" in error.message and "repo scope" in error.message
    assert not error.transient
    assert fake.request_counts() == {VIEWS: 1}


def test_no_push_access_fault_on_clones_is_no_push_access(fake: FakeGitHub) -> None:
    fake.inject_fault("no_push_access", path="clones", variant="fine_grained")

    assert fetch_error().cause == GitHubErrorCause.NO_PUSH_ACCESS


@pytest.mark.parametrize("private", [False, True])
def test_unknown_or_invisible_repository_is_not_found(fake: FakeGitHub, private: bool) -> None:
    if private:
        fake.add_repo("acme", "nope", private=True, push_tokens=["someone-else"])

    error = fetch_error(name="nope")

    assert error.cause == GitHubErrorCause.NOT_FOUND
    assert error.message == (
        "acme/nope was not found, or it is private and the token cannot see it"
    )


# --- malformed answers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "variant"),
    [
        ("malformed_json", ""),
        ("truncated_json", ""),
        ("wrong_shape", "missing_key"),
        ("wrong_shape", "string_count"),
        ("wrong_shape", "bad_timestamp"),
        ("wrong_shape", "not_object"),
    ],
)
def test_unreadable_answers_are_malformed_and_not_retried(
    fake: FakeGitHub, sleeps: list[float], kind: str, variant: str
) -> None:
    fake.inject_fault(kind, path="views", variant=variant)

    error = fetch_error()

    assert error.cause == GitHubErrorCause.MALFORMED and not error.transient
    assert "acme/rocket traffic views" in error.message
    assert fake.request_counts() == {VIEWS: 1}
    assert sleeps == []


@pytest.mark.parametrize(
    "payload",
    [
        {"views": [{"timestamp": "2026-11-01T00:00:00Z", "count": True, "uniques": 1}]},
        {"views": [{"timestamp": "2026-11-01T00:00:00Z", "count": -1, "uniques": 0}]},
        {"views": [{"timestamp": "2026-11-01T00:00:00Z", "count": 1.5, "uniques": 1}]},
        {"views": [{"timestamp": 1700000000, "count": 1, "uniques": 1}]},
        {"views": [{"timestamp": "2026-11-01T00:00:00Z", "count": 1, "uniques": 1}] * 2},
        {"views": "none"},
        {"clones": []},
    ],
)
def test_wrong_shapes_are_refused(payload: Any) -> None:
    with pytest.raises(GitHubError) as caught:
        answers.buckets_parse(
            body=json.dumps(payload).encode(), key="views", subject="acme/rocket traffic views"
        )

    assert caught.value.cause == GitHubErrorCause.MALFORMED
    assert "acme/rocket traffic views" in caught.value.message


def test_buckets_are_sorted_and_timestamps_become_utc_days() -> None:
    buckets = answers.buckets_parse(
        body=json.dumps(
            {
                "views": [
                    {"timestamp": "2026-11-12T00:00:00Z", "count": 3, "uniques": 2},
                    {"timestamp": "2026-11-10T00:00:00+00:00", "count": 5, "uniques": 1},
                ]
            }
        ).encode(),
        key="views",
        subject="x",
    )

    assert [(b.day, b.count, b.uniques) for b in buckets] == [
        (dt.date(2026, 11, 10), 5, 1),
        (dt.date(2026, 11, 12), 3, 2),
    ]


# --- token check ---------------------------------------------------------------


def test_token_check_returns_the_login(fake: FakeGitHub) -> None:
    assert github_token_check(token=TOKEN) == "alice"
    assert fake.request_counts() == {"/user": 1}


def test_token_check_refuses_a_bad_token(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError) as caught:
        github_token_check(token="ghp_unknown")

    assert caught.value.cause == GitHubErrorCause.BAD_CREDENTIALS


def test_token_check_without_token_is_no_token(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError) as caught:
        github_token_check(token="")

    assert caught.value.cause == GitHubErrorCause.NO_TOKEN


def test_token_check_retries_and_reads_the_answer_strictly(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.inject_fault("500")
    assert github_token_check(token=TOKEN) == "alice"
    assert sleeps == [0.01]

    fake.inject_fault("wrong_shape", variant="missing_key")
    with pytest.raises(GitHubError) as caught:
        github_token_check(token=TOKEN)
    assert caught.value.cause == GitHubErrorCause.MALFORMED


@pytest.mark.parametrize("interactive", [False, True])
def test_an_app_installation_token_is_valid_without_a_user(
    fake: FakeGitHub, interactive: bool
) -> None:
    fake.add_token("ghs_installation", kind="app")

    login = github_token_check(token="ghs_installation", interactive=interactive)

    assert login == client.GITHUB_APP_LOGIN == "github-app"
    assert fake.request_counts() == {"/user": 1, "/installation/repositories": 1}
    assert fake.requests_log()[-1]["query"] == "per_page=1"


def test_an_integration_refusal_of_a_non_app_token_stays_bad_credentials(
    fake: FakeGitHub,
) -> None:
    fake.inject_fault("no_push_access", path="/user", variant="app")

    with pytest.raises(GitHubError) as caught:
        github_token_check(token=TOKEN)

    assert caught.value.cause == GitHubErrorCause.BAD_CREDENTIALS
    assert "HTTP 403: Resource not accessible by integration" in caught.value.message
    assert fake.request_counts() == {"/user": 1, "/installation/repositories": 1}


def test_the_app_fallback_shares_the_interactive_budget(
    fake: FakeGitHub, sleeps: list[float]
) -> None:
    fake.add_token("ghs_installation", kind="app")
    fake.inject_fault("502", count=10, path="installation")

    with pytest.raises(GitHubError) as caught:
        github_token_check(token="ghs_installation", interactive=True)

    assert caught.value.cause == GitHubErrorCause.UNAVAILABLE
    assert fake.request_counts() == {"/user": 1, "/installation/repositories": 1}
    assert sleeps == []


def test_the_app_fallback_reads_the_answer_strictly(fake: FakeGitHub) -> None:
    fake.add_token("ghs_installation", kind="app")
    fake.inject_fault("wrong_shape", path="installation", variant="not_object")

    with pytest.raises(GitHubError) as caught:
        github_token_check(token="ghs_installation")

    assert caught.value.cause == GitHubErrorCause.MALFORMED
    assert "repositories" in caught.value.message


# --- the token stays secret, the error is well formed ----------------------------


def test_token_never_appears_in_logs(fake: FakeGitHub, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake.inject_fault("502")
    fake.inject_fault("primary_rate_limit", reset_in=1)
    fetch()
    fake.inject_fault("no_push_access")
    fetch_error()

    assert caplog.records, "httpx and the client log at DEBUG, INFO and WARNING"
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("cause", list(GitHubErrorCause))
def test_only_unavailable_and_rate_limited_are_transient(cause: GitHubErrorCause) -> None:
    error = GitHubError(cause, "words")

    assert error.transient == (
        cause in {GitHubErrorCause.UNAVAILABLE, GitHubErrorCause.RATE_LIMITED}
    )
    assert str(error) == error.message == "words"


def test_errors_survive_pickling() -> None:
    retry_at = dt.datetime(2026, 11, 12, 19, 0, tzinfo=dt.UTC)
    original = GitHubError(GitHubErrorCause.RATE_LIMITED, "w", retry_at=retry_at)
    error = pickle.loads(pickle.dumps(original))  # noqa: S301 (our own bytes)

    assert (error.cause, error.message, error.retry_at, error.transient) == (
        GitHubErrorCause.RATE_LIMITED,
        "w",
        retry_at,
        True,
    )


# --- weeks (per=week) ------------------------------------------------------------


def test_weeks_fetch_reads_the_weekly_buckets_dated_by_their_monday(fake: FakeGitHub) -> None:
    weeks = client.github_traffic_weeks_fetch(token=TOKEN, owner="acme", name="rocket")

    for kind, buckets in (("views", weeks.views), ("clones", weeks.clones)):
        expected = [
            client.TrafficBucket(
                day=dt.date.fromisoformat(item["timestamp"][:10]),
                count=item["count"],
                uniques=item["uniques"],
            )
            for item in fake.reported("acme", "rocket", kind=kind, per="week")[kind]
        ]
        assert buckets == expected and buckets
        assert all(bucket.day.weekday() == 0 for bucket in buckets)
    assert weeks.views_fetched_on == weeks.clones_fetched_on == NOW.date()
    assert fake.request_counts() == {VIEWS: 1, CLONES: 1}
    assert {logged["query"] for logged in fake.requests_log()} == {"per=week"}


def test_weeks_fetch_fails_like_the_daily_fetch(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError) as caught:
        client.github_traffic_weeks_fetch(token="unknown-token", owner="acme", name="rocket")

    assert caught.value.cause == GitHubErrorCause.BAD_CREDENTIALS
