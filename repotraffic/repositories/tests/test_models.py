import datetime as dt

import pytest

from repotraffic.repositories.models import Repository, collection_pending_q
from repotraffic.repositories.tests.factories import RepositoryFactory

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
        collection_requested_at=requested_at, last_success_at=last_success_at
    )

    assert repository.collection_pending is pending
    assert Repository.objects.filter(collection_pending_q(), id=repository.id).exists() is pending
