"""GET /api/repos/<id>?interval=day|week|month: the detail by day, week or month."""

import datetime as dt

import pytest
from drf_spectacular.generators import SchemaGenerator

from repotraffic.integrations.github.client import TrafficBucket, TrafficWeeks
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import TrafficDay, TrafficWeek
from repotraffic.traffic.tests.factories import traffic_days_create
from repotraffic.traffic.week_services import traffic_weeks_store

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 2)


@pytest.fixture
def repository(user):
    """16 collected days, Monday 2026-11-02 .. Tuesday 11-17, each 10 views (4 unique) and
    2 clones (1 unique), the last partial; GitHub's weekly uniques stored for the first
    week whole (complete) and for the second only in part."""
    repository = RepositoryFactory.create(
        user=user,
        collection__collected_from=MONDAY,
        collection__collected_until=MONDAY + dt.timedelta(days=15),
    )
    traffic_days_create(
        repository=repository,
        start=MONDAY,
        days=16,
        views=10,
        unique_views=4,
        clones=2,
        unique_clones=1,
    )
    TrafficDay.objects.filter(repository=repository, date=MONDAY + dt.timedelta(days=15)).update(
        partial=True
    )
    TrafficWeek.objects.create(
        repository=repository, week=MONDAY, unique_views=25, unique_clones=5, complete=True
    )
    TrafficWeek.objects.create(
        repository=repository,
        week=MONDAY + dt.timedelta(days=7),
        unique_views=20,
        unique_clones=3,
        complete=False,
    )
    return repository


def entry(key: str, value: str, views: int, clones: int, uniques=(None, None), *, partial=False):
    return {
        key: value,
        "views": views,
        "clones": clones,
        "unique_views": uniques[0],
        "unique_clones": uniques[1],
        "partial": partial,
    }


def test_weeks_sum_the_days_and_give_githubs_uniques_only_for_complete_weeks(
    auth_client, repository
):
    body = auth_client.get(f"/api/repos/{repository.id}?interval=week").json()

    assert "traffic" not in body
    assert body["weeks"] == [
        entry("week", "2026-11-02", 70, 14, (25, 5)),
        entry("week", "2026-11-09", 70, 14),  # GitHub never gave this week whole
        entry("week", "2026-11-16", 20, 4, partial=True),  # two days, the last partial
    ]
    assert body["totals"] == {"views": 160, "clones": 32, "days": 16, "partial_days": 1}


def test_a_week_the_range_cuts_is_partial_and_has_no_uniques(auth_client, repository):
    body = auth_client.get(
        f"/api/repos/{repository.id}?interval=week&start=2026-11-03&end=2026-11-08"
    ).json()

    assert body["weeks"] == [entry("week", "2026-11-02", 60, 12, partial=True)]


def test_months_sum_the_days_and_never_have_uniques(auth_client, repository):
    body = auth_client.get(f"/api/repos/{repository.id}?interval=month").json()

    assert "traffic" not in body
    assert body["months"] == [entry("month", "2026-11", 160, 32, partial=True)]


def test_a_whole_month_is_not_partial_and_still_has_no_uniques(auth_client, user):
    repository = RepositoryFactory.create(
        user=user,
        collection__collected_from=dt.date(2026, 2, 1),
        collection__collected_until=dt.date(2026, 3, 1),
    )
    traffic_days_create(repository=repository, start=dt.date(2026, 2, 1), days=29, views=1)

    body = auth_client.get(f"/api/repos/{repository.id}?interval=month").json()

    assert body["months"][0] == entry("month", "2026-02", 28, body["months"][0]["clones"])
    assert body["months"][1]["partial"] is True  # one day of March


def test_interval_day_is_the_default_answer(auth_client, repository):
    default = auth_client.get(f"/api/repos/{repository.id}").json()

    assert auth_client.get(f"/api/repos/{repository.id}?interval=day").json() == default
    assert len(default["traffic"]) == 16 and "weeks" not in default


@pytest.mark.parametrize("interval", ["year", "WEEK", "days"])
def test_a_bad_interval_is_400(auth_client, repository, interval):
    response = auth_client.get(f"/api/repos/{repository.id}?interval={interval}")

    assert response.status_code == 400
    assert "interval must be one of day, week, month" in response.json()["error"]


def test_weeks_take_one_query_more_than_days(auth_client, repository, django_assert_num_queries):
    # The token with the repository and its collection state, the days, the weeks' uniques.
    with django_assert_num_queries(3):
        assert auth_client.get(f"/api/repos/{repository.id}?interval=week").status_code == 200


def test_a_new_weekly_answer_shows_at_once(auth_client, repository):
    url = f"/api/repos/{repository.id}?interval=week"
    assert auth_client.get(url).json()["weeks"][1]["unique_views"] is None
    second = MONDAY + dt.timedelta(days=7)
    on = second + dt.timedelta(days=8)
    traffic_weeks_store(
        repository=repository,
        weeks=TrafficWeeks([TrafficBucket(second, 70, 30)], [], on, on),
        fetched_at=dt.datetime.combine(on, dt.time(22, 30), tzinfo=dt.UTC),
    )

    assert auth_client.get(url).json()["weeks"][1]["unique_views"] == 30


class TestSchema:
    @pytest.fixture
    def schema(self):
        return SchemaGenerator().get_schema(request=None, public=True)

    def test_the_schema_describes_the_interval_and_its_shapes(self, schema):
        detail = schema["paths"]["/api/repos/{repository_id}"]["get"]
        interval = next(p for p in detail["parameters"] if p["name"] == "interval")
        assert set(interval["schema"]["enum"]) == {"day", "week", "month"}
        answer = detail["responses"]["200"]["content"]["application/json"]["schema"]
        shapes = schema["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]["oneOf"]
        assert [shape["$ref"].rsplit("/", 1)[1] for shape in shapes] == [
            "RepositoryDetail",
            "RepositoryDetailByWeek",
            "RepositoryDetailByMonth",
        ]
        month = schema["components"]["schemas"]["TrafficMonth"]["properties"]
        assert "Always null" in month["unique_views"]["description"]

    @pytest.mark.parametrize(
        ("interval", "component", "key", "item"),
        [
            ("week", "RepositoryDetailByWeek", "weeks", "TrafficWeek"),
            ("month", "RepositoryDetailByMonth", "months", "TrafficMonth"),
        ],
    )
    def test_the_answer_has_exactly_the_fields_the_schema_lists(
        self, schema, auth_client, repository, interval, component, key, item
    ):
        body = auth_client.get(f"/api/repos/{repository.id}?interval={interval}").json()

        components = schema["components"]["schemas"]
        assert set(body) == set(components[component]["properties"])
        assert set(body[key][0]) == set(components[item]["properties"])
