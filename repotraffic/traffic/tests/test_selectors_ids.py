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

    assert [job.repository_id for job in selectors.collection_jobs_all()] == ids


def test_the_scheduled_order_is_never_collected_then_oldest_success_first():
    now = timezone.now()
    recent = RepositoryFactory.create(collection__last_success_at=now - dt.timedelta(hours=1))
    oldest = RepositoryFactory.create(collection__last_success_at=now - dt.timedelta(days=3))
    never = sorted(RepositoryFactory.create_batch(3), key=lambda repository: repository.id)
    same = RepositoryFactory.create_batch(2, collection__last_success_at=now - dt.timedelta(days=1))
    same.sort(key=lambda repository: repository.id)

    order = [job.repository_id for job in selectors.collection_jobs_all()]

    assert order == [each.id for each in [*never, oldest, *same, recent]]


def test_a_repository_collected_while_the_order_is_read_comes_once():
    now = timezone.now()
    first, second, third = (
        RepositoryFactory.create(collection__last_success_at=now - dt.timedelta(days=days))
        for days in (3, 2, 1)
    )
    ids = (job.repository_id for job in selectors.collection_jobs_all())

    assert next(ids) == first.id
    # Collected by the run meanwhile: its last success is now the newest.
    type(first.collection).objects.filter(pk=first.id).update(last_success_at=timezone.now())

    assert list(ids) == [second.id, third.id]
