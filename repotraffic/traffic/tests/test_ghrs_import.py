"""import_github_repo_stats (traffic.ghrs_import): github-repo-stats' views and clones,
merged by maximum like a collection."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import Collection, TrafficDay
from repotraffic.users.models import User
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2021, 1, 9, 12, 0, tzinfo=dt.UTC)
# As the Action's analyze.py writes ghrs-data/views_clones_aggregate.csv (pandas'
# to_csv of the per-day maximum): no row for a day without traffic (Dec 3).
AGGREGATE = """\
time_iso8601,clones_total,clones_unique,views_total,views_unique
2020-12-01 00:00:00+00:00,4,4,59,13
2020-12-02 00:00:00+00:00,2,2,91,16
2020-12-04 00:00:00+00:00,0,0,107,22
2020-12-05 00:00:00+00:00,30,11,55,27
"""
# date, views, unique_views, clones, unique_clones, partial
IMPORTED = [
    (dt.date(2020, 12, 1), 59, 13, 4, 4, True),
    (dt.date(2020, 12, 2), 91, 16, 2, 2, False),
    (dt.date(2020, 12, 4), 107, 22, 0, 0, False),
    (dt.date(2020, 12, 5), 55, 27, 30, 11, True),
]


@pytest.fixture
def user() -> User:
    return UserFactory.create(email="ada@example.com")


def write(tmp_path: Path, text: str = AGGREGATE) -> Path:
    path = tmp_path / "views_clones_aggregate.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, repository: str = "acme/rocket", user: str = "ada@example.com") -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "import_github_repo_stats", str(path), repository=repository, user=user, stdout=out
        )
    return out.getvalue()


def days(repository: Repository) -> list[tuple[object, ...]]:
    return list(
        TrafficDay.objects.filter(repository=repository)
        .order_by("date")
        .values_list("date", "views", "unique_views", "clones", "unique_clones", "partial")
    )


def test_import_creates_the_repository_with_its_days(tmp_path, user):
    out = run(write(tmp_path))

    repository = Repository.objects.get(user=user)
    assert (repository.owner, repository.name) == ("acme", "rocket")
    assert days(repository) == IMPORTED
    collection = Collection.objects.get(pk=repository.id)
    assert (collection.collected_from, collection.collected_until) == (
        dt.date(2020, 12, 1),
        dt.date(2020, 12, 5),
    )
    assert collection.traffic_updated_at == NOW
    assert "4 days from 2020-12-01 to 2020-12-05" in out
    assert "(repository created), 5 rows written" in out


def test_stored_higher_figures_stay_and_lower_ones_rise(tmp_path, user):
    repository = RepositoryFactory.create(
        user=user,
        owner="Acme",
        name="Rocket",
        collection__collected_from=dt.date(2020, 12, 2),
        collection__collected_until=dt.date(2021, 1, 8),
    )
    TrafficDay.objects.create(
        repository=repository, date=dt.date(2020, 12, 2), views=100, unique_views=1, clones=0,
        unique_clones=5, partial=False,
    )  # fmt: skip
    TrafficDay.objects.create(
        repository=repository, date=dt.date(2020, 12, 5), views=60, unique_views=27, clones=30,
        unique_clones=11, partial=False,
    )  # fmt: skip

    run(write(tmp_path), repository="acme/rocket")

    assert Repository.objects.filter(user=user).count() == 1  # the same one, any case
    assert days(repository) == [
        IMPORTED[0],
        (dt.date(2020, 12, 2), 100, 16, 2, 5, False),
        IMPORTED[2],
        (dt.date(2020, 12, 5), 60, 27, 30, 11, False),  # complete stays complete
    ]
    collection = Collection.objects.get(pk=repository.id)
    assert (collection.collected_from, collection.collected_until) == (
        dt.date(2020, 12, 1),
        dt.date(2021, 1, 8),
    )


def test_importing_twice_changes_nothing(tmp_path, user):
    path = write(tmp_path)
    run(path)
    repository = Repository.objects.get(user=user)
    before = list(TrafficDay.objects.filter(repository=repository).values())
    Collection.objects.filter(pk=repository.id).update(traffic_updated_at=None)

    out = run(path)

    assert list(TrafficDay.objects.filter(repository=repository).values()) == before
    assert Collection.objects.get(pk=repository.id).traffic_updated_at is None
    assert "4 days" in out and "created" not in out and ", 0 rows written" in out


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("2020-12-06 00:00:00+00:00,1,1,-3,2", "line 4: expected a whole number of 0 or more"),
        ("2020-12-06 12:00:00+00:00,1,1,3,2", "line 4: expected the start of a UTC day"),
        ("2020-12-06,1,1,3,2", "line 4: expected the start of a UTC day"),
        ("2020-12-06 00:00:00+00:00,1,1,3", "line 4: 4 fields, not 5"),
        ("2020-12-01 00:00:00+00:00,1,1,3,2", "line 4: 2020-12-01 again (line 2)"),
    ],
)
def test_a_bad_row_names_its_line_and_writes_nothing(tmp_path, user, row, problem):
    lines = AGGREGATE.splitlines()
    path = write(tmp_path, "\n".join([*lines[:3], row, *lines[3:]]) + "\n")

    with pytest.raises(CommandError, match=re.escape(problem)) as raised:
        run(path)

    assert "Nothing was imported" in str(raised.value)
    assert not Repository.objects.exists()
    assert not TrafficDay.objects.exists()


def test_a_file_of_other_columns_is_refused(tmp_path, user):
    path = write(tmp_path, "time_iso8601,stars_cumulative\n2021-01-14 17:41:02+00:00,1\n")

    with pytest.raises(CommandError, match="line 1: expected the columns"):
        run(path)

    assert not Repository.objects.exists()


def test_empty_figures_are_zero(tmp_path, user):
    # Older files kept pandas' NaN (empty) and floats where a day had views only.
    header = AGGREGATE.splitlines()[0]
    run(write(tmp_path, f"{header}\n2020-12-01 00:00:00+00:00,,,59.0,13\n"))

    assert days(Repository.objects.get()) == [(dt.date(2020, 12, 1), 59, 13, 0, 0, True)]


@pytest.mark.parametrize("given", ["acme/rocket", "acme/rocket/ghrs-data"])
def test_a_directory_of_the_action_finds_the_file(tmp_path, user, given):
    data = tmp_path / "acme" / "rocket" / "ghrs-data"
    data.mkdir(parents=True)
    write(data)

    out = run(tmp_path / given)

    assert days(Repository.objects.get()) == IMPORTED
    assert str(data / "views_clones_aggregate.csv") in out


def test_a_directory_without_the_file_is_refused(tmp_path, user):
    with pytest.raises(CommandError, match=re.escape("holds no views_clones_aggregate.csv")):
        run(tmp_path)


def test_an_unknown_user_is_refused(tmp_path, user):
    with pytest.raises(CommandError, match=re.escape("no user with email bob@example.com")):
        run(write(tmp_path), user="bob@example.com")

    assert not Repository.objects.exists()
