"""The only code that talks to GitHub: a repository's traffic and snapshots, its
stargazers, access and token checks, and the repositories a token can reach.

A thin client: each function GETs the REST paths it needs through transport.py (httpx,
one connection pool per token for the whole process, our retry policy, rate limits,
each answer's Date and Link headers) and parses the answers with answers.py (pydantic
models of the fields we read, giving the dataclasses other code uses). Every failure
becomes one `GitHubError` whose words the repository owner can act on (errors.py).
docs/architecture.md says, with measurements, why this is not PyGithub.
Other code imports from this module only.

Settings, read at call time (each has a default, so none is required):
GITHUB_API_URL, GITHUB_TIMEOUT, GITHUB_MAX_RETRIES, GITHUB_RETRY_BACKOFF and
GITHUB_RATE_LIMIT_MAX_WAIT.

Retry budget: one first attempt plus up to GITHUB_MAX_RETRIES more. A transient
failure (5xx, connection error, timeout) waits GITHUB_RETRY_BACKOFF * 2**n seconds
before retry n+1. A rate limit whose reset is at most GITHUB_RATE_LIMIT_MAX_WAIT
seconds away waits for it, using a retry from the same budget; a further reset, or
an exhausted budget, raises RATE_LIMITED with `retry_at`.

A rate limit also pauses the token at its gate, for every process (budget.gates) until
it lifts: every later call with it (the next repository of a run, a task in another
worker) waits for it if it lifts within GITHUB_RATE_LIMIT_MAX_WAIT, else raises the
same RATE_LIMITED at once, without asking GitHub again. The gate also holds each token
to GITHUB_TOKEN_CONCURRENCY requests in flight, and keeps the last
GITHUB_RATE_LIMIT_RESERVE of its hour for interactive calls.
`github_rate_limit_blocks_clear` forgets every gate's state (for tests).
"""

import datetime as dt
import math
import time
import urllib.parse

from django.conf import settings

from repotraffic.budget.gates import token_gate
from repotraffic.common.exceptions import ApplicationError
from repotraffic.integrations.github import answers, app_tokens, transport

# Re-exported ("X as X"): other code imports the answers' types from here.
from repotraffic.integrations.github.answers import ListedRepository as ListedRepository
from repotraffic.integrations.github.answers import PopularEntry as PopularEntry
from repotraffic.integrations.github.answers import PopularLists as PopularLists
from repotraffic.integrations.github.answers import Release as Release
from repotraffic.integrations.github.answers import ReleaseAsset as ReleaseAsset
from repotraffic.integrations.github.answers import ReleaseList as ReleaseList
from repotraffic.integrations.github.answers import RepositoryInfo as RepositoryInfo
from repotraffic.integrations.github.answers import RepositoryListing as RepositoryListing
from repotraffic.integrations.github.answers import StargazerList as StargazerList
from repotraffic.integrations.github.answers import TrafficBucket as TrafficBucket
from repotraffic.integrations.github.answers import TrafficWeeks as TrafficWeeks
from repotraffic.integrations.github.answers import TrafficWindow as TrafficWindow

# Re-exported ("X as X"): the GitHub App's installations (app_tokens.py).
from repotraffic.integrations.github.app_answers import AppInstallation as AppInstallation
from repotraffic.integrations.github.app_answers import OrgMembership as OrgMembership
from repotraffic.integrations.github.app_tokens import InstallationToken as InstallationToken

# Re-exported ("X as X"): other code imports the error type and its causes from here.
from repotraffic.integrations.github.errors import GitHubError as GitHubError
from repotraffic.integrations.github.errors import GitHubErrorCause as GitHubErrorCause
from repotraffic.integrations.github.errors import NoUserError
from repotraffic.integrations.github.transport import USER_AGENT as USER_AGENT

# What github_token_check returns for a GitHub App installation token: it has no user.
GITHUB_APP_LOGIN = "github-app"
# GET .../stargazers: 100 a page, with when each star was given; no page past 400.
STARGAZER_MEDIA_TYPE = "application/vnd.github.star+json"
STARGAZER_PAGES_MAX = 400
_PER_PAGE = 100

# Module-level so tests can patch them: backoff and rate-limit waits then cost no
# wall time, and the tests can assert how long we would have waited.
_sleep = time.sleep
_clock = time.time


def _utc_today() -> dt.date:
    """The UTC date an answer arrived on: the last day of GitHub's window in it. Its own
    function so that tests, and the demo's simulated days, can follow a fake clock."""
    return dt.datetime.now(dt.UTC).date()


def _timing() -> transport.Timing:
    # The module's attributes are read now, so that a patched one takes effect.
    return transport.Timing(sleep=_sleep, clock=_clock, today=_utc_today)


def _call_open(*, token: str | None, interactive: bool = False) -> transport.Call:
    # An installation token goes out as its installation's newest (app_tokens.py).
    return app_tokens.call_open(token=token, timing=_timing(), interactive=interactive)


def _repository_path(*, owner: str, name: str) -> str:
    """The API path of a repository, each part escaped (a name is never a path)."""
    return f"/repos/{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}"


def _traffic_series_fetch(
    *, token: str | None, owner: str, name: str, per: str
) -> tuple[dict[str, list[TrafficBucket]], dict[str, dt.date]]:
    """GitHub's views and clones buckets (`per` "day" or "week"), with each answer's date."""
    call = _call_open(token=token)
    repo = f"{owner}/{name}"
    base = _repository_path(owner=owner, name=name)
    series: dict[str, list[TrafficBucket]] = {}
    fetched_on: dict[str, dt.date] = {}
    for kind in ("views", "clones"):
        subject = f"{repo} traffic {kind}" + (" by week" if per == "week" else "")
        answer = transport.get(
            call=call,
            path=f"{base}/traffic/{kind}",
            params={"per": per},
            subject=subject,
            repo=repo,
        )
        series[kind] = answers.buckets_parse(body=answer.body, key=kind, subject=subject)
        fetched_on[kind] = answer.day
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
    call = _call_open(token=token)
    repo = f"{owner}/{name}"
    base = _repository_path(owner=owner, name=name)
    lists: dict[str, list[PopularEntry]] = {}
    fetched_on = _utc_today()
    for kind, key in (("referrers", "referrer"), ("paths", "path")):
        subject = f"{repo} popular {kind}"
        answer = transport.get(
            call=call,
            path=f"{base}/traffic/popular/{kind}",
            params=None,
            subject=subject,
            repo=repo,
        )
        lists[kind] = answers.popular_parse(body=answer.body, key=key, subject=subject)
        fetched_on = answer.day
    return PopularLists(referrers=lists["referrers"], paths=lists["paths"], fetched_on=fetched_on)


def _list_page_get(
    *,
    call: transport.Call,
    repo: str,
    path: str,
    what: str,
    page: int,
    accept: str = transport.JSON_MEDIA_TYPE,
) -> tuple[str, transport.Answer]:
    """Page `page` of one of the repository's lists, 100 a page; and its subject, for the
    words of a failure to read it."""
    subject = f"{repo} {what} (page {page})"
    answer = transport.get(
        call=call,
        path=path,
        params={"per_page": str(_PER_PAGE), "page": str(page)},
        subject=subject,
        repo=repo,
        accept=accept,
        what=what,
    )
    return subject, answer


def github_releases_fetch(
    *, token: str | None, owner: str, name: str, max_pages: int | None = None
) -> ReleaseList:
    """The repository's releases with their assets' download counts (GET .../releases,
    100 a page): one request for up to 100 releases, at most `max_pages` (default the
    setting TRAFFIC_RELEASE_PAGES, 3) in all; the result says if that cut it short."""
    call = _call_open(token=token)
    pages = max(1, max_pages or int(getattr(settings, "TRAFFIC_RELEASE_PAGES", 3)))
    repo = f"{owner}/{name}"
    path = f"{_repository_path(owner=owner, name=name)}/releases"
    releases: dict[int, Release] = {}  # by id: a release published meanwhile shifts pages
    fetched_on: dt.date | None = None
    has_next = True
    page = 0
    while has_next and page < pages:
        page += 1
        subject, answer = _list_page_get(
            call=call, repo=repo, path=path, what="releases", page=page
        )
        listed = answers.releases_parse(body=answer.body, subject=subject)
        for release in listed:
            releases.setdefault(release.id, release)
        fetched_on = fetched_on or answer.day
        has_next = answer.has_next and bool(listed)
    return ReleaseList(
        releases=list(releases.values()),
        complete=not has_next,
        fetched_on=fetched_on or _utc_today(),
    )


def _pages_listed(*, first: transport.Answer, stars: list[dt.datetime]) -> int | None:
    """The pages GitHub lists, as page 1 tells: its Link header's last page, or, without
    a further page, this one page (none when it is empty)."""
    last = first.page("last")
    if last is not None or first.has_next:
        return last
    return 1 if stars else 0


def github_stargazers_fetch(
    *,
    token: str | None,
    owner: str,
    name: str,
    pages: list[int] | None = None,
    max_pages: int = 10,
) -> StargazerList:
    """Pages of the repository's stargazer list with when each star was given (GET
    .../stargazers as application/vnd.github.star+json, 100 a page, oldest star first).

    With `pages` None: pages 1, 2, ... until the list ends or `max_pages` were read.
    With `pages`: exactly those page numbers, in order (the caller samples); a number
    past the 400 pages GitHub lists (it answers 422 there), or below 1, is skipped
    without a request. GitHub lists stargazers to those who may push (an admin or
    collaborator): anyone else gets NO_PUSH_ACCESS."""
    call = _call_open(token=token)
    repo = f"{owner}/{name}"
    path = f"{_repository_path(owner=owner, name=name)}/stargazers"
    wanted: list[int]
    if pages is None:
        wanted = list(range(1, min(max(0, max_pages), STARGAZER_PAGES_MAX) + 1))
    else:
        wanted = sorted({number for number in pages if 1 <= number <= STARGAZER_PAGES_MAX})
    read: dict[int, list[dt.datetime]] = {}
    total_pages: int | None = None
    fetched_on: dt.date | None = None
    for number in wanted:
        subject, answer = _list_page_get(
            call=call,
            repo=repo,
            path=path,
            what="stargazers",
            page=number,
            accept=STARGAZER_MEDIA_TYPE,
        )
        read[number] = answers.stargazers_parse(body=answer.body, subject=subject)
        fetched_on = fetched_on or answer.day
        if number == 1:
            total_pages = _pages_listed(first=answer, stars=read[1])
        if pages is None and not (answer.has_next and read[number]):
            break
    return StargazerList(pages=read, total_pages=total_pages, fetched_on=fetched_on or _utc_today())


def github_repository_get(
    *, token: str | None, owner: str, name: str, interactive: bool = False
) -> RepositoryInfo:
    """The repository as the token sees it: its canonical owner/name (GitHub follows
    renames and fixes the case) and whether the token has the push or admin permission
    that reading traffic needs. Raises NOT_FOUND when the token cannot see it, and
    NO_PUSH_ACCESS when it can see it but not read its traffic.

    interactive=True bounds it for a web request, as github_token_check describes."""
    call = _call_open(token=token, interactive=interactive)
    repo = f"{owner}/{name}"
    answer = transport.get(
        call=call,
        path=_repository_path(owner=owner, name=name),
        params=None,
        subject=repo,
        repo=repo,
    )
    info = answers.repository_parse(body=answer.body, subject=repo, fetched_on=answer.day)
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
    call = _call_open(token=token, interactive=interactive)
    budget = transport.Budget(attempts_left=call.config.max_retries + 1)  # the whole check's
    subject = "the token's user"
    try:
        answer = transport.get(
            call=call, path="/user", params=None, subject=subject, repo=None, budget=budget
        )
    except NoUserError as refused:
        subject = "the GitHub App installation's repositories"
        try:
            answer = transport.get(
                call=call,
                path="/installation/repositories",
                params={"per_page": "1"},
                subject=subject,
                repo=None,
                budget=budget,
            )
        except GitHubError as error:
            raise (error if error.transient else refused) from None
        answers.installation_check(body=answer.body, subject=subject)
        return GITHUB_APP_LOGIN
    return answers.login_parse(body=answer.body, subject=subject)


# GET /user/repos: every repository the user has explicit access to.
_USER_REPOSITORY_AFFILIATIONS = "owner,collaborator,organization_member"


def _repository_page_get(
    *, call: transport.Call, source: str, page: int, newest_first: bool
) -> tuple[str, transport.Answer, list[ListedRepository]]:
    """Page `page` of the token's repositories from `source` ("user" or "installation"),
    and the source it came from: page 1 of a user's list, which GitHub refuses to an
    installation token, is the installation's list instead."""
    if source == "user":
        subject = f"the token's repositories (page {page})"
        params = {
            "affiliation": _USER_REPOSITORY_AFFILIATIONS,
            # full_name: a stable order to page through; created: new ones first.
            "sort": "created" if newest_first else "full_name",
            "direction": "desc" if newest_first else "asc",
            "per_page": str(_PER_PAGE),
            "page": str(page),
        }
        try:
            answer = transport.get(
                call=call, path="/user/repos", params=params, subject=subject, repo=None
            )
        except NoUserError:
            if page > 1:
                raise
            return _repository_page_get(
                call=call, source="installation", page=page, newest_first=newest_first
            )
        return source, answer, answers.repository_page_parse(body=answer.body, subject=subject)
    answer, items = app_tokens.installation_repositories_page_get(call=call, page=page)
    return source, answer, items


def github_repositories_list(
    *,
    token: str | None,
    max_pages: int,
    created_after: dt.datetime | None = None,
    max_seconds: float | None = None,
    interactive: bool = False,
    installation: bool = False,
) -> RepositoryListing:
    """The repositories the token can reach, with whether it may read each one's traffic,
    100 a page, at most `max_pages` pages (the result says if that cut it short).

    A user's token (classic or fine-grained): GET /user/repos, the repositories its user
    owns, collaborates on or reaches through an organization, each with the user's
    `permissions`. A GitHub App installation token has no user: GitHub refuses it there
    (403 "Resource not accessible by integration"), and its list is GET
    /installation/repositories, without `permissions` (can_read_traffic None).

    With `created_after`, only the repositories created at GitHub after it: a user's
    list is read newest first and stops at the first page that reaches back to it; an
    installation's, which takes no order, is read as far as the budget goes.

    With `max_seconds`, no page is asked for once that long has passed since the first
    (someone waits for the answer): the result says so (`out_of_time`). With
    `installation`, the token is known to be an installation's: its list is asked for
    straight away."""
    call = _call_open(token=token, interactive=interactive)
    started = time.monotonic()
    source = "installation" if installation else "user"
    listed: dict[str, ListedRepository] = {}  # by full name: a new repository shifts pages
    page, has_next, out_of_time = 0, True, False
    while has_next and page < max(1, max_pages):
        if page and max_seconds is not None and time.monotonic() - started >= max_seconds:
            out_of_time = True
            break
        page += 1
        source, answer, items = _repository_page_get(
            call=call, source=source, page=page, newest_first=created_after is not None
        )
        for item in items:
            listed.setdefault(item.full_name.lower(), item)
        has_next = answer.has_next and bool(items)
        oldest = items[-1].created_at if items else None
        if created_after is not None and source == "user" and oldest and oldest <= created_after:
            has_next = False  # newest first: the pages left are older still
    repositories = [
        item
        for item in listed.values()
        if created_after is None
        or (item.created_at is not None and item.created_at > created_after)
    ]
    return RepositoryListing(
        repositories=repositories,
        complete=not has_next,
        pages_read=page,
        source=source,
        out_of_time=out_of_time,
    )


def github_app_configured() -> bool:
    """Whether this server has a GitHub App (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY)."""
    return app_tokens.app_configured()


def github_installation_get(*, installation_id: int, interactive: bool = False) -> AppInstallation:
    """The app's installation `installation_id`: the account it is on, whether it covers
    all of the account's repositories, whether it is suspended. Raises NOT_FOUND when
    the app has no such installation, NO_TOKEN when this server has no app."""
    return app_tokens.installation_get(
        installation_id=installation_id, timing=_timing(), interactive=interactive
    )


def github_installation_token_get(
    *, installation_id: int, interactive: bool = False
) -> InstallationToken:
    """A token of the app's installation, minted or held by this process (never stored
    anywhere else), which every function here takes as `token`. Raises GitHubError with
    words for the user who connected it when GitHub mints none (installation removed or
    suspended) and for the operator when it refuses the app."""
    return app_tokens.installation_token_get(
        installation_id=installation_id, timing=_timing(), interactive=interactive
    )


def github_org_membership_get(
    *, token: str, org: str, interactive: bool = False
) -> OrgMembership | None:
    """The token's user's membership of organization `org`, or None when they are not a
    member (GET /user/memberships/orgs/{org}: a classic token needs read:org)."""
    return app_tokens.org_membership_get(
        token=token, org=org, timing=_timing(), interactive=interactive
    )


def github_error_wait_answer(error: GitHubError, *, what: str) -> ApplicationError | None:
    """A failure at GitHub that someone waiting for an answer can only wait out, as that
    answer: 429 with Retry-After (until the rate limit lifts, else 60 s) for a rate
    limit, 503 when GitHub did not answer or answered what cannot be read; None for any
    other cause, which the caller words itself. `what`: what could not be done ("check
    acme/rocket")."""
    if error.cause == GitHubErrorCause.RATE_LIMITED:
        wait = 60
        if error.retry_at is not None:
            wait = max(1, math.ceil((error.retry_at - dt.datetime.now(dt.UTC)).total_seconds()))
        return ApplicationError(
            f"Could not {what}: {error.message}.",
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    if error.cause in (GitHubErrorCause.UNAVAILABLE, GitHubErrorCause.MALFORMED):
        return ApplicationError(f"Could not {what}: {error.message}", status_code=503)
    return None


def github_token_key(*, token: str) -> str:
    """What names a token in shared records (a budget per token) without holding it: the
    SHA-256 of GITHUB_API_URL and the token, as the rate-limit blocks key it; for a GitHub
    App installation token, its installation's key, the same for each of its tokens."""
    return app_tokens.token_gate_key(token=token)


def github_rate_limit_blocks_clear() -> None:
    """Forgets every token's rate limits and slots at its gate (for tests)."""
    token_gate().clear()
