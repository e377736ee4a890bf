"""The fake GitHub's state: the tokens, repositories, faults, rate-limit windows, clock
and request log that `fake.FakeGitHub` keeps behind its lock, and the small helpers that
normalise its keys and times and seed its figures. Plain data only; the operations on it
live in `fake.py`.
"""

import datetime as dt
import hashlib
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

# The fake's first day: the stars a repository starts with were all given by then.
EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
# How a repository's figures are shaped: "default", the uniform noise the tests compute
# their expectations from (fake.py), or "realistic", shaped like a real project's for the
# demo (fake_realistic.py).
PROFILES = ("default", "realistic")
# A token's kind decides the wording of a 403 for lack of push access (fake_routes.py).
TOKEN_KINDS = ("classic", "fine_grained", "app")


@dataclass
class FakeToken:
    login: str
    push: bool = True
    kind: str = "classic"  # one of TOKEN_KINDS


@dataclass(frozen=True)
class MintedToken:
    """A token minted for a GitHub App installation (fake_app.py): it sees that
    installation's repositories only, until it expires (fake clock)."""

    installation_id: int
    expires_at: dt.datetime


@dataclass
class FakeInstallation:
    """An installation of the fake's GitHub App (fake_app.py)."""

    id: int
    account: str  # the login of the user or organization it is installed on
    account_type: str = "User"  # or "Organization"
    # Lower-case names of the account's repositories it was given; None: all of them.
    repositories: set[str] | None = None
    suspended_at: dt.datetime | None = None


@dataclass(frozen=True)
class FakeRelease:
    """A release added with `FakeGitHub.add_release`; the default ones are computed."""

    tag: str
    published_at: dt.datetime
    assets: tuple[str, ...]


@dataclass
class FakeRepo:
    owner: str
    name: str
    private: bool = False
    # None: every valid token that has push access. Otherwise only these tokens.
    push_tokens: set[str] | None = None
    # Stargazers on the fake's first day (EPOCH); None: from the name.
    stars: int | None = None
    profile: str = "default"
    releases: dict[str, FakeRelease] = field(default_factory=dict)
    # When it was created at GitHub; None: 30 days before its first star (fake_payloads).
    created_at: dt.datetime | None = None


@dataclass
class FakeFault:
    kind: str
    count: int = 1
    repo: str | None = None
    path: str | None = None
    seconds: float = 30.0
    retry_after: int = 60
    reset_in: int = 60
    status: int = 403
    variant: str = ""


@dataclass
class RateWindow:
    reset: float
    used: int = 0


@dataclass
class State:
    tokens: dict[str, FakeToken] = field(default_factory=dict)
    # The GitHub App (fake_app.py): its ID and public key, its installations, the tokens
    # minted for them (also in `tokens`), and organization memberships: (org, login) in
    # lower case -> (the organization's login, role, state).
    app_id: int | None = None
    app_public_key: Any = None
    installations: dict[int, FakeInstallation] = field(default_factory=dict)
    minted: dict[str, MintedToken] = field(default_factory=dict)
    memberships: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    repos: dict[str, FakeRepo] = field(default_factory=dict)
    now: dt.datetime | None = None
    latency_ms: float = 0.0
    rate_limit: int = 5000
    rate: dict[str, RateWindow] = field(default_factory=dict)
    faults: list[FakeFault] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))


def utc(value: dt.datetime | str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def repo_key(owner: str, name: str) -> str:
    return f"{owner}/{name}".lower()


def digest(*parts: str) -> bytes:
    """The seed of every figure: SHA-256 of the parts (a repository key first), so that
    figures are the same in every process and on every run."""
    return hashlib.sha256("|".join(parts).encode()).digest()
