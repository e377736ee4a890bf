"""The only code that talks to GitHub: a repository's traffic and snapshots, access and
token checks.

Built on PyGithub's Requester rather than its object model: traffic needs no
`get_repo` round trip, and we want the raw status, headers and body so that every
failure becomes one `GitHubError` with words the repository owner can act on.
PyGithub's own retrying and throttling are switched off; the policy here (retries
with exponential backoff, rate-limit waits) is ours, deterministic and testable.
Other code imports from this module only; errors.py (the error type and its words),
answers.py (the typed answers and their parsers) and rate_limits.py are its parts.

Settings, read at call time (each has a default, so none is required):
GITHUB_API_URL, GITHUB_TIMEOUT, GITHUB_MAX_RETRIES, GITHUB_RETRY_BACKOFF and
GITHUB_RATE_LIMIT_MAX_WAIT.

Retry budget: one first attempt plus up to GITHUB_MAX_RETRIES more. A transient
failure (5xx, connection error, timeout) waits GITHUB_RETRY_BACKOFF * 2**n seconds
before retry n+1. A rate limit whose reset is at most GITHUB_RATE_LIMIT_MAX_WAIT
seconds away waits for it, using a retry from the same budget; a further reset, or
an exhausted budget, raises RATE_LIMITED with `retry_at`.

A rate limit further than GITHUB_RATE_LIMIT_MAX_WAIT also blocks the token for the
whole process until it lifts: every later call with it (the next repository of a
run, the next task in the worker) raises the same RATE_LIMITED at once, without
asking GitHub again (see rate_limits.py). `github_rate_limit_blocks_clear` forgets
the blocks (for tests).
"""

import datetime as dt
import email.utils
import functools
import json
import logging
import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from github import Auth
from github.Requester import Requester

from repotraffic.integrations.github import rate_limits

# Re-exported ("X as X"): other code imports the answers' types from here.
from repotraffic.integrations.github.answers import PopularEntry as PopularEntry
from repotraffic.integrations.github.answers import PopularLists as PopularLists
from repotraffic.integrations.github.answers import Release as Release
from repotraffic.integrations.github.answers import ReleaseAsset as ReleaseAsset
from repotraffic.integrations.github.answers import ReleaseList as ReleaseList
from repotraffic.integrations.github.answers import RepositoryInfo as RepositoryInfo
from repotraffic.integrations.github.answers import TrafficBucket as TrafficBucket
from repotraffic.integrations.github.answers import TrafficWeeks as TrafficWeeks
from repotraffic.integrations.github.answers import TrafficWindow as TrafficWindow
from repotraffic.integrations.github.answers import (
    buckets_parse,
    popular_parse,
    release_parse,
    repository_parse,
)

# Re-exported ("X as X"): other code imports the error type and its causes from here.
from repotraffic.integrations.github.errors import GitHubError as GitHubError
from repotraffic.integrations.github.errors import GitHubErrorCause as GitHubErrorCause
from repotraffic.integrations.github.errors import (
    NoUserError,
    body_message,
    is_push_refusal,
    malformed,
    rate_limited_error,
    status_error,
)

logger = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
USER_AGENT = "repotraffic"
DEFAULT_API_URL = "https://api.github.com"
# What github_token_check returns for a GitHub App installation token: it has no user.
GITHUB_APP_LOGIN = "github-app"

# Module-level so tests can patch them: backoff and rate-limit waits then cost no
# wall time, and the tests can assert how long we would have waited.
_sleep = time.sleep
_clock = time.time


def _utc_today() -> dt.date:
    """The UTC date an answer arrived on: the last day of GitHub's window in it. Its own
    function so that tests, and the demo's simulated days, can follow a fake clock."""
    return dt.datetime.now(dt.UTC).date()


# Process-wide: tokens that hit a rate limit too far away to wait for.
_blocked_tokens = rate_limits.BlockedTokens()

# GitHub's reset is a whole epoch second and our clock may trail GitHub's a little:
# retrying exactly on time risks one more refusal.
_RATE_LIMIT_MARGIN_SECONDS = 1.0
# The policy of an interactive token check (see github_token_check).
_INTERACTIVE_MAX_RETRIES = 1
_INTERACTIVE_TIMEOUT_SECONDS = 5.0
_INTERACTIVE_MAX_BACKOFF_SECONDS = 1.0
# A list's Link header names its next page so: <https://...&page=2>; rel="next"
_NEXT_LINK = re.compile(r'<[^>]*>\s*;\s*rel="next"')
_RELEASES_PER_PAGE = 100


@dataclass(frozen=True)
class _Config:
    api_url: str
    timeout: float
    max_retries: int
    backoff: float
    max_wait: float
    interactive: bool  # someone is waiting: never sleep for a rate limit

    @property
    def retry_hint(self) -> str:
        return "try again in a minute" if self.interactive else "will retry on the next run"


@dataclass
class _Budget:
    """Attempts left to one request, or to a call that shares them among its requests."""

    attempts_left: int


def _config_read(*, interactive: bool = False) -> _Config:
    api_url = (getattr(settings, "GITHUB_API_URL", "") or DEFAULT_API_URL).rstrip("/")
    parts = urllib.parse.urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"GITHUB_API_URL must be an http(s) URL, not {api_url!r}")
    timeout = float(getattr(settings, "GITHUB_TIMEOUT", 10))
    max_retries = max(0, int(getattr(settings, "GITHUB_MAX_RETRIES", 3)))
    backoff = max(0.0, float(getattr(settings, "GITHUB_RETRY_BACKOFF", 1.0)))
    if interactive:
        timeout = min(timeout, _INTERACTIVE_TIMEOUT_SECONDS)
        max_retries = min(max_retries, _INTERACTIVE_MAX_RETRIES)
        backoff = min(backoff, _INTERACTIVE_MAX_BACKOFF_SECONDS)
    return _Config(
        api_url=api_url,
        timeout=timeout,
        max_retries=max_retries,
        backoff=backoff,
        max_wait=max(0.0, float(getattr(settings, "GITHUB_RATE_LIMIT_MAX_WAIT", 60))),
        interactive=interactive,
    )


def _token_clean(*, token: str | None) -> str:
    token = (token or "").strip()
    if not token:
        raise GitHubError(
            GitHubErrorCause.NO_TOKEN,
            "no GitHub token is configured: set GITHUB_TOKEN on the server or add your own "
            "token with POST /api/users/github-token",
        )
    # A token with spaces or control characters would make requests raise an error
    # that quotes the header, token included; and no real token looks like that.
    if not all(33 <= ord(char) <= 126 for char in token):
        raise GitHubError(
            GitHubErrorCause.BAD_CREDENTIALS,
            "the GitHub token contains spaces or characters no GitHub token has: "
            "copy it again from GitHub and save it again",
        )
    return token


def _requester_build(*, token: str, config: _Config) -> Requester:
    # Built directly (not through github.Github) because Github() only accepts whole
    # seconds for the timeout. retry=None leaves urllib3 with a single attempt and
    # the throttles are off, so PyGithub never sleeps or retries behind our back.
    return Requester(
        auth=Auth.Token(token),
        base_url=config.api_url,
        timeout=config.timeout,  # type: ignore[arg-type]  # PyGithub says int; requests takes float
        user_agent=USER_AGENT,
        per_page=100,
        verify=True,
        retry=None,
        pool_size=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,
        api_version=API_VERSION,
    )


def _repository_path(*, owner: str, name: str) -> str:
    """The API path of a repository, each part escaped (a name is never a path)."""
    return f"/repos/{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}"


@dataclass(frozen=True)
class _Answer:
    data: Any  # the decoded JSON
    day: dt.date  # the UTC date GitHub answered on (its Date header)
    has_next: bool = False  # a list with a further page (rel="next" in its Link header)


def _answer_day(headers: dict[str, Any]) -> dt.date:
    """The UTC date of GitHub's answer, from its Date header: GitHub's clock, not ours,
    decides which day is "today" in its traffic windows. Our clock if it sent none."""
    raw = next((value for name, value in headers.items() if name.lower() == "date"), None)
    if isinstance(raw, str):
        try:
            return email.utils.parsedate_to_datetime(raw).astimezone(dt.UTC).date()
        except (TypeError, ValueError):
            pass
    return _utc_today()


def _has_next_page(headers: dict[str, Any]) -> bool:
    raw = next((value for name, value in headers.items() if name.lower() == "link"), None)
    return isinstance(raw, str) and _NEXT_LINK.search(raw) is not None


def _request_get(
    *,
    requester: Requester,
    path: str,
    parameters: dict[str, str] | None,
    subject: str,
    repo: str | None,
    config: _Config,
    token_key: str,
    budget: _Budget | None = None,
) -> _Answer:
    """GETs one API path and returns its decoded JSON and date, applying the retry policy.

    Without a `budget`, the request has its own: one attempt plus config.max_retries."""
    budget = budget or _Budget(attempts_left=config.max_retries + 1)
    attempt = 0  # this request's, for the backoff and the message
    while True:
        blocked = _blocked_tokens.blocked_until(key=token_key, now=_clock())
        if blocked is not None:
            raise rate_limited_error(until=blocked)
        if budget.attempts_left <= 0:
            raise GitHubError(
                GitHubErrorCause.UNAVAILABLE,
                f"GitHub could not be asked for {subject}: the attempts allowed were used "
                f"up; {config.retry_hint}",
            )
        budget.attempts_left -= 1
        try:
            status, headers, body = requester.requestJson(
                "GET", path, parameters, {"Accept": "application/vnd.github+json"}
            )
        except requests.Timeout:
            failure = f"no answer within {config.timeout:g}s"
        except OSError as exc:  # requests' own errors are OSErrors too
            failure = f"connection failed: {type(exc).__name__}"
        except RuntimeError:  # PyGithub refuses a redirect to another host or scheme
            raise malformed(subject=subject, detail="a redirect away from the API") from None
        else:
            if status == 200:
                try:
                    return _Answer(
                        data=json.loads(body),
                        day=_answer_day(headers),
                        has_next=_has_next_page(headers),
                    )
                except ValueError as exc:
                    raise malformed(subject=subject, detail=f"invalid JSON: {exc}") from None
            said = body_message(body=body).lower()
            now = _clock()
            until = rate_limits.limit_until(
                status=status,
                headers=headers,
                said=said,
                push_refusal=is_push_refusal(said),
                now=now,
            )
            if until is not None:
                wait = until - now
                if wait > config.max_wait:
                    _blocked_tokens.block(key=token_key, until=until, now=now)
                if wait > config.max_wait or config.interactive or budget.attempts_left <= 0:
                    raise rate_limited_error(until=until)
                logger.warning("GitHub rate limit on %s; waiting %.1fs", subject, wait)
                _sleep(max(0.0, wait) + _RATE_LIMIT_MARGIN_SECONDS)
                attempt += 1
                continue
            if status < 500:
                raise status_error(status=status, body=body, subject=subject, repo=repo)
            failure = f"HTTP {status}"
        if budget.attempts_left <= 0:
            raise GitHubError(
                GitHubErrorCause.UNAVAILABLE,
                f"GitHub did not answer ({failure}) for {subject} after {attempt + 1} "
                f"attempts; {config.retry_hint}",
            )
        delay = config.backoff * 2**attempt
        logger.warning("GitHub %s for %s; retrying in %.2fs", failure, subject, delay)
        _sleep(delay)
        attempt += 1


def _traffic_series_fetch(
    *, token: str | None, owner: str, name: str, per: str
) -> tuple[dict[str, list[TrafficBucket]], dict[str, dt.date]]:
    """GitHub's views and clones buckets (`per` "day" or "week"), with each answer's date."""
    token = _token_clean(token=token)
    config = _config_read()
    repo = f"{owner}/{name}"
    base = _repository_path(owner=owner, name=name)
    token_key = rate_limits.token_key(api_url=config.api_url, token=token)
    series: dict[str, list[TrafficBucket]] = {}
    fetched_on: dict[str, dt.date] = {}
    # One requester for both: the clones request reuses the views request's connection.
    requester = _requester_build(token=token, config=config)
    try:
        for kind in ("views", "clones"):
            subject = f"{repo} traffic {kind}" + (" by week" if per == "week" else "")
            answer = _request_get(
                requester=requester,
                path=f"{base}/traffic/{kind}",
                parameters={"per": per},
                subject=subject,
                repo=repo,
                config=config,
                token_key=token_key,
            )
            series[kind] = buckets_parse(data=answer.data, key=kind, subject=subject)
            fetched_on[kind] = answer.day
    finally:
        requester.close()
    return series, fetched_on


def github_traffic_fetch(*, token: str | None, owner: str, name: str) -> TrafficWindow:
    """Fetches the daily views and clones GitHub keeps (the last 14 days and today)."""
    series, fetched_on = _traffic_series_fetch(token=token, owner=owner, name=name, per="day")
    return TrafficWindow(
        views=series["views"],
        clones=series["clones"],
        views_fetched_on=fetched_on["views"],
        clones_fetched_on=fetched_on["clones"],
    )


def github_traffic_weeks_fetch(*, token: str | None, owner: str, name: str) -> TrafficWeeks:
    """Fetches the weekly views and clones of GitHub's 14-day window (two requests)."""
    series, fetched_on = _traffic_series_fetch(token=token, owner=owner, name=name, per="week")
    return TrafficWeeks(
        views=series["views"],
        clones=series["clones"],
        views_fetched_on=fetched_on["views"],
        clones_fetched_on=fetched_on["clones"],
    )


def github_popular_fetch(*, token: str | None, owner: str, name: str) -> PopularLists:
    """GitHub's top-10 referring sites and top-10 pages of the repository: each a rolling
    14-day total as of now (GET .../traffic/popular/referrers and .../paths)."""
    token = _token_clean(token=token)
    config = _config_read()
    repo = f"{owner}/{name}"
    base = _repository_path(owner=owner, name=name)
    token_key = rate_limits.token_key(api_url=config.api_url, token=token)
    lists: dict[str, list[PopularEntry]] = {}
    fetched_on = _utc_today()
    requester = _requester_build(token=token, config=config)
    try:
        for kind, key in (("referrers", "referrer"), ("paths", "path")):
            subject = f"{repo} popular {kind}"
            answer = _request_get(
                requester=requester,
                path=f"{base}/traffic/popular/{kind}",
                parameters=None,
                subject=subject,
                repo=repo,
                config=config,
                token_key=token_key,
            )
            lists[kind] = popular_parse(data=answer.data, key=key, subject=subject)
            fetched_on = answer.day
    finally:
        requester.close()
    return PopularLists(referrers=lists["referrers"], paths=lists["paths"], fetched_on=fetched_on)


def github_releases_fetch(
    *, token: str | None, owner: str, name: str, max_pages: int | None = None
) -> ReleaseList:
    """The repository's releases with their assets' download counts (GET .../releases,
    100 a page): one request for up to 100 releases, at most `max_pages` (default the
    setting TRAFFIC_RELEASE_PAGES, 3) in all; the result says if that cut it short."""
    token = _token_clean(token=token)
    config = _config_read()
    pages = max(1, max_pages or int(getattr(settings, "TRAFFIC_RELEASE_PAGES", 3)))
    repo = f"{owner}/{name}"
    base = _repository_path(owner=owner, name=name)
    token_key = rate_limits.token_key(api_url=config.api_url, token=token)
    releases: dict[int, Release] = {}  # by id: a release published meanwhile shifts pages
    fetched_on: dt.date | None = None
    has_next = True
    page = 0
    requester = _requester_build(token=token, config=config)
    try:
        while has_next and page < pages:
            page += 1
            subject = f"{repo} releases (page {page})"
            answer = _request_get(
                requester=requester,
                path=f"{base}/releases",
                parameters={"per_page": str(_RELEASES_PER_PAGE), "page": str(page)},
                subject=subject,
                repo=repo,
                config=config,
                token_key=token_key,
            )
            if not isinstance(answer.data, list):
                raise malformed(subject=subject, detail="not a list")
            try:
                for item in answer.data:
                    release = release_parse(item=item)
                    releases.setdefault(release.id, release)
            except ValueError as exc:
                raise malformed(subject=subject, detail=str(exc)) from None
            fetched_on = fetched_on or answer.day
            has_next = answer.has_next and bool(answer.data)
    finally:
        requester.close()
    return ReleaseList(
        releases=list(releases.values()),
        complete=not has_next,
        fetched_on=fetched_on or _utc_today(),
    )


def github_repository_get(
    *, token: str | None, owner: str, name: str, interactive: bool = False
) -> RepositoryInfo:
    """The repository as the token sees it: its canonical owner/name (GitHub follows
    renames and fixes the case) and whether the token has the push or admin permission
    that reading traffic needs. Raises NOT_FOUND when the token cannot see it, and
    NO_PUSH_ACCESS when it can see it but not read its traffic.

    interactive=True bounds it for a web request, as github_token_check describes."""
    token = _token_clean(token=token)
    config = _config_read(interactive=interactive)
    repo = f"{owner}/{name}"
    requester = _requester_build(token=token, config=config)
    try:
        answer = _request_get(
            requester=requester,
            path=_repository_path(owner=owner, name=name),
            parameters=None,
            subject=repo,
            repo=repo,
            config=config,
            token_key=rate_limits.token_key(api_url=config.api_url, token=token),
        )
    finally:
        requester.close()
    info = repository_parse(data=answer.data, subject=repo, fetched_on=answer.day)
    if info.can_read_traffic is False:
        raise GitHubError(
            GitHubErrorCause.NO_PUSH_ACCESS,
            f"the token can see {info.owner}/{info.name} but has no push access to it, and "
            "reading traffic needs it: grant Administration: read (fine-grained token or "
            "GitHub App) or the repo scope (classic token), or use a token of someone "
            "with push access",
        )
    return info


def github_token_check(*, token: str, interactive: bool = False) -> str:
    """Validates a token against GitHub and returns the login of the user it belongs to.

    A GitHub App installation token belongs to no user: GET /user refuses it (403
    "Resource not accessible by integration"). The check then lists one repository of
    the installation (GET /installation/repositories); if GitHub allows that, the token
    is valid and the login returned is GITHUB_APP_LOGIN ("github-app").

    interactive=True is for a caller that someone waits on, such as a web request
    (gunicorn kills a worker after 30 s): the whole check, installation fallback
    included, makes at most 2 attempts (one retry), each with a timeout of
    min(GITHUB_TIMEOUT, 5 s) for connecting and for the answer, a backoff of at most 1 s
    between them, and a rate limit raises RATE_LIMITED at once, never waited for.
    Worst case: 2 x (5 s + 5 s) + 1 s = 21 s; a GitHub that does not answer at all
    costs 2 x 5 s + 1 s = 11 s.
    """
    token = _token_clean(token=token)
    config = _config_read(interactive=interactive)
    requester = _requester_build(token=token, config=config)
    get = functools.partial(
        _request_get,
        requester=requester,
        repo=None,
        config=config,
        token_key=rate_limits.token_key(api_url=config.api_url, token=token),
        budget=_Budget(attempts_left=config.max_retries + 1),  # one for the whole check
    )
    subject = "the token's user"
    try:
        try:
            data = get(path="/user", parameters=None, subject=subject).data
        except NoUserError as refused:
            subject = "the GitHub App installation's repositories"
            try:
                data = get(
                    path="/installation/repositories", parameters={"per_page": "1"}, subject=subject
                ).data
            except GitHubError as error:
                raise (error if error.transient else refused) from None
            if not isinstance(data, dict) or not isinstance(data.get("repositories"), list):
                raise malformed(subject=subject, detail="no 'repositories' list") from None
            return GITHUB_APP_LOGIN
    finally:
        requester.close()
    login = data.get("login") if isinstance(data, dict) else None
    if not isinstance(login, str) or not login:
        raise malformed(subject=subject, detail="no login")
    return login


def github_rate_limit_blocks_clear() -> None:
    """Forgets every token blocked by a rate limit in this process (for tests)."""
    _blocked_tokens.clear()
