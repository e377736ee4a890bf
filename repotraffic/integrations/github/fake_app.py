"""The fake GitHub's GitHub App: its key, its installations, the tokens it mints for
them, and organization memberships (how a user proves they own an organization).

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    fake.set_app(app_id=4242, public_key=key.public_key())
    fake.add_installation(55, account="acme", account_type="Organization")
    fake.add_org_member("acme", "alice", role="admin")

The app's own endpoints (GET /app/installations/{id}, POST .../access_tokens) take its
JSON Web Token, checked as GitHub checks it, or answer 401 with GitHub's words (as
users report them): "A JSON web token could not be decoded" (no app set, not three
base64url parts, another algorithm than RS256, a signature the app's public key does not
verify, or another issuer than the app's ID); "'Issued at' claim ('iat') must be an
Integer representing the time that the assertion was issued" (iat missing or ahead of
now); "'Expiration time' claim ('exp') must be a numeric value representing the future
time at which the assertion expires" (exp missing or past); "'Expiration time' claim
('exp') is too far in the future" (more than 10 minutes ahead). These times are real
time, as the client's clock reads it (the rate limits' too): the fake clock moves the
figures and the tokens' lifetimes.

POST /app/installations/{id}/access_tokens: 201 {"token": "ghs_" and 36 characters,
"expires_at" an hour ahead on the fake clock, "permissions", "repository_selection"};
404 "Not Found" for an installation the app does not have; 403 "This installation has
been suspended". A minted token (kind "app", login "installation-<id>") sees the
repositories of its installation's account, all of them or those the installation was
given, private ones included, with push access (the app asks Administration: read). It
answers 401 "Bad credentials" once the fake clock reaches its expires_at, and once its
installation is removed or suspended.

GET /app/installations/{id}: the installation, with its account and suspended_at.
GET /user/memberships/orgs/{org}: a user token's membership {state, role, organization,
user}; 404 "Not Found" when the user is not a member; an installation token 403
"Resource not accessible by integration".
"""

import base64
import binascii
import datetime as dt
import json
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from repotraffic.integrations.github import fake_activity
from repotraffic.integrations.github.fake_payloads import GITHUB_WEB, timestamp, user_simple
from repotraffic.integrations.github.fake_state import (
    EPOCH,
    FakeInstallation,
    FakeRepo,
    FakeToken,
    MintedToken,
    State,
)

APP_SLUG = "repotraffic"
TOKEN_LIFETIME = dt.timedelta(hours=1)
JWT_LONGEST_SECONDS = 600  # GitHub takes an exp at most 10 minutes ahead
# The app's permissions: reading traffic needs Administration: read.
PERMISSIONS = {"administration": "read", "contents": "read", "metadata": "read"}
JWT_UNDECODABLE = "A JSON web token could not be decoded"
JWT_BAD_IAT = (
    "'Issued at' claim ('iat') must be an Integer representing the time that the "
    "assertion was issued"
)
JWT_EXPIRED = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time "
    "at which the assertion expires"
)
JWT_TOO_LONG = "'Expiration time' claim ('exp') is too far in the future"
SUSPENDED = "This installation has been suspended"


def _unbase64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (true included)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def jwt_refusal(*, jwt: str, app_id: int | None, public_key: Any, now: float) -> str | None:
    """GitHub's words for refusing the JWT at `now` (epoch seconds), or None."""
    parts = jwt.split(".")
    if app_id is None or public_key is None or len(parts) != 3:
        return JWT_UNDECODABLE
    try:
        header = json.loads(_unbase64url(parts[0]))
        claims = json.loads(_unbase64url(parts[1]))
        signature = _unbase64url(parts[2])
    except (ValueError, binascii.Error):
        return JWT_UNDECODABLE
    if not (isinstance(header, dict) and isinstance(claims, dict)) or header.get("alg") != "RS256":
        return JWT_UNDECODABLE
    try:
        signed = f"{parts[0]}.{parts[1]}".encode()
        public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return JWT_UNDECODABLE
    if str(claims.get("iss")) != str(app_id):  # GitHub takes the issuer's key to verify
        return JWT_UNDECODABLE
    issued, expires = _number(claims.get("iat")), _number(claims.get("exp"))
    if issued is None or not issued.is_integer() or issued > now:
        return JWT_BAD_IAT
    if expires is None or expires <= now:
        return JWT_EXPIRED
    if expires > now + JWT_LONGEST_SECONDS:
        return JWT_TOO_LONG
    return None


def installation_payload(
    *, api: str, installation: FakeInstallation, app_id: int
) -> dict[str, Any]:
    """GET /app/installations/{id}: the description's installation."""
    account = user_simple(api=api, login=installation.account, kind=installation.account_type)
    settings_page = (
        f"organizations/{installation.account}/settings"
        if installation.account_type == "Organization"
        else "settings"
    )
    suspended_at = installation.suspended_at
    return {
        "id": installation.id,
        "account": account,
        "repository_selection": "all" if installation.repositories is None else "selected",
        "access_tokens_url": f"{api}/app/installations/{installation.id}/access_tokens",
        "repositories_url": f"{api}/installation/repositories",
        "html_url": f"{GITHUB_WEB}/{settings_page}/installations/{installation.id}",
        "app_id": app_id,
        "app_slug": APP_SLUG,
        "target_id": account["id"],
        "target_type": installation.account_type,
        "permissions": dict(PERMISSIONS),
        "events": [],
        "created_at": timestamp(EPOCH),
        "updated_at": timestamp(EPOCH),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None if suspended_at is None else account,
        "suspended_at": None if suspended_at is None else timestamp(suspended_at),
    }


def organization_simple(*, api: str, org: str) -> dict[str, Any]:
    url = f"{api}/orgs/{org}"
    org_id = fake_activity.number_id("user", org.lower())
    return {
        "login": org,
        "id": org_id,
        "node_id": f"O_{org_id:x}",
        "url": url,
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events",
        "hooks_url": f"{url}/hooks",
        "issues_url": f"{url}/issues",
        "members_url": f"{url}/members{{/member}}",
        "public_members_url": f"{url}/public_members{{/member}}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{org_id}?v=4",
        "description": None,
    }


class FakeAppMixin:
    """FakeGitHub's GitHub App (see the module's text): its control operations, and what
    fake_http and fake_routes ask of it. The state and lock are FakeGitHub's."""

    _lock: threading.RLock
    _state: State

    if TYPE_CHECKING:

        def now(self) -> dt.datetime: ...

    # --- control --------------------------------------------------------------------

    def set_app(self, *, app_id: int, public_key: rsa.RSAPublicKey) -> None:
        """The app whose JWTs the fake takes: its ID and public key."""
        with self._lock:
            self._state.app_id = int(app_id)
            self._state.app_public_key = public_key

    def add_installation(
        self,
        installation_id: int,
        *,
        account: str,
        account_type: str = "User",
        repositories: list[str] | set[str] | None = None,
        suspended: bool = False,
    ) -> None:
        """The app installed on `account` ("User" or "Organization"), for all of its
        repositories or for those named."""
        if account_type not in ("User", "Organization"):
            raise ValueError("account_type must be User or Organization")
        with self._lock:
            self._state.installations[installation_id] = FakeInstallation(
                id=installation_id,
                account=account,
                account_type=account_type,
                repositories=None if repositories is None else {n.lower() for n in repositories},
                suspended_at=self.now() if suspended else None,
            )

    def remove_installation(self, installation_id: int) -> None:
        """The app uninstalled: its tokens stop working."""
        with self._lock:
            self._state.installations.pop(installation_id, None)

    def suspend_installation(self, installation_id: int, *, suspended: bool = True) -> None:
        with self._lock:
            installation = self._state.installations[installation_id]
            installation.suspended_at = self.now() if suspended else None

    def add_org_member(
        self, org: str, login: str, *, role: str = "member", state: str = "active"
    ) -> None:
        """`login` in organization `org`: role "admin" (an owner) or "member"."""
        with self._lock:
            self._state.memberships[(org.lower(), login.lower())] = (org, role, state)

    def installation_tokens(self, installation_id: int) -> list[str]:
        """The tokens minted for the installation so far, oldest first (tests)."""
        with self._lock:
            return [
                token
                for token, minted in self._state.minted.items()
                if minted.installation_id == installation_id
            ]

    # --- for the request handler ----------------------------------------------------

    def app_jwt_refusal(self, jwt: str | None) -> str | None:
        """GitHub's words for refusing the app's JWT now (real time), or None."""
        with self._lock:
            app_id, public_key = self._state.app_id, self._state.app_public_key
        return jwt_refusal(jwt=jwt or "", app_id=app_id, public_key=public_key, now=time.time())

    def app_installation_answer(self, *, installation_id: int, api: str) -> tuple[int, Any]:
        with self._lock:
            installation = self._state.installations.get(installation_id)
            if installation is None or self._state.app_id is None:
                return 404, "Not Found"
            return 200, installation_payload(
                api=api, installation=installation, app_id=self._state.app_id
            )

    def app_access_token_answer(self, *, installation_id: int) -> tuple[int, Any]:
        with self._lock:
            installation = self._state.installations.get(installation_id)
            if installation is None:
                return 404, "Not Found"
            if installation.suspended_at is not None:
                return 403, SUSPENDED
            token = f"ghs_{secrets.token_hex(18)}"
            expires = (self.now() + TOKEN_LIFETIME).replace(microsecond=0)
            login = f"installation-{installation_id}"
            self._state.tokens[token] = FakeToken(login=login, kind="app")
            self._state.minted[token] = MintedToken(
                installation_id=installation_id, expires_at=expires
            )
            return 201, {
                "token": token,
                "expires_at": timestamp(expires),
                "permissions": dict(PERMISSIONS),
                "repository_selection": "all" if installation.repositories is None else "selected",
            }

    def membership_answer(self, *, org: str, login: str, api: str) -> tuple[int, Any]:
        with self._lock:
            found = self._state.memberships.get((org.lower(), login.lower()))
        if found is None:
            return 404, "Not Found"
        org_login, role, state = found
        return 200, {
            "url": f"{api}/orgs/{org_login}/memberships/{login}",
            "state": state,
            "role": role,
            "organization_url": f"{api}/orgs/{org_login}",
            "organization": organization_simple(api=api, org=org_login),
            "user": user_simple(api=api, login=login),
            "permissions": {"can_create_repository": True},
        }

    def installation_token_live(self, minted: MintedToken) -> bool:
        """Whether a minted token still works: not expired, its installation still there
        and not suspended."""
        with self._lock:
            if self.now() >= minted.expires_at:
                return False
            installation = self._state.installations.get(minted.installation_id)
            return installation is not None and installation.suspended_at is None

    def installation_sees(self, minted: MintedToken, repo: FakeRepo) -> bool:
        """Whether a minted token sees the repository: one of its installation's."""
        with self._lock:
            installation = self._state.installations.get(minted.installation_id)
            if installation is None or repo.owner.lower() != installation.account.lower():
                return False
            chosen = installation.repositories
            return chosen is None or repo.name.lower() in chosen
