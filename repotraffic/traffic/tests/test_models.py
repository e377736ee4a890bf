import datetime as dt

import pytest

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import Collection, collection_pending_q

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("requested_at", "last_success_at", "pending"),
    [
        (None, None, False),  # never asked for
        (None, NOON, False),
        (NOON, None, True),  # asked for, never collected
        (NOON, NOON - HOUR, True),  # asked for after the last success
        (NOON, NOON, False),  # a collection that started as it was asked for
        (NOON, NOON + HOUR, False),  # collected since
    ],
)
def test_a_collection_is_pending_from_its_request_until_a_success(
    requested_at, last_success_at, pending
):
    repository = RepositoryFactory.create(
        collection__requested_at=requested_at, collection__last_success_at=last_success_at
    )
    collection = Collection.objects.get(repository=repository)

    assert collection.pending is pending
    assert Collection.objects.filter(collection_pending_q(), pk=repository.id).exists() is pending


def test_the_traffic_version_moves_with_traffic_updated_at():
    never = RepositoryFactory.create()
    updated = RepositoryFactory.create(collection__traffic_updated_at=NOON)

    assert never.collection.traffic_version == 0
    assert updated.collection.traffic_version == NOON.timestamp()
