import datetime as dt
from collections import defaultdict

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repotraffic.common.dates import DateRange
from repotraffic.dashboard.overview_selectors import (
    DAY,
    MONTH,
    STATUS_FAILING,
    STATUS_NEVER,
    STATUS_OK,
    WEEK,
    interval_for,
    repositories_overview_get,
)
from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import RepositorySnapshot, TrafficDay
from repotraffic.traffic.sum_services import traffic_sums_rebuild
from repotraffic.traffic.tests.factories import traffic_days_create
from repotraffic.users.tests.factories import user_with_token

pytestmark = pytest.mark.django_db

JAN_1 = dt.date(2024, 1, 1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def user():
    return user_with_token()[0]


def repository_with_days(user, name: str, *, start=JAN_1, days=10, **fixed):
    repository = RepositoryFactory.create(user=user, owner="acme", name=name)
    traffic_days_create(repository=repository, start=start, days=days, **fixed)
    return repository


def overview_row(overview, name: str):
    (row,) = [row for row in overview.rows if row.repository.name == name]
    return row


def test_totals_cover_the_range_only(user):
    repository_with_days(user, "rocket", days=30, views=4, clones=2)

    overview = repositories_overview_get(
        user=user, date_range=DateRange(start=dt.date(2024, 1, 11), end=dt.date(2024, 1, 20))
    )

    row = overview_row(overview, "rocket")
    assert (row.views, row.clones) == (40, 20)
    assert row.sparkline == [4] * 10


def test_change_against_the_previous_period_of_equal_length(user):
    repository = repository_with_days(user, "rocket", days=10, views=4)
    traffic_days_create(repository=repository, start=dt.date(2024, 1, 11), days=10, views=6)

    overview = repositories_overview_get(
        user=user, date_range=DateRange(start=dt.date(2024, 1, 11), end=dt.date(2024, 1, 20))
    )

    change = overview_row(overview, "rocket").change
    assert overview.previous_start == JAN_1
    assert change.percent == pytest.approx(50.0)
    assert change.label == "+50%"


def test_change_is_na_without_previous_data(user):
    repository_with_days(user, "rocket", start=dt.date(2024, 1, 11), days=10)

    overview = repositories_overview_get(
        user=user, date_range=DateRange(start=dt.date(2024, 1, 11), end=dt.date(2024, 1, 20))
    )

    change = overview_row(overview, "rocket").change
    assert (change.percent, change.label) == (None, "n/a")


def test_change_is_new_when_the_previous_period_had_no_views(user):
    repository = repository_with_days(user, "rocket", days=10, views=0)
    traffic_days_create(repository=repository, start=dt.date(2024, 1, 11), days=10, views=3)

    overview = repositories_overview_get(
        user=user, date_range=DateRange(start=dt.date(2024, 1, 11), end=dt.date(2024, 1, 20))
    )

    change = overview_row(overview, "rocket").change
    assert (change.percent, change.label) == (None, "new")


def test_no_change_from_nothing_to_nothing_is_zero_not_a_division(user):
    repository_with_days(user, "rocket", days=20, views=0, clones=0)

    overview = repositories_overview_get(
        user=user, date_range=DateRange(start=dt.date(2024, 1, 11), end=dt.date(2024, 1, 20))
    )

    assert overview_row(overview, "rocket").change.percent == 0


def test_without_a_start_the_range_is_all_data_and_has_nothing_before(user):
    repository_with_days(user, "rocket", days=10, views=2)
    repository_with_days(user, "probe", start=dt.date(2024, 1, 5), days=10, views=1)

    overview = repositories_overview_get(user=user, date_range=DateRange())

    assert (overview.start, overview.end) == (JAN_1, dt.date(2024, 1, 14))
    assert overview.chart["dates"][0] == "2024-01-01"
    assert overview.chart["views"][:4] == [2, 2, 2, 2]
    assert overview.chart["views"][4:10] == [3] * 6
    assert overview.chart["views"][10:] == [1] * 4
    assert {row.change.label for row in overview.rows} == {"n/a"}


def test_the_combined_chart_never_sums_uniques(user):
    repository_with_days(user, "rocket", days=10, views=5, unique_views=3)
    repository_with_days(user, "probe", days=10, views=7, unique_views=4)

    overview = repositories_overview_get(user=user, date_range=DateRange())

    assert set(overview.chart) == {"interval", "dates", "views", "clones", "partial"}
    assert overview.chart["views"] == [12] * 10
    for row in overview.rows:
        assert not hasattr(row, "unique_views")


def test_failing_first_then_never_collected_then_by_views(user):
    repository_with_days(user, "quiet", views=1)
    repository_with_days(user, "busy", views=9)
    RepositoryFactory.create(user=user, owner="acme", name="fresh")
    RepositoryFactory.create(
        user=user, owner="acme", name="broken", collection__last_error="acme/broken was not found"
    )

    overview = repositories_overview_get(user=user, date_range=DateRange())

    assert [row.repository.name for row in overview.rows] == ["broken", "fresh", "busy", "quiet"]
    assert [row.status for row in overview.rows] == [
        STATUS_FAILING,
        STATUS_NEVER,
        STATUS_OK,
        STATUS_OK,
    ]
    assert overview.rows[0].error == "acme/broken was not found"


def test_stars_come_from_the_latest_snapshot(user):
    repository = repository_with_days(user, "rocket")
    for day, stars in ((dt.date(2024, 1, 2), 10), (dt.date(2024, 1, 9), 12)):
        RepositorySnapshot.objects.create(
            repository=repository, date=day, stars=stars, forks=0, watchers=0, open_issues=0
        )
    repository_with_days(user, "probe")

    overview = repositories_overview_get(user=user, date_range=DateRange())

    assert overview_row(overview, "rocket").stars == 12
    assert overview_row(overview, "probe").stars is None


@pytest.mark.parametrize(
    ("days", "interval"),
    [(1, DAY), (90, DAY), (92, DAY), (93, WEEK), (730, WEEK), (732, MONTH), (1095, MONTH)],
)
def test_interval_by_the_length_of_the_range(days, interval):
    assert interval_for(days=days) == interval


def test_weeks_start_on_monday_and_a_cut_week_is_partial(user):
    # 2024-01-03 is a Wednesday; 120 days: weeks.
    repository_with_days(user, "rocket", start=dt.date(2024, 1, 3), days=120, views=1)

    overview = repositories_overview_get(user=user, date_range=DateRange())

    chart = overview.chart
    assert chart["interval"] == WEEK
    assert chart["dates"][:2] == ["2024-01-01", "2024-01-08"]
    assert chart["views"][:2] == [5, 7]
    assert chart["partial"][0] is True and chart["partial"][1] is False
    assert sum(chart["views"]) == 120
    assert len(overview_row(overview, "rocket").sparkline) == len(chart["dates"])


def test_months_over_three_years(user):
    repository_with_days(user, "rocket", days=1096, views=1)

    overview = repositories_overview_get(user=user, date_range=DateRange())

    chart = overview.chart
    assert chart["interval"] == MONTH
    assert chart["dates"][:3] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert chart["views"][:3] == [31, 29, 31]
    assert len(chart["dates"]) == 36
    assert chart["partial"] == [False] * 36


def test_sums_are_cached_under_the_traffic_version(user, django_assert_num_queries):
    repository = repository_with_days(user, "rocket", views=1)
    repositories_overview_get(user=user, date_range=DateRange())

    with django_assert_num_queries(1):  # the repositories; the sums are cached
        cached = repositories_overview_get(user=user, date_range=DateRange())
    traffic_days_create(repository=repository, start=dt.date(2024, 1, 11), days=2, views=1)
    with django_assert_num_queries(2):
        updated = repositories_overview_get(user=user, date_range=DateRange())

    assert overview_row(cached, "rocket").views == 10
    assert overview_row(updated, "rocket").views == 12


def test_the_range_is_kept_within_the_data(user):
    repository_with_days(user, "rocket", days=10, views=1)

    overview = repositories_overview_get(
        user=user, date_range=DateRange(start=dt.date(1900, 1, 1), end=dt.date(2030, 1, 1))
    )

    assert (overview.start, overview.end) == (JAN_1, dt.date(2024, 1, 10))
    assert overview.chart["interval"] == DAY
    assert len(overview.chart["dates"]) == 10


def test_a_range_after_the_data_is_empty(user):
    repository_with_days(user, "rocket", days=10, views=1)

    overview = repositories_overview_get(user=user, date_range=DateRange(start=dt.date(2025, 1, 1)))

    assert overview.chart == {}
    assert overview_row(overview, "rocket").views == 0


def test_many_repositories_are_read_by_user_with_the_same_sums(user, monkeypatch):
    repository_with_days(user, "rocket", days=40, views=2)
    repository_with_days(user, "probe", days=40, views=3)
    repository_with_days(user_with_token()[0], "not-mine", days=40, views=100)
    by_ids = repositories_overview_get(user=user, date_range=DateRange(start=dt.date(2024, 1, 21)))
    cache.clear()
    monkeypatch.setattr("repotraffic.dashboard.overview_selectors._IDS_IN_QUERY", 0)

    by_user = repositories_overview_get(user=user, date_range=DateRange(start=dt.date(2024, 1, 21)))

    assert by_user.chart == by_ids.chart
    assert by_user.chart["views"] == [5] * 20
    assert [(row.views, row.change.label) for row in by_user.rows] == [
        (60, "+0%"),
        (40, "+0%"),
    ]


# Any range over uneven days: the sums, read from whole weeks' and months' sums and the
# days around them, equal the days added up by hand.
_spans = st.tuples(st.integers(0, 900), st.integers(1, 900))  # (first day offset, days)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    spans=st.lists(_spans, min_size=1, max_size=3),
    start=st.none() | st.integers(-30, 1000),
    length=st.none() | st.integers(1, 1000),
)
def test_sums_over_any_range_equal_the_days_added_up(user, spans, start, length):
    cache.clear()
    Repository.objects.filter(user=user).delete()
    origin = dt.date(2023, 11, 27)
    for number, (offset, days) in enumerate(spans):
        repository = RepositoryFactory.create(user=user, owner="acme", name=f"r{number}")
        TrafficDay.objects.bulk_create(
            TrafficDay(
                repository=repository,
                date=origin + dt.timedelta(days=offset + day),
                views=(day * 7 + number) % 23,
                clones=(day * 3) % 5,
                partial=day % 17 == 3,
            )
            for day in range(days)
        )
    traffic_sums_rebuild(
        repository_ids=Repository.objects.filter(user=user).values_list("id", flat=True)
    )
    first = origin + dt.timedelta(days=start) if start is not None else None
    last = first + dt.timedelta(days=length - 1) if first and length else None

    overview = repositories_overview_get(user=user, date_range=DateRange(start=first, end=last))

    if not overview.chart:
        return
    assert overview.start and overview.end and overview.previous_start
    period_of = {
        DAY: lambda day: day,
        WEEK: lambda day: day - dt.timedelta(days=day.weekday()),
        MONTH: lambda day: day.replace(day=1),
    }[overview.interval]
    dates = [dt.date.fromisoformat(date) for date in overview.chart["dates"]]
    all_views: defaultdict[dt.date, int] = defaultdict(int)
    all_clones: defaultdict[dt.date, int] = defaultdict(int)
    for row in overview.rows:
        days = TrafficDay.objects.filter(repository=row.repository)
        shown = [day for day in days if overview.start <= day.date <= overview.end]
        before = sum(
            day.views for day in days if overview.previous_start <= day.date < overview.start
        )
        by_period: defaultdict[dt.date, int] = defaultdict(int)
        for day in shown:
            by_period[period_of(day.date)] += day.views
            all_views[period_of(day.date)] += day.views
            all_clones[period_of(day.date)] += day.clones
        assert row.views == sum(day.views for day in shown)
        assert row.clones == sum(day.clones for day in shown)
        if row.views:
            assert row.sparkline == [by_period[date] for date in dates]
        if row.change.percent is not None and before:
            assert row.change.percent == pytest.approx((row.views - before) * 100 / before)
    assert overview.chart["views"] == [all_views[date] for date in dates]
    assert overview.chart["clones"] == [all_clones[date] for date in dates]
