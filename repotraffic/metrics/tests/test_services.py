"""metrics.services: the collection outcome counters, and what real collections add."""

import threading

import pytest
from django.db import connection

from repotraffic.metrics.models import CollectionOutcomeCount
from repotraffic.metrics.services import collection_outcome_count
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import services
from repotraffic.traffic.services import traffic_fetch


def counts() -> dict[tuple[str, str], int]:
    return {(row.outcome, row.reason): row.count for row in CollectionOutcomeCount.objects.all()}


@pytest.mark.django_db
def test_each_outcome_and_reason_has_its_own_counter_that_only_goes_up():
    collection_outcome_count(outcome="succeeded", reason="")
    collection_outcome_count(outcome="succeeded", reason="")
    collection_outcome_count(outcome="failed", reason="not_found")

    assert counts() == {("succeeded", ""): 2, ("failed", "not_found"): 1}


@pytest.mark.django_db
def test_counting_is_one_statement(django_assert_num_queries):
    collection_outcome_count(outcome="succeeded", reason="")

    with django_assert_num_queries(1):
        collection_outcome_count(outcome="succeeded", reason="")


@pytest.mark.django_db(transaction=True)
def test_workers_counting_at_once_lose_no_count():
    def count_many() -> None:
        try:
            for _ in range(25):
                collection_outcome_count(outcome="failed", reason="unavailable")
        finally:
            connection.close()

    threads = [threading.Thread(target=count_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counts() == {("failed", "unavailable"): 100}


@pytest.mark.django_db
class TestCollectionsAreCounted:
    def test_a_success(self, github):
        github.add_repo("acme", "rocket")
        repository = RepositoryFactory.create(owner="acme", name="rocket")

        assert traffic_fetch(repository_id=repository.id).ok
        assert counts() == {("succeeded", ""): 1}

    def test_a_failure_by_its_cause(self, github):
        github.add_repo("acme", "secret", push_tokens=[])
        refused = RepositoryFactory.create(owner="acme", name="secret")
        gone = RepositoryFactory.create(owner="acme", name="gone")

        traffic_fetch(repository_id=refused.id)
        traffic_fetch(repository_id=gone.id)
        traffic_fetch(repository_id=gone.id)

        assert counts() == {("failed", "no_push_access"): 1, ("failed", "not_found"): 2}

    def test_a_failure_after_the_traffic_was_stored_counts_as_failed(self, github):
        github.add_repo("acme", "rocket")
        repository = RepositoryFactory.create(owner="acme", name="rocket")
        github.inject_fault("503", count=10, path="/traffic/popular/referrers")

        outcome = traffic_fetch(repository_id=repository.id)

        assert outcome.days_reported and outcome.error is not None
        assert counts() == {("failed", "unavailable"): 1}

    def test_a_failure_on_our_side_counts_as_an_internal_error(self, github, monkeypatch):
        github.add_repo("acme", "rocket")
        repository = RepositoryFactory.create(owner="acme", name="rocket")

        def broken(**kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(services, "repository_snapshot_store", broken)

        with pytest.raises(RuntimeError):
            traffic_fetch(repository_id=repository.id)
        assert counts() == {("failed", "internal_error"): 1}

    def test_a_skipped_collection_is_not_counted(self, github):
        github.add_repo("acme", "rocket")
        repository = RepositoryFactory.create(owner="acme", name="rocket")

        outcome = traffic_fetch(repository_id=repository.id, only_if_requested=True)

        assert outcome.skipped
        assert counts() == {}
