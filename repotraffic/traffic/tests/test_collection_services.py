"""traffic.collection_services: a repository's collection state, its lease and requests."""

import datetime as dt

import pytest
import time_machine
from django.db import DatabaseError

from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.collection_services import (
    collection_claim,
    collection_crash_record,
    collection_create,
    collection_record,
    collection_release,
    collection_renew,
    collection_request,
    collections_request_all,
    collections_request_stale,
)
from repotraffic.traffic.models import Collection
from repotraffic.traffic.signals import collection_finished
from repotraffic.users.models import User

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)


HOUR = dt.timedelta(hours=1)
LEASE = dt.timedelta(seconds=120)


def lease_of(repository):
    collection = Collection.objects.get(repository=repository)
    return collection.lease_owner, collection.lease_until


def claim(repository) -> str:
    """A claim that must succeed: its owner."""
    owner = collection_claim(repository_id=repository.id, lease=LEASE)
    assert owner is not None
    return owner


class TestCollectionLease:
    def test_the_first_claim_wins_and_a_second_is_refused(self):
        repository = RepositoryFactory.create()

        assert collection_claim(repository_id=repository.id, lease=LEASE)
        assert collection_claim(repository_id=repository.id, lease=LEASE) is None

    def test_a_claim_records_a_new_owner_and_the_leases_end(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            owner = claim(repository)

        assert owner and lease_of(repository) == (owner, NOON + LEASE)

    def test_each_claim_has_its_own_owner(self):
        first, second = RepositoryFactory.create(), RepositoryFactory.create()

        assert collection_claim(repository_id=first.id, lease=LEASE) != collection_claim(
            repository_id=second.id, lease=LEASE
        )

    def test_one_repository_held_leaves_the_others_free(self):
        held, other = RepositoryFactory.create(), RepositoryFactory.create()
        collection_claim(repository_id=held.id, lease=LEASE)

        assert collection_claim(repository_id=other.id, lease=LEASE)

    def test_a_lease_left_by_a_crash_blocks_for_one_lease_only(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            collection_claim(repository_id=repository.id, lease=LEASE)
        with time_machine.travel(NOON + LEASE - dt.timedelta(seconds=1), tick=False):
            assert collection_claim(repository_id=repository.id, lease=LEASE) is None
        with time_machine.travel(NOON + LEASE, tick=False):
            assert collection_claim(repository_id=repository.id, lease=LEASE)

    def test_the_owner_renews_it_from_now(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            owner = claim(repository)
        later = NOON + dt.timedelta(seconds=40)
        with time_machine.travel(later, tick=False):
            assert collection_renew(repository_id=repository.id, owner=owner, lease=LEASE)

        assert lease_of(repository) == (owner, later + LEASE)

    def test_a_renewed_lease_is_still_held_past_its_first_end(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            owner = claim(repository)
        with time_machine.travel(NOON + dt.timedelta(seconds=100), tick=False):
            collection_renew(repository_id=repository.id, owner=owner, lease=LEASE)
        with time_machine.travel(NOON + LEASE + dt.timedelta(seconds=1), tick=False):
            assert collection_claim(repository_id=repository.id, lease=LEASE) is None

    def test_only_the_owner_renews(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            owner = claim(repository)
        with time_machine.travel(NOON + dt.timedelta(seconds=40), tick=False):
            assert not collection_renew(
                repository_id=repository.id, owner="someone-else", lease=LEASE
            )

        assert lease_of(repository) == (owner, NOON + LEASE)

    def test_a_release_frees_it_for_the_next_claim(self):
        repository = RepositoryFactory.create()
        owner = claim(repository)

        assert collection_release(repository_id=repository.id, owner=owner)

        assert lease_of(repository) == ("", None)
        assert collection_claim(repository_id=repository.id, lease=LEASE)

    def test_only_the_owner_releases(self):
        repository = RepositoryFactory.create()
        owner = claim(repository)

        assert not collection_release(repository_id=repository.id, owner="someone-else")

        assert lease_of(repository)[0] == owner
        assert collection_claim(repository_id=repository.id, lease=LEASE) is None

    def test_a_lease_taken_over_after_it_lapsed_is_lost_to_its_first_owner(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            first = claim(repository)
        with time_machine.travel(NOON + LEASE, tick=False):
            second = collection_claim(repository_id=repository.id, lease=LEASE)

            assert not collection_renew(repository_id=repository.id, owner=first, lease=LEASE)
            assert not collection_release(repository_id=repository.id, owner=first)

        assert lease_of(repository) == (second, NOON + LEASE + LEASE)


class TestCollectionRequest:
    def test_a_request_records_when_it_was_made(self):
        repository = RepositoryFactory.create(
            collection__last_success_at=NOON - dt.timedelta(days=1)
        )
        with time_machine.travel(NOON, tick=False):
            collection_request(repository_id=repository.id)

        collection = Collection.objects.get(repository=repository)
        assert collection.requested_at == NOON and collection.pending

    def test_the_scheduled_run_requests_every_collection_in_one_update(
        self, django_assert_num_queries
    ):
        RepositoryFactory.create_batch(3)

        with django_assert_num_queries(1):
            assert collections_request_all() == 3

        assert all(collection.pending for collection in Collection.objects.all())

    def test_stale_requests_only_what_has_not_succeeded_for_that_long(
        self, django_assert_num_queries
    ):
        never = RepositoryFactory.create()
        old = RepositoryFactory.create(collection__last_success_at=NOON - dt.timedelta(hours=30))
        recent = RepositoryFactory.create(collection__last_success_at=NOON - dt.timedelta(hours=2))

        with time_machine.travel(NOON, tick=False), django_assert_num_queries(1):
            assert collections_request_stale(stale_after=dt.timedelta(hours=24)) == 2

        requested = dict(Collection.objects.values_list("repository_id", "requested_at"))
        assert requested == {never.id: NOON, old.id: NOON, recent.id: None}

    def test_stale_keeps_the_time_of_a_request_still_pending(self):
        asked = NOON - dt.timedelta(hours=3)
        pending = RepositoryFactory.create(collection__requested_at=asked)

        with time_machine.travel(NOON, tick=False):
            assert collections_request_stale(stale_after=dt.timedelta(hours=24)) == 0

        assert Collection.objects.get(repository=pending).requested_at == asked


class TestCollectionCreate:
    def test_a_repository_made_without_one_gets_one_never_collected_nor_requested(self):
        (repository,) = Repository.objects.bulk_create(
            [Repository(user=RepositoryFactory.create().user, owner="acme", name="bulk")]
        )

        collection_create(repository=repository)

        collection = Collection.objects.get(repository=repository)
        assert (collection.last_attempt_at, collection.requested_at, collection.pending) == (
            None, None, False
        )  # fmt: skip

    def test_an_existing_one_is_left_as_it_is(self, django_assert_num_queries):
        repository = RepositoryFactory.create(collection__last_error="no push access")

        with django_assert_num_queries(1):
            collection_create(repository=repository)

        assert Collection.objects.get(repository=repository).last_error == "no push access"


class TestCollectionRecord:
    def test_a_failure_keeps_the_last_success_and_says_why(self):
        repository = RepositoryFactory.create(collection__last_success_at=NOON - HOUR)

        collection_record(repository=repository, attempted_at=NOON, error="no push access")

        collection = Collection.objects.get(repository=repository)
        assert (collection.last_attempt_at, collection.last_error_at) == (NOON, NOON)
        assert (collection.last_success_at, collection.last_error) == (
            NOON - HOUR, "no push access"
        )  # fmt: skip

    def test_a_success_clears_the_last_error(self):
        repository = RepositoryFactory.create(collection__last_error="no push access")

        collection_record(repository=repository, attempted_at=NOON)

        collection = Collection.objects.get(repository=repository)
        assert (collection.last_success_at, collection.last_error) == (NOON, "")

    def test_the_repository_holds_the_outcome_and_its_list_version_moves(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            collection_record(repository=repository, attempted_at=NOON, error="gone")

        assert repository.collection.last_error == "gone"
        assert User.objects.get(id=repository.user_id).repositories_changed_at == NOON

    @pytest.mark.parametrize(
        ("error", "cause", "told"),
        [
            ("", "", ("succeeded", "")),
            ("no push access", "no_push_access", ("failed", "no_push_access")),
            ("something", "", ("failed", "unknown")),
        ],
    )
    def test_the_apps_above_are_told_the_outcome_and_its_cause(self, error, cause, told):
        repository = RepositoryFactory.create()
        heard = []

        def receive(sender, *, outcome, reason, **kwargs):
            heard.append((outcome, reason))

        collection_finished.connect(receive)
        try:
            collection_record(repository=repository, attempted_at=NOON, error=error, cause=cause)
        finally:
            collection_finished.disconnect(receive)

        assert heard == [told]

    def test_a_crash_is_told_as_an_internal_error_and_stores_nothing(self):
        heard = []

        def receive(sender, *, outcome, reason, **kwargs):
            heard.append((outcome, reason))
            raise DatabaseError("the database is gone too")

        collection_finished.connect(receive)
        try:
            collection_crash_record()  # never raises over the caller's exception
        finally:
            collection_finished.disconnect(receive)

        assert heard == [("failed", "internal_error")]
