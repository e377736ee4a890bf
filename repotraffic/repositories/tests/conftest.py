import pytest


@pytest.fixture
def github_repos(github):
    """The fake GitHub with the public repositories these tests add, the server's token
    allowed to push to them."""
    for owner, name in (
        ("acme", "rocket"),
        ("acme", "one"),
        ("acme", "two"),
        ("HackSoftware", "Django-Styleguide"),
    ):
        github.add_repo(owner, name)
    return github
