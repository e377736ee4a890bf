"""fake_app.py: the fake's GitHub App takes a JWT only as GitHub does, mints installation
tokens that expire on the fake clock and see their installation's repositories only,
and answers memberships; its answers validate against GitHub's REST description."""

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from repotraffic.integrations.github import app_tokens, fake_app
from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.app_helpers import (
    APP_ID,
    app_key,
    github_app_use,
    jwt_signed,
)
from repotraffic.integrations.github.tests.helpers import TOKEN, http_get

DESCRIPTION = json.loads((Path(__file__).parent / "github_rest_schemas.json").read_text())


def http_post(url: str, *, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=b"{}", method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def a_jwt(**claims: Any) -> str:
    now = int(time.time())
    return jwt_signed(
        key=app_key(), claims={"iat": now - 60, "exp": now + 540, "iss": APP_ID, **claims}
    )


@pytest.fixture
def app(fake: FakeGitHub, settings: Any) -> FakeGitHub:
    github_app_use(fake=fake, settings=settings)
    fake.add_installation(55, account="acme", account_type="Organization")
    return fake


def mint(fake: FakeGitHub, installation_id: int = 55) -> str:
    status, body = http_post(
        f"{fake.url}/app/installations/{installation_id}/access_tokens", token=a_jwt()
    )
    assert status == 201, body
    return str(body["token"])


def test_the_clients_jwt_mints_a_token_for_an_hour_of_the_fake_clock(app: FakeGitHub) -> None:
    jwt = app_tokens.app_jwt(app_id=APP_ID, private_key=app_key(), now=time.time())

    status, body = http_post(f"{app.url}/app/installations/55/access_tokens", token=jwt)

    assert status == 201
    assert body["token"].startswith("ghs_") and len(body["token"]) == 40
    assert body["expires_at"] == "2026-11-12T19:30:15Z"  # the fake's NOW, plus an hour
    assert body["repository_selection"] == "all"
    assert app.installation_tokens(55) == [body["token"]]


@pytest.mark.parametrize(
    ("jwt", "words"),
    [
        (lambda: jwt_signed(key=app_key("another app's"), claims={"iss": APP_ID}), "decoded"),
        (lambda: a_jwt(iss=APP_ID + 1), "A JSON web token could not be decoded"),
        (lambda: a_jwt(iat=int(time.time()) - 700, exp=int(time.time()) - 60), "future time"),
        (lambda: a_jwt(exp=int(time.time()) + 3600), "too far in the future"),
        (lambda: a_jwt(iat=int(time.time()) + 120), "'Issued at' claim ('iat')"),
        (lambda: TOKEN, "A JSON web token could not be decoded"),
    ],
    ids=["bad signature", "wrong issuer", "expired", "too long", "issued ahead", "not a JWT"],
)
def test_a_jwt_github_would_refuse_is_a_401_in_its_words(
    app: FakeGitHub, jwt: Any, words: str
) -> None:
    status, body = http_post(f"{app.url}/app/installations/55/access_tokens", token=jwt())

    assert status == 401
    assert words in body["message"]
    assert app.installation_tokens(55) == []


def test_no_app_set_refuses_every_jwt(fake: FakeGitHub) -> None:
    status, body = http_post(f"{fake.url}/app/installations/55/access_tokens", token=a_jwt())

    assert (status, body["message"]) == (401, fake_app.JWT_UNDECODABLE)


def test_an_unknown_installation_is_a_404_and_a_suspended_one_a_403(app: FakeGitHub) -> None:
    app.add_installation(56, account="octo", suspended=True)

    assert http_post(f"{app.url}/app/installations/57/access_tokens", token=a_jwt())[0] == 404
    status, body = http_post(f"{app.url}/app/installations/56/access_tokens", token=a_jwt())
    assert (status, body["message"]) == (403, "This installation has been suspended")


def test_an_installation_token_sees_its_accounts_repositories_only(app: FakeGitHub) -> None:
    app.add_repo("acme", "secret", private=True, push_tokens=[TOKEN])
    app.add_repo("octo", "widgets")
    token = mint(app)

    assert http_get(f"{app.url}/repos/acme/secret/traffic/views", token=token)[0] == 200
    assert http_get(f"{app.url}/repos/octo/widgets", token=token)[0] == 404
    _, _, body = http_get(f"{app.url}/installation/repositories", token=token)
    listed = [repo["full_name"] for repo in json.loads(body)["repositories"]]
    assert listed == ["acme/rocket", "acme/secret"]


def test_a_selected_installation_sees_the_repositories_it_was_given(app: FakeGitHub) -> None:
    app.add_repo("acme", "other")
    app.add_installation(55, account="acme", account_type="Organization", repositories=["other"])
    token = mint(app)

    assert http_get(f"{app.url}/repos/acme/rocket", token=token)[0] == 404
    assert http_get(f"{app.url}/repos/acme/other", token=token)[0] == 200


def test_a_token_is_refused_once_the_fake_clock_reaches_its_expiry(app: FakeGitHub) -> None:
    token = mint(app)
    app.advance(minutes=59)
    assert http_get(f"{app.url}/repos/acme/rocket", token=token)[0] == 200

    app.advance(minutes=1)

    status, _, body = http_get(f"{app.url}/repos/acme/rocket", token=token)
    assert (status, json.loads(body)["message"]) == (401, "Bad credentials")


@pytest.mark.parametrize("gone", ["removed", "suspended"])
def test_a_token_stops_working_with_its_installation(app: FakeGitHub, gone: str) -> None:
    token = mint(app)

    if gone == "removed":
        app.remove_installation(55)
    else:
        app.suspend_installation(55)

    assert http_get(f"{app.url}/repos/acme/rocket", token=token)[0] == 401


def test_memberships_answer_the_tokens_user(app: FakeGitHub) -> None:
    app.add_org_member("acme", "alice", role="admin")
    url = f"{app.url}/user/memberships/orgs/ACME"

    status, _, body = http_get(url, token=TOKEN)
    assert status == 200
    assert {key: json.loads(body)[key] for key in ("state", "role")} == {
        "state": "active",
        "role": "admin",
    }
    assert http_get(f"{app.url}/user/memberships/orgs/octo", token=TOKEN)[0] == 404
    assert http_get(url, token=mint(app))[0] == 403


def _errors(operation: str, payload: Any) -> list[str]:
    schema = {**DESCRIPTION["operations"][operation]["schema"], "$defs": DESCRIPTION["$defs"]}
    return [
        f"{list(e.absolute_path)}: {e.message}"
        for e in Draft202012Validator(schema).iter_errors(payload)
    ]


def test_the_answers_validate_against_the_descriptions_schemas(app: FakeGitHub) -> None:
    app.add_installation(56, account="alice", suspended=True)
    app.add_org_member("acme", "alice", role="member")
    _, minted = http_post(f"{app.url}/app/installations/55/access_tokens", token=a_jwt())
    answers = {
        "POST /app/installations/{installation_id}/access_tokens": [minted],
        "GET /app/installations/{installation_id}": [
            json.loads(http_get(f"{app.url}/app/installations/{number}", token=a_jwt())[2])
            for number in (55, 56)
        ],
        "GET /user/memberships/orgs/{org}": [
            json.loads(http_get(f"{app.url}/user/memberships/orgs/acme", token=TOKEN)[2])
        ],
    }

    for operation, payloads in answers.items():
        for payload in payloads:
            assert _errors(operation, payload) == [], operation
