"""GitHub App installations for the import tests: the fake's app, and a user's
connection of one of its installations. Plain functions, imported by the test modules
that need them."""

from typing import Any

from repotraffic.installations.models import GitHubAppInstallation
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.app_helpers import github_app_use
from repotraffic.users.crypto import secret_encrypt
from repotraffic.users.models import User

ALICE_TOKEN = "ghp_alice_own_7c1d"


def app_installed(*, fake: FakeGitHub, settings: Any) -> None:
    """The server's GitHub App, installed on the organization acme (56) and on the user
    alice (55)."""
    github_app_use(fake=fake, settings=settings)
    fake.add_installation(56, account="acme", account_type="Organization")
    fake.add_installation(55, account="alice")


def own_token_set(*, user: User, fake: FakeGitHub) -> None:
    """The user's own GitHub token, whose login is alice."""
    fake.add_token(ALICE_TOKEN, login="alice")
    user.github_token_encrypted = secret_encrypt(ALICE_TOKEN)
    user.github_login = "alice"
    user.save()


def connect(*, user: User, installation_id: int, account: str) -> GitHubAppInstallation:
    """The user's connection of an installation, as installation_connect leaves it."""
    return GitHubAppInstallation.objects.create(
        user=user,
        installation_id=installation_id,
        account_login=account,
        account_type="Organization" if account == "acme" else "User",
        repository_selection="all",
    )
