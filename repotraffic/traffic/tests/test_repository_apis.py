"""GET /api/repos and GET /api/repos/<id> (traffic.repository_apis)."""

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.renderers import JSONRenderer

from repotraffic.common.cache import json_cache_clear
from repotraffic.integrations.github.client import TrafficBucket, TrafficWindow
from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.collection_services import collection_record
from repotraffic.traffic.merge import DayFigures, traffic_window_days
from repotraffic.traffic.models import TrafficDay
from repotraffic.traffic.repository_serializers import RepositoryDetailSerializer
from repotraffic.traffic.selectors import traffic_detail
from repotraffic.traffic.services import traffic_store
from repotraffic.traffic.tests.factories import traffic_days_create
from repotraffic.users.tests.factories import user_with_token


def create(client, body):
    return client.post("/api/repos/create", body, content_type="application/json")


def day_row(date: str, *figures: int, partial: bool = False) -> dict:
    views, unique_views, clones, unique_clones = figures
    return {
        "date": date,
        "views": views,
        "unique_views": unique_views,
        "clones": clones,
        "unique_clones": unique_clones,
        "partial": partial,
    }


@pytest.mark.django_db
class TestRepositoryList:
    def test_lists_own_repositories_oldest_first(self, auth_client, user):
        older = RepositoryFactory.create(user=user)
        newer = RepositoryFactory.create(user=user)
        Repository.objects.filter(id=older.id).update(
            created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        )
        RepositoryFactory.create()  # someone else's

        response = auth_client.get("/api/repos")

        assert response.status_code == 200
        body = response.json()
        assert [item["id"] for item in body] == [str(older.id), str(newer.id)]
        assert body[0]["url"] == older.url
        assert body[0]["created_at"] == "2020-01-01T00:00:00Z"
        assert {"id", "url", "created_at"} <= set(body[0])

    def test_empty(self, auth_client):
        assert auth_client.get("/api/repos").json() == []

    def test_shows_each_repositorys_collection_state(self, auth_client, user):
        failed = RepositoryFactory.create(
            user=user,
            collection__last_attempt_at=dt.datetime(2026, 3, 2, 22, 31, tzinfo=dt.UTC),
            collection__last_success_at=dt.datetime(2026, 3, 1, 22, 30, tzinfo=dt.UTC),
            collection__last_error="GitHub says the token has no push access.",
        )
        RepositoryFactory.create(user=user)

        body = auth_client.get("/api/repos").json()

        assert body[0] == {
            "id": str(failed.id),
            "url": failed.url,
            "created_at": body[0]["created_at"],
            "last_attempt_at": "2026-03-02T22:31:00Z",
            "last_success_at": "2026-03-01T22:30:00Z",
            "last_error": "GitHub says the token has no push access.",
        }
        assert (body[1]["last_attempt_at"], body[1]["last_success_at"]) == (None, None)
        assert body[1]["last_error"] == ""

    def test_a_repository_made_without_collection_state_lists_as_never_collected(
        self, auth_client, user
    ):
        # bulk_create, as the benchmarks seed, gives a repository no Collection row.
        Repository.objects.bulk_create([Repository(user=user, owner="acme", name="bulk")])

        (item,) = auth_client.get("/api/repos").json()

        assert (item["last_attempt_at"], item["last_success_at"], item["last_error"]) == (
            None, None, ""
        )  # fmt: skip

    def test_query_count_is_constant(self, auth_client, user):
        RepositoryFactory.create_batch(20, user=user)
        with CaptureQueriesContext(connection) as cold:
            assert auth_client.get("/api/repos").status_code == 200
        with CaptureQueriesContext(connection) as warm:
            assert len(auth_client.get("/api/repos").json()) == 20
        assert len(cold) == 2  # the token lookup, the list with its collection state
        assert len(warm) == 1  # the list itself comes from the cache

    def test_two_hundred_repositories_take_the_same_two_queries(
        self, auth_client, user, django_assert_num_queries
    ):
        for index in range(200):
            RepositoryFactory.create(
                user=user, collection__last_error="failed" if index % 2 else ""
            )

        # The token lookup, then the repositories joined to their collection state.
        with django_assert_num_queries(2):
            body = auth_client.get("/api/repos").json()

        assert len(body) == 200
        assert [item["last_error"] for item in body[:2]] == ["", "failed"]

    def test_a_cached_list_follows_additions_deletions_and_status_changes(
        self, auth_client, user, github
    ):
        github.add_repo("acme", "one")
        github.add_repo("acme", "two")
        first_id = create(auth_client, {"url": "https://github.com/acme/one"}).json()["id"]
        assert len(auth_client.get("/api/repos").json()) == 1

        second_id = create(auth_client, {"url": "https://github.com/acme/two"}).json()["id"]
        assert [r["id"] for r in auth_client.get("/api/repos").json()] == [first_id, second_id]
        first = Repository.objects.get(id=first_id)

        collection_record(
            repository=first, attempted_at=timezone.now(), error="the token has no push access"
        )
        assert (
            auth_client.get("/api/repos").json()[0]["last_error"] == "the token has no push access"
        )

        auth_client.post(f"/api/repos/{first.id}/delete")
        assert [r["id"] for r in auth_client.get("/api/repos").json()] == [second_id]


@pytest.mark.django_db
class TestRepositoryDetail:
    def test_traffic_sorted_with_gaps_as_zero(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        TrafficDay.objects.create(
            repository=repository, date=dt.date(2024, 3, 3), views=7, unique_views=2
        )
        TrafficDay.objects.create(
            repository=repository,
            date=dt.date(2024, 3, 1),
            views=5,
            unique_views=1,
            clones=3,
            unique_clones=1,
        )

        body = auth_client.get(f"/api/repos/{repository.id}").json()

        assert body["id"] == str(repository.id)
        assert body["url"] == repository.url
        assert body["traffic"] == [
            day_row("2024-03-01", 5, 1, 3, 1),
            day_row("2024-03-02", 0, 0, 0, 0),
            day_row("2024-03-03", 7, 2, 0, 0),
        ]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("?start=2024-01-03", ["2024-01-03", "2024-01-04", "2024-01-05"]),
            ("?end=2024-01-02", ["2024-01-01", "2024-01-02"]),
            ("?start=2024-01-02&end=2024-01-03", ["2024-01-02", "2024-01-03"]),
            ("?start=2024-01-04&end=2024-01-04", ["2024-01-04"]),
            (
                "?start=&end=",
                ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
            ),
            ("?start=2025-01-01", []),
        ],
    )
    def test_inclusive_date_filters(self, auth_client, user, query, expected):
        repository = RepositoryFactory.create(user=user)
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=5)

        body = auth_client.get(f"/api/repos/{repository.id}{query}").json()

        assert [day["date"] for day in body["traffic"]] == expected

    @pytest.mark.parametrize(
        ("query", "words"),
        [
            ("?start=2024-1-1", "YYYY-MM-DD"),
            ("?start=yesterday", "YYYY-MM-DD"),
            ("?end=2021-02-30", "not a real date"),
            ("?start=2024-01-05&end=2024-01-01", "after end"),
        ],
    )
    def test_bad_filters_are_400(self, auth_client, user, query, words):
        repository = RepositoryFactory.create(user=user)

        response = auth_client.get(f"/api/repos/{repository.id}{query}")

        assert response.status_code == 400
        assert words in response.json()["error"]

    @pytest.mark.parametrize("kind", ["unknown", "not-a-uuid", "someone-elses"])
    def test_unknown_or_foreign_is_404_without_revealing_anything(self, auth_client, kind):
        other = RepositoryFactory.create()
        repository_id = {"unknown": uuid.uuid4(), "not-a-uuid": "abc", "someone-elses": other.id}[
            kind
        ]

        response = auth_client.get(f"/api/repos/{repository_id}")

        assert response.status_code == 404
        assert "error" in response.json()
        assert other.url not in response.content.decode()

    @pytest.mark.parametrize("repository_id", ["mine", "not-a-uuid"])
    @pytest.mark.parametrize("token", [None, "", "0" * 32, "x" * 5000])
    def test_the_token_is_checked_in_the_same_query_as_the_repository(
        self, api_client, user, repository_id, token
    ):
        repository = RepositoryFactory.create(user=user)
        path = f"/api/repos/{repository.id if repository_id == 'mine' else repository_id}"
        headers = {} if token is None else {"HTTP_X_API_TOKEN": token}

        response = api_client.get(path, **headers)

        assert response.status_code == 401
        assert "X-API-Token" in response.json()["error"]

    def test_query_count_does_not_grow_with_traffic_rows(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        traffic_days_create(repository=repository, start=dt.date(2022, 1, 1), days=1100)

        with CaptureQueriesContext(connection) as cold:
            response = auth_client.get(f"/api/repos/{repository.id}")
        with CaptureQueriesContext(connection) as warm:
            again = auth_client.get(f"/api/repos/{repository.id}")

        assert len(response.json()["traffic"]) == 1100
        assert again.json() == response.json()
        # The token with the repository and its collection state in one query, then the
        # traffic (never rendered at a collection here); then it comes from the cache.
        assert len(cold) == 2
        assert len(warm) == 1

    def test_the_first_read_after_a_collection_is_one_query(
        self, auth_client, user, django_assert_num_queries
    ):
        repository = RepositoryFactory.create(user=user)
        traffic_days_create(repository=repository, start=dt.date(2022, 1, 1), days=1100)
        collection_record(repository=repository, attempted_at=timezone.now())
        json_cache_clear()  # as in a process that has not read it yet

        # The token, the repository, its collection state and its traffic as rendered
        # when the collection was recorded: one query.
        with django_assert_num_queries(1):
            body = auth_client.get(f"/api/repos/{repository.id}").json()
        with django_assert_num_queries(1):
            assert auth_client.get(f"/api/repos/{repository.id}").json() == body

        assert len(body["traffic"]) == 1100
        assert body["last_success_at"] is not None

    def test_traffic_rendered_at_a_collection_is_not_served_once_the_data_moved_on(
        self, auth_client, user
    ):
        repository = RepositoryFactory.create(user=user)
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=2)
        collection_record(repository=repository, attempted_at=timezone.now())
        assert len(auth_client.get(f"/api/repos/{repository.id}").json()["traffic"]) == 2

        # Rows written without a collection being recorded: the stored rendering is stale.
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 3), days=1, views=99)
        json_cache_clear()

        traffic = auth_client.get(f"/api/repos/{repository.id}").json()["traffic"]
        assert [day["views"] for day in traffic][-1] == 99

    def test_a_filtered_detail_is_rendered_for_its_range(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=5)
        collection_record(repository=repository, attempted_at=timezone.now())

        body = auth_client.get(f"/api/repos/{repository.id}?start=2024-01-04").json()

        assert [day["date"] for day in body["traffic"]] == ["2024-01-04", "2024-01-05"]
        assert body["totals"]["days"] == 2

    def test_a_served_detail_follows_every_change_of_what_it_shows(
        self, auth_client, user, django_assert_num_queries
    ):
        # This process keeps the detail it served with the columns it showed: each
        # read checks them in its one query and answers anew once one moved.
        repository = RepositoryFactory.create(user=user, owner="acme", name="old")
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=3)
        collection_record(repository=repository, attempted_at=timezone.now())
        path = f"/api/repos/{repository.id}"
        first = auth_client.get(path).json()

        # A failed attempt: the error and the attempt time move, the traffic does not.
        collection_record(
            repository=repository, attempted_at=timezone.now(), error="GitHub said 403."
        )
        with django_assert_num_queries(1):
            failed = auth_client.get(path).json()
        assert failed["last_error"] == "GitHub said 403."
        assert failed["last_attempt_at"] != first["last_attempt_at"]
        assert failed["traffic"] == first["traffic"]

        # Renamed at GitHub (a collection records the new name).
        Repository.objects.filter(id=repository.id).update(name="new")
        assert auth_client.get(path).json()["url"] == "https://github.com/acme/new"

        # New traffic written outside a collection (no stored rendering for it).
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 4), days=1, views=7)
        traffic = auth_client.get(path).json()["traffic"]
        assert [day["views"] for day in traffic][-1] == 7
        assert auth_client.get(path).json()["traffic"] == traffic

    def test_a_served_detail_is_not_shown_to_another_user(self, auth_client, api_client, user):
        repository = RepositoryFactory.create(user=user)
        collection_record(repository=repository, attempted_at=timezone.now())
        assert auth_client.get(f"/api/repos/{repository.id}").status_code == 200

        _, stranger_token = user_with_token()
        response = api_client.get(f"/api/repos/{repository.id}", HTTP_X_API_TOKEN=stranger_token)

        assert response.status_code == 404

    def test_the_detail_is_the_combined_serializers_rendering(self, auth_client, user):
        repository = RepositoryFactory.create(
            user=user, collection__last_error="GitHub said no: “push access”"
        )
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=3)
        collection_record(repository=repository, attempted_at=timezone.now(), error="ünïcode")
        repository.refresh_from_db()
        expected = RepositoryDetailSerializer(
            SimpleNamespace(
                **{
                    name: getattr(repository, name)
                    for name in ("id", "url", "created_at", "collection")
                },
                **vars(traffic_detail(repository=repository)),
            )
        ).data

        response = auth_client.get(f"/api/repos/{repository.id}")

        assert response.content == JSONRenderer().render(expected)

    def test_a_cached_detail_follows_new_traffic(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=2)
        assert len(auth_client.get(f"/api/repos/{repository.id}").json()["traffic"]) == 2

        traffic_days_create(repository=repository, start=dt.date(2024, 1, 3), days=1, views=99)

        traffic = auth_client.get(f"/api/repos/{repository.id}").json()["traffic"]
        assert [day["views"] for day in traffic][-1] == 99


FETCHED_AT = dt.datetime(2026, 3, 20, 22, 30, tzinfo=dt.UTC)  # covers 2026-03-06 .. 03-20


def window_dates(first: str = "2026-03-06", last: str = "2026-03-20") -> list[str]:
    day, dates = dt.date.fromisoformat(first), []
    while day <= dt.date.fromisoformat(last):
        dates.append(day.isoformat())
        day += dt.timedelta(days=1)
    return dates


@pytest.mark.django_db
class TestRepositoryDetailCollectedRange:
    """Inside the range successful collections covered, a day GitHub left out had no
    traffic: the API answers it as zeros, up to the edges of the range."""

    def traffic(self, client, repository, query: str = "") -> list[dict]:
        response = client.get(f"/api/repos/{repository.id}{query}")
        assert response.status_code == 200
        return response.json()["traffic"]

    def test_leading_and_trailing_days_without_traffic_are_zeros(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        # Traffic only on 03-10 and 03-14: quiet for the window's first 4 and last 6 days.
        reported = {
            dt.date(2026, 3, 10): DayFigures(views=5, unique_views=2),
            dt.date(2026, 3, 14): DayFigures(clones=3, unique_clones=1),
        }
        traffic_store(repository=repository, reported=reported, fetched_at=FETCHED_AT)

        traffic = self.traffic(auth_client, repository)

        assert [day["date"] for day in traffic] == window_dates()
        busy = {day["date"]: (day["views"], day["clones"]) for day in traffic if day["views"]}
        assert busy == {"2026-03-10": (5, 0)}
        assert traffic[-1] == day_row("2026-03-20", 0, 0, 0, 0, partial=True)
        assert sum(day["clones"] for day in traffic) == 3

    def test_a_collected_repository_without_traffic_is_zeros_for_the_whole_window(
        self, auth_client, user
    ):
        repository = RepositoryFactory.create(user=user)
        traffic_store(repository=repository, reported={}, fetched_at=FETCHED_AT)

        traffic = self.traffic(auth_client, repository)

        assert [day["date"] for day in traffic] == window_dates()
        assert {(day["views"], day["unique_views"], day["clones"]) for day in traffic} == {
            (0, 0, 0)
        }

    def test_never_collected_is_empty(self, auth_client, user):
        assert self.traffic(auth_client, RepositoryFactory.create(user=user)) == []

    @pytest.mark.parametrize(
        ("query", "first", "last"),
        [
            ("?start=2026-03-18", "2026-03-18", "2026-03-20"),
            ("?end=2026-03-08", "2026-03-06", "2026-03-08"),
            ("?start=2026-03-01&end=2026-03-07", "2026-03-06", "2026-03-07"),
            ("?start=2026-03-19&end=2026-04-30", "2026-03-19", "2026-03-20"),
            ("?start=2026-03-12&end=2026-03-12", "2026-03-12", "2026-03-12"),
        ],
    )
    def test_filters_intersect_the_collected_range(self, auth_client, user, query, first, last):
        repository = RepositoryFactory.create(user=user)
        reported = {dt.date(2026, 3, 12): DayFigures(views=1, unique_views=1)}
        traffic_store(repository=repository, reported=reported, fetched_at=FETCHED_AT)

        dates = [day["date"] for day in self.traffic(auth_client, repository, query)]

        assert dates == window_dates(first, last)

    @pytest.mark.parametrize("query", ["?start=2026-03-21", "?end=2026-03-05"])
    def test_a_filter_outside_the_collected_range_is_empty(self, auth_client, user, query):
        repository = RepositoryFactory.create(user=user)
        traffic_store(repository=repository, reported={}, fetched_at=FETCHED_AT)

        assert self.traffic(auth_client, repository, query) == []

    def test_a_cached_detail_follows_a_collection_that_only_widened_the_range(
        self, auth_client, user
    ):
        repository = RepositoryFactory.create(user=user)
        reported = {dt.date(2026, 3, 20): DayFigures(views=9, unique_views=3)}
        traffic_store(repository=repository, reported=reported, fetched_at=FETCHED_AT)
        assert self.traffic(auth_client, repository)[-1]["date"] == "2026-03-20"

        # Two quiet days later: GitHub reports nothing new, no row is written.
        later = FETCHED_AT + dt.timedelta(days=2)
        assert traffic_store(repository=repository, reported={}, fetched_at=later) == 0

        traffic = self.traffic(auth_client, repository)
        assert [day["date"] for day in traffic] == window_dates("2026-03-06", "2026-03-22")
        assert [day["views"] for day in traffic[-3:]] == [9, 0, 0]


def reported_on(fetched_at: dt.datetime, views: dict[str, int]) -> dict:
    """What traffic_fetch stores for views answered on `fetched_at`'s date."""
    buckets = [
        TrafficBucket(day=dt.date.fromisoformat(day), count=count, uniques=1)
        for day, count in views.items()
    ]
    window = TrafficWindow(views=buckets, clones=[])
    return traffic_window_days(window=window, fetched_on=fetched_at.date())


@pytest.mark.django_db
class TestRepositoryDetailPartialDays:
    """A partial day's figures may still grow: GitHub has reported it only as its today
    or as its window's cut-short oldest day."""

    def detail(self, client, repository, query: str = "") -> dict:
        response = client.get(f"/api/repos/{repository.id}{query}")
        assert response.status_code == 200
        return response.json()

    def test_each_day_says_whether_it_is_partial(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        reported = reported_on(FETCHED_AT, {"2026-03-06": 2, "2026-03-12": 5, "2026-03-20": 3})
        traffic_store(repository=repository, reported=reported, fetched_at=FETCHED_AT)

        traffic = self.detail(auth_client, repository)["traffic"]

        partial = {day["date"] for day in traffic if day["partial"]}
        assert partial == {"2026-03-06", "2026-03-20"}  # the oldest, cut short; today

    def test_days_without_a_row_are_partial_only_at_the_edges_of_the_collected_range(
        self, auth_client, user
    ):
        repository = RepositoryFactory.create(user=user)
        traffic_store(repository=repository, reported={}, fetched_at=FETCHED_AT)

        traffic = self.detail(auth_client, repository)["traffic"]

        partial = {day["date"] for day in traffic if day["partial"]}
        assert partial == {"2026-03-06", "2026-03-20"}

    def test_a_day_seen_only_as_today_stays_partial(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        traffic_store(
            repository=repository,
            reported=reported_on(FETCHED_AT, {"2026-03-20": 3}),
            fetched_at=FETCHED_AT,
        )

        # The next collection, 20 days later, no longer covers it.
        later = FETCHED_AT + dt.timedelta(days=20)
        traffic_store(repository=repository, reported={}, fetched_at=later)

        traffic = self.detail(auth_client, repository, "?start=2026-03-20&end=2026-03-20")
        assert traffic["traffic"] == [day_row("2026-03-20", 3, 1, 0, 0, partial=True)]

    def test_a_partial_day_becomes_complete_once_reported_inside_a_window(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        for fetched_at, views in ((FETCHED_AT, 3), (FETCHED_AT + dt.timedelta(days=1), 8)):
            reported = reported_on(fetched_at, {"2026-03-20": views})
            traffic_store(repository=repository, reported=reported, fetched_at=fetched_at)

        traffic = self.detail(auth_client, repository, "?start=2026-03-20&end=2026-03-20")

        assert traffic["traffic"] == [day_row("2026-03-20", 8, 1, 0, 0)]


@pytest.mark.django_db
class TestRepositoryDetailTotalsAndRange:
    def test_totals_sum_views_and_clones_and_count_the_days_shown(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        reported = {
            **reported_on(FETCHED_AT, {"2026-03-10": 5, "2026-03-20": 4}),
            dt.date(2026, 3, 14): DayFigures(clones=3, unique_clones=2),
        }
        traffic_store(repository=repository, reported=reported, fetched_at=FETCHED_AT)

        body = auth_client.get(f"/api/repos/{repository.id}?start=2026-03-10").json()

        # No unique visitors or cloners: they do not add up across days.
        assert body["totals"] == {"views": 9, "clones": 3, "days": 11, "partial_days": 1}

    def test_the_collected_range_is_shown_whatever_the_date_filter(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        traffic_store(repository=repository, reported={}, fetched_at=FETCHED_AT)

        body = auth_client.get(f"/api/repos/{repository.id}?start=2026-03-19").json()

        assert (body["collected_from"], body["collected_until"]) == ("2026-03-06", "2026-03-20")

    def test_never_collected_has_no_range_and_zero_totals(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)

        body = auth_client.get(f"/api/repos/{repository.id}").json()

        assert (body["collected_from"], body["collected_until"]) == (None, None)
        assert body["totals"] == {"views": 0, "clones": 0, "days": 0, "partial_days": 0}


def schema_component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]["properties"]


class TestRepositoryDetailSchema:
    @pytest.fixture
    def schema(self):
        return SchemaGenerator().get_schema(request=None, public=True)

    def test_the_schema_lists_the_partial_flag_the_totals_and_the_collected_range(self, schema):
        detail = schema_component(schema, "RepositoryDetail")
        assert {"collected_from", "collected_until", "totals"} <= set(detail)
        assert "not add up across days" in detail["totals"]["description"]
        assert "partial" in schema_component(schema, "TrafficDay")
        assert set(schema_component(schema, "TrafficTotals")) == {
            "views", "clones", "days", "partial_days"
        }  # fmt: skip

    @pytest.mark.django_db
    def test_the_answer_has_exactly_the_fields_the_schema_lists(self, schema, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        traffic_store(repository=repository, reported={}, fetched_at=FETCHED_AT)

        body = auth_client.get(f"/api/repos/{repository.id}").json()

        assert set(body) == set(schema_component(schema, "RepositoryDetail"))
        assert set(body["totals"]) == set(schema_component(schema, "TrafficTotals"))
        assert set(body["traffic"][0]) == set(schema_component(schema, "TrafficDay"))


@pytest.mark.django_db
class TestAnsweredFromTheTokensQuery:
    """users.auth.TokenReadApi: a whole answer found by the token's query is served from
    dispatch; the rest goes through DRF. Either way a client sees the same response."""

    def test_a_served_answer_has_the_headers_drf_gives(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=30)
        collection_record(repository=repository, attempted_at=timezone.now())

        for path in ("/api/repos", f"/api/repos/{repository.id}"):
            served = auth_client.get(path)
            # Through DRF: a filtered detail, or the list asked with HEAD.
            through_drf = (
                auth_client.head(path)
                if path == "/api/repos"
                else auth_client.get(path, {"start": "2024-01-01"})
            )

            assert served.status_code == through_drf.status_code == 200
            assert served["Content-Type"] == "application/json"
            headers = {name for name in served.headers if name != "Content-Length"}
            assert headers == {name for name in through_drf.headers if name != "Content-Length"}
            assert served["Allow"] == through_drf["Allow"]

    @pytest.mark.parametrize("path", ["/api/repos", "/api/repos/{id}"])
    def test_an_unknown_token_is_looked_up_once(
        self, api_client, user, path, django_assert_num_queries
    ):
        repository = RepositoryFactory.create(user=user)

        with django_assert_num_queries(1):
            response = api_client.get(path.format(id=repository.id), HTTP_X_API_TOKEN="0" * 43)

        assert response.status_code == 401
        assert response.json() == {"error": "Unknown X-API-Token."}

    def test_another_users_repository_is_looked_up_once_and_not_found(
        self, auth_client, django_assert_num_queries
    ):
        other = RepositoryFactory.create()

        with django_assert_num_queries(1):
            response = auth_client.get(f"/api/repos/{other.id}")

        assert response.status_code == 404
        assert other.owner not in response.content.decode()
