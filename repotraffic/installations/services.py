from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from repotraffic.common.exceptions import ApplicationError, NotFoundError
from repotraffic.installations.models import GitHubAppInstallation
from repotraffic.installations.selectors import installation_get
from repotraffic.integrations.github.client import (
    AppInstallation,
    GitHubError,
    GitHubErrorCause,
    github_app_configured,
    github_error_wait_answer,
    github_installation_get,
    github_org_membership_get,
    github_token_check,
)
from repotraffic.users.models import User
from repotraffic.users.selectors import user_github_token_get

_Asked = TypeVar("_Asked")


def _github_ask(ask: Callable[[], _Asked], *, what: str) -> _Asked:
    """GitHub's answer, or its failure as the answer to the request: 429 with
    Retry-After for a rate limit, 503 when GitHub did not answer, else 400."""
    try:
        return ask()
    except GitHubError as error:
        waited = github_error_wait_answer(error, what=what)
        if waited is not None:
            raise waited from None
        status = 404 if error.cause == GitHubErrorCause.NOT_FOUND else 400
        raise ApplicationError(f"Could not {what}: {error.message}.", status_code=status) from None


def _account_controlled(*, installation: AppInstallation, token: str) -> bool:
    """Whether the user of `token` controls the installation's account: it is their own
    account, or they are an owner of the organization. Raises ApplicationError for an
    account of another kind, and for a member who is not an owner (they know the
    organization, and what to ask for)."""
    account = installation.account_login
    if installation.account_type == "User":
        login = _github_ask(
            lambda: github_token_check(token=token, interactive=True), what="check your token"
        )
        return login.lower() == account.lower()
    if installation.account_type == "Organization":
        membership = _github_ask(
            lambda: github_org_membership_get(token=token, org=account, interactive=True),
            what="check your membership of the installation's organization",
        )
        if membership is not None and membership.state == "active" and not membership.is_owner:
            raise ApplicationError(
                f"You are a member of {account}, not one of its owners: an owner of {account} "
                "connects its installation.",
                status_code=403,
            )
        return membership is not None and membership.is_owner
    raise ApplicationError(
        f"Installation {installation.id} is on an account that is neither a user nor an "
        "organization (an enterprise): only those can be connected."
    )


def installation_connect(*, user: User, installation_id: int) -> GitHubAppInstallation:
    """Connect an installation of the server's GitHub App to the user, once GitHub has
    shown that the user controls its account: their own GitHub token (POST
    /api/users/github-token) is that user account's, or an owner's of that organization
    (GET /user/memberships/orgs/{org}). The repositories of the account are then
    collected with the installation's tokens. GitHub is asked outside any transaction."""
    if not github_app_configured():
        raise ApplicationError(
            "This server has no GitHub App to connect: its operator sets GITHUB_APP_ID and "
            "GITHUB_APP_PRIVATE_KEY.",
            status_code=403,
        )
    existing = installation_get(user=user, installation_id=installation_id)
    if existing is not None:
        raise ApplicationError(
            f"You already connected installation {installation_id} ({existing.account_login})."
        )
    choice = user_github_token_get(user=user)
    if choice.source != "own" or choice.token is None:
        raise ApplicationError(
            "Set your own GitHub token first (POST /api/users/github-token): GitHub shows "
            "with it that you control the account the app is installed on."
        )
    own_token = choice.token
    installation = _github_ask(
        lambda: github_installation_get(installation_id=installation_id, interactive=True),
        what=f"look up installation {installation_id}",
    )
    if not _account_controlled(installation=installation, token=own_token):
        raise ApplicationError(
            f"Installation {installation_id} is on a GitHub account your GitHub token's user "
            "does not control: connect it with the token of that user account, or of an "
            "owner of that organization.",
            status_code=403,
        )
    if installation.suspended:
        raise ApplicationError(
            f"Installation {installation_id} on {installation.account_login} is suspended: "
            "unsuspend it in the account's settings (Applications, Installed GitHub Apps), "
            "then connect it."
        )
    try:
        with transaction.atomic():
            return GitHubAppInstallation.objects.create(
                user=user,
                installation_id=installation_id,
                account_login=installation.account_login,
                account_type=installation.account_type,
                repository_selection=installation.repository_selection,
            )
    except IntegrityError:  # another request connected it between our check and now
        raise ApplicationError(
            f"You already connected installation {installation_id} ({installation.account_login})."
        ) from None


def installation_disconnect(*, user: User, installation_id: int | str) -> GitHubAppInstallation:
    """Forget the user's connection of an installation: its account's repositories are
    collected with the user's own token (or the server's) from now on. What was collected
    stays. The app stays installed on GitHub."""
    connection = installation_get(user=user, installation_id=installation_id)
    if connection is None:
        raise NotFoundError(f"You have no connected GitHub App installation {installation_id}.")
    deleted, _ = GitHubAppInstallation.objects.filter(id=connection.id, user=user).delete()
    if not deleted:  # a concurrent delete won
        raise NotFoundError(f"You have no connected GitHub App installation {installation_id}.")
    return connection
