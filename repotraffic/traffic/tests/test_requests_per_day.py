"""What a repository costs at GitHub, day after day: six requests in steady state."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import TrafficDay, TrafficWeek
from repotraffic.traffic.services import traffic_fetch
from repotraffic.users.tests.factories import user_with_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("collection_clock")]
VIEWS = "/repos/acme/rocket/traffic/views"


@pytest.fixture
def repository(github):
    github.add_repo("acme", "rocket")
    return RepositoryFactory.create(user=user_with_token()[0], owner="acme", name="rocket")


def _run(github, repository) -> list[dict]:
    github.reset_requests()
    github.reset_rate_limits()
    outcome = traffic_fetch(repository_id=repository.id)
    assert outcome.ok, outcome.summary
    return github.requests_log()


def test_a_daily_collection_costs_six_requests_every_day_weeks_included(github, repository):
    _run(github, repository)  # the first: its backfills cost more, once
    per_day = []
    week_queries = []
    for _ in range(14):
        github.advance(days=1)
        log = _run(github, repository)
        per_day.append(len(log))
        week_queries.append(sorted(r["query"] for r in log if r["path"] == VIEWS))

    assert per_day == [6] * 14
    # Twice in two weeks, on Tuesdays, the weeks take the days' place.
    assert week_queries.count(["per=week"]) == 2
    assert week_queries.count(["per=day"]) == 12
    assert TrafficWeek.objects.filter(repository=repository, complete=True).count() >= 3


def test_a_day_answered_by_weeks_is_completed_by_the_next_daily_answer(github, repository):
    _run(github, repository)
    while True:  # to the run that asks for weeks instead of days
        github.advance(days=1)
        log = _run(github, repository)
        if any(r["path"] == VIEWS and r["query"] == "per=week" for r in log):
            break
    weekly_day = github.now().date()
    assert not TrafficDay.objects.filter(repository=repository, date=weekly_day).exists()

    github.advance(days=1)
    _run(github, repository)

    row = TrafficDay.objects.get(repository=repository, date=weekly_day)
    truth = github.truth("acme", "rocket", weekly_day)
    assert (row.views, row.unique_views, row.clones, row.unique_clones) == truth
    assert row.partial is False
    # The day before it was seen only as "today" two runs ago: complete now too.
    before = TrafficDay.objects.get(repository=repository, date=weekly_day - dt.timedelta(days=1))
    assert before.partial is False


def test_after_a_gap_a_weekly_run_asks_for_the_days_too(github, repository):
    _run(github, repository)
    # Three days without a collection, up to a run where the weeks are due again.
    github.advance(days=3)
    while github.now().weekday() != 1:  # a Tuesday: the weeks are due
        github.advance(days=1)

    log = _run(github, repository)

    queries = sorted(r["query"] for r in log if r["path"] == VIEWS)
    assert queries == ["per=day", "per=week"]


def test_a_daily_collection_runs_the_same_queries_however_long_the_history(github, repository):
    _run(github, repository)

    def queries_of_a_friday_run() -> int:
        while True:
            github.advance(days=1)
            if github.now().weekday() == 4:
                break
            _run(github, repository)
        with CaptureQueriesContext(connection) as captured:
            _run(github, repository)
        return len(captured)

    early = queries_of_a_friday_run()
    for _ in range(3):  # three weeks more history
        later = queries_of_a_friday_run()

    assert later == early
    assert TrafficDay.objects.filter(repository=repository).count() > 30
