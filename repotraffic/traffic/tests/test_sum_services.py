"""TrafficSum: the week and month sums of a repository's days stay equal to the days as
stored, whichever way the days were written (a collection, an import) and in any order."""

import datetime as dt
import itertools
import json
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.archive_services import archive_import
from repotraffic.traffic.merge import DayFigures
from repotraffic.traffic.models import TrafficDay, TrafficSum
from repotraffic.traffic.services import traffic_store
from repotraffic.traffic.sum_services import traffic_sums_rebuild
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST_DAY = dt.date(2025, 12, 20)  # weeks and months across a new year
NOON = dt.time(12, tzinfo=dt.UTC)
_names = itertools.count()


def expected_sums(repository) -> dict[tuple[str, dt.date], tuple[int, int, bool]]:
    """The sums as a reader would make them from the stored days, by hand."""
    sums: dict = defaultdict(lambda: [0, 0, False])
    for day in TrafficDay.objects.filter(repository=repository):
        for key in (
            ("week", day.date - dt.timedelta(days=day.date.weekday())),
            ("month", day.date.replace(day=1)),
        ):
            sums[key][0] += day.views
            sums[key][1] += day.clones
            sums[key][2] |= day.partial
    return {key: tuple(value) for key, value in sums.items()}


def stored_sums(repository) -> dict[tuple[str, dt.date], tuple[int, int, bool]]:
    return {
        (row.period, row.start): (row.views, row.clones, row.partial)
        for row in TrafficSum.objects.filter(repository=repository)
    }


figures = st.builds(
    DayFigures,
    views=st.integers(0, 5000),
    unique_views=st.integers(0, 50),
    clones=st.integers(0, 300),
    unique_clones=st.integers(0, 20),
    partial=st.booleans(),
)
# A write: a collection's window (days within 15 of its last) or an archive's days
# (anywhere in the 80 days).
writes = st.lists(
    st.tuples(
        st.sampled_from(["collection", "import"]),
        st.integers(0, 80),
        st.dictionaries(st.integers(0, 14), figures, max_size=15),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(writes)
def test_sums_equal_the_stored_days_after_any_collections_and_imports(writes):
    user = UserFactory.create()
    repository = RepositoryFactory.create(user=user, owner="acme", name=f"r{next(_names)}")
    for how, offset, days in writes:
        if how == "collection":
            last = FIRST_DAY + dt.timedelta(days=offset)
            reported = {last - dt.timedelta(days=back): value for back, value in days.items()}
            traffic_store(
                repository=repository,
                reported=reported,
                fetched_at=dt.datetime.combine(last, NOON),
            )
        else:
            archive_import(lines=archive(repository, offset=offset, days=days))

    assert stored_sums(repository) == expected_sums(repository)


def archive(repository, *, offset: int, days: dict[int, DayFigures]) -> list[bytes]:
    who = {"owner": repository.owner, "name": repository.name, "user_email": repository.user.email}
    records = [
        {"format": "repotraffic-archive", "version": 1, "exported_at": "2026-01-01T00:00:00Z"},
        {"kind": "repository", **who, "created_at": "2025-01-01T00:00:00Z"},
        *(
            {
                "kind": "day",
                **who,
                "date": (FIRST_DAY + dt.timedelta(days=offset + shift)).isoformat(),
                "views": value.views,
                "unique_views": value.unique_views,
                "clones": value.clones,
                "unique_clones": value.unique_clones,
                "partial": value.partial,
            }
            for shift, value in days.items()
        ),
    ]
    return [json.dumps(record).encode() for record in records]


def test_a_later_higher_figure_raises_its_week_and_month_and_nothing_else():
    repository = RepositoryFactory.create(owner="acme", name="rocket")
    monday = dt.date(2026, 3, 30)  # its week runs into April
    at = dt.datetime.combine(monday + dt.timedelta(days=3), NOON)
    traffic_store(
        repository=repository,
        reported={
            monday: DayFigures(views=10, clones=1),
            monday + dt.timedelta(days=2): DayFigures(views=5, clones=2, partial=True),
        },
        fetched_at=at,
    )
    traffic_store(
        repository=repository,
        reported={monday + dt.timedelta(days=2): DayFigures(views=7, clones=2)},
        fetched_at=at + dt.timedelta(days=1),
    )

    assert stored_sums(repository) == {
        ("week", monday): (17, 3, False),
        ("month", dt.date(2026, 3, 1)): (10, 1, False),
        ("month", dt.date(2026, 4, 1)): (7, 2, False),
    }


def test_a_rebuild_replaces_whatever_sums_were_there():
    repository = RepositoryFactory.create(owner="acme", name="rocket")
    TrafficDay.objects.create(repository=repository, date=dt.date(2026, 1, 5), views=4, clones=1)
    TrafficSum.objects.create(
        repository=repository, period="month", start=dt.date(2025, 1, 1), views=99
    )

    traffic_sums_rebuild(repository_ids=[repository.id])

    assert stored_sums(repository) == {
        ("week", dt.date(2026, 1, 5)): (4, 1, False),
        ("month", dt.date(2026, 1, 1)): (4, 1, False),
    }
