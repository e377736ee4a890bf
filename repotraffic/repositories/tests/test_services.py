import datetime as dt

import pytest
import time_machine

from repotraffic.repositories.services import (
    repository_collection_claim,
    repository_collection_release,
)
from repotraffic.repositories.tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)


class TestCollectionLock:
    def test_the_first_claim_wins_and_a_second_is_refused(self):
        repository = RepositoryFactory.create()

        assert repository_collection_claim(repository_id=repository.id)
        assert not repository_collection_claim(repository_id=repository.id)

    def test_a_release_frees_it_for_the_next_claim(self):
        repository = RepositoryFactory.create()
        repository_collection_claim(repository_id=repository.id)

        repository_collection_release(repository_id=repository.id)

        assert repository_collection_claim(repository_id=repository.id)

    def test_one_repository_held_leaves_the_others_free(self):
        held, other = RepositoryFactory.create(), RepositoryFactory.create()
        repository_collection_claim(repository_id=held.id)

        assert repository_collection_claim(repository_id=other.id)

    def test_a_lock_left_by_a_crash_expires_on_its_own(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            repository_collection_claim(repository_id=repository.id)
        with time_machine.travel(NOON + dt.timedelta(minutes=9), tick=False):
            assert not repository_collection_claim(repository_id=repository.id)
        with time_machine.travel(NOON + dt.timedelta(minutes=11), tick=False):
            assert repository_collection_claim(repository_id=repository.id)
