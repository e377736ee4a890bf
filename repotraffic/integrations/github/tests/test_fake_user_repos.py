"""The fake's GET /user/repos, as GitHub's REST description has it: a user's
repositories by affiliation, with permissions, filters, sorting and pagination."""

import json
from typing import Any

import pytest

from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import TOKEN, http_get


def get(fake: FakeGitHub, query: str = "", *, token: str = TOKEN) -> tuple[int, Any, Any]:
    status, headers, body = http_get(f"{fake.url}/user/repos{query}", token=token)
    return status, headers, json.loads(body)


def full_names(payload: list[dict[str, Any]]) -> list[str]:
    return [item["full_name"] for item in payload]


@pytest.fixture
def world(fake: FakeGitHub) -> FakeGitHub:
    """alice (TOKEN) owns alice/mine, collaborates on bob/shared, belongs to acme (rocket:
    push; docs: read only); bob/hidden is private and not hers."""
    fake.add_repo("alice", "mine", private=True, push_tokens=[TOKEN])
    fake.add_repo("bob", "shared", push_tokens=[TOKEN, "bobs-token"])
    fake.add_repo("acme", "docs", push_tokens=["bobs-token"])
    fake.add_repo("bob", "hidden", private=True, push_tokens=["bobs-token"])
    return fake


def test_lists_what_the_user_reaches_with_permissions(world: FakeGitHub):
    status, _, payload = get(world)

    assert status == 200
    assert full_names(payload) == ["acme/docs", "acme/rocket", "alice/mine", "bob/shared"]
    push = {item["full_name"]: item["permissions"]["push"] for item in payload}
    assert push == {
        "acme/docs": False,
        "acme/rocket": True,
        "alice/mine": True,
        "bob/shared": True,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?affiliation=owner", ["alice/mine"]),
        ("?affiliation=collaborator", ["bob/shared"]),
        ("?affiliation=organization_member", ["acme/docs", "acme/rocket"]),
        ("?affiliation=owner,collaborator", ["alice/mine", "bob/shared"]),
        ("?visibility=private", ["alice/mine"]),
        ("?type=owner", ["alice/mine"]),
        ("?type=member", ["acme/docs", "acme/rocket", "bob/shared"]),
        ("?type=public", ["acme/docs", "acme/rocket", "bob/shared"]),
        ("?direction=desc", ["bob/shared", "alice/mine", "acme/rocket", "acme/docs"]),
    ],
)
def test_filters_and_order(world: FakeGitHub, query: str, expected: list[str]):
    status, _, payload = get(world, query)

    assert status == 200 and full_names(payload) == expected


def test_sorted_by_created_newest_first_by_default(fake: FakeGitHub):
    fake.add_repo("acme", "older", created="2025-01-01T00:00:00Z")
    fake.add_repo("acme", "newer", created="2026-01-01T00:00:00Z")

    _, _, payload = get(fake, "?sort=created")

    assert full_names(payload) == ["acme/newer", "acme/older", "acme/rocket"]
    assert payload[0]["created_at"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "query", ["?type=owner&affiliation=owner", "?type=all&visibility=all", "?sort=stars"]
)
def test_a_query_github_refuses_is_a_422(fake: FakeGitHub, query: str):
    status, _, payload = get(fake, query)

    assert status == 422 and payload["message"].startswith("Invalid request")


def test_an_installation_token_is_refused_as_by_github(fake: FakeGitHub):
    fake.add_token("ghs_installation", kind="app")

    status, _, payload = get(fake, token="ghs_installation")

    assert status == 403
    assert payload["message"] == "Resource not accessible by integration"


def test_pages_with_githubs_link_header(world: FakeGitHub):
    _, headers, first = get(world, "?per_page=3")
    _, _, second = get(world, "?per_page=3&page=2")

    assert full_names(first + second) == full_names(get(world)[2])
    assert f"{world.url}/user/repos?per_page=3&page=2" in headers["Link"]
    assert 'rel="last"' in headers["Link"]
