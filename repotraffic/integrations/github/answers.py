"""What GitHub's answers hold, parsed: the typed values client.py returns, and the strict
parsers that turn JSON into them. A part of client.py, which other code imports from;
an answer that does not parse is a MALFORMED GitHubError, never a crash.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from repotraffic.integrations.github.errors import malformed


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


def day_parse(*, value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValueError(f"timestamp {value!r} is not a string")
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


def count_parse(*, value: Any, field: str) -> int:
    # bool is an int subclass; a JSON true is still not a count.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{field} {value!r} is not a whole number")
    return value


def buckets_parse(*, data: Any, key: str, subject: str) -> list[TrafficBucket]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise malformed(subject=subject, detail=f"no {key!r} list")
    buckets: dict[dt.date, TrafficBucket] = {}
    try:
        for item in data[key]:
            if not isinstance(item, dict):
                raise ValueError(f"entry {item!r} is not an object")
            day = day_parse(value=item.get("timestamp"))
            if day in buckets:
                raise ValueError(f"day {day} appears twice")
            buckets[day] = TrafficBucket(
                day=day,
                count=count_parse(value=item.get("count"), field="count"),
                uniques=count_parse(value=item.get("uniques"), field="uniques"),
            )
    except ValueError as exc:
        raise malformed(subject=subject, detail=str(exc)) from None
    return [buckets[day] for day in sorted(buckets)]


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


def popular_parse(*, data: Any, key: str, subject: str) -> list[PopularEntry]:
    if not isinstance(data, list):
        raise malformed(subject=subject, detail="not a list")
    entries: dict[str, PopularEntry] = {}
    try:
        for item in data:
            if not isinstance(item, dict):
                raise ValueError(f"entry {item!r} is not an object")
            name = item.get(key)
            title = item.get("title", "") if key == "path" else ""
            if not isinstance(name, str) or not name or not isinstance(title, str):
                raise ValueError(f"entry without a {key}")
            entries[name] = PopularEntry(
                name=name[:500],
                title=title[:500],
                count=count_parse(value=item.get("count"), field="count"),
                uniques=count_parse(value=item.get("uniques"), field="uniques"),
            )
    except ValueError as exc:
        raise malformed(subject=subject, detail=str(exc)) from None
    return list(entries.values())


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


def text_parse(*, value: Any, field: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"{field} {value!r} is not a text")
    return value


def release_parse(*, item: Any) -> Release:
    if not isinstance(item, dict):
        raise ValueError(f"release {item!r} is not an object")
    published = item.get("published_at")
    if published is not None and not isinstance(published, str):
        raise ValueError(f"published_at {published!r} is not a timestamp")
    published_at = dt.datetime.fromisoformat(published) if published else None
    if published_at is not None and published_at.tzinfo is None:
        raise ValueError(f"published_at {published!r} has no time zone")
    assets = item.get("assets")
    if not isinstance(assets, list):
        raise ValueError("a release without an 'assets' list")
    parsed = []
    for asset in assets:
        if not isinstance(asset, dict):
            raise ValueError(f"asset {asset!r} is not an object")
        parsed.append(
            ReleaseAsset(
                id=count_parse(value=asset.get("id"), field="asset id"),
                name=text_parse(value=asset.get("name"), field="asset name")[:255],
                download_count=count_parse(
                    value=asset.get("download_count"), field="download_count"
                ),
            )
        )
    return Release(
        id=count_parse(value=item.get("id"), field="release id"),
        tag_name=text_parse(value=item.get("tag_name"), field="tag_name")[:255],
        name=text_parse(value=item.get("name"), field="name", required=False)[:255],
        published_at=None if published_at is None else published_at.astimezone(dt.UTC),
        assets=parsed,
    )


def repository_parse(*, data: Any, subject: str, fetched_on: dt.date) -> RepositoryInfo:
    owner = data.get("owner") if isinstance(data, dict) else None
    login = owner.get("login") if isinstance(owner, dict) else None
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(login, str) or not login or not isinstance(name, str) or not name:
        raise malformed(subject=subject, detail="no owner login or name")
    permissions = data.get("permissions")
    can_read_traffic = (
        bool(permissions.get("push") or permissions.get("admin"))
        if isinstance(permissions, dict)
        else None
    )
    counts = {}
    for field, key in (
        ("stars", "stargazers_count"),
        ("forks", "forks_count"),
        ("watchers", "subscribers_count"),
        ("open_issues", "open_issues_count"),
    ):
        value = data.get(key, 0)
        try:
            counts[field] = count_parse(value=value, field=key)
        except ValueError as exc:
            raise malformed(subject=subject, detail=str(exc)) from None
    return RepositoryInfo(
        owner=login,
        name=name,
        private=data.get("private") is True,
        can_read_traffic=can_read_traffic,
        fetched_on=fetched_on,
        **counts,
    )
