"""Connecting a GitHub App installation: only once GitHub shows, with the user's own
token, that they control its account (their own, or an organization they own)."""

import pytest

from repotraffic.common.exceptions import ApplicationError
from repotraffic.installations.models import GitHubAppInstallation
from repotraffic.installations.services import installation_connect, installation_disconnect
from repotraffic.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def refused(user, installation_id: int) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        installation_connect(user=user, installation_id=installation_id)
    assert not GitHubAppInstallation.objects.filter(installation_id=installation_id).exists()
    return caught.value


def refused_again(user, installation_id: int) -> ApplicationError:
    """A refusal to connect an installation the user connected already."""
    with pytest.raises(ApplicationError) as caught:
        installation_connect(user=user, installation_id=installation_id)
    return caught.value


def test_an_installation_on_the_users_own_account_is_connected(app, alice):
    connection = installation_connect(user=alice, installation_id=55)

    assert (connection.user, connection.installation_id) == (alice, 55)
    assert (connection.account_login, connection.account_type) == ("alice", "User")
    assert connection.repository_selection == "all"
    assert app.request_counts() == {"/app/installations/55": 1, "/user": 1}


def test_an_installation_on_someone_elses_account_is_a_403_that_names_no_account(app, alice):
    app.add_installation(57, account="bob")

    error = refused(alice, 57)

    assert error.status_code == 403
    assert "bob" not in error.message and "does not control" in error.message


def test_an_installation_the_app_does_not_have_is_a_404(app, alice):
    error = refused(alice, 99)

    assert error.status_code == 404
    assert "installation 99 was not found" in error.message


def test_an_owner_of_the_organization_connects_its_installation(app, alice):
    app.add_org_member("acme", "alice", role="admin")

    connection = installation_connect(user=alice, installation_id=56)

    assert (connection.account_login, connection.account_type) == ("acme", "Organization")
    assert app.request_counts()["/user/memberships/orgs/acme"] == 1


def test_a_member_who_is_not_an_owner_is_told_who_may(app, alice):
    app.add_org_member("acme", "alice", role="member")

    error = refused(alice, 56)

    assert error.status_code == 403
    assert "not one of its owners" in error.message


@pytest.mark.parametrize("state", ["pending", None])
def test_an_invited_or_unrelated_user_is_a_403(app, alice, state):
    if state:
        app.add_org_member("acme", "alice", role="admin", state=state)

    assert refused(alice, 56).status_code == 403


def test_without_an_own_github_token_nothing_is_asked(app, user):
    error = refused(user, 55)

    assert error.status_code == 400
    assert "POST /api/users/github-token" in error.message
    assert app.request_counts() == {}


def test_without_an_app_on_the_server_it_is_a_403(app, alice, settings):
    settings.GITHUB_APP_ID = 0

    error = refused(alice, 55)

    assert error.status_code == 403
    assert "GITHUB_APP_ID" in error.message


def test_a_suspended_installation_is_refused_with_what_to_do(app, alice):
    app.suspend_installation(55)

    error = refused(alice, 55)

    assert error.status_code == 400
    assert "unsuspend" in error.message


def test_github_down_is_a_503(app, alice):
    app.inject_fault("502", count=10)

    assert refused(alice, 55).status_code == 503


def test_an_installation_is_connected_once_per_user_and_by_each_who_controls_it(app, alice):
    installation_connect(user=alice, installation_id=55)

    assert "already connected installation 55" in refused_again(alice, 55).message

    colleague = UserFactory.create()
    colleague.github_token_encrypted = alice.github_token_encrypted  # alice's token too
    colleague.save()
    installation_connect(user=colleague, installation_id=55)
    assert GitHubAppInstallation.objects.filter(installation_id=55).count() == 2


def test_disconnecting_forgets_the_users_connection_only(app, alice):
    installation_connect(user=alice, installation_id=55)
    other = GitHubAppInstallation.objects.create(
        user=UserFactory.create(), installation_id=55, account_login="alice", account_type="User"
    )

    installation_disconnect(user=alice, installation_id="55")

    assert list(GitHubAppInstallation.objects.all()) == [other]
    for unknown in ("55", "x", "56"):
        with pytest.raises(ApplicationError) as caught:
            installation_disconnect(user=alice, installation_id=unknown)
        assert caught.value.status_code == 404
