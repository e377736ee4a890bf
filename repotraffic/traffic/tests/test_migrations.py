import datetime as dt
import importlib

import pytest
from django.apps import apps

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import TrafficDay
from repotraffic.traffic.tests.factories import traffic_days_create

pytestmark = pytest.mark.django_db

partial_migration = importlib.import_module(
    "repotraffic.traffic.migrations.0004_trafficday_partial"
)


def test_rows_stored_before_partial_days_are_complete_except_at_the_collected_edges():
    repository = RepositoryFactory.create()
    traffic_days_create(repository=repository, start=dt.date(2026, 3, 1), days=15)
    other = RepositoryFactory.create()
    traffic_days_create(repository=other, start=dt.date(2026, 3, 5), days=3)

    partial_migration.traffic_days_mark_partial(apps, None)

    partial = TrafficDay.objects.filter(partial=True).values_list("repository", "date")
    assert set(partial) == {
        (repository.id, dt.date(2026, 3, 1)),
        (repository.id, dt.date(2026, 3, 15)),
        (other.id, dt.date(2026, 3, 5)),
        (other.id, dt.date(2026, 3, 7)),
    }
