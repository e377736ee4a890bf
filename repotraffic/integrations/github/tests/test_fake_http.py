"""The headers the fake GitHub requires and sends, as GitHub does: a User-Agent, a
supported X-GitHub-Api-Version, a request id on every answer, the permission an
endpoint needs, and error bodies that link the endpoint's own documentation."""

import json
import re

import pytest

from repotraffic.integrations.github import client
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.fake_http import SUPPORTED_API_VERSIONS
from repotraffic.integrations.github.tests.helpers import (
    TOKEN,
    fetch,
    http_get,
    http_get_exactly,
)

PATHS = {
    "/user": None,
    "/repos/acme/rocket": "metadata=read",
    "/repos/acme/rocket/traffic/views": "administration=read",
    "/repos/acme/rocket/traffic/clones": "administration=read",
    "/repos/acme/rocket/traffic/popular/referrers": "administration=read",
    "/repos/acme/rocket/traffic/popular/paths": "administration=read",
    "/repos/acme/rocket/stargazers": "metadata=read",
    "/repos/acme/rocket/releases": "contents=read",
}
# GitHub's request ids: five hexadecimal fields, e.g. "D24F:221686:28BC1:9F91F:69D56197".
REQUEST_ID = re.compile(r"^[0-9A-F]+(:[0-9A-F]+){4}$")


@pytest.mark.parametrize("user_agent", [None, "", "  "])
def test_a_request_without_a_user_agent_is_refused_in_githubs_words(
    fake: FakeGitHub, user_agent: str | None
) -> None:
    fake.inject_fault("502")
    headers = {"Authorization": f"token {TOKEN}"}
    if user_agent is not None:
        headers["User-Agent"] = user_agent

    status, response, body = http_get_exactly(fake.url + "/user", headers=headers)

    assert status == 403
    assert response["Content-Type"].startswith("text/html")
    assert body.decode().startswith(
        "Request forbidden by administrative rules. Please make sure your request has a "
        "User-Agent header"
    )
    assert REQUEST_ID.match(response["X-GitHub-Request-Id"])
    assert response["X-RateLimit-Limit"] is None  # refused before the API counts it
    assert fake.state()["faults"] != []  # and no fault spent on it


def test_an_unsupported_api_version_is_refused_in_githubs_words(fake: FakeGitHub) -> None:
    status, _, body = http_get(
        fake.url + "/user", token=TOKEN, headers={"X-GitHub-Api-Version": "2023-01-01"}
    )

    assert status == 400
    assert json.loads(body) == {
        "message": "Bad Request",
        "errors": 'The version you specified in the "X-GitHub-API-Version" request header, '
        '"2023-01-01", is not a supported version. The following versions are currently '
        'supported: "2026-03-10" (most recent) and "2022-11-28".',
        "documentation_url": "https://docs.github.com/rest",
        "status": "400",
    }


@pytest.mark.parametrize(
    ("sent", "selected"), [(None, "2022-11-28"), *((v, v) for v in SUPPORTED_API_VERSIONS)]
)
def test_each_supported_api_version_is_answered_and_named(
    fake: FakeGitHub, sent: str | None, selected: str
) -> None:
    headers = {"X-GitHub-Api-Version": sent} if sent else {}

    status, response, body = http_get(fake.url + "/repos/acme/rocket", token=TOKEN, headers=headers)

    assert (status, response["X-GitHub-Api-Version-Selected"]) == (200, selected)
    # 2026-03-10 removed has_downloads from repositories (the description's breaking changes).
    assert ("has_downloads" in json.loads(body)) == (selected == "2022-11-28")


def test_every_answer_carries_its_own_request_id(fake: FakeGitHub) -> None:
    answers = [
        http_get(fake.url + "/user", token=TOKEN),
        http_get(fake.url + "/user", token=TOKEN),
        http_get(fake.url + "/user"),  # 401
        http_get(fake.url + "/nothing", token=TOKEN),  # 404
        http_get(fake.url + "/user", token=TOKEN, headers={"X-GitHub-Api-Version": "v3"}),
        http_get_exactly(fake.url + "/user", headers={}),  # no User-Agent
    ]

    ids = [headers["X-GitHub-Request-Id"] for _, headers, _ in answers]
    assert all(REQUEST_ID.match(request_id) for request_id in ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(("path", "permission"), PATHS.items())
def test_each_endpoint_names_the_permission_it_needs(
    fake: FakeGitHub, path: str, permission: str | None
) -> None:
    fake.add_token("ghp_no_push", push=False, kind="fine_grained")

    for token in (TOKEN, "ghp_no_push"):  # on a success and on a refusal alike
        _, headers, _ = http_get(fake.url + path, token=token)
        assert headers["X-Accepted-GitHub-Permissions"] == permission


@pytest.mark.parametrize(
    ("path", "token", "status", "docs"),
    [
        (
            "/repos/acme/nope",
            TOKEN,
            404,
            "https://docs.github.com/rest/repos/repos#get-a-repository",
        ),
        (
            "/repos/acme/rocket/traffic/clones",
            "ghp_no_push",
            403,
            "https://docs.github.com/rest/metrics/traffic#get-repository-clones",
        ),
        (
            "/repos/acme/rocket/traffic/views?per=month",
            TOKEN,
            422,
            "https://docs.github.com/rest/metrics/traffic#get-page-views",
        ),
        (
            "/repos/acme/nope/traffic/popular/referrers",
            TOKEN,
            404,
            "https://docs.github.com/rest/metrics/traffic#get-top-referral-sources",
        ),
        (
            "/repos/acme/rocket/traffic/popular/paths",
            "ghp_no_push",
            403,
            "https://docs.github.com/rest/metrics/traffic#get-top-referral-paths",
        ),
        (
            "/repos/acme/rocket/stargazers",
            "ghp_no_push",
            403,
            "https://docs.github.com/rest/activity/starring#list-stargazers",
        ),
        (
            "/repos/acme/nope/releases",
            TOKEN,
            404,
            "https://docs.github.com/rest/releases/releases#list-releases",
        ),
        (
            "/user",
            "ghs_app",
            403,
            "https://docs.github.com/rest/users/users#get-the-authenticated-user",
        ),
        (
            "/installation/repositories",
            TOKEN,
            403,
            "https://docs.github.com/rest/apps/installations"
            "#list-repositories-accessible-to-the-app-installation",
        ),
        ("/user", "unknown", 401, "https://docs.github.com/rest"),
        ("/repos/acme/rocket/nothing", TOKEN, 404, "https://docs.github.com/rest"),
    ],
)
def test_error_bodies_link_their_endpoints_documentation(
    fake: FakeGitHub, path: str, token: str, status: int, docs: str
) -> None:
    fake.add_token("ghp_no_push", push=False)
    fake.add_token("ghs_app", kind="app")

    answered, _, body = http_get(fake.url + path, token=token)

    assert answered == status
    assert json.loads(body)["documentation_url"] == docs


@pytest.mark.parametrize("path", [*PATHS, "/installation/repositories"])
def test_a_path_with_a_trailing_slash_is_not_found(fake: FakeGitHub, path: str) -> None:
    fake.add_token("ghs_app", kind="app")
    token = "ghs_app" if path.startswith("/installation") else TOKEN
    assert http_get(fake.url + path, token=token)[0] == 200

    status, headers, body = http_get(fake.url + path + "/", token=token)

    assert (status, json.loads(body)["message"]) == (404, "Not Found")
    assert headers["X-Accepted-GitHub-Permissions"] is None


def test_the_clients_requests_carry_the_required_headers_and_no_trailing_slash(
    fake: FakeGitHub,
) -> None:
    fake.add_token("ghs_app", kind="app")
    fetch()
    client.github_repository_get(token=TOKEN, owner="acme", name="rocket")
    client.github_token_check(token=TOKEN)
    client.github_token_check(token="ghs_app")

    logged = fake.requests_log()
    assert {entry["path"] for entry in logged} >= {
        "/repos/acme/rocket/traffic/views",
        "/repos/acme/rocket",
        "/user",
        "/installation/repositories",
    }
    for entry in logged:
        assert not entry["path"].endswith("/"), entry
        assert entry["headers"]["user-agent"] == client.USER_AGENT
        assert entry["headers"]["x-github-api-version"] in SUPPORTED_API_VERSIONS
