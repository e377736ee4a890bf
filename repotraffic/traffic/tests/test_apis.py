import datetime as dt

import pytest

from repotraffic.integrations.github.client import (
    PopularEntry,
    PopularLists,
    Release,
    ReleaseAsset,
    ReleaseList,
    RepositoryInfo,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.popular_services import repository_snapshot_store, traffic_popular_store
from repotraffic.traffic.release_services import release_downloads_store

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def repository(user):
    repository = RepositoryFactory.create(user=user)
    for offset in range(3):
        traffic_popular_store(
            repository=repository,
            lists=PopularLists(
                referrers=[PopularEntry("github.com", "", 10 + offset, 4)],
                paths=[PopularEntry("/acme/rocket", "acme/rocket: a rocket", 30, 9 + offset)],
            ),
            fetched_on=(NOON + dt.timedelta(days=offset)).date(),
        )
    return repository


@pytest.mark.parametrize(("kind", "name"), [("referrers", "github.com"), ("paths", "/acme/rocket")])
def test_lists_each_entry_with_its_14_day_series(auth_client, repository, kind, name):
    response = auth_client.get(f"/api/repos/{repository.id}/{kind}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(repository.id)
    assert "never added across days" in body["note"]
    (item,) = body["items"]
    assert item["name"] == name
    assert (item["first_seen"], item["last_seen"]) == ("2026-05-04", "2026-05-06")
    assert [point["date"] for point in item["series"]] == ["2026-05-04", "2026-05-05", "2026-05-06"]
    assert item["latest"]["date"] == "2026-05-06"


def test_the_range_filters_the_series(auth_client, repository):
    response = auth_client.get(
        f"/api/repos/{repository.id}/referrers", {"start": "2026-05-05", "end": "2026-05-05"}
    )

    (item,) = response.json()["items"]
    assert item["series"] == [{"date": "2026-05-05", "count": 11, "uniques": 4}]
    assert item["peak"] == item["latest"] == item["series"][0]


def test_a_bad_filter_is_400(auth_client, repository):
    response = auth_client.get(f"/api/repos/{repository.id}/paths", {"start": "2026-13-01"})

    assert response.status_code == 400 and response.json()["error"]


@pytest.mark.parametrize("kind", ["referrers", "paths"])
def test_someone_elses_repository_is_404(auth_client, kind):
    other = RepositoryFactory.create()

    response = auth_client.get(f"/api/repos/{other.id}/{kind}")

    assert response.status_code == 404


def test_needs_a_token(api_client, repository):
    assert api_client.get(f"/api/repos/{repository.id}/referrers").status_code == 401


def test_query_count_does_not_grow_with_history(auth_client, repository, django_assert_num_queries):
    with django_assert_num_queries(4):  # the token, the repository, first/last seen, the rows
        assert auth_client.get(f"/api/repos/{repository.id}/referrers").status_code == 200


def test_stars_forks_watchers_and_issues_per_day(auth_client, user):
    repository = RepositoryFactory.create(user=user)
    for offset, stars in enumerate((100, 104)):
        repository_snapshot_store(
            repository=repository,
            info=RepositoryInfo(
                owner="acme",
                name="rocket",
                private=False,
                can_read_traffic=True,
                stars=stars,
                forks=9,
                watchers=4,
                open_issues=2,
            ),
            fetched_on=(NOON + dt.timedelta(days=offset)).date(),
        )

    response = auth_client.get(f"/api/repos/{repository.id}/stars", {"start": "2026-05-05"})

    assert response.status_code == 200
    assert response.json()["items"] == [
        {"date": "2026-05-05", "stars": 104, "forks": 9, "watchers": 4, "open_issues": 2}
    ]


class TestReleases:
    @pytest.fixture
    def repository(self, user):
        repository = RepositoryFactory.create(user=user)
        for offset, count in ((0, 10), (1, 14), (3, 20)):
            asset = ReleaseAsset(id=5, name="rocket.tar.gz", download_count=count)
            release = Release(
                id=1, tag_name="v1.0", name="First", published_at=NOON, assets=[asset]
            )
            fetched_on = (NOON + dt.timedelta(days=offset)).date()
            release_downloads_store(
                repository=repository,
                releases=ReleaseList(releases=[release], complete=True, fetched_on=fetched_on),
                fetched_on=fetched_on,
            )
        return repository

    def test_each_release_with_its_assets_series_and_the_totals(self, auth_client, repository):
        response = auth_client.get(f"/api/repos/{repository.id}/releases")

        assert response.status_code == 200
        body = response.json()
        series = [
            {"date": "2026-05-04", "total": 10, "downloads": None, "days": None},
            {"date": "2026-05-05", "total": 14, "downloads": 4, "days": 1},
            {"date": "2026-05-07", "total": 20, "downloads": 6, "days": 2},
        ]
        assert body == {
            "id": str(repository.id),
            "releases": [
                {
                    "tag": "v1.0",
                    "name": "First",
                    "published_at": "2026-05-04T12:00:00Z",
                    "assets": [{"id": 5, "name": "rocket.tar.gz", "series": series}],
                    "series": series,
                }
            ],
            "totals": series,
        }

    def test_the_range_filters_the_days(self, auth_client, repository):
        response = auth_client.get(
            f"/api/repos/{repository.id}/releases", {"start": "2026-05-06", "end": "2026-05-31"}
        )

        assert response.json()["totals"] == [
            {"date": "2026-05-07", "total": 20, "downloads": 6, "days": 2}
        ]

    def test_a_bad_filter_is_400(self, auth_client, repository):
        response = auth_client.get(f"/api/repos/{repository.id}/releases", {"end": "soon"})

        assert response.status_code == 400 and response.json()["error"]

    def test_someone_elses_repository_is_404(self, auth_client):
        other = RepositoryFactory.create()

        assert auth_client.get(f"/api/repos/{other.id}/releases").status_code == 404

    def test_query_count_does_not_grow_with_history(
        self, auth_client, repository, django_assert_num_queries
    ):
        # the token, the repository, the rows with their releases, the day before the start
        with django_assert_num_queries(4):
            response = auth_client.get(
                f"/api/repos/{repository.id}/releases", {"start": "2026-05-05"}
            )
        assert response.status_code == 200
