"""github_repositories_list: the repositories a token reaches, page by page, from a
user's list or an installation's."""

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from repotraffic.integrations.github.client import (
    GitHubError,
    GitHubErrorCause,
    RepositoryListing,
    github_repositories_list,
)
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import TOKEN

USER_REPOS = "/user/repos"
INSTALLATION_REPOS = "/installation/repositories"


def listed(**overrides: Any) -> RepositoryListing:
    return github_repositories_list(**{"token": TOKEN, "max_pages": 5, **overrides})


def names(listing: RepositoryListing) -> list[str]:
    return [item.full_name for item in listing.repositories]


def test_a_users_token_lists_with_push_access_as_github_says(fake: FakeGitHub):
    fake.add_repo("alice", "mine")
    fake.add_repo("octo", "read-only", push_tokens=["someone-else"])
    fake.add_repo("octo", "secret", private=True, push_tokens=["someone-else"])

    listing = listed()

    by_name = {item.full_name: item for item in listing.repositories}
    assert sorted(by_name) == ["acme/rocket", "alice/mine", "octo/read-only"]  # not secret
    assert by_name["alice/mine"].can_read_traffic is True
    assert by_name["octo/read-only"].can_read_traffic is False
    assert by_name["acme/rocket"].created_at is not None
    assert (listing.complete, listing.pages_read, listing.source) == (True, 1, "user")
    assert fake.request_counts() == {USER_REPOS: 1}
    (request,) = fake.requests_log()
    assert "affiliation=owner%2Ccollaborator%2Corganization_member" in request["query"]
    assert "per_page=100" in request["query"] and "sort=full_name" in request["query"]


def test_pages_are_followed_to_the_end(fake: FakeGitHub):
    for number in range(230):
        fake.add_repo("acme", f"repo-{number:03d}")

    listing = listed()

    assert len(listing.repositories) == 231
    assert names(listing) == sorted(names(listing), key=str.lower)
    assert (listing.complete, listing.pages_read) == (True, 3)
    assert fake.request_counts() == {USER_REPOS: 3}


def test_the_page_budget_cuts_the_list_short_and_says_so(fake: FakeGitHub):
    for number in range(230):
        fake.add_repo("acme", f"repo-{number:03d}")

    listing = listed(max_pages=2)

    assert len(listing.repositories) == 200
    assert (listing.complete, listing.pages_read) == (False, 2)
    assert fake.request_counts() == {USER_REPOS: 2}


def test_an_installation_token_lists_the_installations_repositories(fake: FakeGitHub):
    fake.add_token("ghs_installation", kind="app")
    fake.add_repo("octo", "widgets")

    listing = listed(token="ghs_installation")

    assert names(listing) == ["acme/rocket", "octo/widgets"]
    assert all(item.can_read_traffic is None for item in listing.repositories)
    assert (listing.complete, listing.source) == (True, "installation")
    assert fake.request_counts() == {USER_REPOS: 1, INSTALLATION_REPOS: 1}


def test_created_after_reads_newest_first_and_stops_where_the_list_reaches_back(
    fake: FakeGitHub,
):
    for number in range(150):
        fake.add_repo("acme", f"old-{number:03d}", created="2024-01-01T00:00:00Z")
    fake.add_repo("acme", "new-one", created="2026-11-11T09:00:00Z")
    fake.add_repo("acme", "new-two", created="2026-11-12T09:00:00Z")

    listing = listed(created_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))

    assert names(listing) == ["acme/new-two", "acme/new-one"]
    assert listing.complete and listing.pages_read == 1
    (request,) = fake.requests_log()
    assert "sort=created" in request["query"] and "direction=desc" in request["query"]


def test_created_after_filters_an_installations_list(fake: FakeGitHub):
    fake.add_token("ghs_installation", kind="app")
    fake.add_repo("octo", "new", created="2026-11-11T09:00:00Z")

    listing = listed(token="ghs_installation", created_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    assert names(listing) == ["octo/new"]


def test_a_rejected_token_is_bad_credentials(fake: FakeGitHub):
    with pytest.raises(GitHubError) as caught:
        listed(token="ghp_unknown")

    assert caught.value.cause == GitHubErrorCause.BAD_CREDENTIALS
    assert "ghp_unknown" not in caught.value.message


def test_an_answer_that_is_not_a_list_of_repositories_is_malformed(github_answers):
    github_answers(lambda request: httpx.Response(200, content=json.dumps({"oops": 1})))

    with pytest.raises(GitHubError) as caught:
        listed()

    assert caught.value.cause == GitHubErrorCause.MALFORMED


def test_past_max_seconds_no_further_page_is_asked_for(fake: FakeGitHub):
    for number in range(230):
        fake.add_repo("acme", f"repo-{number:03d}")
    fake.set_latency(50)  # each page takes longer than the time allowed

    listing = listed(max_seconds=0.01)

    assert (listing.pages_read, listing.complete, listing.out_of_time) == (1, False, True)
    assert fake.request_counts() == {USER_REPOS: 1}
