"""GitHub's top-10 lists: collected daily as snapshots of rolling 14-day totals, read back
as a series per referrer or page, never summed."""

import datetime as dt

import pytest

from repotraffic.common.dates import DateRange
from repotraffic.integrations.github.client import (
    GitHubErrorCause,
    PopularEntry,
    PopularLists,
    RepositoryInfo,
    github_popular_fetch,
    github_repository_get,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import PopularSnapshot, RepositorySnapshot, TrafficDay
from repotraffic.traffic.popular_selectors import traffic_popular_list
from repotraffic.traffic.popular_services import repository_snapshot_store, traffic_popular_store
from repotraffic.traffic.services import traffic_fetch

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)


def referrer(name: str, count: int, uniques: int = 1) -> PopularEntry:
    return PopularEntry(name=name, title="", count=count, uniques=uniques)


def lists(*referrers: PopularEntry, paths: tuple[PopularEntry, ...] = ()) -> PopularLists:
    return PopularLists(referrers=list(referrers), paths=list(paths))


def snapshot(repository, day: dt.date) -> dict[str, tuple[int, int]]:
    rows = PopularSnapshot.objects.filter(repository=repository, date=day, kind="referrer")
    return {
        name: (count, uniques)
        for name, count, uniques in rows.values_list("name", "count", "uniques")
    }


class TestStore:
    def test_keeps_the_days_snapshot_of_both_lists(self):
        repository = RepositoryFactory.create()
        page = PopularEntry(name="/acme/rocket", title="acme/rocket", count=40, uniques=9)

        written = traffic_popular_store(
            repository=repository,
            lists=lists(referrer("github.com", 30, 7), paths=(page,)),
            fetched_on=NOON.date(),
        )

        assert written == 2
        assert snapshot(repository, NOON.date()) == {"github.com": (30, 7)}
        path_row = PopularSnapshot.objects.get(kind="path")
        assert (path_row.name, path_row.title, path_row.count) == (
            "/acme/rocket",
            "acme/rocket",
            40,
        )

    def test_a_second_fetch_on_the_same_day_lowers_nothing(self):
        repository = RepositoryFactory.create()
        traffic_popular_store(
            repository=repository,
            lists=lists(referrer("google.com", 50, 20)),
            fetched_on=NOON.date(),
        )

        # Later that day the 14-day window has rolled by some hours: lower figures.
        traffic_popular_store(
            repository=repository,
            lists=lists(referrer("google.com", 44, 22)),
            fetched_on=(NOON + dt.timedelta(hours=6)).date(),
        )

        assert snapshot(repository, NOON.date()) == {"google.com": (50, 22)}

    def test_an_entry_that_left_the_list_keeps_its_earlier_snapshot_of_the_day(self):
        repository = RepositoryFactory.create()
        traffic_popular_store(
            repository=repository,
            lists=lists(referrer("a.com", 5), referrer("b.com", 4)),
            fetched_on=NOON.date(),
        )

        traffic_popular_store(
            repository=repository,
            lists=lists(referrer("a.com", 6)),
            fetched_on=(NOON + dt.timedelta(hours=1)).date(),
        )

        assert snapshot(repository, NOON.date()) == {"a.com": (6, 1), "b.com": (4, 1)}

    def test_each_day_is_its_own_snapshot(self):
        repository = RepositoryFactory.create()
        for offset, count in enumerate((10, 12, 9)):
            traffic_popular_store(
                repository=repository,
                lists=lists(referrer("news.ycombinator.com", count)),
                fetched_on=(NOON + dt.timedelta(days=offset)).date(),
            )

        assert PopularSnapshot.objects.filter(repository=repository).count() == 3
        assert snapshot(repository, NOON.date() + dt.timedelta(days=2)) == {
            "news.ycombinator.com": (9, 1)
        }


class TestList:
    def store_days(self, repository, days: dict[int, list[PopularEntry]]) -> None:
        for offset, entries in days.items():
            traffic_popular_store(
                repository=repository,
                lists=lists(*entries),
                fetched_on=(NOON + dt.timedelta(days=offset)).date(),
            )

    def test_leaders_by_their_highest_14_day_figure_never_by_a_sum(self):
        repository = RepositoryFactory.create()
        # steady.com is in the list every day with 10; spike.com once with 25. Summed,
        # steady would lead (30); as 14-day figures, spike's 25 is the larger.
        self.store_days(
            repository,
            {
                0: [referrer("steady.com", 10)],
                1: [referrer("steady.com", 10), referrer("spike.com", 25)],
                2: [referrer("steady.com", 10)],
            },
        )

        items = traffic_popular_list(repository=repository, kind="referrer", date_range=DateRange())

        assert [item.name for item in items] == ["spike.com", "steady.com"]
        assert items[0].peak.count == 25 and items[0].peak.date == NOON.date() + dt.timedelta(1)
        assert [point.count for point in items[1].series] == [10, 10, 10]

    def test_a_referrer_that_leaves_and_comes_back_keeps_its_first_and_last_seen(self):
        repository = RepositoryFactory.create()
        self.store_days(
            repository,
            {0: [referrer("blog.example", 3)], 1: [], 5: [referrer("blog.example", 8)]},
        )

        (item,) = traffic_popular_list(
            repository=repository, kind="referrer", date_range=DateRange()
        )

        assert item.first_seen == NOON.date()
        assert item.last_seen == NOON.date() + dt.timedelta(days=5)
        assert [point.date for point in item.series] == [item.first_seen, item.last_seen]

    def test_a_range_limits_the_series_but_not_first_and_last_seen(self):
        repository = RepositoryFactory.create()
        self.store_days(repository, {day: [referrer("x.com", 10 + day)] for day in range(5)})
        start = NOON.date() + dt.timedelta(days=1)
        end = NOON.date() + dt.timedelta(days=2)

        (item,) = traffic_popular_list(
            repository=repository, kind="referrer", date_range=DateRange(start=start, end=end)
        )

        assert [point.count for point in item.series] == [11, 12]
        assert item.latest.count == 12
        assert (item.first_seen, item.last_seen) == (NOON.date(), NOON.date() + dt.timedelta(4))

    def test_two_queries_however_long_the_history(self, django_assert_num_queries):
        repository = RepositoryFactory.create()
        self.store_days(
            repository,
            {day: [referrer(f"site{n}.com", n + day) for n in range(10)] for day in range(30)},
        )

        with django_assert_num_queries(2):
            items = traffic_popular_list(
                repository=repository, kind="referrer", date_range=DateRange()
            )

        assert len(items) == 10 and all(len(item.series) == 30 for item in items)


@pytest.mark.usefixtures("collection_clock")
class TestCollection:
    @pytest.fixture
    def repository(self, github):
        github.add_repo("acme", "rocket")
        return RepositoryFactory.create(owner="acme", name="rocket")

    def test_a_collection_keeps_githubs_lists_of_the_day(self, github, settings, repository):
        expected = github_popular_fetch(token=settings.GITHUB_TOKEN, owner="acme", name="rocket")
        github.reset_requests()

        assert traffic_fetch(repository_id=repository.id).ok

        today = github.now().date()
        assert snapshot(repository, today) == {
            entry.name: (entry.count, entry.uniques) for entry in expected.referrers
        }
        paths = PopularSnapshot.objects.filter(repository=repository, kind="path", date=today)
        assert set(paths.values_list("name", "title", "count", "uniques")) == {
            (entry.name, entry.title, entry.count, entry.uniques) for entry in expected.paths
        }
        # One request each for the referrers and the paths.
        assert github.request_counts()["/repos/acme/rocket/traffic/popular/referrers"] == 1
        assert github.request_counts()["/repos/acme/rocket/traffic/popular/paths"] == 1

    def test_a_failure_of_the_lists_keeps_the_daily_figures_and_is_recorded(
        self, github, repository
    ):
        github.inject_fault("500", count=50, path="popular/referrers")

        outcome = traffic_fetch(repository_id=repository.id)

        assert outcome.error is not None and outcome.error.cause == GitHubErrorCause.UNAVAILABLE
        assert TrafficDay.objects.filter(repository=repository).exists()
        repository.refresh_from_db()
        assert "popular referrers" in repository.collection.last_error
        assert repository.collection.last_success_at is None  # so the run is retried


class TestRepositorySnapshot:
    def info(self, stars: int, forks: int = 3) -> RepositoryInfo:
        return RepositoryInfo(
            owner="acme",
            name="rocket",
            private=False,
            can_read_traffic=True,
            stars=stars,
            forks=forks,
            watchers=2,
            open_issues=1,
        )

    def test_one_row_a_day_keeping_the_larger_figures(self):
        repository = RepositoryFactory.create()
        repository_snapshot_store(
            repository=repository, info=self.info(50, 4), fetched_on=NOON.date()
        )

        repository_snapshot_store(
            repository=repository,
            info=self.info(49, 5),
            fetched_on=(NOON + dt.timedelta(hours=3)).date(),
        )

        row = RepositorySnapshot.objects.get(repository=repository)
        assert (row.date, row.stars, row.forks) == (NOON.date(), 50, 5)

    @pytest.mark.usefixtures("collection_clock")
    def test_a_collection_keeps_the_days_counts(self, github, settings):
        github.add_repo("acme", "rocket")
        repository = RepositoryFactory.create(owner="acme", name="rocket")
        expected = github_repository_get(token=settings.GITHUB_TOKEN, owner="acme", name="rocket")

        assert traffic_fetch(repository_id=repository.id).ok

        row = RepositorySnapshot.objects.get(repository=repository)
        assert row.date == github.now().date()
        assert (row.stars, row.forks, row.watchers, row.open_issues) == (
            expected.stars,
            expected.forks,
            expected.watchers,
            expected.open_issues,
        )
