"""Release downloads: the day's cumulative count of every asset, collected with the rest."""

import datetime as dt

import pytest

from repotraffic.integrations.github.client import (
    GitHubErrorCause,
    Release,
    ReleaseAsset,
    ReleaseList,
    github_releases_fetch,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import Release as ReleaseRow
from repotraffic.traffic.models import ReleaseAssetDay, TrafficDay
from repotraffic.traffic.release_services import release_downloads_store
from repotraffic.traffic.services import traffic_fetch

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 4)
PUBLISHED = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def listing(*counts: tuple[int, int], tag: str = "v1.0", published=PUBLISHED) -> ReleaseList:
    """One release with assets (id, download_count)."""
    assets = [ReleaseAsset(id=i, name=f"asset-{i}.zip", download_count=n) for i, n in counts]
    release = Release(id=7, tag_name=tag, name="", published_at=published, assets=assets)
    return ReleaseList(releases=[release], complete=True, fetched_on=DAY)


def stored(repository, day: dt.date = DAY) -> dict[int, int]:
    rows = ReleaseAssetDay.objects.filter(repository=repository, date=day)
    return dict(rows.values_list("asset_id", "download_count"))


class TestStore:
    def test_keeps_each_assets_count_of_the_day(self):
        repository = RepositoryFactory.create()

        written = release_downloads_store(
            repository=repository, releases=listing((1, 10), (2, 3)), fetched_on=DAY
        )

        assert written == 2
        assert stored(repository) == {1: 10, 2: 3}
        release = ReleaseRow.objects.get(repository=repository)
        assert (release.github_id, release.tag, release.published_at) == (7, "v1.0", PUBLISHED)

    def test_a_second_fetch_on_the_same_day_keeps_the_larger_count(self):
        repository = RepositoryFactory.create()
        release_downloads_store(
            repository=repository, releases=listing((1, 10), (2, 3)), fetched_on=DAY
        )

        written = release_downloads_store(
            repository=repository, releases=listing((1, 8), (2, 5)), fetched_on=DAY
        )

        assert written == 1
        assert stored(repository) == {1: 10, 2: 5}

    def test_the_release_is_kept_once_and_follows_a_renamed_tag(self):
        repository = RepositoryFactory.create()
        release_downloads_store(repository=repository, releases=listing((1, 1)), fetched_on=DAY)
        later = DAY + dt.timedelta(days=1)

        release_downloads_store(
            repository=repository, releases=listing((1, 2), tag="v1.0.0"), fetched_on=later
        )

        assert list(ReleaseRow.objects.values_list("tag", flat=True)) == ["v1.0.0"]
        assert ReleaseAssetDay.objects.filter(repository=repository).count() == 2

    def test_a_draft_is_left_out(self):
        repository = RepositoryFactory.create()

        written = release_downloads_store(
            repository=repository, releases=listing((1, 0), published=None), fetched_on=DAY
        )

        assert written == 0 and not ReleaseRow.objects.exists()


@pytest.mark.usefixtures("collection_clock")
class TestCollection:
    @pytest.fixture
    def repository(self, github):
        github.add_repo("acme", "rocket")
        return RepositoryFactory.create(owner="acme", name="rocket")

    def test_one_request_keeps_every_assets_count(self, github, settings, repository):
        expected = github_releases_fetch(token=settings.GITHUB_TOKEN, owner="acme", name="rocket")
        github.reset_requests()

        assert traffic_fetch(repository_id=repository.id).ok

        counts = {
            asset.id: asset.download_count
            for release in expected.releases
            for asset in release.assets
        }
        assert counts and stored(repository, github.now().date()) == counts
        assert github.request_counts()["/repos/acme/rocket/releases"] == 1

    def test_daily_collections_keep_a_series_and_a_new_release_from_its_day(
        self, github, repository
    ):
        github.add_release("acme", "rocket", "v9.0.0", published="2026-11-14")
        start = github.now().date()

        for _ in range(5):
            assert traffic_fetch(repository_id=repository.id).ok
            github.advance(days=1)

        days = [start + dt.timedelta(days=offset) for offset in range(5)]
        new = ReleaseAssetDay.objects.filter(repository=repository, release__tag="v9.0.0")
        assert sorted(new.values_list("date", flat=True)) == days[2:]
        old = ReleaseAssetDay.objects.filter(repository=repository, release__tag="v0.1.0")
        for asset_id in set(old.values_list("asset_id", flat=True)):
            rows = old.filter(asset_id=asset_id).order_by("date")
            counts = list(rows.values_list("download_count", flat=True))
            assert len(counts) == 5 and counts == sorted(counts)

    def test_a_failure_of_the_releases_keeps_the_daily_figures_and_is_recorded(
        self, github, repository
    ):
        github.inject_fault("500", count=50, path="releases")

        outcome = traffic_fetch(repository_id=repository.id)

        assert outcome.error is not None and outcome.error.cause == GitHubErrorCause.UNAVAILABLE
        assert TrafficDay.objects.filter(repository=repository).exists()
        repository.refresh_from_db()
        assert "releases" in repository.collection.last_error
        assert repository.collection.last_success_at is None  # so the run is retried
