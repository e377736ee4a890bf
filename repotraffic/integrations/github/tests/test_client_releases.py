"""github_releases_fetch: the releases and their assets' download counts, page by page."""

import datetime as dt
from typing import Any

import httpx
import pytest

from repotraffic.integrations.github import client
from repotraffic.integrations.github.client import (
    GitHubError,
    GitHubErrorCause,
    github_releases_fetch,
)
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import NOW, TOKEN

RELEASES = "/repos/acme/rocket/releases"


def fetch(**overrides: Any) -> client.ReleaseList:
    return github_releases_fetch(
        **{"token": TOKEN, "owner": "acme", "name": "rocket", "max_pages": 3, **overrides}
    )


def test_each_release_with_its_assets_and_their_download_counts(fake: FakeGitHub):
    fake.add_release(
        "acme", "rocket", "v9.0.0", published="2026-11-10", assets=["rocket.tar.gz", "rocket.whl"]
    )

    result = fetch()

    newest = result.releases[0]
    assert (newest.tag_name, newest.name) == ("v9.0.0", "v9.0.0")
    assert newest.published_at == dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)
    assert [asset.name for asset in newest.assets] == ["rocket.tar.gz", "rocket.whl"]
    assert all(asset.download_count > 0 and asset.id > 0 for asset in newest.assets)
    assert len({asset.id for release in result.releases for asset in release.assets}) == sum(
        len(release.assets) for release in result.releases
    )
    assert result.complete and result.fetched_on == NOW.date()
    assert fake.request_counts() == {RELEASES: 1}


def test_a_release_appears_once_published(fake: FakeGitHub):
    fake.add_release("acme", "rocket", "v9.0.0", published="2026-11-13")

    assert "v9.0.0" not in {release.tag_name for release in fetch().releases}
    fake.advance(days=1)
    assert "v9.0.0" in {release.tag_name for release in fetch().releases}


def test_pages_are_followed_up_to_the_budget(fake: FakeGitHub):
    for number in range(150):
        fake.add_release("acme", "rocket", f"v1.{number}", published="2025-06-01")
    everything = fetch()
    fake.reset_requests()

    cut = fetch(max_pages=1)

    assert everything.complete and len(everything.releases) > 150
    assert not cut.complete and len(cut.releases) == 100
    assert fake.request_counts() == {RELEASES: 1}


def test_the_budget_defaults_to_the_setting(fake: FakeGitHub, settings):
    for number in range(150):
        fake.add_release("acme", "rocket", f"v1.{number}", published="2025-06-01")
    settings.TRAFFIC_RELEASE_PAGES = 1

    assert not fetch(max_pages=None).complete


def test_no_releases_is_an_empty_complete_list(fake: FakeGitHub):
    fake.set_now("2023-06-01T00:00:00Z")  # before the fake's first release

    result = fetch()

    assert result.releases == [] and result.complete


@pytest.mark.parametrize(
    "item",
    [
        "not an object",
        {"id": 1, "tag_name": "v1", "published_at": "2026-01-01T00:00:00Z"},  # no assets
        {"id": 1, "tag_name": "", "published_at": None, "assets": []},
        {"id": "1", "tag_name": "v1", "published_at": None, "assets": []},
        {"id": 1, "tag_name": "v1", "published_at": "yesterday", "assets": []},
        {
            "id": 1,
            "tag_name": "v1",
            "published_at": "2026-01-01T00:00:00Z",
            "assets": [{"id": 2, "name": "a.zip", "download_count": "7"}],
        },
        {
            "id": 1,
            "tag_name": "v1",
            "published_at": "2026-01-01T00:00:00Z",
            "assets": [{"id": 2, "download_count": 7}],
        },
    ],
)
def test_a_malformed_release_is_refused(github_answers, item):
    github_answers(lambda request: httpx.Response(200, json=[item]))

    with pytest.raises(GitHubError) as caught:
        fetch()

    assert caught.value.cause == GitHubErrorCause.MALFORMED
    assert "acme/rocket releases" in caught.value.message


def test_a_wrong_shape_from_github_is_malformed(fake: FakeGitHub):
    fake.inject_fault("wrong_shape", path="releases")

    with pytest.raises(GitHubError) as caught:
        fetch()

    assert caught.value.cause == GitHubErrorCause.MALFORMED
