import pytest

from repotraffic.integrations.github.tests.app_helpers import github_app_use
from repotraffic.users.crypto import secret_encrypt

OWN_TOKEN = "ghp_alice_own_7c1d"


@pytest.fixture
def app(github, settings):
    """The fake GitHub with the server's GitHub App, installed on alice's account (55)
    and on the organization acme (56)."""
    github_app_use(fake=github, settings=settings)
    github.add_installation(55, account="alice")
    github.add_installation(56, account="acme", account_type="Organization")
    return github


@pytest.fixture
def alice(user, github):
    """The API user, with her own GitHub token (login alice) set."""
    github.add_token(OWN_TOKEN, login="alice")
    user.github_token_encrypted = secret_encrypt(OWN_TOKEN)
    user.github_login = "alice"
    user.save()
    return user
