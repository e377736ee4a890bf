import datetime as dt

import pytest

from repotraffic.integrations.github.client import (
    GitHubError,
    GitHubErrorCause,
    github_rate_limit_blocks_clear,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import services
from repotraffic.traffic.models import TrafficDay, TrafficWeek
from repotraffic.traffic.services import traffic_fetch
from repotraffic.users.tests.factories import user_with_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("collection_clock")]
THURSDAY = dt.datetime(2026, 10, 1, 22, 30, tzinfo=dt.UTC)


@pytest.fixture
def repository(github):
    github.add_repo("acme", "rocket")
    return RepositoryFactory.create(user=user_with_token()[0], owner="acme", name="rocket")


def weekly_requests(github) -> int:
    return sum(logged["query"] == "per=week" for logged in github.requests_log())


def collect_on(github, repository, moment: dt.datetime) -> int:
    """Runs one collection at `moment`; returns the per=week requests it made."""
    github.set_now(moment)
    github.reset_rate_limits()
    github_rate_limit_blocks_clear()
    before = weekly_requests(github)
    assert traffic_fetch(repository_id=repository.id).ok
    return weekly_requests(github) - before


def test_28_daily_runs_ask_for_weeks_on_the_first_run_and_each_tuesday_only(github, repository):
    asked = {}
    for offset in range(28):
        moment = THURSDAY + dt.timedelta(days=offset)
        asked[moment.date()] = collect_on(github, repository, moment)

    asking = [day for day, requests in asked.items() if requests]
    assert asking[0] == THURSDAY.date()  # the first collection catches the last full week
    assert all(day.weekday() == 1 for day in asking[1:]) and len(asking) == 5
    assert all(asked[day] == 2 for day in asking)
    assert sum(asked.values()) == 10  # 2 a week, and 2 for the first run


def test_each_complete_week_holds_githubs_uniques_of_the_whole_week(github, repository):
    for offset in range(28):
        collect_on(github, repository, THURSDAY + dt.timedelta(days=offset))

    complete = TrafficWeek.objects.filter(repository=repository, complete=True)
    assert complete.count() == 5
    for week in complete:
        # GitHub's answer on the Tuesday after: the week whole and final in its window.
        github.set_now(dt.datetime.combine(week.week, THURSDAY.timetz()) + dt.timedelta(days=8))
        for kind in ("views", "clones"):
            buckets = github.reported("acme", "rocket", kind=kind, per="week")[kind]
            bucket = next(b for b in buckets if b["timestamp"].startswith(week.week.isoformat()))
            assert getattr(week, f"unique_{kind}") == bucket["uniques"], (week.week, kind)
    assert TrafficWeek.objects.filter(repository=repository, complete=False).exists()


def test_a_run_after_downtime_still_captures_the_latest_full_week(github, repository):
    collect_on(github, repository, THURSDAY)  # asks: the week before is stored complete

    # Nothing runs for eight days; on the Saturday after next, D-2 is no Sunday, but the
    # week that ended last Sunday lies whole within D-13 .. D-2.
    assert collect_on(github, repository, THURSDAY + dt.timedelta(days=9)) == 2
    assert collect_on(github, repository, THURSDAY + dt.timedelta(days=10)) == 0
    monday = (THURSDAY - dt.timedelta(days=3)).date()  # 2026-09-28 .. 2026-10-04
    assert TrafficWeek.objects.get(repository=repository, week=monday).complete


def test_a_failed_weekly_request_keeps_the_days_and_fails_the_run(github, repository, monkeypatch):
    def refuse(**_):
        raise GitHubError(GitHubErrorCause.UNAVAILABLE, "GitHub did not answer")

    monkeypatch.setattr(services, "github_traffic_weeks_fetch", refuse)
    github.set_now(THURSDAY)

    outcome = traffic_fetch(repository_id=repository.id)

    assert not outcome.ok and outcome.error is not None
    repository.refresh_from_db()
    assert repository.collection.last_error == "GitHub did not answer"
    assert TrafficDay.objects.filter(repository=repository).exists()
    assert not TrafficWeek.objects.exists()
