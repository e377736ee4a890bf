import datetime as dt

import pytest
import time_machine

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.models import Repository
from repotraffic.repositories.services import (
    repositories_collection_request_all,
    repositories_collection_request_stale,
    repository_collection_claim,
    repository_collection_release,
    repository_collection_renew,
    repository_collection_request,
    repository_create,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC)


LEASE = dt.timedelta(seconds=120)


def lease_of(repository):
    repository.refresh_from_db()
    return repository.collection_lease_owner, repository.collection_lease_until


def claim(repository) -> str:
    """A claim that must succeed: its owner."""
    owner = repository_collection_claim(repository_id=repository.id, lease=LEASE)
    assert owner is not None
    return owner


class TestCollectionLease:
    def test_the_first_claim_wins_and_a_second_is_refused(self):
        repository = RepositoryFactory.create()

        assert repository_collection_claim(repository_id=repository.id, lease=LEASE)
        assert repository_collection_claim(repository_id=repository.id, lease=LEASE) is None

    def test_a_claim_records_a_new_owner_and_the_leases_end(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            owner = claim(repository)

        assert owner and lease_of(repository) == (owner, NOON + LEASE)

    def test_each_claim_has_its_own_owner(self):
        first, second = RepositoryFactory.create(), RepositoryFactory.create()

        assert repository_collection_claim(
            repository_id=first.id, lease=LEASE
        ) != repository_collection_claim(repository_id=second.id, lease=LEASE)

    def test_one_repository_held_leaves_the_others_free(self):
        held, other = RepositoryFactory.create(), RepositoryFactory.create()
        repository_collection_claim(repository_id=held.id, lease=LEASE)

        assert repository_collection_claim(repository_id=other.id, lease=LEASE)

    def test_a_lease_left_by_a_crash_blocks_for_one_lease_only(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            repository_collection_claim(repository_id=repository.id, lease=LEASE)
        with time_machine.travel(NOON + LEASE - dt.timedelta(seconds=1), tick=False):
            assert repository_collection_claim(repository_id=repository.id, lease=LEASE) is None
        with time_machine.travel(NOON + LEASE, tick=False):
            assert repository_collection_claim(repository_id=repository.id, lease=LEASE)

    def test_the_owner_renews_it_from_now(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            owner = claim(repository)
        later = NOON + dt.timedelta(seconds=40)
        with time_machine.travel(later, tick=False):
            assert repository_collection_renew(
                repository_id=repository.id, owner=owner, lease=LEASE
            )

        assert lease_of(repository) == (owner, later + LEASE)

    def test_a_renewed_lease_is_still_held_past_its_first_end(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            owner = claim(repository)
        with time_machine.travel(NOON + dt.timedelta(seconds=100), tick=False):
            repository_collection_renew(repository_id=repository.id, owner=owner, lease=LEASE)
        with time_machine.travel(NOON + LEASE + dt.timedelta(seconds=1), tick=False):
            assert repository_collection_claim(repository_id=repository.id, lease=LEASE) is None

    def test_only_the_owner_renews(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            owner = claim(repository)
        with time_machine.travel(NOON + dt.timedelta(seconds=40), tick=False):
            assert not repository_collection_renew(
                repository_id=repository.id, owner="someone-else", lease=LEASE
            )

        assert lease_of(repository) == (owner, NOON + LEASE)

    def test_a_release_frees_it_for_the_next_claim(self):
        repository = RepositoryFactory.create()
        owner = claim(repository)

        assert repository_collection_release(repository_id=repository.id, owner=owner)

        assert lease_of(repository) == ("", None)
        assert repository_collection_claim(repository_id=repository.id, lease=LEASE)

    def test_only_the_owner_releases(self):
        repository = RepositoryFactory.create()
        owner = claim(repository)

        assert not repository_collection_release(repository_id=repository.id, owner="someone-else")

        assert lease_of(repository)[0] == owner
        assert repository_collection_claim(repository_id=repository.id, lease=LEASE) is None

    def test_a_lease_taken_over_after_it_lapsed_is_lost_to_its_first_owner(self):
        repository = RepositoryFactory.create()
        with time_machine.travel(NOON, tick=False):
            first = claim(repository)
        with time_machine.travel(NOON + LEASE, tick=False):
            second = repository_collection_claim(repository_id=repository.id, lease=LEASE)

            assert not repository_collection_renew(
                repository_id=repository.id, owner=first, lease=LEASE
            )
            assert not repository_collection_release(repository_id=repository.id, owner=first)

        assert lease_of(repository) == (second, NOON + LEASE + LEASE)


class TestCollectionRequest:
    def test_a_request_records_when_it_was_made(self):
        repository = RepositoryFactory.create(last_success_at=NOON - dt.timedelta(days=1))
        with time_machine.travel(NOON, tick=False):
            repository_collection_request(repository_id=repository.id)

        repository.refresh_from_db()
        assert repository.collection_requested_at == NOON and repository.collection_pending

    def test_the_scheduled_run_requests_every_collection_in_one_update(
        self, django_assert_num_queries
    ):
        RepositoryFactory.create_batch(3)

        with django_assert_num_queries(1):
            assert repositories_collection_request_all() == 3

        assert all(repository.collection_pending for repository in Repository.objects.all())

    def test_stale_requests_only_what_has_not_succeeded_for_that_long(
        self, django_assert_num_queries
    ):
        never = RepositoryFactory.create()
        old = RepositoryFactory.create(last_success_at=NOON - dt.timedelta(hours=30))
        recent = RepositoryFactory.create(last_success_at=NOON - dt.timedelta(hours=2))

        with time_machine.travel(NOON, tick=False), django_assert_num_queries(1):
            assert repositories_collection_request_stale(stale_after=dt.timedelta(hours=24)) == 2

        requested = dict(Repository.objects.values_list("id", "collection_requested_at"))
        assert requested == {never.id: NOON, old.id: NOON, recent.id: None}

    def test_stale_keeps_the_time_of_a_request_still_pending(self):
        asked = NOON - dt.timedelta(hours=3)
        pending = RepositoryFactory.create(collection_requested_at=asked)

        with time_machine.travel(NOON, tick=False):
            assert repositories_collection_request_stale(stale_after=dt.timedelta(hours=24)) == 0

        pending.refresh_from_db()
        assert pending.collection_requested_at == asked


@pytest.mark.django_db
class TestRepositoryCreateProvesAccess:
    """repository_create asks GitHub whether the token that will collect can read traffic."""

    def create(self, user, url="https://github.com/acme/rocket"):
        return repository_create(user=user, url=url)

    def refusal(self, user, url="https://github.com/acme/rocket") -> ApplicationError:
        with pytest.raises(ApplicationError) as caught:
            self.create(user, url)
        assert not Repository.objects.exists()
        return caught.value

    def test_stores_githubs_own_spelling_of_the_name(self, github):
        github.add_repo("Acme", "Rocket")

        repository = self.create(UserFactory.create(), "github.com/ACME/rOCKET")

        assert (repository.owner, repository.name) == ("Acme", "Rocket")
        assert github.request_counts() == {"/repos/ACME/rOCKET": 1}

    def test_a_repository_github_does_not_know_is_400_saying_so(self, github):
        error = self.refusal(UserFactory.create())

        assert error.status_code == 400
        assert "acme/rocket was not found, or it is private" in error.message
        assert "the server's GitHub token" in error.message

    def test_a_private_repository_the_token_cannot_see_is_not_found(self, github):
        github.add_repo("acme", "rocket", private=True, push_tokens=["someone-else"])

        error = self.refusal(UserFactory.create())

        assert error.status_code == 400 and "not found" in error.message

    def test_read_only_access_is_400_naming_the_permission_to_grant(self, github, settings):
        github.add_token(settings.GITHUB_TOKEN, push=False)
        github.add_repo("acme", "rocket")

        error = self.refusal(UserFactory.create())

        assert error.status_code == 400
        assert "no push access" in error.message and "Administration: read" in error.message

    def test_the_users_own_token_is_the_one_asked(self, github):
        github.add_token("ghp_users_own", login="alice")
        github.add_repo("acme", "rocket", private=True, push_tokens=["ghp_users_own"])
        user = UserFactory.create(github_token_encrypted=secret_encrypt("ghp_users_own"))

        assert self.create(user).full_name == "acme/rocket"

    def test_an_untrusted_user_without_a_token_may_not_use_the_servers(self, github, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "trusted"
        github.add_repo("acme", "rocket")

        error = self.refusal(UserFactory.create())

        assert error.status_code == 400
        assert "no usable GitHub token" in error.message
        assert "POST /api/users/github-token" in error.message
        assert github.request_counts() == {}  # GitHub was not asked

    def test_a_trusted_user_may_use_the_servers(self, github, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "trusted"
        github.add_repo("acme", "rocket")

        assert self.create(UserFactory.create(trusted=True)).full_name == "acme/rocket"

    def test_nobody_uses_the_servers_token_when_the_policy_says_nobody(self, github, settings):
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = "nobody"
        github.add_repo("acme", "rocket")

        error = self.refusal(UserFactory.create(trusted=True))

        assert "no GitHub token for its users" in error.message

    def test_github_not_answering_is_503_and_stores_nothing(self, github):
        github.add_repo("acme", "rocket")
        github.inject_fault("503", count=10)

        error = self.refusal(UserFactory.create())

        assert error.status_code == 503 and "try again in a minute" in error.message

    def test_a_rate_limited_token_is_429_with_retry_after(self, github):
        github.add_repo("acme", "rocket")
        github.inject_fault("primary_rate_limit", count=10, reset_in=600)

        error = self.refusal(UserFactory.create())

        assert error.status_code == 429
        assert 590 <= int(error.headers["Retry-After"]) <= 602

    def test_an_invalid_or_tracked_url_costs_no_request_to_github(self, github):
        github.add_repo("acme", "rocket")
        user = UserFactory.create()
        self.create(user)
        github.reset_requests()

        with pytest.raises(ApplicationError):
            self.create(user, "https://github.com/ACME/Rocket")
        with pytest.raises(ApplicationError):
            self.create(user, "https://gitlab.com/acme/rocket")

        assert github.request_counts() == {}

    def test_past_the_per_user_limit_is_403(self, github, settings):
        settings.REPOTRAFFIC_MAX_REPOSITORIES_PER_USER = 2
        user = UserFactory.create()
        RepositoryFactory.create_batch(2, user=user)
        github.add_repo("acme", "rocket")

        error = self.refusal_after(user)

        assert error.status_code == 403 and "REPOTRAFFIC_MAX_REPOSITORIES_PER_USER" in error.message

    def refusal_after(self, user) -> ApplicationError:
        with pytest.raises(ApplicationError) as caught:
            self.create(user)
        assert Repository.objects.filter(user=user).count() == 2
        return caught.value
