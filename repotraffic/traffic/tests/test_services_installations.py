"""Collecting through a GitHub App installation the user connected: its token reads the
traffic, is never stored, and an installation GitHub no longer mints tokens for is a
failure recorded in words the user can act on, with stored data kept."""

import pytest
from django.apps import apps

from repotraffic.installations.models import GitHubAppInstallation
from repotraffic.integrations.github.tests.app_helpers import github_app_use
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import TrafficDay
from repotraffic.traffic.services import traffic_fetch
from repotraffic.users.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("collection_clock")]
ACCESS_TOKENS = "/app/installations/56/access_tokens"


@pytest.fixture
def repository(github, settings):
    """acme/rocket, private and out of the server token's reach, of a user who connected
    the app's installation on acme and has no token of their own."""
    github_app_use(fake=github, settings=settings)
    github.add_installation(56, account="acme", account_type="Organization")
    github.add_repo("acme", "rocket", private=True, push_tokens=["someone-else"])
    user = UserFactory.create()
    GitHubAppInstallation.objects.create(
        user=user, installation_id=56, account_login="acme", account_type="Organization"
    )
    return RepositoryFactory.create(user=user, owner="acme", name="rocket")


def stored(repository) -> list[tuple]:
    return list(
        TrafficDay.objects.filter(repository=repository)
        .order_by("date")
        .values_list("date", "views", "unique_views", "clones", "unique_clones")
    )


def test_the_installations_token_collects_the_repository(github, repository):
    outcome = traffic_fetch(repository_id=repository.id)

    assert outcome.ok, outcome.summary
    assert outcome.days_written >= 10
    counts = github.request_counts()
    assert counts[ACCESS_TOKENS] == 1
    assert counts["/repos/acme/rocket/traffic/views"] >= 1


def test_the_token_is_stored_nowhere_in_the_database(github, repository):
    traffic_fetch(repository_id=repository.id)
    traffic_fetch(repository_id=repository.id)

    tokens = github.installation_tokens(56)
    assert len(tokens) == 1  # held between collections, in this process's memory
    for model in apps.get_models():
        for row in model._default_manager.values():
            assert not [token for token in tokens if token in str(row)], model.__name__


def test_a_removed_installation_is_a_failure_that_says_what_to_do(github, repository):
    assert traffic_fetch(repository_id=repository.id).ok
    before = stored(repository)
    github.remove_installation(56)
    github.advance(hours=25)  # a day later, the token held has expired too

    outcome = traffic_fetch(repository_id=repository.id)

    assert outcome.error is not None
    repository.refresh_from_db()
    last_error = repository.collection.last_error
    assert "installation 56 was not found" in last_error
    assert "delete this connection" in last_error
    assert stored(repository) == before
