"""Release downloads read back: exact differences of cumulative counts, never negative."""

import datetime as dt

import pytest

from repotraffic.common.dates import DateRange
from repotraffic.integrations.github.client import Release, ReleaseAsset, ReleaseList
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.release_selectors import (
    DownloadPoint,
    release_downloads_list,
    release_downloads_series,
)
from repotraffic.traffic.release_services import release_downloads_store

pytestmark = pytest.mark.django_db
D = dt.date(2026, 5, 1)
PUBLISHED = dt.datetime(2026, 4, 30, 12, 0, tzinfo=dt.UTC)


def day(offset: int) -> dt.date:
    return D + dt.timedelta(days=offset)


def point(offset: int, total: int, downloads: int | None, days: int | None) -> DownloadPoint:
    return DownloadPoint(date=day(offset), total=total, downloads=downloads, days=days)


class TestSeries:
    def test_the_first_day_is_null_and_then_exact_differences(self):
        series = release_downloads_series(counts=[(day(0), 10), (day(1), 13), (day(2), 20)])

        assert series == [point(0, 10, None, None), point(1, 13, 3, 1), point(2, 20, 7, 1)]

    def test_a_gap_is_covered_by_one_difference_that_says_how_many_days(self):
        series = release_downloads_series(counts=[(day(0), 10), (day(4), 30)])

        assert series[1] == point(4, 30, 20, 4)

    def test_a_drop_is_zero_and_the_total_keeps_the_highest_count(self):
        series = release_downloads_series(counts=[(day(0), 10), (day(1), 4), (day(2), 12)])

        assert series == [point(0, 10, None, None), point(1, 10, 0, 1), point(2, 12, 2, 1)]

    def test_the_day_before_the_range_makes_its_first_difference_exact(self):
        series = release_downloads_series(counts=[(day(3), 15)], before=(day(1), 11))

        assert series == [point(3, 15, 4, 2)]


def listing(releases: dict[tuple[int, str], dict[int, int]], fetched_on: dt.date) -> ReleaseList:
    """Releases (id, tag) with their assets' counts {asset id: count}."""
    return ReleaseList(
        releases=[
            Release(
                id=release_id,
                tag_name=tag,
                name=tag.upper(),
                published_at=PUBLISHED + dt.timedelta(days=release_id),
                assets=[
                    ReleaseAsset(id=asset_id, name=f"{tag}-{asset_id}.zip", download_count=count)
                    for asset_id, count in assets.items()
                ],
            )
            for (release_id, tag), assets in releases.items()
        ],
        complete=True,
        fetched_on=fetched_on,
    )


class TestList:
    @pytest.fixture
    def repository(self):
        repository = RepositoryFactory.create()
        history = {
            0: {(1, "v1"): {11: 100, 12: 10}},
            1: {(1, "v1"): {11: 104, 12: 12}},
            3: {(1, "v1"): {11: 110, 12: 12}, (2, "v2"): {21: 5}},
        }
        for offset, releases in history.items():
            release_downloads_store(
                repository=repository,
                releases=listing(releases, day(offset)),
                fetched_on=day(offset),
            )
        return repository

    def test_each_release_newest_first_with_its_assets_and_sums(self, repository):
        report = release_downloads_list(repository=repository, date_range=DateRange())

        assert [release.tag for release in report.releases] == ["v2", "v1"]
        v1 = report.releases[1]
        assert v1.name == "V1" and [asset.id for asset in v1.assets] == [11, 12]
        assert v1.assets[0].series == [
            point(0, 100, None, None),
            point(1, 104, 4, 1),
            point(3, 110, 6, 2),
        ]
        assert v1.series == [point(0, 110, None, None), point(1, 116, 6, 1), point(3, 122, 6, 2)]
        # v2's asset is new on day 3: in the total, not in the downloads (unknown before).
        assert report.totals[-1] == point(3, 127, 6, 2)

    def test_a_range_starts_with_an_exact_difference_from_the_day_before_it(self, repository):
        report = release_downloads_list(
            repository=repository, date_range=DateRange(start=day(1), end=day(1))
        )

        (v1,) = report.releases
        assert v1.assets[0].series == [point(1, 104, 4, 1)]
        assert report.totals == [point(1, 116, 6, 1)]

    def test_two_queries_however_long_the_history(self, repository, django_assert_num_queries):
        for offset in range(4, 30):
            release_downloads_store(
                repository=repository,
                releases=listing({(1, "v1"): {11: 110 + offset}}, day(offset)),
                fetched_on=day(offset),
            )

        with django_assert_num_queries(2):
            release_downloads_list(repository=repository, date_range=DateRange(start=day(2)))
