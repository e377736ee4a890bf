"""The star history rebuilt from the stargazer list: which pages are read, and that every
day kept is exactly what the whole list says."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from repotraffic.budget.models import TokenSpend
from repotraffic.integrations.github.fake_activity import Stars, stars_get
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import StarHistory, StarHistoryDay, TrafficDay
from repotraffic.traffic.services import traffic_fetch
from repotraffic.traffic.star_services import (
    GITHUB_LISTED_PAGES_MAX,
    STARGAZERS_PER_PAGE,
    star_history_days,
    stargazer_pages_plan,
)
from repotraffic.users.tests.factories import user_with_token

START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _pages(stars: list[dt.datetime]) -> dict[int, list[dt.datetime]]:
    return {
        index // STARGAZERS_PER_PAGE + 1: stars[index : index + STARGAZERS_PER_PAGE]
        for index in range(0, len(stars), STARGAZERS_PER_PAGE)
    }


def _truth(stars: list[dt.datetime], day: dt.date) -> int:
    return sum(1 for starred_at in stars if starred_at.date() <= day)


# A list of stars, oldest first: gaps of 0 to 3 days, in hours.
star_lists = st.lists(st.integers(min_value=0, max_value=72), min_size=1, max_size=900).map(
    lambda gaps: [START + dt.timedelta(hours=sum(gaps[: i + 1])) for i in range(len(gaps))]
)


@given(stars=star_lists)
def test_reading_every_page_gives_every_starred_day_exactly(stars: list[dt.datetime]) -> None:
    pages = _pages(stars)

    days = star_history_days(pages=pages, last_page=max(pages))

    assert set(days) == {starred_at.date() for starred_at in stars}
    assert all(count == _truth(stars, day) for day, count in days.items())


@given(stars=star_lists, data=st.data())
def test_any_sample_of_pages_keeps_only_exact_days(
    stars: list[dt.datetime], data: st.DataObject
) -> None:
    pages = _pages(stars)
    sample = data.draw(st.sets(st.sampled_from(sorted(pages)), min_size=1))
    ends = data.draw(st.booleans())

    days = star_history_days(
        pages={number: pages[number] for number in sample},
        last_page=max(pages) if ends else None,
    )

    assert all(count == _truth(stars, day) for day, count in days.items())


def test_a_day_cut_by_a_page_not_read_is_left_out() -> None:
    # 100 stars on Jan 1 fill page 1; page 2 (not read) may hold more of Jan 1.
    stars = [START + dt.timedelta(minutes=i) for i in range(100)]

    assert star_history_days(pages={1: stars}, last_page=None) == {}
    assert star_history_days(pages={1: stars}, last_page=1) == {START.date(): 100}


def test_the_plan_reads_every_page_within_the_budget() -> None:
    assert stargazer_pages_plan(stars_total=0, budget=10) == []
    assert stargazer_pages_plan(stars_total=1, budget=10) == [1]
    assert stargazer_pages_plan(stars_total=1000, budget=10) == list(range(1, 11))


def test_past_the_budget_the_plan_spreads_from_the_first_to_the_last_listed_page() -> None:
    plan = stargazer_pages_plan(stars_total=5_000, budget=10)

    assert len(plan) == 10
    assert (plan[0], plan[-1]) == (1, 50)
    assert plan == sorted(set(plan))


def test_past_githubs_listing_limit_the_plan_stops_at_page_400() -> None:
    plan = stargazer_pages_plan(stars_total=123_456, budget=10)

    assert (plan[0], plan[-1]) == (1, GITHUB_LISTED_PAGES_MAX)
    assert stargazer_pages_plan(stars_total=123_456, budget=1000) == list(range(1, 401))


# --- the rebuild in a collection, against the fake GitHub -----------------------------


@pytest.fixture
def owner_and_token():
    return user_with_token()


def _true_count(stars: Stars, day: dt.date) -> int:
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return stars.count(end - dt.timedelta(seconds=1))


@pytest.mark.django_db
@pytest.mark.usefixtures("collection_clock")
class TestRebuild:
    def test_a_list_within_the_budget_gives_every_day_exactly(
        self, github, owner_and_token, settings
    ):
        settings.TRAFFIC_STARGAZER_PAGES = 25  # the fake's stars grow from 2020 on
        github.add_repo("acme", "small", stars=250)
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="small")

        assert traffic_fetch(repository_id=repository.id).ok

        history = StarHistory.objects.get(repository=repository)
        stars = stars_get(owner="acme", name="small", initial=250)
        total = stars.count(github.now())
        assert (history.stars_total, history.pages_read, history.complete) == (
            total,
            -(-total // 100),
            True,
        )
        days = dict(
            StarHistoryDay.objects.filter(repository=repository).values_list("date", "stars")
        )
        starred_days = {stars.star_time(i).date() for i in range(1, total + 1)}
        assert set(days) == starred_days
        assert all(count == _true_count(stars, day) for day, count in days.items())
        assert github.request_counts()["/repos/acme/small/stargazers"] == history.pages_read

    def test_a_list_past_the_budget_keeps_only_exact_days(self, github, owner_and_token, settings):
        settings.TRAFFIC_STARGAZER_PAGES = 4
        github.add_repo("acme", "famous", stars=5_000)
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="famous")

        assert traffic_fetch(repository_id=repository.id).ok

        history = StarHistory.objects.get(repository=repository)
        assert (history.pages_read, history.complete) == (4, False)
        assert history.pages_total > 50
        stars = stars_get(owner="acme", name="famous", initial=5_000)
        days = dict(
            StarHistoryDay.objects.filter(repository=repository).values_list("date", "stars")
        )
        assert len(days) >= 4  # spread over the whole history, not only its start
        assert max(days) - min(days) > dt.timedelta(days=150)
        assert all(count == _true_count(stars, day) for day, count in days.items())
        assert github.request_counts()["/repos/acme/famous/stargazers"] == 4

    def test_it_is_rebuilt_once(self, github, owner_and_token):
        github.add_repo("acme", "small", stars=250)
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="small")
        assert traffic_fetch(repository_id=repository.id).ok
        github.reset_requests()
        github.advance(days=1)

        assert traffic_fetch(repository_id=repository.id).ok

        assert "/repos/acme/small/stargazers" not in github.request_counts()

    def test_a_rebuild_waits_for_the_tokens_backfill_allowance(
        self, github, owner_and_token, settings
    ):
        settings.TRAFFIC_BACKFILL_REQUESTS_PER_HOUR = 5
        github.add_repo("acme", "small", stars=450)  # 5 pages: the whole hour's allowance
        github.add_repo("acme", "other", stars=150)
        first, second = (
            RepositoryFactory.create(user=owner_and_token[0], owner="acme", name=name)
            for name in ("small", "other")
        )

        assert traffic_fetch(repository_id=first.id).ok
        outcome = traffic_fetch(repository_id=second.id)

        # The second collection is a success without its rebuild, which waits.
        assert outcome.ok
        assert StarHistory.objects.filter(repository=first).exists()
        assert not StarHistory.objects.filter(repository=second).exists()
        assert "/repos/acme/other/stargazers" not in github.request_counts()
        TokenSpend.objects.all().delete()  # the next hour
        github.advance(days=1)
        assert traffic_fetch(repository_id=second.id).ok
        assert StarHistory.objects.filter(repository=second).exists()

    def test_a_failure_is_recorded_keeps_the_traffic_and_is_retried(self, github, owner_and_token):
        github.add_repo("acme", "small", stars=250)
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="small")
        github.inject_fault("500", count=50, path="stargazers")

        outcome = traffic_fetch(repository_id=repository.id)

        assert outcome.error is not None
        assert TrafficDay.objects.filter(repository=repository).exists()
        assert not StarHistory.objects.filter(repository=repository).exists()
        github.clear_faults()
        github.advance(days=1)
        assert traffic_fetch(repository_id=repository.id).ok
        assert StarHistory.objects.filter(repository=repository).exists()

    def test_the_stars_endpoint_serves_the_history(
        self, github, owner_and_token, api_client, settings
    ):
        settings.TRAFFIC_STARGAZER_PAGES = 25
        github.add_repo("acme", "small", stars=250)
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="small")
        api_client.credentials(HTTP_X_API_TOKEN=owner_and_token[1])
        before = api_client.get(f"/api/repos/{repository.id}/stars").json()
        assert traffic_fetch(repository_id=repository.id).ok

        body = api_client.get(
            f"/api/repos/{repository.id}/stars", {"start": "2019-12-25", "end": "2019-12-31"}
        ).json()

        assert before["history"] is None
        history = body["history"]
        assert history["complete"] is True
        stars = stars_get(owner="acme", name="small", initial=250)
        assert history["items"] == [
            {"date": day.isoformat(), "stars": _true_count(stars, day)}
            for day in sorted({stars.star_time(i).date() for i in range(1, 300)})
            if dt.date(2019, 12, 25) <= day <= dt.date(2019, 12, 31)
        ]
        assert history["items"]
