"""The only code that talks to GitHub: one repository's traffic, and token checks.

Built on PyGithub's Requester rather than its object model: traffic needs no
`get_repo` round trip, and we want the raw status, headers and body so that every
failure becomes one `GitHubError` with words the repository owner can act on.
PyGithub's own retrying and throttling are switched off; the policy here (retries
with exponential backoff, rate-limit waits) is ours, deterministic and testable.

Settings, read at call time (each has a default, so none is required):
GITHUB_API_URL, GITHUB_TIMEOUT, GITHUB_MAX_RETRIES, GITHUB_RETRY_BACKOFF and
GITHUB_RATE_LIMIT_MAX_WAIT.

Retry budget: one first attempt plus up to GITHUB_MAX_RETRIES more. A transient
failure (5xx, connection error, timeout) waits GITHUB_RETRY_BACKOFF * 2**n seconds
before retry n+1. A rate limit whose reset is at most GITHUB_RATE_LIMIT_MAX_WAIT
seconds away waits for it, using a retry from the same budget; a further reset, or
an exhausted budget, raises RATE_LIMITED with `retry_at`.
"""

import datetime as dt
import enum
import json
import logging
import math
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from github import Auth
from github.Requester import Requester

logger = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
USER_AGENT = "repotraffic"
DEFAULT_API_URL = "https://api.github.com"

# Module-level so tests can patch them: backoff and rate-limit waits then cost no
# wall time, and the tests can assert how long we would have waited.
_sleep = time.sleep
_clock = time.time

# GitHub's reset is a whole epoch second and our clock may trail GitHub's a little:
# retrying exactly on time risks one more refusal.
_RATE_LIMIT_MARGIN_SECONDS = 1.0
# GitHub's advice for a secondary limit that names no wait: at least a minute.
_SECONDARY_DEFAULT_WAIT_SECONDS = 60.0
_PUSH_MESSAGES = (
    "must have push access",
    "resource not accessible by personal access token",
    "resource not accessible by integration",
)


class GitHubErrorCause(enum.StrEnum):
    NO_TOKEN = "no_token"  # noqa: S105 (a cause, not a secret)
    BAD_CREDENTIALS = "bad_credentials"
    NO_PUSH_ACCESS = "no_push_access"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    MALFORMED = "malformed"


_TRANSIENT = {GitHubErrorCause.UNAVAILABLE, GitHubErrorCause.RATE_LIMITED}


class GitHubError(Exception):
    """A failure talking to GitHub, with a message the repository owner can act on."""

    def __init__(
        self, cause: GitHubErrorCause, message: str, *, retry_at: dt.datetime | None = None
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self.message = message
        self.retry_at = retry_at

    @property
    def transient(self) -> bool:
        return self.cause in _TRANSIENT

    def __reduce__(self) -> tuple:
        # Exception pickles only `args`; a Celery result or a process pool needs it all.
        return (self.__class__, (self.cause, self.message), {"retry_at": self.retry_at})

    def __repr__(self) -> str:
        return f"GitHubError({self.cause.value!r}, {self.message!r}, retry_at={self.retry_at!r})"


@dataclass(frozen=True)
class TrafficBucket:
    day: dt.date
    count: int
    uniques: int


@dataclass(frozen=True)
class TrafficWindow:
    views: list[TrafficBucket]
    clones: list[TrafficBucket]


@dataclass(frozen=True)
class _Config:
    api_url: str
    timeout: float
    max_retries: int
    backoff: float
    max_wait: float


def _config_read() -> _Config:
    api_url = (getattr(settings, "GITHUB_API_URL", "") or DEFAULT_API_URL).rstrip("/")
    parts = urllib.parse.urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"GITHUB_API_URL must be an http(s) URL, not {api_url!r}")
    return _Config(
        api_url=api_url,
        timeout=float(getattr(settings, "GITHUB_TIMEOUT", 10)),
        max_retries=max(0, int(getattr(settings, "GITHUB_MAX_RETRIES", 3))),
        backoff=max(0.0, float(getattr(settings, "GITHUB_RETRY_BACKOFF", 1.0))),
        max_wait=max(0.0, float(getattr(settings, "GITHUB_RATE_LIMIT_MAX_WAIT", 60))),
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
        timeout=config.timeout,  # type: ignore[arg-type]
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


def _body_message(*, body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    # GitHub's own words help the owner, but a hostile proxy could send anything.
    return " ".join(message.split())[:200] if isinstance(message, str) else ""


def _is_push_refusal(said: str) -> bool:
    return any(words in said for words in _PUSH_MESSAGES)


def _header_float(*, headers: dict[str, Any], name: str) -> float | None:
    try:
        return float(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


def _rate_limit_until(*, status: int, headers: dict[str, Any], body: str) -> float | None:
    """The epoch second a rate limit lifts, or None when the answer is no rate limit."""
    if status not in (403, 429):
        return None
    now = _clock()
    retry_after = _header_float(headers=headers, name="retry-after")
    if retry_after is not None:
        return now + max(0.0, retry_after)
    said = _body_message(body=body).lower()
    # The request that spends the last unit may itself be refused for another reason.
    if headers.get("x-ratelimit-remaining") == "0" and not _is_push_refusal(said):
        reset = _header_float(headers=headers, name="x-ratelimit-reset")
        if reset is not None:
            return max(now, reset)
        return now + _SECONDARY_DEFAULT_WAIT_SECONDS
    if status == 429 or "rate limit" in said:
        return now + _SECONDARY_DEFAULT_WAIT_SECONDS
    return None


def _rate_limited_error(*, until: float) -> GitHubError:
    retry_at = dt.datetime.fromtimestamp(math.ceil(until), tz=dt.UTC)
    return GitHubError(
        GitHubErrorCause.RATE_LIMITED,
        f"GitHub's rate limit for this token is used up until {retry_at:%Y-%m-%d %H:%M:%S} UTC; "
        "will retry after that",
        retry_at=retry_at,
    )


def _status_error(*, status: int, body: str, subject: str, repo: str | None) -> GitHubError:
    """Maps a final, non-transient answer to the cause the owner can act on."""
    said = _body_message(body=body)
    said_part = f": {said}" if said else ""
    if status == 401:
        return GitHubError(
            GitHubErrorCause.BAD_CREDENTIALS,
            f"GitHub rejected the token (HTTP 401{said_part}): it is wrong, expired or revoked; "
            "create a new token and save it again",
        )
    if status == 403 and repo is not None:
        if _is_push_refusal(said.lower()):
            return GitHubError(
                GitHubErrorCause.NO_PUSH_ACCESS,
                f"the token has no push access to {repo}: grant Administration: read "
                "(fine-grained token or GitHub App) or the repo scope (classic token)",
            )
        return GitHubError(
            GitHubErrorCause.NO_PUSH_ACCESS,
            f"GitHub refused the token access to {repo}'s traffic (HTTP 403{said_part}): "
            "the token needs push access (Administration: read for a fine-grained token or "
            "GitHub App, the repo scope for a classic token) and, for an organization with "
            "SAML single sign-on, authorization for that organization",
        )
    if status == 403:
        return GitHubError(
            GitHubErrorCause.BAD_CREDENTIALS,
            f"GitHub refused to say whose token this is (HTTP 403{said_part}): "
            "use a personal access token",
        )
    if status == 404 and repo is not None:
        return GitHubError(
            GitHubErrorCause.NOT_FOUND,
            f"{repo} was not found, or it is private and the token cannot see it",
        )
    return GitHubError(
        GitHubErrorCause.MALFORMED,
        f"GitHub answered HTTP {status}{said_part} for {subject}, which repotraffic does not "
        "expect; check that GITHUB_API_URL points at the GitHub REST API",
    )


def _malformed(*, subject: str, detail: str) -> GitHubError:
    return GitHubError(
        GitHubErrorCause.MALFORMED,
        f"GitHub sent an answer for {subject} that repotraffic cannot read ({detail}); "
        "if this persists, check that GITHUB_API_URL points at the GitHub REST API",
    )


def _request_get(
    *,
    requester: Requester,
    path: str,
    parameters: dict[str, str] | None,
    subject: str,
    repo: str | None,
    config: _Config,
) -> Any:
    """GETs one API path and returns its decoded JSON, applying the retry policy."""
    attempt = 0
    while True:
        try:
            status, headers, body = requester.requestJson(
                "GET", path, parameters, {"Accept": "application/vnd.github+json"}
            )
        except requests.Timeout:
            failure = f"no answer within {config.timeout:g}s"
        except OSError as exc:  # requests' own errors are OSErrors too
            failure = f"connection failed: {type(exc).__name__}"
        except RuntimeError:  # PyGithub refuses a redirect to another host or scheme
            raise _malformed(subject=subject, detail="a redirect away from the API") from None
        else:
            if status == 200:
                try:
                    return json.loads(body)
                except ValueError as exc:
                    raise _malformed(subject=subject, detail=f"invalid JSON: {exc}") from None
            until = _rate_limit_until(status=status, headers=headers, body=body)
            if until is not None:
                wait = until - _clock()
                if wait > config.max_wait or attempt >= config.max_retries:
                    raise _rate_limited_error(until=until)
                logger.warning("GitHub rate limit on %s; waiting %.1fs", subject, wait)
                _sleep(max(0.0, wait) + _RATE_LIMIT_MARGIN_SECONDS)
                attempt += 1
                continue
            if status < 500:
                raise _status_error(status=status, body=body, subject=subject, repo=repo)
            failure = f"HTTP {status}"
        if attempt >= config.max_retries:
            raise GitHubError(
                GitHubErrorCause.UNAVAILABLE,
                f"GitHub did not answer ({failure}) for {subject} after {attempt + 1} "
                "attempts; will retry on the next run",
            )
        delay = config.backoff * 2**attempt
        logger.warning("GitHub %s for %s; retrying in %.2fs", failure, subject, delay)
        _sleep(delay)
        attempt += 1


def _day_parse(*, value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValueError(f"timestamp {value!r} is not a string")
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


def _count_parse(*, value: Any, field: str) -> int:
    # bool is an int subclass; a JSON true is still not a count.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{field} {value!r} is not a whole number")
    return value


def _buckets_parse(*, data: Any, key: str, subject: str) -> list[TrafficBucket]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise _malformed(subject=subject, detail=f"no {key!r} list")
    buckets: dict[dt.date, TrafficBucket] = {}
    try:
        for item in data[key]:
            if not isinstance(item, dict):
                raise ValueError(f"entry {item!r} is not an object")
            day = _day_parse(value=item.get("timestamp"))
            if day in buckets:
                raise ValueError(f"day {day} appears twice")
            buckets[day] = TrafficBucket(
                day=day,
                count=_count_parse(value=item.get("count"), field="count"),
                uniques=_count_parse(value=item.get("uniques"), field="uniques"),
            )
    except ValueError as exc:
        raise _malformed(subject=subject, detail=str(exc)) from None
    return [buckets[day] for day in sorted(buckets)]


def github_traffic_fetch(*, token: str | None, owner: str, name: str) -> TrafficWindow:
    """Fetches the daily views and clones GitHub keeps (the last 14 days and today)."""
    token = _token_clean(token=token)
    config = _config_read()
    repo = f"{owner}/{name}"
    base = f"/repos/{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}"
    series: dict[str, list[TrafficBucket]] = {}
    # One requester for both: the clones request reuses the views request's connection.
    requester = _requester_build(token=token, config=config)
    try:
        for kind in ("views", "clones"):
            subject = f"{repo} traffic {kind}"
            data = _request_get(
                requester=requester,
                path=f"{base}/traffic/{kind}",
                parameters={"per": "day"},
                subject=subject,
                repo=repo,
                config=config,
            )
            series[kind] = _buckets_parse(data=data, key=kind, subject=subject)
    finally:
        requester.close()
    return TrafficWindow(views=series["views"], clones=series["clones"])


def github_token_check(*, token: str) -> str:
    """Validates a token against GitHub and returns the login of the user it belongs to."""
    token = _token_clean(token=token)
    subject = "the token's user"
    config = _config_read()
    requester = _requester_build(token=token, config=config)
    try:
        data = _request_get(
            requester=requester,
            path="/user",
            parameters=None,
            subject=subject,
            repo=None,
            config=config,
        )
    finally:
        requester.close()
    login = data.get("login") if isinstance(data, dict) else None
    if not isinstance(login, str) or not login:
        raise _malformed(subject=subject, detail="no login")
    return login
