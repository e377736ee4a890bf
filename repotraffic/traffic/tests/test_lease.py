"""The heartbeat that keeps a running collection's lease. Its thread has its own database
connection, so these tests commit (transaction=True)."""

import datetime as dt
import threading

import pytest
from django.db import DatabaseError

from repotraffic.common.tests.polling import poll_until
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import lease as lease_module
from repotraffic.traffic.collection_services import collection_claim, collection_renew
from repotraffic.traffic.lease import collection_lease_kept
from repotraffic.traffic.models import Collection

pytestmark = pytest.mark.django_db(transaction=True)
# A short lease, so that the heartbeat (every third of it) beats within the test.
LEASE = dt.timedelta(seconds=0.3)


@pytest.fixture
def claimed():
    repository = RepositoryFactory.create()
    owner = collection_claim(repository_id=repository.id, lease=LEASE)
    assert owner
    return repository, owner


def lease_until(repository) -> dt.datetime:
    until = Collection.objects.values_list("lease_until", flat=True).get(pk=repository.id)
    assert until is not None
    return until


def heartbeat_running(repository) -> bool:
    return any(
        thread.name == f"collection-lease-{repository.id}" for thread in threading.enumerate()
    )


def test_the_lease_is_renewed_while_the_collection_runs(claimed):
    repository, owner = claimed
    first_end = lease_until(repository)

    with collection_lease_kept(repository_id=repository.id, owner=owner, lease=LEASE):
        poll_until(lambda: lease_until(repository) > first_end, what="a renewal")

    assert Collection.objects.get(pk=repository.id).lease_owner == owner


def test_the_heartbeat_stops_with_the_collection(claimed):
    repository, owner = claimed

    with collection_lease_kept(repository_id=repository.id, owner=owner, lease=LEASE):
        assert heartbeat_running(repository)

    assert not heartbeat_running(repository)


def test_the_heartbeat_stops_once_another_collection_took_the_lease_over(claimed):
    repository, owner = claimed

    with collection_lease_kept(repository_id=repository.id, owner=owner, lease=LEASE):
        Collection.objects.filter(pk=repository.id).update(lease_owner="other")
        poll_until(lambda: not heartbeat_running(repository), what="the heartbeat to stop")

    assert Collection.objects.get(pk=repository.id).lease_owner == "other"


def test_a_failed_renewal_is_tried_again_at_the_next_beat(claimed, monkeypatch):
    repository, owner = claimed
    first_end = lease_until(repository)
    calls = []

    def renew_once_failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise DatabaseError("database is locked")
        return collection_renew(**kwargs)

    monkeypatch.setattr(lease_module, "collection_renew", renew_once_failing)

    with collection_lease_kept(repository_id=repository.id, owner=owner, lease=LEASE):
        poll_until(lambda: lease_until(repository) > first_end, what="a renewal after a failure")

    assert len(calls) >= 2
