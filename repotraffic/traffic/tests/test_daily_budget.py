"""First collections never eat what the daily collection needs of a token's hour: a
new repository waits for the next hour where the hour's rest is due to the repositories
the same token still has to collect today (budget.services.daily_budget_spare)."""

import pytest
from django.conf import settings

from repotraffic.budget.gates import token_gate
from repotraffic.budget.tests.helpers import gate_hour_set
from repotraffic.integrations.github.client import GitHubErrorCause, github_token_key
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.collection_services import collections_request_all
from repotraffic.traffic.models import Collection
from repotraffic.traffic.services import FIRST_COLLECTION_REQUESTS, traffic_fetch

pytestmark = pytest.mark.django_db
DAILY = 6


@pytest.fixture
def hour_left(settings):
    settings.GITHUB_RATE_LIMIT_RESERVE = 100
    yield lambda key, remaining: gate_hour_set(token_key=key, remaining=remaining)
    token_gate().clear()


def test_a_first_collection_waits_while_the_hour_is_due_to_the_daily_collection(github, hour_left):
    key = github_token_key(token=settings.GITHUB_TOKEN)
    collected = [RepositoryFactory.create(name=f"old-{number}") for number in range(3)]
    for repository in collected:
        github.add_repo("acme", repository.name)
        assert traffic_fetch(repository_id=repository.id).ok
    assert set(Collection.objects.values_list("token_key", flat=True)) == {key}
    collections_request_all()  # the scheduled run: the three are due again
    new = RepositoryFactory.create(name="new")
    github.add_repo("acme", "new")
    github.reset_requests()

    reset = hour_left(key, 100 + 3 * DAILY + FIRST_COLLECTION_REQUESTS - 1)
    outcome = traffic_fetch(repository_id=new.id)

    assert outcome.error is not None
    assert outcome.error.cause == GitHubErrorCause.RATE_LIMITED
    assert outcome.error.retry_at is not None
    assert abs(outcome.error.retry_at.timestamp() - reset) <= 1
    assert "daily collection of 3 repositories" in outcome.error.message
    assert github.request_counts() == {}  # GitHub was not asked
    new.collection.refresh_from_db()
    assert new.collection.last_success_at is None
    assert "waits for its GitHub token's next hour" in new.collection.last_error

    hour_left(key, 100 + 3 * DAILY + FIRST_COLLECTION_REQUESTS)
    assert traffic_fetch(repository_id=new.id).ok


def test_the_daily_collection_itself_is_never_held_back(github, hour_left):
    key = github_token_key(token=settings.GITHUB_TOKEN)
    repository = RepositoryFactory.create(name="old")
    github.add_repo("acme", "old")
    assert traffic_fetch(repository_id=repository.id).ok
    collections_request_all()

    hour_left(key, 101)  # one request above the reserve

    assert traffic_fetch(repository_id=repository.id).ok


def test_first_collections_waiting_do_not_hold_each_other_back(github, hour_left):
    key = github_token_key(token=settings.GITHUB_TOKEN)
    waiting = [RepositoryFactory.create(name=f"new-{number}") for number in range(3)]
    for repository in waiting:
        github.add_repo("acme", repository.name)
    hour_left(key, 100 + FIRST_COLLECTION_REQUESTS - 1)  # an hour too short for one
    for repository in waiting:
        assert traffic_fetch(repository_id=repository.id).error is not None
    assert set(Collection.objects.values_list("token_key", flat=True)) == {key}
    collections_request_all()

    hour_left(key, 100 + FIRST_COLLECTION_REQUESTS)  # room for one, beside no daily work

    assert traffic_fetch(repository_id=waiting[0].id).ok
