"""A fake GitHub REST API: a real HTTP server on loopback, for tests, demos and benchmarks.

    with FakeGitHub() as fake:            # or: fake = FakeGitHub(); fake.start(); fake.stop()
        fake.add_token("t0k", login="alice")
        fake.add_repo("acme", "rocket")
        fake.set_now("2026-11-12T18:00:00Z")
        ...  # point GITHUB_API_URL at fake.url

`python manage.py fake_github --port 8765 [--latency-ms 100] [--seed-demo]` runs it in the
foreground. It follows GitHub's REST description (npm @octokit/openapi 23.0.2,
api.github.com) for the endpoints in fake_routes.py; tests/github_rest_schemas.json
holds the response schemas its answers are checked against. It is api.github.com:
GitHub Enterprise Server has no traffic endpoints (none in ghes-3.17..3.19), so no
/api/v3 prefix is served.

Reported traffic (tests compute their expectations from this)
--------------------------------------------------------------
`truth(owner, name, day)` is the (views, unique_views, clones, unique_clones) that really
happened: deterministic per repository, uniques <= counts, and some days are 0. (A
repository added with profile="realistic" has traffic shaped like a real project's
instead, for the demo: fake_realistic.py; the rules below report it alike.) Let `now`
be the fake clock (UTC), `today = now.date()` and `hour` the whole hours since today
00:00 UTC (minutes and seconds make no difference: GitHub's buckets move by the hour).
GET /repos/{o}/{n}/traffic/views (or /clones) with per=day (the default) covers the 15
days today-14 .. today, oldest first. Each day's true count c and uniques u are reported
as `c * n // d` and `u * n // d` for the share n/d:

    today           9/10 * hour / 24           the day in progress (grows by the hour)
    today-1         9/10 while hour < 6 (before 06:00 UTC), then 1/1 (revised up)
    today-2..-13    1/1
    today-14        (24 - hour) / 24           cut short: the window rolls by the hour

then, if the scaled count is > 0 but the scaled uniques is 0, uniques becomes 1. A day
whose scaled count is 0 is omitted (views and clones independently). Top-level "count"
is the sum of the reported daily counts; top-level "uniques" is the largest reported
daily uniques plus half (floor) of the sum of the other days' uniques. per=week groups
the reported daily buckets by ISO week (timestamp: the Monday, 00:00:00Z) with count =
sum and uniques = the same largest-plus-half rule over that week's days. Timestamps look
like "2026-11-12T00:00:00Z".

Where the other rules live
--------------------------
The top-10 referrer and page lists: fake_traffic.py. Stars, releases and their
downloads over time: fake_activity.py. The realistic profile: fake_realistic.py. The
endpoints, who may read what, pagination and error bodies: fake_routes.py. The headers
GitHub requires and sends, rate limits and the control endpoint (POST /_fake/state):
fake_http.py. Faults: fake_faults.py. Requests in flight at once: fake_concurrency.py.
The GitHub App (its JWT, installations and their tokens, organization memberships):
fake_app.py. The state behind them is defined in fake_state.py; this module is the one
to import from.
"""

import datetime as dt
import itertools
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import asdict
from typing import Any, TypedDict

from repotraffic.integrations.github import fake_activity, fake_realistic, fake_traffic
from repotraffic.integrations.github.fake_app import FakeAppMixin
from repotraffic.integrations.github.fake_concurrency import ConcurrencyMeter
from repotraffic.integrations.github.fake_faults import fault_build
from repotraffic.integrations.github.fake_http import CONTROL_KEYS, FakeHTTPServer
from repotraffic.integrations.github.fake_realistic import Spike
from repotraffic.integrations.github.fake_state import (
    PROFILES,
    TOKEN_KINDS,
    FakeFault,
    FakeRelease,
    FakeRepo,
    FakeToken,
    RateWindow,
    State,
    repo_key,
    utc,
)

DEMO_TOKEN = "demo-token"  # noqa: S105 (the fake's public demo token)
DEMO_REPOSITORIES = (("acme", "rocket"), ("acme", "launchpad"), ("octo", "widgets"))
RATE_WINDOW_SECONDS = 3600.0


class _StateDefaults(TypedDict):
    """What reset() keeps: the settings the fake was built with."""

    latency_ms: float
    rate_limit: int


class FakeGitHub(FakeAppMixin):
    """The fake's state, its control operations, and the server's life cycle."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        rate_limit: int = 5000,
    ) -> None:
        self.host = host
        self.port = port
        self._defaults: _StateDefaults = {"latency_ms": latency_ms, "rate_limit": rate_limit}
        self._lock = threading.RLock()
        # Set on stop() so that handlers sleeping for latency or a "timeout" fault end.
        self._stopping = threading.Event()
        self._server: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._state = State(**self._defaults)
        self._request_numbers = itertools.count(1)  # never reset: request ids stay unique
        # Outside State: reset() must not lose count of requests still in flight.
        self._concurrency = ConcurrencyMeter()

    # --- life cycle -------------------------------------------------------------

    def _bind(self) -> FakeHTTPServer:
        self._stopping.clear()
        self._server = FakeHTTPServer((self.host, self.port), fake=self)
        self.port = self._server.server_address[1]
        return self._server

    def start(self) -> "FakeGitHub":
        """Serves in a background thread; returns at once, ready for requests."""
        server = self._bind()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"fake-github-{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "FakeGitHub":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- control ----------------------------------------------------------------

    def reset(self) -> None:
        """Forgets every token, repository, fault, count and clock setting."""
        with self._lock:
            self._state = State(**self._defaults)
            self._concurrency.reset()

    def add_token(
        self, token: str, *, login: str | None = None, push: bool = True, kind: str = "classic"
    ) -> None:
        if not token or kind not in TOKEN_KINDS:
            raise ValueError(f"a token needs a value and a kind among {TOKEN_KINDS}")
        with self._lock:
            login = login or f"user{len(self._state.tokens) + 1}"
            self._state.tokens[token] = FakeToken(login=login, push=push, kind=kind)

    def add_repo(
        self,
        owner: str,
        name: str,
        *,
        private: bool = False,
        push_tokens: list[str] | set[str] | None = None,
        stars: int | None = None,
        profile: str = "default",
        created: dt.datetime | str | None = None,
    ) -> None:
        """`stars`: the stargazers it had on 2020-01-01 (fake_activity.py). `profile`:
        how its figures are shaped, "default" or "realistic" (fake_realistic.py).
        `created`: when it was created at GitHub (default: before its first star)."""
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}")
        with self._lock:
            self._state.repos[repo_key(owner, name)] = FakeRepo(
                owner=owner,
                name=name,
                private=private,
                push_tokens=None if push_tokens is None else set(push_tokens),
                stars=None if stars is None else int(stars),
                profile=profile,
                created_at=None if created is None else utc(created),
            )

    def remove_repo(self, owner: str, name: str) -> None:
        """The repository is gone (deleted, or made private to everyone we know)."""
        with self._lock:
            self._state.repos.pop(repo_key(owner, name), None)

    def add_release(
        self,
        owner: str,
        name: str,
        tag: str,
        *,
        published: dt.date | dt.datetime | str,
        assets: list[str] | None = None,
    ) -> None:
        """A release published on a day (at 12:00 UTC) or at a moment; it replaces a
        release of the same tag. Its assets default to one "<name>-<tag>.tar.gz"."""
        if isinstance(published, str):
            published = utc(published) if "T" in published else dt.date.fromisoformat(published)
        if not isinstance(published, dt.datetime):
            published = dt.datetime.combine(published, dt.time(12), tzinfo=dt.UTC)
        with self._lock:
            repo = self._state.repos.get(repo_key(owner, name))
            if repo is None:
                raise ValueError(f"add the repository {owner}/{name} first")
            repo.releases[tag] = FakeRelease(
                tag=tag,
                published_at=utc(published),
                assets=tuple(assets if assets is not None else [f"{name}-{tag}.tar.gz"]),
            )

    def now(self) -> dt.datetime:
        with self._lock:
            return self._state.now or dt.datetime.now(dt.UTC)

    def set_now(self, now: dt.datetime | str | None) -> None:
        """Fixes the clock (naive means UTC); None goes back to real time."""
        with self._lock:
            self._state.now = None if now is None else utc(now)

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> None:
        """Moves the clock on, fixing it first if it followed real time."""
        delta = dt.timedelta(days=days, hours=hours, minutes=minutes)
        with self._lock:
            self._state.now = self.now() + delta

    def set_latency(self, latency_ms: float) -> None:
        with self._lock:
            self._state.latency_ms = max(0.0, float(latency_ms))

    def set_rate_limit(self, limit: int) -> None:
        with self._lock:
            self._state.rate_limit = int(limit)
            self._state.rate.clear()

    def reset_rate_limits(self) -> None:
        with self._lock:
            self._state.rate.clear()

    def inject_fault(self, kind: str, *, count: int = 1, **options: Any) -> None:
        """Makes the next `count` matching API requests fail; see fake_faults.py."""
        fault = fault_build(kind=kind, count=count, options=options)
        with self._lock:
            self._state.faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._state.faults.clear()

    def reset_requests(self) -> None:
        with self._lock:
            self._state.counts.clear()
            self._state.log.clear()

    def request_counts(self) -> dict[str, int]:
        """API requests per path (query string left out) since the last reset."""
        with self._lock:
            return dict(self._state.counts)

    def requests_log(self) -> list[dict[str, Any]]:
        """The last 1000 API requests: path, query and the headers a test may check."""
        with self._lock:
            return list(self._state.log)

    def concurrency_peaks(self) -> dict[str, int]:
        """The most API requests answered at once, per login of their token ("" for no or
        an unknown token), since the last reset; see fake_concurrency.py."""
        return self._concurrency.peaks()

    def concurrency_reset(self) -> None:
        self._concurrency.reset()

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self._state.counts),
                "total_requests": sum(self._state.counts.values()),
                "concurrency_peaks": self._concurrency.peaks(),
                "faults": [asdict(fault) for fault in self._state.faults],
                "repos": [
                    {"owner": repo.owner, "name": repo.name, "private": repo.private}
                    for repo in self._state.repos.values()
                ],
                # Logins only: the state is served over HTTP and tokens stay out of it.
                "tokens": [asdict(token) for token in self._state.tokens.values()],
            }

    def apply(self, control: dict[str, Any]) -> dict[str, Any]:
        """Applies a POST /_fake/state body (see fake_http.py); returns state()."""
        if not isinstance(control, dict):
            raise ValueError("the control body must be a JSON object")
        unknown = set(control) - CONTROL_KEYS
        if unknown:  # a typo must not pass silently as "nothing to do"
            raise ValueError(f"unknown keys {sorted(unknown)}; known: {sorted(CONTROL_KEYS)}")
        with self._lock:
            for token in control.get("tokens", []):
                self.add_token(**token)
            for repo in control.get("repos", []):
                self.add_repo(**repo)
            if control.get("reset_requests"):
                self.reset_requests()
            if control.get("concurrency_reset"):
                self.concurrency_reset()
            return self.state()

    def seed_demo(self) -> None:
        """Token "demo-token" (login "demo") with push access to acme/rocket,
        acme/launchpad (private) and octo/widgets, all with realistic figures."""
        self.add_token(DEMO_TOKEN, login="demo")
        for owner, name in DEMO_REPOSITORIES:
            private = name == "launchpad"
            push_tokens = [DEMO_TOKEN] if private else None
            self.add_repo(
                owner, name, private=private, push_tokens=push_tokens, profile="realistic"
            )

    # --- figures ----------------------------------------------------------------

    def _profile(self, owner: str, name: str) -> str:
        with self._lock:
            repo = self._state.repos.get(repo_key(owner, name))
            return repo.profile if repo else "default"

    def truth(self, owner: str, name: str, day: dt.date) -> tuple[int, int, int, int]:
        """(views, unique_views, clones, unique_clones) that really happened on `day`
        (with the default profile if the repository is not known)."""
        profile = self._profile(owner, name)
        return fake_traffic.traffic_truth(owner=owner, name=name, day=day, profile=profile)

    def reported(
        self, owner: str, name: str, *, kind: str = "views", per: str = "day"
    ) -> dict[str, Any]:
        """The body the traffic endpoint would answer now, faults aside."""
        return fake_traffic.traffic_payload(
            owner=owner,
            name=name,
            now=self.now(),
            kind=kind,
            per=per,
            profile=self._profile(owner, name),
        )

    def stargazers_count(self, owner: str, name: str) -> int:
        """The stargazers a known repository has now, as GET /repos/{owner}/{repo} says."""
        with self._lock:
            repo = self._state.repos[repo_key(owner, name)]
            stars = fake_activity.stars_get(
                owner=owner, name=name, initial=repo.stars, profile=repo.profile
            )
            return stars.count(self.now())

    @staticmethod
    def news_spikes(owner: str, name: str, *, start: dt.date, end: dt.date) -> list[Spike]:
        """The news spikes a repository with the realistic profile has from `start` to
        `end` (fake_realistic.py): when, from which site, how large."""
        return fake_realistic.spikes(owner=owner, name=name, start=start, end=end)

    # --- used by the request handler (fake_http) --------------------------------

    def wait(self, seconds: float) -> None:
        """Sleeps, but wakes up at once when the server stops."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def request_in_flight(self, *, token: str | None) -> AbstractContextManager[None]:
        """Counts an API request as in flight while the block runs (fake_concurrency.py)."""
        info = self.token_lookup(token)
        return self._concurrency.request(info.login if info is not None else "")

    def latency_seconds(self) -> float:
        with self._lock:
            return self._state.latency_ms / 1000

    def request_id_next(self) -> str:
        """A new X-GitHub-Request-Id, in GitHub's shape (five hex fields)."""
        number = next(self._request_numbers)
        mixed = number * 2_654_435_761  # spreads the digits, as GitHub's ids look random
        return (
            f"{self.port & 0xFFFF:04X}:{number:06X}:{mixed & 0xFFFFF:05X}:"
            f"{(mixed >> 20) & 0xFFFFFF:06X}:{int(time.time()):08X}"
        )

    def request_record(self, *, path: str, query: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._state.counts[path] += 1
            self._state.log.append({"path": path, "query": query, "headers": headers})

    def fault_take(self, *, path: str, repo: str | None) -> FakeFault | None:
        with self._lock:
            for fault in self._state.faults:
                if fault.path and fault.path not in path:
                    continue
                if fault.repo and (repo is None or fault.repo.lower() != repo.lower()):
                    continue
                fault.count -= 1
                if fault.count <= 0:
                    self._state.faults.remove(fault)
                return fault
            return None

    def token_lookup(self, token: str | None) -> FakeToken | None:
        """The token's holder, or None (a 401) for an unknown token or a GitHub App
        installation token that expired or whose installation is gone (fake_app.py)."""
        with self._lock:
            info = self._state.tokens.get(token) if token else None
            minted = self._state.minted.get(token) if token else None
            if minted is not None and not self.installation_token_live(minted):
                return None
            return info

    def repo_access(self, *, owner: str, name: str, token: str) -> tuple[FakeRepo | None, bool]:
        """(the repository if the token can see it, whether the token has push access)."""
        with self._lock:
            repo = self._state.repos.get(repo_key(owner, name))
            info = self._state.tokens.get(token)
            if repo is None or info is None:
                return None, False
            minted = self._state.minted.get(token)
            if minted is not None:  # its installation's repositories, private ones too
                return (repo, info.push) if self.installation_sees(minted, repo) else (None, False)
            push = info.push and (repo.push_tokens is None or token in repo.push_tokens)
            if repo.private and not push:
                return None, False
            return repo, push

    def repo_by_id(self, repo_id: int) -> FakeRepo | None:
        with self._lock:
            for repo in self._state.repos.values():
                if fake_activity.repository_id(owner=repo.owner, name=repo.name) == repo_id:
                    return repo
            return None

    def installation_repos(self, *, token: str) -> list[FakeRepo]:
        """The repositories a token can see, in a stable order."""
        with self._lock:
            return [
                repo
                for _, repo in sorted(self._state.repos.items())
                if self.repo_access(owner=repo.owner, name=repo.name, token=token)[0]
            ]

    def user_repos(self, *, token: str) -> list[tuple[FakeRepo, bool, str]]:
        """What GET /user/repos lists for a user's token, in a stable order: each
        repository the token can see and its user has explicit access to, with push
        access and its affiliation. "owner": the user's own; "collaborator": one that
        names the token (push_tokens); "organization_member": any other it can see (the
        fake's users belong to every organization: one without push access is listed
        with permissions.push false, as for a member with read access)."""
        with self._lock:
            info = self._state.tokens.get(token)
            if info is None:
                return []
            listed = []
            for _, repo in sorted(self._state.repos.items()):
                seen, push = self.repo_access(owner=repo.owner, name=repo.name, token=token)
                if seen is None:
                    continue
                if repo.owner.lower() == info.login.lower():
                    affiliation = "owner"
                elif repo.push_tokens is not None and token in repo.push_tokens:
                    affiliation = "collaborator"
                else:
                    affiliation = "organization_member"
                listed.append((repo, push, affiliation))
            return listed

    def rate_take(self, *, token: str | None, now: float) -> tuple[int, int, float, bool]:
        """Counts one request against the token: (limit, used, reset epoch, exceeded)."""
        with self._lock:
            limit = self._state.rate_limit
            if token is None:  # unauthenticated callers only ever see the anonymous limit
                return 60, 0, now + RATE_WINDOW_SECONDS, False
            window = self._state.rate.get(token)
            if window is None or now >= window.reset:
                window = RateWindow(reset=now + RATE_WINDOW_SECONDS)
                self._state.rate[token] = window
            if window.used >= limit:
                return limit, limit, window.reset, True
            window.used += 1
            return limit, window.used, window.reset, False
