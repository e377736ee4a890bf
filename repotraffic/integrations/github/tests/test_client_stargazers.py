"""github_stargazers_fetch: pages of the stargazer list with when each star was given,
checked against the fake's truth (fake_activity.py)."""

import datetime as dt
from typing import Any

import httpx
import pytest

from repotraffic.integrations.github import client, fake_activity
from repotraffic.integrations.github.client import (
    GitHubError,
    GitHubErrorCause,
    github_stargazers_fetch,
)
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import NOW, TOKEN

STARGAZERS = "/repos/acme/rocket/stargazers"
# At the fake's epoch a repository has exactly the stars it was added with.
EPOCH = fake_activity.EPOCH


def fetch(**overrides: Any) -> client.StargazerList:
    return github_stargazers_fetch(
        **{"token": TOKEN, "owner": "acme", "name": "rocket", **overrides}
    )


def fetch_error(**overrides: Any) -> GitHubError:
    with pytest.raises(GitHubError) as caught:
        fetch(**overrides)
    assert TOKEN not in caught.value.message
    return caught.value


def truth(*, stars: int, page: int) -> list[dt.datetime]:
    """When the fake says stars (page-1)*100+1 .. page*100 of acme/rocket were given."""
    given = fake_activity.stars_get(owner="acme", name="rocket", initial=stars)
    last = min(given.count(EPOCH), page * 100)
    return [given.star_time(index) for index in range((page - 1) * 100 + 1, last + 1)]


@pytest.fixture
def starred(fake: FakeGitHub) -> FakeGitHub:
    """acme/rocket with 250 stars: pages of 100, 100 and 50."""
    fake.add_repo("acme", "rocket", stars=250)
    fake.set_now(EPOCH)
    return fake


def test_each_page_holds_when_its_stars_were_given(starred: FakeGitHub) -> None:
    listing = fetch(pages=[1, 3])

    assert listing.pages == {1: truth(stars=250, page=1), 3: truth(stars=250, page=3)}
    assert len(listing.pages[1]) == 100 and len(listing.pages[3]) == 50
    assert listing.pages[1] == sorted(listing.pages[1])  # oldest first
    assert all(moment.tzinfo == dt.UTC for moment in listing.pages[1])
    assert listing.total_pages == 3
    assert listing.fetched_on == EPOCH.date()  # the fake's Date header


def test_it_asks_for_the_timestamps_100_a_page(starred: FakeGitHub) -> None:
    fetch(pages=[2])

    (logged,) = starred.requests_log()
    assert logged["path"] == STARGAZERS
    assert logged["query"] == "per_page=100&page=2"
    assert logged["headers"]["accept"] == "application/vnd.github.star+json"


def test_without_pages_it_reads_until_the_list_ends(starred: FakeGitHub) -> None:
    listing = fetch()

    assert listing.pages == {page: truth(stars=250, page=page) for page in (1, 2, 3)}
    assert listing.total_pages == 3
    assert starred.request_counts() == {STARGAZERS: 3}


def test_without_pages_it_stops_at_max_pages(starred: FakeGitHub) -> None:
    listing = fetch(max_pages=2)

    assert sorted(listing.pages) == [1, 2] and listing.total_pages == 3
    assert starred.request_counts() == {STARGAZERS: 2}


def test_a_page_past_the_end_is_read_empty(starred: FakeGitHub) -> None:
    listing = fetch(pages=[5])

    assert listing.pages == {5: []}
    assert listing.total_pages is None  # page 1 was not read


def test_pages_past_400_are_skipped_without_a_request(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "rocket", stars=45_000)
    fake.set_now(EPOCH)

    listing = fetch(pages=[401, 400, 1, 1000, 0])

    assert listing.pages == {1: truth(stars=45_000, page=1), 400: truth(stars=45_000, page=400)}
    assert listing.total_pages == 400  # GitHub's Link says so: it lists no further
    assert fake.request_counts() == {STARGAZERS: 2}


def test_only_pages_past_400_ask_nothing(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "_utc_today", lambda: dt.date(2031, 1, 2))

    listing = fetch(pages=[401, 402])

    assert listing.pages == {} and listing.total_pages is None
    assert listing.fetched_on == dt.date(2031, 1, 2)  # no answer: our clock
    assert fake.request_counts() == {}


def test_an_empty_list_is_one_empty_page(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "rocket", stars=0)
    fake.set_now(EPOCH)

    listing = fetch()

    assert listing.pages == {1: []} and listing.total_pages == 0


def test_a_list_of_one_page_has_no_link_and_one_page(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "rocket", stars=42)
    fake.set_now(EPOCH)

    listing = fetch()

    assert listing.pages == {1: truth(stars=42, page=1)} and listing.total_pages == 1


def test_the_list_follows_the_clock(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "rocket", stars=250)  # and more since 2020, one by one

    listing = fetch(pages=[1])

    total = fake.stargazers_count("acme", "rocket")
    assert listing.total_pages == -(-total // 100)
    assert listing.fetched_on == NOW.date()


# --- errors, worded like the others ---------------------------------------------


def test_a_token_without_push_access_cannot_list_them(fake: FakeGitHub) -> None:
    fake.add_token("ghp_readonly", push=False)

    error = fetch_error(token="ghp_readonly")

    assert error.cause == GitHubErrorCause.NO_PUSH_ACCESS
    assert error.message.startswith(
        "GitHub refused the token access to acme/rocket's stargazers (HTTP 403: Forbidden): "
        "the token needs push access"
    )


def test_an_unknown_repository_is_not_found(fake: FakeGitHub) -> None:
    error = fetch_error(name="nope")

    assert error.cause == GitHubErrorCause.NOT_FOUND
    assert error.message == "acme/nope was not found, or it is private and the token cannot see it"


def test_a_bad_token_is_bad_credentials(fake: FakeGitHub) -> None:
    assert fetch_error(token="ghp_revoked").cause == GitHubErrorCause.BAD_CREDENTIALS


def test_no_token_asks_nothing(fake: FakeGitHub) -> None:
    assert fetch_error(token=" ").cause == GitHubErrorCause.NO_TOKEN
    assert fake.request_counts() == {}


def test_a_transient_failure_is_retried(starred: FakeGitHub, sleeps: list[float]) -> None:
    starred.inject_fault("502", path="stargazers")

    assert fetch(pages=[1]).pages[1] == truth(stars=250, page=1)
    assert sleeps == [0.01]


def test_a_wrong_shape_is_malformed_and_names_the_page(starred: FakeGitHub) -> None:
    starred.inject_fault("wrong_shape", path="stargazers")

    error = fetch_error(pages=[2])

    assert error.cause == GitHubErrorCause.MALFORMED
    assert "acme/rocket stargazers (page 2)" in error.message


def test_stargazers_without_their_time_are_malformed(github_answers: Any) -> None:
    # What a server that ignores the star+json media type answers: the users alone.
    github_answers(lambda request: httpx.Response(200, json=[{"login": "someone"}]))

    error = fetch_error(pages=[1])

    assert error.cause == GitHubErrorCause.MALFORMED
    assert "starred_at" in error.message
