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


def test_stale_ids_are_paged_through_the_filter():
    long_ago = timezone.now() - dt.timedelta(hours=30)
    stale = [RepositoryFactory.create(last_success_at=long_ago) for _ in range(3)] + [
        RepositoryFactory.create()
    ]
    RepositoryFactory.create_batch(3, last_success_at=timezone.now())

    found = list(selectors.repository_ids_stale(stale_after=dt.timedelta(hours=24)))

    assert found == sorted(repository.id for repository in stale)
