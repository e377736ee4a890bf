import datetime as dt

import pytest
from django.utils import timezone

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "_ID_PAGE", 2)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5])
def test_every_id_comes_once_in_order_across_pages(count):
    ids = sorted(repository.id for repository in RepositoryFactory.create_batch(count))

    assert list(selectors.repository_ids_all()) == ids


def test_pending_ids_are_paged_through_the_filter():
    requested = timezone.now() - dt.timedelta(hours=1)
    pending = [
        RepositoryFactory.create(collection__requested_at=requested),
        RepositoryFactory.create(
            collection__requested_at=requested,
            collection__last_success_at=requested - dt.timedelta(hours=1),
        ),
        RepositoryFactory.create(collection__requested_at=requested),
    ]
    RepositoryFactory.create()  # never requested
    RepositoryFactory.create(
        collection__requested_at=requested, collection__last_success_at=timezone.now()
    )

    found = list(selectors.repository_ids_collection_pending())

    assert found == sorted(repository.id for repository in pending)
