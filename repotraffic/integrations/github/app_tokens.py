"""The operator's GitHub App, for client.py (other code imports from there): the app's
JSON Web Token, its installations' tokens, and what proves that a user controls an
installation's account.

The app. GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (checked at start by the settings)
sign a JWT with RS256 for each call to the app's own endpoints: issued 60 s in the past
(GitHub's advice against clock drift), expiring 9 minutes from now (GitHub takes at most
10, and refuses "too far in the future" when our clock runs ahead of its), issued by the
app's ID.

Installation tokens. POST /app/installations/{id}/access_tokens mints one, valid for an
hour. It is kept in this process's memory, nowhere else (no database, cache or log line),
and a forked child starts without any. The next call from 5 minutes before it expires
mints a new one. The lifetime is read on GitHub's clock (expires_at less the answer's
Date), so a local clock that is off does not keep an expired token. The threads of a
process share each token, and one of them at a time mints. A token GitHub refuses
before then (401: revoked, say) is replaced once, within the request that met the
refusal (transport.Call.renew), and a call begun with a token carries on with its
installation's newest. When the installation's owner chose its repositories
("selected"), GET /installation/repositories names them, read once per token.

Budget. GitHub counts an installation's requests together, whichever of its tokens made
them. So every token of installation N is known at its gate (budget.gates), by its
connection pool and in backfill budgets by one key, made of GITHUB_API_URL, the app's ID
and N (`InstallationToken.gate_key`): the cap and a pause apply to the installation,
and the key stays the same when the token changes every hour. The app's own requests
(its JWTs) have a gate of the app's.
"""

import base64
import datetime as dt
import functools
import json
import os
import threading
import urllib.parse
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

from repotraffic.integrations.github import answers, app_answers, rate_limits, transport
from repotraffic.integrations.github.app_answers import AppInstallation, OrgMembership
from repotraffic.integrations.github.errors import (
    GitHubError,
    GitHubErrorCause,
    body_message,
    status_error,
)

JWT_BACKDATE_SECONDS = 60
JWT_LIFETIME_SECONDS = 9 * 60
RENEW_BEFORE_SECONDS = 5 * 60
# GET /installation/repositories, 100 a page: at most 5,000 selected repositories.
_SELECTED_PAGES_MAX = 50
_PER_PAGE = 100


@dataclass(frozen=True)
class InstallationToken:
    """A token of a GitHub App installation, as this process keeps it."""

    installation_id: int
    token: str = field(repr=False)
    gate_key: str  # the installation's, whichever token it holds (see the module's text)
    renew_at: float  # epoch seconds, by client.py's clock: from then, a new one is minted
    # The "owner/name" (lower case) it reaches when the installation has selected
    # repositories; None: every repository of the installation's account.
    repositories: frozenset[str] | None

    def covers(self, *, owner: str, name: str) -> bool:
        """Whether it reaches owner/name, an account's repository the installation is on."""
        return self.repositories is None or f"{owner}/{name}".lower() in self.repositories


# --- the app -------------------------------------------------------------------------


def app_configured() -> bool:
    """Whether the operator set a GitHub App (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)."""
    return bool(getattr(settings, "GITHUB_APP_ID", 0)) and bool(
        getattr(settings, "GITHUB_APP_PRIVATE_KEY", "")
    )


@functools.cache
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):  # the settings refuse one already
        raise TypeError("GITHUB_APP_PRIVATE_KEY is not an RSA key")
    return key


def _app() -> tuple[int, rsa.RSAPrivateKey]:
    if not app_configured():
        raise GitHubError(
            GitHubErrorCause.NO_TOKEN,
            "this server has no GitHub App: its operator sets GITHUB_APP_ID and "
            "GITHUB_APP_PRIVATE_KEY to collect through app installations",
        )
    return int(settings.GITHUB_APP_ID), _private_key(settings.GITHUB_APP_PRIVATE_KEY)


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def app_jwt(*, app_id: int, private_key: rsa.RSAPrivateKey, now: float) -> str:
    """The app's JSON Web Token at `now` (epoch seconds), signed with RS256."""
    header = {"alg": "RS256", "typ": "JWT"}
    claims = {
        "iat": int(now) - JWT_BACKDATE_SECONDS,
        "exp": int(now) + JWT_LIFETIME_SECONDS,
        "iss": app_id,
    }
    signing_input = ".".join(
        _base64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_base64url(signature)}"


def _app_gate_key(*, api_url: str, app_id: int) -> str:
    return rate_limits.token_key(api_url=api_url, token=f"github-app:{app_id}")


def installation_gate_key(*, api_url: str, app_id: int, installation_id: int) -> str:
    """What names installation N's tokens at the gate: the same for each of them."""
    return rate_limits.token_key(
        api_url=api_url, token=f"github-app:{app_id}:installation:{installation_id}"
    )


def _app_call(*, timing: transport.Timing, interactive: bool) -> transport.Call:
    app_id, private_key = _app()
    config = transport.config_read(interactive=interactive)
    return transport.Call(
        config=config,
        token=app_jwt(app_id=app_id, private_key=private_key, now=timing.clock()),
        token_key=_app_gate_key(api_url=config.api_url, app_id=app_id),
        timing=timing,
    )


def _installation_refusal(status: int, body: str, *, installation_id: int) -> GitHubError:
    """GitHub's refusal of the app's request about an installation, in words for the
    user who connected it (404, 403) or for the operator (401)."""
    said = body_message(body=body)
    said_part = f": {said}" if said else ""
    if status == 404:
        return GitHubError(
            GitHubErrorCause.NOT_FOUND,
            f"GitHub App installation {installation_id} was not found (HTTP 404{said_part}): "
            "the app was uninstalled from its account, or the number is not an installation "
            "of this server's app; install the app again and connect the new installation, "
            "or delete this connection",
        )
    if status == 403:
        return GitHubError(
            GitHubErrorCause.BAD_CREDENTIALS,
            f"GitHub refused tokens for GitHub App installation {installation_id} "
            f"(HTTP 403{said_part}): if it is suspended, an owner of its account can "
            "unsuspend it (account settings, Applications, Installed GitHub Apps)",
        )
    if status == 401:
        return GitHubError(
            GitHubErrorCause.BAD_CREDENTIALS,
            f"GitHub refused this server's GitHub App (HTTP 401{said_part}): its operator "
            "must check GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and the server's clock",
        )
    return status_error(
        status=status, body=body, subject=f"GitHub App installation {installation_id}", repo=None
    )


def installation_get(
    *, installation_id: int, timing: transport.Timing, interactive: bool = False
) -> AppInstallation:
    """GET /app/installations/{id}, as the app: whose account it is on."""
    subject = f"GitHub App installation {installation_id}"
    answer = transport.request(
        call=_app_call(timing=timing, interactive=interactive),
        method="GET",
        path=f"/app/installations/{installation_id}",
        params=None,
        subject=subject,
        repo=None,
        refusal=functools.partial(_installation_refusal, installation_id=installation_id),
    )
    return app_answers.installation_parse(body=answer.body, subject=subject)


# --- installation tokens -----------------------------------------------------------

_Key = tuple[str, int, int]  # GITHUB_API_URL, the app's ID, the installation's ID


class _Tokens:
    """This process's installation tokens, thread-safe: each installation's newest, and
    the installation of a token (its newest and the one before, so that a call begun
    with the one before carries on with the newest)."""

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        """Drops every token (a forked child; tests), and the locks with them."""
        self._lock = threading.Lock()
        self._newest: dict[_Key, InstallationToken] = {}
        self._of_token: dict[str, _Key] = {}  # by rate_limits.token_key of the token
        self._before: dict[_Key, str] = {}  # the token key of the one before the newest
        self._minting: dict[_Key, threading.Lock] = {}

    def newest(self, key: _Key) -> InstallationToken | None:
        with self._lock:
            return self._newest.get(key)

    def of_token(self, token_key: str) -> InstallationToken | None:
        with self._lock:
            key = self._of_token.get(token_key)
            return None if key is None else self._newest.get(key)

    def put(self, key: _Key, token: InstallationToken) -> None:
        with self._lock:
            old = self._newest.get(key)
            if old is not None:
                self._of_token.pop(self._before.pop(key, ""), None)
                self._before[key] = rate_limits.token_key(api_url=key[0], token=old.token)
            self._newest[key] = token
            self._of_token[rate_limits.token_key(api_url=key[0], token=token.token)] = key

    def minting(self, key: _Key) -> threading.Lock:
        """The lock one thread holds while it mints the installation's next token."""
        with self._lock:
            return self._minting.setdefault(key, threading.Lock())


_tokens = _Tokens()
os.register_at_fork(after_in_child=_tokens.forget)


def installation_tokens_forget() -> None:
    """Forgets every installation token this process holds (tests)."""
    _tokens.forget()


def _key(installation_id: int) -> _Key:
    app_id, _ = _app()
    return transport.config_read().api_url, app_id, installation_id


def _repositories_selected(
    *, token: str, gate_key: str, timing: transport.Timing, interactive: bool
) -> frozenset[str]:
    call = transport.call_open(
        token=token, timing=timing, interactive=interactive, token_key=gate_key
    )
    names: set[str] = set()
    for page in range(1, _SELECTED_PAGES_MAX + 1):
        answer, items = installation_repositories_page_get(call=call, page=page)
        names.update(item.full_name.lower() for item in items)
        if not (answer.has_next and items):
            break
    return frozenset(names)


def installation_repositories_page_get(
    *, call: transport.Call, page: int
) -> tuple[transport.Answer, list[answers.ListedRepository]]:
    """Page `page` (100 a page) of GET /installation/repositories: what an installation
    token reaches."""
    subject = f"the GitHub App installation's repositories (page {page})"
    answer = transport.get(
        call=call,
        path="/installation/repositories",
        params={"per_page": str(_PER_PAGE), "page": str(page)},
        subject=subject,
        repo=None,
    )
    return answer, answers.installation_repository_page_parse(body=answer.body, subject=subject)


def _mint(*, key: _Key, timing: transport.Timing, interactive: bool) -> InstallationToken:
    api_url, app_id, installation_id = key
    subject = f"a token for GitHub App installation {installation_id}"
    answer = transport.request(
        call=_app_call(timing=timing, interactive=interactive),
        method="POST",
        path=f"/app/installations/{installation_id}/access_tokens",
        params=None,
        subject=subject,
        repo=None,
        refusal=functools.partial(_installation_refusal, installation_id=installation_id),
    )
    grant = app_answers.installation_token_parse(body=answer.body, subject=subject)
    now = timing.clock()
    answered_at = answer.moment or dt.datetime.fromtimestamp(now, tz=dt.UTC)
    lifetime = (grant.expires_at - answered_at).total_seconds()
    gate_key = installation_gate_key(
        api_url=api_url, app_id=app_id, installation_id=installation_id
    )
    repositories = None
    if grant.repository_selection == "selected":
        repositories = _repositories_selected(
            token=grant.token, gate_key=gate_key, timing=timing, interactive=interactive
        )
    return InstallationToken(
        installation_id=installation_id,
        token=grant.token,
        gate_key=gate_key,
        renew_at=now + lifetime - RENEW_BEFORE_SECONDS,
        repositories=repositories,
    )


def installation_token_get(
    *, installation_id: int, timing: transport.Timing, interactive: bool = False
) -> InstallationToken:
    """The installation's token: the one this process holds until RENEW_BEFORE_SECONDS
    before it expires, else a new one. Raises GitHubError when GitHub mints none: the
    installation was removed (NOT_FOUND) or suspended, or the app's key was refused
    (BAD_CREDENTIALS)."""
    key = _key(installation_id)
    held = _tokens.newest(key)
    if held is not None and timing.clock() < held.renew_at:
        return held
    with _tokens.minting(key):
        held = _tokens.newest(key)  # another thread's, minted while this one waited
        if held is not None and timing.clock() < held.renew_at:
            return held
        fresh = _mint(key=key, timing=timing, interactive=interactive)
        _tokens.put(key, fresh)
        return fresh


def _renew(
    refused: str, *, installation_id: int, timing: transport.Timing, interactive: bool
) -> str:
    """A token for the installation instead of `refused`, which GitHub answered 401: the
    newest when another thread has replaced it already, else a new one."""
    key = _key(installation_id)
    with _tokens.minting(key):
        held = _tokens.newest(key)
        if held is not None and held.token != refused:
            return held.token
        fresh = _mint(key=key, timing=timing, interactive=interactive)
        _tokens.put(key, fresh)
        return fresh.token


def _held(token: str) -> InstallationToken | None:
    """The newest token of the installation that `token` is one of, if this process
    minted it."""
    api_url = transport.config_read().api_url
    return _tokens.of_token(rate_limits.token_key(api_url=api_url, token=token.strip()))


def call_open(
    *, token: str | None, timing: transport.Timing, interactive: bool = False
) -> transport.Call:
    """client.py's calls: with `token`; or, for an installation token, with its
    installation's newest token, gate key and renewal."""
    held = _held(token) if token else None
    if held is None:
        return transport.call_open(token=token, timing=timing, interactive=interactive)
    renew = functools.partial(
        _renew, installation_id=held.installation_id, timing=timing, interactive=interactive
    )
    return transport.call_open(
        token=held.token,
        timing=timing,
        interactive=interactive,
        token_key=held.gate_key,
        renew=renew,
    )


def token_gate_key(*, token: str) -> str:
    """What names a token at its gate: its installation's key for an installation token
    this process minted, else the token's own (rate_limits.token_key)."""
    held = _held(token)
    if held is not None:
        return held.gate_key
    return rate_limits.token_key(api_url=transport.config_read().api_url, token=token.strip())


# --- the proof that a user controls an organization --------------------------------


def _membership_refusal(status: int, body: str, *, org: str) -> GitHubError:
    said = body_message(body=body)
    said_part = f": {said}" if said else ""
    if status == 404:
        return GitHubError(GitHubErrorCause.NOT_FOUND, f"the token's user is not a member of {org}")
    if status == 403:
        return GitHubError(
            GitHubErrorCause.BAD_CREDENTIALS,
            f"GitHub would not show the token's membership of {org} (HTTP 403{said_part}): "
            "a classic token needs the read:org scope, a fine-grained one the organization "
            "permission Members: read",
        )
    return status_error(status=status, body=body, subject=f"membership of {org}", repo=None)


def org_membership_get(
    *, token: str, org: str, timing: transport.Timing, interactive: bool = False
) -> OrgMembership | None:
    """GET /user/memberships/orgs/{org}: the token's user's membership of the
    organization, or None when they are not a member."""
    call = transport.call_open(token=token, timing=timing, interactive=interactive)
    subject = f"the token's membership of {org}"
    try:
        answer = transport.request(
            call=call,
            method="GET",
            path=f"/user/memberships/orgs/{urllib.parse.quote(org, safe='')}",
            params=None,
            subject=subject,
            repo=None,
            refusal=functools.partial(_membership_refusal, org=org),
        )
    except GitHubError as error:
        if error.cause == GitHubErrorCause.NOT_FOUND:
            return None
        raise
    return app_answers.membership_parse(body=answer.body, subject=subject)
