"""github_credential_get: a connected installation on the repository's owner acts for
the user when it reaches the repository; otherwise their own token or the server's."""

import pytest

from repotraffic.installations.models import GitHubAppInstallation
from repotraffic.installations.selectors import github_credential_get
from repotraffic.installations.tests.conftest import OWN_TOKEN
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ACCESS_TOKENS = "/app/installations/56/access_tokens"


@pytest.fixture
def connected(alice):
    return GitHubAppInstallation.objects.create(
        user=alice, installation_id=56, account_login="acme", account_type="Organization"
    )


def test_the_installation_on_the_owners_account_acts_for_the_user(app, alice, connected):
    choice = github_credential_get(user=alice, owner="ACME", name="rocket")
    again = github_credential_get(user=alice, owner="acme", name="launchpad")

    assert choice.source == "installation"
    assert choice.token is not None and choice.token.startswith("ghs_")
    assert again.token == choice.token
    assert app.request_counts() == {ACCESS_TOKENS: 1}


def test_another_owners_repository_is_the_users_own_tokens(app, alice, connected):
    choice = github_credential_get(user=alice, owner="octo", name="widgets")

    assert (choice.source, choice.token) == ("own", OWN_TOKEN)
    assert app.request_counts() == {}


def test_a_repository_the_installation_was_not_given_is_the_users_own_tokens(app, alice, connected):
    app.add_repo("acme", "rocket")
    app.add_installation(56, account="acme", account_type="Organization", repositories=["rocket"])

    assert github_credential_get(user=alice, owner="acme", name="rocket").source == "installation"
    assert github_credential_get(user=alice, owner="acme", name="other").source == "own"


def test_another_users_connection_is_not_used(app, connected):
    stranger = UserFactory.create()

    assert github_credential_get(user=stranger, owner="acme", name="rocket").source == "server"


def test_without_an_app_it_costs_no_query_and_no_request(
    github, alice, connected, settings, django_assert_num_queries
):
    settings.GITHUB_APP_ID = 0

    with django_assert_num_queries(0):
        choice = github_credential_get(user=alice, owner="acme", name="rocket")

    assert choice.source == "own"
    assert github.request_counts() == {}
