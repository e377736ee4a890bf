"""What GitHub's answers hold, parsed: the typed values client.py returns, and the strict
parsers that turn an answer's JSON body into them. A part of client.py, which other code
imports from; an answer that does not parse is a MALFORMED GitHubError, never a crash.

Each parser validates the body with a pydantic model of the fields repotraffic reads
(strict: a count is a JSON integer >= 0, never true, 1.5 or "7"; a timestamp is an
ISO 8601 text), then builds the frozen dataclasses other code uses, constructs by hand
in tests and copies with `dataclasses.replace`.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from repotraffic.integrations.github.errors import malformed

# --- what other code uses ----------------------------------------------------------


@dataclass(frozen=True)
class TrafficBucket:
    day: dt.date
    count: int
    uniques: int


@dataclass(frozen=True)
class TrafficWindow:
    """GitHub's two daily series. A response fetched on UTC date D covers D-14 .. D; the
    two requests can straddle midnight, so each carries its own D (None in a window built
    by hand: the collection's date stands in)."""

    views: list[TrafficBucket]
    clones: list[TrafficBucket]
    views_fetched_on: dt.date | None = None
    clones_fetched_on: dt.date | None = None


@dataclass(frozen=True)
class TrafficWeeks:
    """GitHub's two weekly series (per=week), each bucket dated by its week's Monday
    (weeks start Monday 00:00 UTC). Its uniques are GitHub's count of distinct people in
    the part of that week inside the answer's window: honest weekly uniques only for a
    week the window held whole (traffic.merge.traffic_week_complete)."""

    views: list[TrafficBucket]
    clones: list[TrafficBucket]
    views_fetched_on: dt.date
    clones_fetched_on: dt.date


@dataclass(frozen=True)
class RepositoryInfo:
    """GET /repos/{owner}/{repo}: GitHub's own spelling of the name, and what the token
    may do there. `can_read_traffic` is None where GitHub does not say (a GitHub App
    installation token gets no `permissions`)."""

    owner: str
    name: str
    private: bool
    can_read_traffic: bool | None
    stars: int = 0
    forks: int = 0
    watchers: int = 0  # GitHub's subscribers_count: people watching the repository
    open_issues: int = 0  # open issues and pull requests, as GitHub counts them
    fetched_on: dt.date | None = None  # the UTC date of GitHub's answer


@dataclass(frozen=True)
class ListedRepository:
    """An item of a list of repositories (GET /user/repos, GET /installation/repositories):
    GitHub's spelling of its name and, as RepositoryInfo, whether the token may read its
    traffic (None where GitHub does not say: an installation's list)."""

    owner: str
    name: str
    private: bool
    archived: bool
    can_read_traffic: bool | None
    created_at: dt.datetime | None  # when it was created at GitHub (UTC)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class RepositoryListing:
    """The repositories a token can reach, as far as the budget went. `complete` is False
    when the pages or the time allowed ran out before the list did (`out_of_time`: the
    time). `source` is "user" (a user's token: GET /user/repos) or "installation" (a
    GitHub App installation token: GET /installation/repositories)."""

    repositories: list[ListedRepository]
    complete: bool
    pages_read: int
    source: str
    out_of_time: bool = False


@dataclass(frozen=True)
class PopularEntry:
    """One line of GitHub's top-10 lists: a referring site (`name`; `title` empty) or a
    page (`name` its path, `title` its title). `count` and `uniques` are GitHub's totals
    over its rolling 14 days, not one day's."""

    name: str
    title: str
    count: int
    uniques: int


@dataclass(frozen=True)
class PopularLists:
    referrers: list[PopularEntry]
    paths: list[PopularEntry]
    fetched_on: dt.date | None = None  # the UTC date of GitHub's answer: the lists' day


@dataclass(frozen=True)
class ReleaseAsset:
    id: int
    name: str
    download_count: int  # cumulative, since the asset was uploaded


@dataclass(frozen=True)
class Release:
    id: int
    tag_name: str
    name: str  # empty when GitHub has none
    published_at: dt.datetime | None  # None for a draft
    assets: list[ReleaseAsset]


@dataclass(frozen=True)
class ReleaseList:
    """The repository's releases, newest first as GitHub lists them. `complete` is False
    when the page budget ran out before the list did: the oldest releases are missing."""

    releases: list[Release]
    complete: bool
    fetched_on: dt.date  # the UTC date of GitHub's (first) answer


@dataclass(frozen=True)
class StargazerList:
    """Pages of the stargazer list (oldest star first, 100 a page): page number -> when
    each star on it was given, in the list's order. Only the pages read are there; an
    empty page (past the end) is an empty list. `total_pages` is the number of pages
    GitHub will list, from page 1's Link header (at most 400: GitHub lists no further);
    None when page 1 was not read."""

    pages: dict[int, list[dt.datetime]]
    total_pages: int | None
    fetched_on: dt.date  # the UTC date of GitHub's first answer


# --- GitHub's JSON, as far as repotraffic reads it ---------------------------------

Count = Annotated[int, Field(ge=0)]
Text = Annotated[str, Field(min_length=1)]


class _Wire(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class _Bucket(_Wire):
    timestamp: dt.datetime
    count: Count
    uniques: Count


class _Series(_Wire):
    """views or clones: the one the answer is about."""

    views: list[_Bucket] | None = None
    clones: list[_Bucket] | None = None


class _Referrer(_Wire):
    referrer: Text
    count: Count
    uniques: Count


class _Path(_Wire):
    path: Text
    title: str = ""
    count: Count
    uniques: Count


class _Asset(_Wire):
    id: Count
    name: Text
    download_count: Count


class _Release(_Wire):
    id: Count
    tag_name: Text
    name: str | None = None
    published_at: AwareDatetime | None = None
    assets: list[_Asset]


class _Owner(_Wire):
    login: Text


class _Permissions(_Wire):
    admin: bool = False
    push: bool = False


class _Repository(_Wire):
    owner: _Owner
    name: Text
    private: bool | None = None
    permissions: _Permissions | None = None
    stargazers_count: Count = 0
    forks_count: Count = 0
    subscribers_count: Count = 0
    open_issues_count: Count = 0


class _ListedRepository(_Wire):
    owner: _Owner
    name: Text
    private: bool | None = None
    archived: bool | None = None
    permissions: _Permissions | None = None
    created_at: AwareDatetime | None = None


class _InstallationRepositoryPage(_Wire):
    repositories: list[_ListedRepository]


class _User(_Wire):
    login: Text


class _InstallationRepositories(_Wire):
    repositories: list[Any]


class _Stargazer(_Wire):
    starred_at: AwareDatetime


_SERIES = TypeAdapter(_Series)
_REFERRERS = TypeAdapter(list[_Referrer])
_PATHS = TypeAdapter(list[_Path])
_RELEASES = TypeAdapter(list[_Release])
_REPOSITORY = TypeAdapter(_Repository)
_USER = TypeAdapter(_User)
_REPOSITORY_PAGE = TypeAdapter(list[_ListedRepository])
_INSTALLATION_REPOSITORY_PAGE = TypeAdapter(_InstallationRepositoryPage)
_INSTALLATION_REPOSITORIES = TypeAdapter(_InstallationRepositories)
_STARGAZERS = TypeAdapter(list[_Stargazer])

_Parsed = TypeVar("_Parsed")


def _validated(adapter: TypeAdapter[_Parsed], *, body: bytes, subject: str) -> _Parsed:
    """The body as the model reads it, or MALFORMED naming the first thing wrong and where
    it is: "views.0.count: Input should be a valid integer"."""
    try:
        return adapter.validate_json(body)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        detail = f"invalid JSON: {first.get('ctx', {}).get('error', first['msg'])}"
    else:
        where = ".".join(str(part) for part in first["loc"])
        detail = f"{where}: {first['msg']}" if where else first["msg"]
    raise malformed(subject=subject, detail=detail[:200])


# The same rule for the GitHub App's answers (app_answers.py).
validated = _validated


def _utc_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


# --- the parsers -------------------------------------------------------------------


def buckets_parse(*, body: bytes, key: str, subject: str) -> list[TrafficBucket]:
    """GET .../traffic/views or /clones: the `key` series, one bucket a UTC day, sorted."""
    series: list[_Bucket] | None = getattr(_validated(_SERIES, body=body, subject=subject), key)
    if series is None:
        raise malformed(subject=subject, detail=f"no {key!r} list")
    buckets: dict[dt.date, TrafficBucket] = {}
    for item in series:
        day = _utc_day(item.timestamp)
        if day in buckets:
            raise malformed(subject=subject, detail=f"day {day} appears twice")
        buckets[day] = TrafficBucket(day=day, count=item.count, uniques=item.uniques)
    return [buckets[day] for day in sorted(buckets)]


def popular_parse(*, body: bytes, key: str, subject: str) -> list[PopularEntry]:
    """GET .../traffic/popular/referrers (`key` "referrer") or /paths (`key` "path")."""
    if key == "path":
        items = [
            (item.path, item.title, item.count, item.uniques)
            for item in _validated(_PATHS, body=body, subject=subject)
        ]
    else:
        items = [
            (item.referrer, "", item.count, item.uniques)
            for item in _validated(_REFERRERS, body=body, subject=subject)
        ]
    entries = {
        name: PopularEntry(name=name[:500], title=title[:500], count=count, uniques=uniques)
        for name, title, count, uniques in items
    }
    return list(entries.values())


def releases_parse(*, body: bytes, subject: str) -> list[Release]:
    """One page of GET .../releases."""
    return [
        Release(
            id=item.id,
            tag_name=item.tag_name[:255],
            name=(item.name or "")[:255],
            published_at=None
            if item.published_at is None
            else item.published_at.astimezone(dt.UTC),
            assets=[
                ReleaseAsset(
                    id=asset.id, name=asset.name[:255], download_count=asset.download_count
                )
                for asset in item.assets
            ],
        )
        for item in _validated(_RELEASES, body=body, subject=subject)
    ]


def repository_parse(*, body: bytes, subject: str, fetched_on: dt.date) -> RepositoryInfo:
    """GET /repos/{owner}/{repo}."""
    parsed = _validated(_REPOSITORY, body=body, subject=subject)
    permissions = parsed.permissions
    return RepositoryInfo(
        owner=parsed.owner.login,
        name=parsed.name,
        private=parsed.private is True,
        can_read_traffic=None if permissions is None else permissions.push or permissions.admin,
        stars=parsed.stargazers_count,
        forks=parsed.forks_count,
        watchers=parsed.subscribers_count,
        open_issues=parsed.open_issues_count,
        fetched_on=fetched_on,
    )


def _listed(item: _ListedRepository) -> ListedRepository:
    permissions = item.permissions
    return ListedRepository(
        owner=item.owner.login,
        name=item.name,
        private=item.private is True,
        archived=item.archived is True,
        can_read_traffic=None if permissions is None else permissions.push or permissions.admin,
        created_at=None if item.created_at is None else item.created_at.astimezone(dt.UTC),
    )


def repository_page_parse(*, body: bytes, subject: str) -> list[ListedRepository]:
    """One page of GET /user/repos: a list of repositories, each with `permissions`."""
    return [_listed(item) for item in _validated(_REPOSITORY_PAGE, body=body, subject=subject)]


def installation_repository_page_parse(*, body: bytes, subject: str) -> list[ListedRepository]:
    """One page of GET /installation/repositories: {"total_count", "repositories"}."""
    page = _validated(_INSTALLATION_REPOSITORY_PAGE, body=body, subject=subject)
    return [_listed(item) for item in page.repositories]


def login_parse(*, body: bytes, subject: str) -> str:
    """GET /user: the token's user."""
    return _validated(_USER, body=body, subject=subject).login


def installation_check(*, body: bytes, subject: str) -> None:
    """GET /installation/repositories answers a `repositories` list."""
    _validated(_INSTALLATION_REPOSITORIES, body=body, subject=subject)


def stargazers_parse(*, body: bytes, subject: str) -> list[dt.datetime]:
    """One page of GET .../stargazers as application/vnd.github.star+json: when each star
    was given, in the list's order (UTC)."""
    return [
        item.starred_at.astimezone(dt.UTC)
        for item in _validated(_STARGAZERS, body=body, subject=subject)
    ]
