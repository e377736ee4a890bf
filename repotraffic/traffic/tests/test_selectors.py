import datetime as dt

import pytest

from repotraffic.common.dates import DateRange
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.selectors import (
    SeriesTotals,
    traffic_columns_many,
    traffic_series,
    traffic_series_many,
)
from repotraffic.traffic.tests.factories import TrafficDayFactory

pytestmark = pytest.mark.django_db

D = dt.date(2024, 3, 1)


def day(offset: int) -> str:
    return (D + dt.timedelta(days=offset)).isoformat()


def days(first: int, last: int) -> list[str]:
    return [day(offset) for offset in range(first, last + 1)]


def collected(
    first: int | None,
    last: int | None,
    *,
    rows: tuple[int, ...] = (),
    partial_rows: tuple[int, ...] = (),
):
    """A repository collected over D+first .. D+last with traffic on D+each of `rows`,
    partial on D+each of `partial_rows`."""
    repository = RepositoryFactory.create(
        collection__collected_from=None if first is None else D + dt.timedelta(days=first),
        collection__collected_until=None if last is None else D + dt.timedelta(days=last),
    )
    for offset in rows:
        TrafficDayFactory.create(
            repository=repository,
            date=D + dt.timedelta(days=offset),
            views=7,
            clones=2,
            partial=offset in partial_rows,
        )
    return repository


def partial(series: list[dict]) -> list[str]:
    return [row["date"] for row in series if row["partial"]]


def dates(series: list[dict]) -> list[str]:
    return [row["date"] for row in series]


def test_every_day_of_the_collected_range_leading_and_trailing_days_as_zero():
    repository = collected(0, 9, rows=(3, 6))

    series = traffic_series(repository=repository)

    assert dates(series) == days(0, 9)
    assert [row["views"] for row in series] == [0, 0, 0, 7, 0, 0, 7, 0, 0, 0]
    assert series[0] == {
        "date": day(0), "views": 0, "unique_views": 0, "clones": 0, "unique_clones": 0,
        "partial": True,
    }  # fmt: skip


def test_a_row_says_whether_it_is_partial():
    repository = collected(0, 9, rows=(0, 3, 6, 9), partial_rows=(6, 9))

    assert partial(traffic_series(repository=repository)) == [day(6), day(9)]


def test_a_day_without_a_row_is_partial_only_at_an_edge_of_the_collected_range():
    repository = collected(0, 9, rows=(3, 6))

    assert partial(traffic_series(repository=repository)) == [day(0), day(9)]


def test_rows_outside_the_collected_range_leave_its_edges_partial():
    repository = collected(5, 6, rows=(1, 9))

    assert partial(traffic_series(repository=repository)) == [day(5), day(6)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(None, None, [day(0), day(9)]), (1, 8, []), (5, None, [day(9)]), (9, 9, [day(9)])],
)
def test_the_date_range_keeps_the_partial_days_inside_it(start, end, expected):
    repository = collected(0, 9, rows=(3,))
    date_range = DateRange(
        start=None if start is None else D + dt.timedelta(days=start),
        end=None if end is None else D + dt.timedelta(days=end),
    )

    assert partial(traffic_series(repository=repository, date_range=date_range)) == expected


def test_totals_sum_views_and_clones_and_count_days_and_partial_days():
    repository = collected(0, 9, rows=(3, 6, 9), partial_rows=(9,))

    columns = traffic_columns_many(repositories=[repository])[repository.id]

    assert columns.totals == SeriesTotals(views=21, clones=6, days=10, partial_days=2)


def test_collected_without_any_traffic_is_zeros_over_the_range_not_empty():
    series = traffic_series(repository=collected(0, 14))

    assert dates(series) == days(0, 14)
    assert all(row["views"] == row["clones"] == 0 for row in series)


def test_never_collected_and_no_rows_is_empty():
    assert traffic_series(repository=collected(None, None)) == []


def test_rows_outside_the_range_are_returned_and_widen_the_span():
    assert dates(traffic_series(repository=collected(5, 6, rows=(1, 9)))) == days(1, 9)
    # Rows stored before ranges were recorded: only the gaps between them are zeros.
    assert dates(traffic_series(repository=collected(None, None, rows=(2, 4)))) == days(2, 4)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, days(0, 9)),
        (-5, None, days(0, 9)),
        (None, 20, days(0, 9)),
        (7, None, days(7, 9)),
        (None, 2, days(0, 2)),
        (4, 5, days(4, 5)),
        (-3, 1, days(0, 1)),
        (8, 30, days(8, 9)),
        (10, 20, []),
        (-9, -1, []),
    ],
)
def test_the_date_range_intersects_the_collected_range(start, end, expected):
    repository = collected(0, 9, rows=(3,))
    date_range = DateRange(
        start=None if start is None else D + dt.timedelta(days=start),
        end=None if end is None else D + dt.timedelta(days=end),
    )

    assert dates(traffic_series(repository=repository, date_range=date_range)) == expected


@pytest.mark.parametrize(
    "date_range",
    [DateRange(), DateRange(start=D + dt.timedelta(days=4)), DateRange(end=D + dt.timedelta(2))],
)
def test_many_at_once_equals_one_at_a_time(date_range):
    repositories = [
        collected(0, 9, rows=(3, 6), partial_rows=(6,)),
        collected(0, 14),
        collected(None, None),
        collected(5, 6, rows=(1, 9)),
        collected(None, None, rows=(2, 4)),
    ]

    many = traffic_series_many(repositories=iter(repositories), date_range=date_range)

    assert many == {
        repository.id: traffic_series(repository=repository, date_range=date_range)
        for repository in repositories
    }
