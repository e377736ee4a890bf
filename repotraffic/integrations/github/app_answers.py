"""What GitHub answers about a GitHub App, parsed by answers.py's rule (strict models of
the fields read; an answer that does not parse is MALFORMED): an installation, a token
minted for one, and a user's membership of an organization. A part of client.py, which
other code imports from.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from repotraffic.integrations.github.answers import validated

# --- what other code uses ----------------------------------------------------------


@dataclass(frozen=True)
class AppInstallation:
    """GET /app/installations/{id}: where the app is installed. `account_type` is "User"
    or "Organization" ("Enterprise" for an enterprise, whose `account_login` is its slug;
    "" for none)."""

    id: int
    account_login: str
    account_type: str
    repository_selection: str  # "all" the account's repositories, or "selected" ones
    suspended: bool


@dataclass(frozen=True)
class InstallationGrant:
    """POST /app/installations/{id}/access_tokens: a new installation token."""

    token: str = field(repr=False)
    expires_at: dt.datetime  # UTC, on GitHub's clock
    repository_selection: str  # "all" or "selected"


@dataclass(frozen=True)
class OrgMembership:
    """GET /user/memberships/orgs/{org}: the token's user in an organization."""

    state: str  # "active", or "pending" (invited, not joined yet)
    role: str  # "admin" (an owner), "member" or "billing_manager"

    @property
    def is_owner(self) -> bool:
        return self.state == "active" and self.role == "admin"


# --- GitHub's JSON, as far as repotraffic reads it ---------------------------------

Text = Annotated[str, Field(min_length=1)]
Selection = Literal["all", "selected"]


class _Wire(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class _Account(_Wire):
    """A user or an organization (login, type), or an enterprise (slug)."""

    login: str | None = None
    type: str | None = None
    slug: str | None = None


class _Installation(_Wire):
    id: Annotated[int, Field(ge=1)]
    account: _Account | None
    repository_selection: Selection
    suspended_at: AwareDatetime | None = None


class _InstallationToken(_Wire):
    token: Text
    expires_at: AwareDatetime
    repository_selection: Selection = "all"


class _Membership(_Wire):
    state: Text
    role: Text


_INSTALLATION = TypeAdapter(_Installation)
_INSTALLATION_TOKEN = TypeAdapter(_InstallationToken)
_MEMBERSHIP = TypeAdapter(_Membership)


# --- the parsers -------------------------------------------------------------------


def installation_parse(*, body: bytes, subject: str) -> AppInstallation:
    item = validated(_INSTALLATION, body=body, subject=subject)
    account = item.account or _Account()
    if account.login:
        login, kind = account.login, account.type or "User"
    else:
        login, kind = account.slug or "", "Enterprise" if account.slug else ""
    return AppInstallation(
        id=item.id,
        account_login=login,
        account_type=kind,
        repository_selection=item.repository_selection,
        suspended=item.suspended_at is not None,
    )


def installation_token_parse(*, body: bytes, subject: str) -> InstallationGrant:
    item = validated(_INSTALLATION_TOKEN, body=body, subject=subject)
    return InstallationGrant(
        token=item.token,
        expires_at=item.expires_at.astimezone(dt.UTC),
        repository_selection=item.repository_selection,
    )


def membership_parse(*, body: bytes, subject: str) -> OrgMembership:
    item = validated(_MEMBERSHIP, body=body, subject=subject)
    return OrgMembership(state=item.state, role=item.role)
