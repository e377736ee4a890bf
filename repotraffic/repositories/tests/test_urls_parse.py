import pytest

from repotraffic.common.exceptions import ApplicationError
from repotraffic.repositories.urls_parse import github_owner_parse, github_url_parse

CANONICAL = "https://github.com/HackSoftware/Django-Styleguide"


@pytest.mark.parametrize(
    "pasted",
    [
        "https://github.com/HackSoftware/Django-Styleguide",
        "http://github.com/HackSoftware/Django-Styleguide",
        "github.com/HackSoftware/Django-Styleguide",
        "www.github.com/HackSoftware/Django-Styleguide",
        "https://www.github.com/HackSoftware/Django-Styleguide/",
        "https://github.com/HackSoftware/Django-Styleguide.git",
        "HTTPS://GitHub.com/HackSoftware/Django-Styleguide",
        "  https://github.com/HackSoftware/Django-Styleguide  ",
        "https://github.com/HackSoftware/Django-Styleguide/tree/master/docs",
        "https://github.com/HackSoftware/Django-Styleguide/issues/12",
        "https://github.com/HackSoftware/Django-Styleguide?tab=readme#top",
        "git@github.com:HackSoftware/Django-Styleguide.git",
    ],
)
def test_forms_people_paste_become_the_canonical_url(pasted):
    assert github_url_parse(url=pasted).url == CANONICAL


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("a", True),
        ("x" * 100, True),
        ("x" * 101, False),
        ("my.repo_name-2", True),
        (".", False),
        ("..", False),
        (".github", True),
        ("bad name", False),
        ("bad%20name", False),
        ("naïve", False),
    ],
)
def test_repository_name_rules(name, valid):
    url = f"https://github.com/acme/{name}"
    if valid:
        assert github_url_parse(url=url).name == name
    else:
        with pytest.raises(ApplicationError):
            github_url_parse(url=url)


@pytest.mark.parametrize(
    ("owner", "valid"),
    [
        ("a", True),
        ("a" * 39, True),
        ("a" * 40, False),
        ("acme-corp", True),
        ("-acme", False),
        ("acme-", False),
        ("ac--me", False),
        ("ac_me", False),
        ("ac.me", False),
    ],
)
def test_owner_rules(owner, valid):
    url = f"https://github.com/{owner}/rocket"
    if valid:
        assert github_url_parse(url=url).owner == owner
    else:
        with pytest.raises(ApplicationError, match="owner"):
            github_url_parse(url=url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://github.com.evil.com/acme/rocket", "host must be github.com"),
        ("https://evilgithub.com/acme/rocket", "host must be github.com"),
        ("https://gitlab.com/acme/rocket", "host must be github.com"),
        ("https://github.com@evil.com/acme/rocket", "user name"),
        ("https://user:pw@github.com/acme/rocket", "user name"),
        ("https://github.com:8443/acme/rocket", "port"),
        ("ftp://github.com/acme/rocket", "http and https"),
        ("javascript:alert(1)", "not a GitHub repository URL"),
        ("https://github.com/acme", "owner and a repository name"),
        ("https://github.com/", "owner and a repository name"),
        ("https://github.com/acme/.git", "repository name"),
        ("https://github.com/orgs/acme", "GitHub page"),
        ("https://github.com/acme/rocket space", "spaces"),
        ("", "must not be empty"),
        ("https://[::1", "cannot be read"),
    ],
)
def test_rejected_with_a_reason(url, words):
    with pytest.raises(ApplicationError, match=words):
        github_url_parse(url=url)


@pytest.mark.parametrize("owner", ["acme", "HackSoftware", "a", "my-org-2", " acme "])
def test_an_account_name_is_taken_trimmed(owner):
    assert github_owner_parse(owner=owner) == owner.strip()


@pytest.mark.parametrize("owner", ["", "-acme", "acme-", "ac--me", "a" * 40, "acme/rocket", "*"])
def test_an_account_name_github_would_not_allow_is_refused(owner):
    with pytest.raises(ApplicationError, match="not a GitHub account name"):
        github_owner_parse(owner=owner)
