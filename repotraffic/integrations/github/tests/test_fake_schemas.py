"""The fake GitHub checked against GitHub's REST description, mechanically: every
endpoint's answer validates against the operation's 200 schema, and the fake's
documentation links and API versions are the description's. github_rest_schemas.json
is a trimmed extract of the description; its "$comment" says from which package and
how. jsonschema comes with schemathesis, a development dependency."""

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.fake_http import SUPPORTED_API_VERSIONS
from repotraffic.integrations.github.fake_routes import OPERATIONS, STAR_MEDIA_TYPE
from repotraffic.integrations.github.tests.helpers import TOKEN, http_get

DESCRIPTION = json.loads((Path(__file__).parent / "github_rest_schemas.json").read_text())
# A request per operation that the fake answers with 200, and the token to send.
REQUESTS = [
    ("GET /user", "/user", TOKEN, {}),
    ("GET /user/repos", "/user/repos", TOKEN, {}),
    ("GET /installation/repositories", "/installation/repositories", "ghs_app", {}),
    ("GET /repos/{owner}/{repo}", "/repos/acme/rocket", TOKEN, {}),
    ("GET /repos/{owner}/{repo}", "/repos/acme/rocket", "ghs_app", {}),
    ("GET /repos/{owner}/{repo}/traffic/views", "/repos/acme/rocket/traffic/views", TOKEN, {}),
    (
        "GET /repos/{owner}/{repo}/traffic/views",
        "/repos/acme/rocket/traffic/views?per=week",
        TOKEN,
        {},
    ),
    ("GET /repos/{owner}/{repo}/traffic/clones", "/repos/acme/rocket/traffic/clones", TOKEN, {}),
    (
        "GET /repos/{owner}/{repo}/traffic/popular/referrers",
        "/repos/acme/rocket/traffic/popular/referrers",
        TOKEN,
        {},
    ),
    (
        "GET /repos/{owner}/{repo}/traffic/popular/paths",
        "/repos/acme/rocket/traffic/popular/paths",
        TOKEN,
        {},
    ),
    ("GET /repos/{owner}/{repo}/stargazers", "/repos/acme/rocket/stargazers", TOKEN, {}),
    (
        "GET /repos/{owner}/{repo}/stargazers",
        "/repos/acme/rocket/stargazers",
        TOKEN,
        {"Accept": STAR_MEDIA_TYPE},
    ),
    ("GET /repos/{owner}/{repo}/releases", "/repos/acme/rocket/releases", TOKEN, {}),
]


def _validator(operation: str) -> Draft202012Validator:
    schema = {**DESCRIPTION["operations"][operation]["schema"], "$defs": DESCRIPTION["$defs"]}
    return Draft202012Validator(schema)


def test_the_extract_covers_exactly_the_operations_the_fake_serves() -> None:
    assert {operation.name for operation in OPERATIONS} == set(DESCRIPTION["operations"])


@pytest.mark.parametrize(("operation", "path", "token", "headers"), REQUESTS)
def test_each_answer_validates_against_the_descriptions_schema(
    fake: FakeGitHub, operation: str, path: str, token: str, headers: dict[str, str]
) -> None:
    fake.add_token("ghs_app", kind="app")
    fake.add_release("acme", "rocket", "v1.0.0", published="2026-11-01")

    status, _, body = http_get(fake.url + path, token=token, headers=headers)

    assert status == 200
    payload: Any = json.loads(body)
    assert payload, "an empty answer would prove nothing"
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in _validator(operation).iter_errors(payload)
    ]
    assert errors == []


def test_error_bodies_link_the_operations_documentation_from_the_description() -> None:
    assert {operation.name: operation.docs_url for operation in OPERATIONS} == {
        name: operation["documentation_url"]
        for name, operation in DESCRIPTION["operations"].items()
    }


def test_the_api_versions_are_the_descriptions() -> None:
    assert sorted(SUPPORTED_API_VERSIONS) == sorted(DESCRIPTION["api_versions"])
