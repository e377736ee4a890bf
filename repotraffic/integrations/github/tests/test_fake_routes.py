"""The fake GitHub's list endpoints for the next features: stargazers (with their star
times) and releases (with download counts), paginated as GitHub paginates."""

import datetime as dt
import json
import re
from typing import Any

import pytest

from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.fake_routes import STAR_MEDIA_TYPE
from repotraffic.integrations.github.tests.helpers import TOKEN, http_get

STARS = {"Accept": STAR_MEDIA_TYPE}


def _get(fake: FakeGitHub, path: str, **headers: str) -> tuple[int, Any, Any]:
    status, response, body = http_get(fake.url + path, token=TOKEN, headers=headers)
    return status, response, json.loads(body)


def _links(response: Any) -> dict[str, str]:
    """rel -> URL of a Link header."""
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"] or "")}


def _all_stargazers(fake: FakeGitHub, owner: str, name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        path = f"/repos/{owner}/{name}/stargazers?per_page=100&page={page}"
        status, _, body = _get(fake, path, **STARS)
        assert status == 200
        if not body:
            return items
        items += body
        page += 1


def test_stargazers_are_as_many_as_the_repository_counts_and_accumulate(
    fake: FakeGitHub,
) -> None:
    fake.add_repo("acme", "small", stars=5)
    fake.set_now("2020-03-01T10:00:00Z")
    counted = _get(fake, "/repos/acme/small")[2]["stargazers_count"]
    earlier = _all_stargazers(fake, "acme", "small")
    assert len(earlier) == counted == fake.stargazers_count("acme", "small") > 5

    fake.advance(days=40, hours=3)
    later = _all_stargazers(fake, "acme", "small")

    assert len(later) == _get(fake, "/repos/acme/small")[2]["stargazers_count"] > len(earlier)
    assert later[: len(earlier)] == earlier  # oldest first: new stars come at the end
    times = [item["starred_at"] for item in later]
    assert times == sorted(times) and times[-1] <= "2020-04-10T13:00:00Z"
    assert len({item["user"]["login"] for item in later}) == len(later)


def test_without_the_star_media_type_stargazers_are_plain_users(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "small", stars=3)
    fake.set_now("2020-01-01T00:00:00Z")

    plain = _get(fake, "/repos/acme/small/stargazers")[2]
    timed = _get(fake, "/repos/acme/small/stargazers", **STARS)[2]

    assert plain == [item["user"] for item in timed]
    assert [item["starred_at"] for item in timed] == [
        "2019-12-31T22:00:00Z",
        "2019-12-31T23:00:00Z",
        "2020-01-01T00:00:00Z",
    ]


def test_many_stargazers_page_up_to_githubs_limit_of_400_pages(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "famous", stars=5000)
    assert fake.stargazers_count("acme", "famous") > 4000

    status, response, first = _get(fake, "/repos/acme/famous/stargazers?per_page=10", **STARS)
    assert (status, len(first)) == (200, 10)
    links = _links(response)
    repo_id = _get(fake, "/repos/acme/famous")[2]["id"]
    assert links["next"] == f"{fake.url}/repositories/{repo_id}/stargazers?per_page=10&page=2"
    assert links["last"].endswith("per_page=10&page=400")

    # GitHub's links name the repository by id; the fake follows them.
    by_id = http_get(links["next"], token=TOKEN, headers=STARS)
    by_name = _get(fake, "/repos/acme/famous/stargazers?per_page=10&page=2", **STARS)
    assert (by_id[0], json.loads(by_id[2])) == (200, by_name[2])

    assert len(_get(fake, "/repos/acme/famous/stargazers?per_page=10&page=400")[2]) == 10
    status, response, body = _get(fake, "/repos/acme/famous/stargazers?per_page=10&page=401")
    assert status == 422
    assert body["message"].startswith("In order to keep the API fast for everyone, pagination")
    assert _links(response)["last"].endswith("page=400")


def test_per_page_is_at_most_100(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "famous", stars=500)

    assert len(_get(fake, "/repos/acme/famous/stargazers?per_page=1000")[2]) == 100
    assert len(_get(fake, "/repos/acme/famous/stargazers")[2]) == 30


def test_only_collaborators_list_stargazers(fake: FakeGitHub) -> None:
    fake.add_token("ghp_reader", push=False)
    fake.add_repo("acme", "secret", private=True, push_tokens=[TOKEN])

    status, _, body = http_get(fake.url + "/repos/acme/rocket/stargazers", token="ghp_reader")
    assert (status, json.loads(body)["message"]) == (403, "Forbidden")
    assert http_get(fake.url + "/repos/acme/secret/stargazers", token="ghp_reader")[0] == 404
    assert http_get(fake.url + "/repos/acme/secret/stargazers", token=TOKEN)[0] == 200


def test_releases_are_listed_newest_first_once_published(fake: FakeGitHub) -> None:
    fake.set_now("2026-06-01T12:00:00Z")
    releases = _get(fake, "/repos/acme/rocket/releases?per_page=100")[2]

    published = [release["published_at"] for release in releases]
    assert releases and published == sorted(published, reverse=True)
    assert published[0] <= "2026-06-01T12:00:00Z"
    assert [release["tag_name"] for release in releases][-1] == "v0.1.0"
    assert all(len(release["assets"]) == 2 for release in releases)


def test_an_added_release_appears_on_its_day_and_its_downloads_grow_by_the_hour(
    fake: FakeGitHub,
) -> None:
    fake.add_release("acme", "rocket", "v9.0.0", published=dt.date(2026, 11, 20))

    def added() -> dict[str, Any] | None:
        releases = _get(fake, "/repos/acme/rocket/releases")[2]
        return next((r for r in releases if r["tag_name"] == "v9.0.0"), None)

    fake.set_now("2026-11-20T11:59:59Z")
    assert added() is None
    fake.set_now("2026-11-20T12:00:00Z")
    release = added()
    assert release is not None and release["published_at"] == "2026-11-20T12:00:00Z"
    (asset,) = release["assets"]
    assert (asset["name"], asset["download_count"]) == ("rocket-v9.0.0.tar.gz", 0)

    counts = []
    for moment in ("13:00:00", "13:59:59", "2026-11-21T12:00:00", "2026-12-20T12:00:00"):
        fake.set_now(moment if "T" in moment else f"2026-11-20T{moment}Z")
        counts.append(added()["assets"][0]["download_count"])  # type: ignore[index]
    assert counts[0] == counts[1]  # by the hour, not by the second
    assert counts[1] <= counts[2] < counts[3]


def test_releases_paginate_with_githubs_link_header(fake: FakeGitHub) -> None:
    fake.set_now("2026-11-12T00:00:00Z")
    everything = _get(fake, "/repos/acme/rocket/releases?per_page=100")[2]

    status, response, first = _get(fake, "/repos/acme/rocket/releases?per_page=2")
    _, _, second = _get(fake, "/repos/acme/rocket/releases?per_page=2&page=2")

    assert status == 200 and first + second == everything[:4]
    assert _links(response)["last"].endswith(f"page={-(-len(everything) // 2)}")


def test_adding_a_release_needs_the_repository(fake: FakeGitHub) -> None:
    with pytest.raises(ValueError, match="add the repository"):
        fake.add_release("acme", "missing", "v1", published="2026-01-01")


def test_installation_repositories_paginate_with_githubs_link_header(fake: FakeGitHub) -> None:
    fake.add_token("ghs_app", kind="app")
    fake.add_repo("octo", "widgets")

    status, response, body = http_get(
        fake.url + "/installation/repositories?per_page=1", token="ghs_app"
    )

    assert status == 200 and json.loads(body)["total_count"] == 2
    assert _links(response) == {
        "next": f"{fake.url}/installation/repositories?per_page=1&page=2",
        "last": f"{fake.url}/installation/repositories?per_page=1&page=2",
    }
