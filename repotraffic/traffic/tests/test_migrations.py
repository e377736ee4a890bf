"""Data migrations, run for real: the database is migrated back to before one, given rows
through the models as they were, and migrated forward again. Schema changes need
committed transactions on SQLite, hence transaction=True; every test ends on the latest
migrations whatever happens."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from repotraffic.repositories.models import Repository
from repotraffic.traffic.models import Collection, TrafficDay, TrafficSum

pytestmark = pytest.mark.django_db(transaction=True)
NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)


class Migrator:
    def __init__(self) -> None:
        self.latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    def migrate(self, *targets: tuple[str, str]) -> Apps:
        """Migrate to `targets` (all leaves when none): the models as the database has
        them then, every app's."""
        MigrationExecutor(connection).migrate(list(targets) or self.latest)
        loader = MigrationExecutor(connection).loader  # reads what is applied now
        return loader.project_state(list(loader.applied_migrations)).apps


@pytest.fixture
def migrator() -> Iterator[Migrator]:
    migrator = Migrator()
    try:
        yield migrator
    finally:
        migrator.migrate()


def user_make(apps: Apps, email: str = "old@example.com"):
    return apps.get_model("users", "User").objects.create(email=email, token_digest="0" * 64)


BEFORE_COLLECTION = [("traffic", "0007_star_history"), ("repositories", "0003_collection_lease")]


class TestCollectionMoved:
    """traffic 0008 and repositories 0004: the collection state moves from the
    repository's columns to its own Collection."""

    STATE = {
        "last_attempt_at": NOON,
        "last_success_at": NOON - dt.timedelta(days=1),
        "last_error": "GitHub did not answer",
        "last_error_at": NOON,
        "collection_lease_owner": "a" * 32,
        "collection_lease_until": NOON + dt.timedelta(minutes=10),
        "collection_requested_at": NOON - dt.timedelta(hours=1),
        "collected_from": dt.date(2026, 10, 28),
        "collected_until": dt.date(2026, 11, 11),
        "traffic_updated_at": NOON - dt.timedelta(days=1),
    }

    def test_every_repository_gets_its_state_and_the_columns_go(self, migrator):
        old = migrator.migrate(*BEFORE_COLLECTION)
        OldRepository = old.get_model("repositories", "Repository")
        user = user_make(old)
        collected = OldRepository.objects.create(user=user, owner="acme", name="a", **self.STATE)
        never = OldRepository.objects.create(user=user, owner="acme", name="b")

        migrator.migrate()

        moved = Collection.objects.get(repository_id=collected.id)
        assert (moved.lease_owner, moved.lease_until, moved.requested_at) == (
            "a" * 32, NOON + dt.timedelta(minutes=10), NOON - dt.timedelta(hours=1)
        )  # fmt: skip
        assert (moved.last_attempt_at, moved.last_success_at, moved.last_error_at) == (
            NOON, NOON - dt.timedelta(days=1), NOON
        )  # fmt: skip
        assert moved.last_error == "GitHub did not answer"
        assert (moved.collected_from, moved.collected_until) == (
            dt.date(2026, 10, 28), dt.date(2026, 11, 11)
        )  # fmt: skip
        assert moved.traffic_updated_at == NOON - dt.timedelta(days=1)
        fresh = Collection.objects.get(repository_id=never.id)
        assert (fresh.last_attempt_at, fresh.last_error, fresh.lease_owner) == (None, "", "")
        assert Collection.objects.count() == 2
        columns = {field.column for field in Repository._meta.concrete_fields}
        with connection.cursor() as cursor:
            table = connection.introspection.get_table_description(
                cursor, "repositories_repository"
            )
        assert {column.name for column in table} == columns

    def test_migrating_back_puts_the_state_on_the_repository_again(self, migrator):
        new = migrator.migrate()
        user = user_make(new)
        repository = new.get_model("repositories", "Repository").objects.create(
            user=user, owner="acme", name="a"
        )
        new.get_model("traffic", "Collection").objects.create(
            repository_id=repository.id,
            last_error="no push access",
            lease_owner="b" * 32,
            requested_at=NOON,
            collected_until=dt.date(2026, 11, 11),
        )
        without = new.get_model("repositories", "Repository").objects.create(
            user=user, owner="acme", name="bulk"
        )

        old = migrator.migrate(*BEFORE_COLLECTION)

        OldRepository = old.get_model("repositories", "Repository")
        restored = OldRepository.objects.get(id=repository.id)
        assert (restored.last_error, restored.collection_lease_owner) == (
            "no push access",
            "b" * 32,
        )
        assert restored.collection_requested_at == NOON
        assert restored.collected_until == dt.date(2026, 11, 11)
        assert OldRepository.objects.get(id=without.id).last_error == ""


def test_rows_stored_before_partial_days_are_complete_except_at_the_collected_edges(migrator):
    old = migrator.migrate(("traffic", "0003_repository_snapshot"), BEFORE_COLLECTION[1])
    OldRepository = old.get_model("repositories", "Repository")
    OldTrafficDay = old.get_model("traffic", "TrafficDay")
    user = user_make(old)

    def collected(name: str, first: dt.date, last: dt.date):
        """A repository collected over first .. last, with a row on each of those days."""
        repository = OldRepository.objects.create(
            user=user, owner="acme", name=name, collected_from=first, collected_until=last
        )
        OldTrafficDay.objects.bulk_create(
            OldTrafficDay(repository=repository, date=first + dt.timedelta(days=offset), views=1)
            for offset in range((last - first).days + 1)
        )
        return repository

    repository = collected("a", dt.date(2026, 3, 1), dt.date(2026, 3, 15))
    other = collected("b", dt.date(2026, 3, 5), dt.date(2026, 3, 7))

    migrator.migrate()

    partial = TrafficDay.objects.filter(partial=True).values_list("repository", "date")
    assert set(partial) == {
        (repository.id, dt.date(2026, 3, 1)),
        (repository.id, dt.date(2026, 3, 15)),
        (other.id, dt.date(2026, 3, 5)),
        (other.id, dt.date(2026, 3, 7)),
    }


def test_days_stored_before_sums_existed_get_their_week_and_month_sums(migrator):
    old = migrator.migrate(("traffic", "0011_collection_queued_at"))
    OldRepository = old.get_model("repositories", "Repository")
    OldTrafficDay = old.get_model("traffic", "TrafficDay")
    repository = OldRepository.objects.create(user=user_make(old), owner="acme", name="a")
    OldTrafficDay.objects.bulk_create(
        OldTrafficDay(repository=repository, date=day, views=views, clones=1, partial=partial)
        for day, views, partial in (
            (dt.date(2026, 3, 30), 5, False),  # a Monday; its week runs into April
            (dt.date(2026, 4, 2), 7, True),
            (dt.date(2026, 4, 20), 1, False),
        )
    )

    migrator.migrate()

    sums = TrafficSum.objects.filter(repository_id=repository.id)
    assert {(row.period, row.start, row.views, row.clones, row.partial) for row in sums} == {
        ("week", dt.date(2026, 3, 30), 12, 2, True),
        ("week", dt.date(2026, 4, 20), 1, 1, False),
        ("month", dt.date(2026, 3, 1), 5, 1, False),
        ("month", dt.date(2026, 4, 1), 8, 2, True),
    }
