"""HTTP to GitHub, for client.py: the settings, one connection pool per token, the retry
policy, rate limits, and what each answer's Date and Link headers say. Private to the
GitHub integration: other code imports client.py only.

Connections. One `httpx.Client` (its pool of keep-alive connections) per API URL and
token (per installation for a GitHub App installation's tokens, each request carrying
its token), made on first use and then shared by every call, repository and thread of
the process (httpx's Client may be shared between threads). At most CLIENTS_MAX are kept;
the least recently used is closed past that. A forked child (Celery's prefork pool)
starts with none: its parent's connections are left to the parent.

Every request GitHub sees goes out through `_send`, once per attempt, holding one of
its token's slots at the token's gate (budget.gates), which every process shares: at
most GITHUB_TOKEN_CONCURRENCY requests in flight per token, none while a rate limit
seen anywhere lasts, and none but interactive calls once fewer than
GITHUB_RATE_LIMIT_RESERVE requests are left of the token's hour.

Redirects: GitHub redirects a renamed repository's API paths (301) on its own host. A
redirect to the same scheme, host and port is followed, at most _REDIRECTS_MAX times,
with the token; one anywhere else is refused as MALFORMED, without a request there.

The policy's waits and clock come with each call's `Timing` from client.py, whose
`_sleep`, `_clock` and `_utc_today` tests patch; only waiting for a slot at the gate,
which is waiting for other requests to end, sleeps in real time.
"""

import datetime as dt
import email.utils
import functools
import logging
import os
import ssl
import threading
import time
import urllib.parse
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from repotraffic.budget.gates import Gate, Permit, gate_concurrency, token_gate
from repotraffic.integrations.github import rate_limits
from repotraffic.integrations.github.errors import (
    GitHubError,
    GitHubErrorCause,
    body_message,
    is_push_refusal,
    malformed,
    rate_limited_error,
    status_error,
)

# The client's logger: its warnings keep the name they have always had.
logger = logging.getLogger("repotraffic.integrations.github.client")

API_VERSION = "2022-11-28"
USER_AGENT = "repotraffic"
DEFAULT_API_URL = "https://api.github.com"
JSON_MEDIA_TYPE = "application/vnd.github+json"
CLIENTS_MAX = 256  # tokens whose connections a process keeps open

# GitHub's reset is a whole epoch second and our clock may trail GitHub's a little:
# retrying exactly on time risks one more refusal.
_RATE_LIMIT_MARGIN_SECONDS = 1.0
# The policy of an interactive call (see client.github_token_check).
_INTERACTIVE_MAX_RETRIES = 1
_INTERACTIVE_TIMEOUT_SECONDS = 5.0
_INTERACTIVE_MAX_BACKOFF_SECONDS = 1.0
_REDIRECTS_MAX = 3
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_SUCCESS_STATUSES = frozenset({200, 201})  # 201: a token minted (POST .../access_tokens)


@dataclass(frozen=True)
class Config:
    api_url: str
    timeout: float
    max_retries: int
    backoff: float
    max_wait: float
    interactive: bool  # someone is waiting: never sleep for a rate limit

    @property
    def retry_hint(self) -> str:
        return "try again in a minute" if self.interactive else "will retry on the next run"


def config_read(*, interactive: bool = False) -> Config:
    """The settings, read at call time; each has a default, so none is required."""
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
    return Config(
        api_url=api_url,
        timeout=timeout,
        max_retries=max_retries,
        backoff=backoff,
        max_wait=max(0.0, float(getattr(settings, "GITHUB_RATE_LIMIT_MAX_WAIT", 60))),
        interactive=interactive,
    )


def token_clean(*, token: str | None) -> str:
    token = (token or "").strip()
    if not token:
        raise GitHubError(
            GitHubErrorCause.NO_TOKEN,
            "no GitHub token is configured: set GITHUB_TOKEN on the server or add your own "
            "token with POST /api/users/github-token",
        )
    # A token with spaces or control characters would make the HTTP library raise an
    # error that quotes the header, token included; and no real token looks like that.
    if not all(33 <= ord(char) <= 126 for char in token):
        raise GitHubError(
            GitHubErrorCause.BAD_CREDENTIALS,
            "the GitHub token contains spaces or characters no GitHub token has: "
            "copy it again from GitHub and save it again",
        )
    return token


@dataclass(frozen=True)
class Timing:
    sleep: Callable[[float], None]
    clock: Callable[[], float]  # epoch seconds
    today: Callable[[], dt.date]  # the UTC date, for an answer without a Date header


@dataclass
class Call:
    """What one public call of client.py asks GitHub with. Not frozen: a renewed token
    takes `token`'s place for the call's later requests."""

    config: Config
    token: str = field(repr=False)
    # What registries keep instead of the token (its gate, its connections): the
    # token's rate_limits.token_key, or a key its tokens share (an installation's).
    token_key: str
    timing: Timing
    # A GitHub App installation token's: a new token for the one GitHub refused (401).
    renew: Callable[[str], str] | None = field(default=None, repr=False)


def call_open(
    *,
    token: str | None,
    timing: Timing,
    interactive: bool = False,
    token_key: str | None = None,
    renew: Callable[[str], str] | None = None,
) -> Call:
    token = token_clean(token=token)
    config = config_read(interactive=interactive)
    return Call(
        config=config,
        token=token,
        token_key=token_key or rate_limits.token_key(api_url=config.api_url, token=token),
        timing=timing,
        renew=renew,
    )


@dataclass
class Budget:
    """Attempts left to one request, or to a call that shares them among its requests."""

    attempts_left: int


@dataclass(frozen=True)
class Answer:
    body: bytes  # JSON, for answers.py to parse
    day: dt.date  # the UTC date GitHub answered on (its Date header)
    links: Mapping[str, str] = field(default_factory=dict)  # Link header: rel -> URL
    moment: dt.datetime | None = None  # when GitHub answered, by its Date header (UTC)

    @property
    def has_next(self) -> bool:
        return "next" in self.links

    def page(self, rel: str) -> int | None:
        """The page number of the Link header's `rel` ("last", "next"), if it names one."""
        try:
            number = httpx.URL(self.links[rel]).params.get("page")
        except (KeyError, httpx.InvalidURL):
            return None
        return int(number) if number and number.isdigit() else None


def answer_moment(headers: Mapping[str, str]) -> dt.datetime | None:
    """When GitHub answered, by its Date header (GitHub's clock, in UTC); None without one."""
    raw = next((value for name, value in headers.items() if name.lower() == "date"), None)
    if isinstance(raw, str):
        try:
            return email.utils.parsedate_to_datetime(raw).astimezone(dt.UTC)
        except (TypeError, ValueError):
            pass
    return None


def answer_day(headers: Mapping[str, str], *, today: Callable[[], dt.date]) -> dt.date:
    """The UTC date of GitHub's answer, from its Date header: GitHub's clock, not ours,
    decides which day is "today" in its traffic windows. `today()` if it sent none."""
    moment = answer_moment(headers)
    return today() if moment is None else moment.date()


class HttpClients:
    """Process-wide and thread-safe: token key -> its httpx.Client, least recently used
    first. Keyed by Call.token_key, never by the token itself."""

    def __init__(self, *, size: int) -> None:
        self.size = size
        self.forget()

    def forget(self) -> None:
        """Drops every client without closing it: after a fork, the child's copies of its
        parent's connections are the parent's to use and close."""
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, httpx.Client] = OrderedDict()

    def get(self, *, key: str, build: Callable[[], httpx.Client]) -> httpx.Client:
        evicted = []
        with self._lock:
            http = self._clients.get(key)
            if http is not None:
                self._clients.move_to_end(key)
                return http
            http = self._clients[key] = build()
            while len(self._clients) > self.size:
                evicted.append(self._clients.popitem(last=False)[1])
        for old in evicted:  # a request still running on it fails, and is retried
            old.close()
        return http

    def clear(self) -> None:
        """Closes every client (tests; a process that stops talking to GitHub)."""
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for http in clients:
            http.close()

    def __len__(self) -> int:
        with self._lock:
            return len(self._clients)


http_clients = HttpClients(size=CLIENTS_MAX)
os.register_at_fork(after_in_child=http_clients.forget)

# A slot of the token's gate is leased for this long beyond the request's own timeouts
# (its redirects included): then a process that died holding it gives it up.
_SLOT_LEASE_MARGIN_SECONDS = 30.0
# Waiting for a slot: polls from the first to the longest pause, for at most this many
# request timeouts (an interactive call: one).
_SLOT_POLL_FIRST_SECONDS = 0.02
_SLOT_POLL_LONGEST_SECONDS = 0.25
_SLOT_WAIT_TIMEOUTS = 10


class LocalSlots:
    """This process's queue for each token's slots: no more of its threads than the
    gate's cap ask the gate at once, and the others wait here, each woken the moment one
    of them is done, rather than polling the shared gate. Polling is left to processes
    competing with each other: within one (fetch_traffic's threads, a worker's thread
    pool) a slot freed by a request's end goes to the next request straight away,
    where a poll with backoff left it idle for up to _SLOT_POLL_LONGEST_SECONDS.

    A token's semaphore lives while a thread holds or waits for it (weak references), so
    the many users' tokens a long-running worker sees do not pile up here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._semaphores: weakref.WeakValueDictionary[str, threading.BoundedSemaphore] = (
            weakref.WeakValueDictionary()
        )

    def semaphore(self, *, token_key: str) -> threading.BoundedSemaphore:
        with self._lock:
            semaphore = self._semaphores.get(token_key)
            if semaphore is None:
                semaphore = threading.BoundedSemaphore(gate_concurrency())
                self._semaphores[token_key] = semaphore
            return semaphore

    def forget(self) -> None:
        """In a forked child: the parent's threads are not here to release theirs."""
        self._lock = threading.Lock()
        self._semaphores = weakref.WeakValueDictionary()


local_slots = LocalSlots()
os.register_at_fork(after_in_child=local_slots.forget)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One for every client: loading the certificates costs milliseconds of CPU."""
    return httpx.create_ssl_context()


def _http_client_build(
    *, api_url: str, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    # No Authorization here: each request carries its token, as a pool may serve the
    # successive tokens of one GitHub App installation.
    return httpx.Client(
        base_url=api_url,
        headers={
            "Accept": JSON_MEDIA_TYPE,
            "User-Agent": USER_AGENT,
            "X-GitHub-Api-Version": API_VERSION,
        },
        verify=_ssl_context(),
        follow_redirects=False,
        transport=transport,
    )


def _send(
    *,
    http: httpx.Client,
    method: str,
    path: str,
    params: Mapping[str, str] | None,
    token: str,
    accept: str,
    timeout: float,
    subject: str,
) -> httpx.Response:
    """One request, and the redirects on the API's own host a GET leads to."""
    headers = {"Accept": accept, "Authorization": f"Bearer {token}"}
    response = http.request(method, path, params=params, headers=headers, timeout=timeout)
    if method != "GET":
        return response
    for _ in range(_REDIRECTS_MAX):
        location = response.headers.get("location")
        if response.status_code not in _REDIRECT_STATUSES or location is None:
            return response
        try:
            target = response.url.join(location)
        except httpx.InvalidURL:
            raise malformed(subject=subject, detail="a redirect to an invalid URL") from None
        base = http.base_url
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise malformed(subject=subject, detail="a redirect away from the API")
        response = http.get(target, headers=headers, timeout=timeout)
    if response.status_code in _REDIRECT_STATUSES:
        raise malformed(subject=subject, detail=f"more than {_REDIRECTS_MAX} redirects")
    return response


def get(
    *,
    call: Call,
    path: str,
    params: Mapping[str, str] | None,
    subject: str,
    repo: str | None,
    accept: str = JSON_MEDIA_TYPE,
    what: str = "traffic",
    budget: Budget | None = None,
) -> Answer:
    """GETs one API path: `request` with method GET."""
    return request(
        call=call,
        method="GET",
        path=path,
        params=params,
        subject=subject,
        repo=repo,
        accept=accept,
        what=what,
        budget=budget,
    )


def request(
    *,
    call: Call,
    method: str,
    path: str,
    params: Mapping[str, str] | None,
    subject: str,
    repo: str | None,
    accept: str = JSON_MEDIA_TYPE,
    what: str = "traffic",
    budget: Budget | None = None,
    refusal: Callable[[int, str], GitHubError] | None = None,
) -> Answer:
    """Sends one request to an API path (relative to GITHUB_API_URL) and returns the
    answer's body, date and links, applying the retry policy. `repo` and `what` word a
    refusal ("no push access to acme/rocket's traffic"); `refusal`, given the status and
    body of a final answer that is no success, words it instead. Without a `budget`, the
    request has its own: one attempt plus config.max_retries.

    A 401 to a call that can renew its token (a GitHub App installation's) is asked
    again, once, with a new token, which the call keeps for its later requests.

    A transient failure (5xx, connection error, timeout) waits GITHUB_RETRY_BACKOFF * 2**n
    seconds before retry n+1. A rate limit whose reset is at most
    GITHUB_RATE_LIMIT_MAX_WAIT seconds away waits for it, using a retry from the same
    budget; a further reset, or an exhausted budget, raises RATE_LIMITED with
    `retry_at`. A rate limit further than GITHUB_RATE_LIMIT_MAX_WAIT also blocks the
    token in this process until it lifts (see rate_limits.py)."""
    config, timing = call.config, call.timing
    budget = budget or Budget(attempts_left=config.max_retries + 1)
    gate = token_gate()
    attempt = 0  # this request's, for the backoff and the message
    renewed = False
    while True:
        if budget.attempts_left <= 0:
            raise GitHubError(
                GitHubErrorCause.UNAVAILABLE,
                f"GitHub could not be asked for {subject}: the attempts allowed were used "
                f"up; {config.retry_hint}",
            )
        local = _local_slot_take(call=call, subject=subject)
        try:
            permit = _slot_take(gate=gate, call=call, subject=subject)
        except BaseException:
            local.release()
            raise
        budget.attempts_left -= 1
        response = None
        http: httpx.Client | None = None
        try:
            http = http_clients.get(
                key=call.token_key,
                build=lambda: _http_client_build(api_url=config.api_url),
            )
            response = _send(
                http=http,
                method=method,
                path=path,
                params=params,
                token=call.token,
                accept=accept,
                timeout=config.timeout,
                subject=subject,
            )
        except httpx.TimeoutException:
            failure = f"no answer within {config.timeout:g}s"
        except httpx.TransportError as exc:
            failure = f"connection failed: {type(exc).__name__}"
        except httpx.DecodingError:
            raise malformed(subject=subject, detail="a body that does not decode") from None
        except RuntimeError:
            if http is None or not http.is_closed:
                raise
            failure = "connection failed: its pool was closed"  # evicted meanwhile
        finally:
            gate.release(permit=permit, **_hour_left(response))
            local.release()
        if response is not None:
            status = response.status_code
            if status in _SUCCESS_STATUSES:
                moment = answer_moment(response.headers)
                return Answer(
                    body=response.content,
                    day=timing.today() if moment is None else moment.date(),
                    links={str(rel): link["url"] for rel, link in response.links.items()},
                    moment=moment,
                )
            said = body_message(body=response.text).lower()
            now = timing.clock()
            until = rate_limits.limit_until(
                status=status,
                headers=response.headers,
                said=said,
                push_refusal=is_push_refusal(said),
                now=now,
            )
            if until is not None:
                # Every process holds back until it lifts, not this one alone.
                gate.pause(token_key=call.token_key, until=until)
                if budget.attempts_left <= 0:
                    raise rate_limited_error(until=until)
                attempt += 1
                continue  # _slot_take waits for it, or gives up on one too far away
            if status == 401 and call.renew is not None and not renewed:
                # GitHub refused an installation token before its time (revoked, or our
                # clock is off): once more with a new one, an attempt of its own.
                call.token = call.renew(call.token)
                renewed = True
                budget.attempts_left += 1
                continue
            if status < 500:
                if refusal is not None:
                    raise refusal(status, response.text)
                raise status_error(
                    status=status, body=response.text, subject=subject, repo=repo, what=what
                )
            failure = f"HTTP {status}"
        if budget.attempts_left <= 0:
            raise GitHubError(
                GitHubErrorCause.UNAVAILABLE,
                f"GitHub did not answer ({failure}) for {subject} after {attempt + 1} "
                f"attempts; {config.retry_hint}",
            )
        delay = config.backoff * 2**attempt
        logger.warning("GitHub %s for %s; retrying in %.2fs", failure, subject, delay)
        timing.sleep(delay)
        attempt += 1


def _hour_left(response: httpx.Response | None) -> dict[str, Any]:
    """What an answer says is left of its token's hour: X-RateLimit-Remaining and
    X-RateLimit-Reset, or None for each where it says nothing."""
    remaining = reset = None
    if response is not None:
        try:
            remaining = int(response.headers["x-ratelimit-remaining"])
            reset = float(response.headers["x-ratelimit-reset"])
        except (KeyError, ValueError):
            remaining = reset = None
    return {"remaining": remaining, "reset": reset}


def _local_slot_take(*, call: Call, subject: str) -> threading.BoundedSemaphore:
    """A place in this process's queue for the token's slots (LocalSlots), or
    UNAVAILABLE when none frees in time; the caller releases it."""
    config = call.config
    patience = config.timeout * (1 if config.interactive else _SLOT_WAIT_TIMEOUTS)
    semaphore = local_slots.semaphore(token_key=call.token_key)
    if not semaphore.acquire(timeout=patience):
        raise GitHubError(
            GitHubErrorCause.UNAVAILABLE,
            f"GitHub could not be asked for {subject}: {gate_concurrency()} requests "
            f"with the same token were in flight for {patience:.0f}s; {config.retry_hint}",
        )
    return semaphore


def _slot_take(*, gate: Gate, call: Call, subject: str) -> Permit:
    """A slot of the token's gate: waits while the token's slots are all taken, and for
    a rate limit that lifts within GITHUB_RATE_LIMIT_MAX_WAIT; raises RATE_LIMITED for a
    longer one (at once, without asking GitHub), or UNAVAILABLE when no slot frees in
    time."""
    config, timing = call.config, call.timing
    lease = (_REDIRECTS_MAX + 1) * config.timeout + _SLOT_LEASE_MARGIN_SECONDS
    patience = config.timeout * (1 if config.interactive else _SLOT_WAIT_TIMEOUTS)
    # Waiting for a slot is waiting for other requests to end, in real time: the policy's
    # waits (timing.sleep) are for GitHub's limits.
    started, pause = time.monotonic(), _SLOT_POLL_FIRST_SECONDS
    slept_past = 0.0
    while True:
        now = timing.clock()
        taken = gate.take(
            token_key=call.token_key, now=now, lease_seconds=lease, interactive=config.interactive
        )
        if isinstance(taken, Permit):
            return taken
        if taken.until is not None:
            wait = taken.until - now
            # Once waited for, a limit still in force (a clock that did not move on)
            # is given up on rather than waited for again.
            if wait > config.max_wait or config.interactive or taken.until <= slept_past:
                raise rate_limited_error(until=taken.until)
            logger.warning("GitHub rate limit on %s; waiting %.1fs", subject, wait)
            timing.sleep(max(0.0, wait) + _RATE_LIMIT_MARGIN_SECONDS)
            slept_past = taken.until
            continue
        waited = time.monotonic() - started
        if waited >= patience:
            raise GitHubError(
                GitHubErrorCause.UNAVAILABLE,
                f"GitHub could not be asked for {subject}: {gate_concurrency()} requests "
                f"with the same token were in flight for {waited:.0f}s; {config.retry_hint}",
            )
        time.sleep(pause)
        pause = min(pause * 2, _SLOT_POLL_LONGEST_SECONDS)
