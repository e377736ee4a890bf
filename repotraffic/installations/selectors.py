from django.db.models import QuerySet

from repotraffic.installations.models import GitHubAppInstallation
from repotraffic.integrations.github.client import (
    github_app_configured,
    github_installation_token_get,
)
from repotraffic.users.models import User
from repotraffic.users.selectors import GitHubTokenChoice, user_github_token_get


def installation_list(*, user: User) -> QuerySet[GitHubAppInstallation]:
    """The GitHub App installations the user connected, oldest first."""
    return GitHubAppInstallation.objects.filter(user=user).order_by("created_at", "id")


def installation_get(*, user: User, installation_id: int | str) -> GitHubAppInstallation | None:
    """The user's connection of installation `installation_id` (GitHub's number), or None:
    another user's is indistinguishable from none."""
    try:
        number = int(str(installation_id))
    except ValueError:
        return None
    return GitHubAppInstallation.objects.filter(user=user, installation_id=number).first()


def github_credential_get(
    *, user: User, owner: str, name: str, interactive: bool = False
) -> GitHubTokenChoice:
    """What acts for the user at GitHub on the repository owner/name: the token of the
    GitHub App installation they connected on `owner`'s account, when it reaches that
    repository (all of the account's, or the ones it was given); otherwise the user's own
    token or the server's, by policy (user_github_token_get). Collection goes through
    here.

    The installation's token is minted when this process holds none that is fresh (one
    request, and one a page of its repositories when it was given some): GitHubError
    when GitHub mints none, in words the user can act on (installation removed or
    suspended)."""
    if github_app_configured():
        connection = (
            GitHubAppInstallation.objects.filter(user=user, account_login__iexact=owner)
            .order_by("created_at", "id")
            .first()
        )
        if connection is not None:
            minted = github_installation_token_get(
                installation_id=connection.installation_id, interactive=interactive
            )
            if minted.covers(owner=owner, name=name):
                return GitHubTokenChoice(token=minted.token, source="installation")
    return user_github_token_get(user=user, repository_key=f"{owner}/{name}")
