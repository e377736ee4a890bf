"""app_tokens.py through client.py: installation tokens minted with the app's JWT,
held until 5 minutes before they expire, replaced once when GitHub refuses one, known
at the gate by their installation, never logged; and the words of GitHub's refusals."""

import logging
import time
from typing import Any

import pytest
import time_machine

from repotraffic.budget.gates import token_gate
from repotraffic.integrations.github import rate_limits
from repotraffic.integrations.github.app_tokens import installation_gate_key
from repotraffic.integrations.github.client import (
    AppInstallation,
    GitHubError,
    GitHubErrorCause,
    InstallationToken,
    github_installation_get,
    github_installation_token_get,
    github_org_membership_get,
    github_token_key,
)
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.app_helpers import APP_ID, github_app_use
from repotraffic.integrations.github.tests.helpers import TOKEN, fetch, fetch_error

ACCESS_TOKENS = "/app/installations/55/access_tokens"
VIEWS = "/repos/acme/rocket/traffic/views"


@pytest.fixture
def app(fake: FakeGitHub, settings: Any) -> FakeGitHub:
    github_app_use(fake=fake, settings=settings)
    fake.add_installation(55, account="acme", account_type="Organization")
    return fake


def held() -> InstallationToken:
    return github_installation_token_get(installation_id=55)


def refusal(**kwargs: Any) -> GitHubError:
    with pytest.raises(GitHubError) as caught:
        github_installation_token_get(installation_id=55, **kwargs)
    return caught.value


def test_one_token_serves_every_call_until_five_minutes_before_it_expires(
    app: FakeGitHub,
) -> None:
    first = held()
    for _ in range(3):
        fetch(token=held().token)
    with time_machine.travel(time.time() + 54 * 60, tick=False):
        assert held() == first
    assert app.request_counts()[ACCESS_TOKENS] == 1

    with time_machine.travel(time.time() + 56 * 60, tick=False):
        second = held()
        fetch(token=second.token)

    assert second.token != first.token
    assert app.request_counts()[ACCESS_TOKENS] == 2
    assert first.repositories is None and first.covers(owner="ACME", name="anything")


def test_a_token_github_refuses_is_replaced_once_and_kept_by_the_call(app: FakeGitHub) -> None:
    first = held()
    app.advance(hours=1)  # GitHub's clock passes its expiry; ours does not

    window = fetch(token=first.token)

    assert window.views
    counts = app.request_counts()
    assert counts[ACCESS_TOKENS] == 2
    assert counts[VIEWS] == 2  # refused, then answered
    assert counts["/repos/acme/rocket/traffic/clones"] == 1  # the new token straight away
    assert held().token != first.token

    fetch(token=first.token)  # a caller that still has the old one: the newest goes out

    assert app.request_counts()[VIEWS] == 3
    assert app.request_counts()[ACCESS_TOKENS] == 2


def test_every_token_of_an_installation_is_one_key_at_the_gate(app: FakeGitHub) -> None:
    first = held()
    with time_machine.travel(time.time() + 56 * 60, tick=False):
        second = held()

    expected = installation_gate_key(api_url=app.url, app_id=APP_ID, installation_id=55)
    assert first.token != second.token
    assert github_token_key(token=first.token) == github_token_key(token=second.token) == expected
    assert first.gate_key == second.gate_key == expected
    assert expected != rate_limits.token_key(api_url=app.url, token=second.token)
    assert expected != installation_gate_key(api_url=app.url, app_id=APP_ID, installation_id=56)
    assert len(expected) == 64 and second.token not in repr(second)


def test_a_pause_of_the_installation_holds_back_its_next_token_too(app: FakeGitHub) -> None:
    first = held()
    token_gate().pause(token_key=first.gate_key, until=time.time() + 3600)
    with time_machine.travel(time.time() + 56 * 60, tick=False):
        second = held()
        app.reset_requests()

        error = fetch_error(token=second.token)

    assert error.cause == GitHubErrorCause.RATE_LIMITED
    assert app.request_counts() == {}  # GitHub was not asked


def test_no_token_is_ever_logged(app: FakeGitHub, caplog: pytest.LogCaptureFixture) -> None:
    for name in (None, "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    first = held()
    app.advance(hours=1)
    app.inject_fault("502", path="/traffic/clones")
    fetch(token=first.token)  # a refusal, a new token, a retry
    app.remove_installation(55)
    fetch_error(token=first.token)

    tokens = app.installation_tokens(55)
    assert len(tokens) == 2 and "retrying" in caplog.text
    assert not [token for token in tokens if token in caplog.text]


def test_a_removed_installation_says_what_to_do(app: FakeGitHub) -> None:
    first = held()
    app.remove_installation(55)

    error = fetch_error(token=first.token)

    assert error.cause == GitHubErrorCause.NOT_FOUND
    assert "installation 55 was not found" in error.message
    assert "install the app again" in error.message and "delete this connection" in error.message


def test_a_suspended_installation_says_how_to_lift_it(app: FakeGitHub) -> None:
    app.suspend_installation(55)

    error = refusal()

    assert error.cause == GitHubErrorCause.BAD_CREDENTIALS
    assert "This installation has been suspended" in error.message
    assert "unsuspend" in error.message


def test_an_app_github_refuses_is_the_operators_to_fix(app: FakeGitHub, settings: Any) -> None:
    settings.GITHUB_APP_ID = APP_ID + 1  # the key is another app's

    error = refusal()

    assert error.cause == GitHubErrorCause.BAD_CREDENTIALS
    assert "GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and the server's clock" in error.message


def test_without_an_app_no_token_is_asked_for(fake: FakeGitHub, settings: Any) -> None:
    settings.GITHUB_APP_ID = 0

    assert refusal().cause == GitHubErrorCause.NO_TOKEN
    assert fake.request_counts() == {}


def test_an_installation_with_selected_repositories_covers_those_only(app: FakeGitHub) -> None:
    app.add_repo("acme", "other")
    app.add_installation(55, account="acme", account_type="Organization", repositories=["Rocket"])

    token = held()

    assert token.repositories == frozenset({"acme/rocket"})
    assert token.covers(owner="acme", name="ROCKET")
    assert not token.covers(owner="acme", name="other")
    assert app.request_counts()["/installation/repositories"] == 1


def test_an_installation_says_where_it_is(app: FakeGitHub) -> None:
    app.add_installation(56, account="alice", suspended=True)

    assert github_installation_get(installation_id=55) == AppInstallation(
        id=55,
        account_login="acme",
        account_type="Organization",
        repository_selection="all",
        suspended=False,
    )
    assert github_installation_get(installation_id=56).suspended
    with pytest.raises(GitHubError) as caught:
        github_installation_get(installation_id=57)
    assert caught.value.cause == GitHubErrorCause.NOT_FOUND


def test_a_membership_is_the_tokens_users_or_none(app: FakeGitHub) -> None:
    assert github_org_membership_get(token=TOKEN, org="acme") is None

    app.add_org_member("acme", "alice", role="admin")
    membership = github_org_membership_get(token=TOKEN, org="acme")
    assert membership is not None and membership.is_owner

    with pytest.raises(GitHubError) as caught:
        github_org_membership_get(token=held().token, org="acme")
    assert "read:org" in caught.value.message
