"""The fake GitHub's numbers: each repository's "true" daily traffic, and the rules that
turn it into what GitHub's traffic endpoints report. The rules are spelled out in the
docstring of `fake.py`; this module is their only implementation.

Everything is derived from SHA-256 of the lower-cased "owner/name" (GitHub names are
case-insensitive) so that figures are the same in every process and on every run.
"""

import datetime as dt
import hashlib
from typing import Any

DAY_SECONDS = 86_400
WINDOW_DAYS = 15  # today and the 14 days before it
REVISION_SECONDS = 6 * 3600  # yesterday is final once today is 06:00 UTC old
PROVISIONAL = (9, 10)  # yesterday's share of the truth before then

_REFERRERS = (
    "github.com",
    "Google",
    "news.ycombinator.com",
    "reddit.com",
    "t.co",
    "DuckDuckGo",
    "Bing",
    "stackoverflow.com",
    "dev.to",
    "lobste.rs",
    "mastodon.social",
    "linkedin.com",
)
_PATHS = (
    ("", "GitHub - {repo}"),
    ("/issues", "Issues · {repo}"),
    ("/pulls", "Pull requests · {repo}"),
    ("/blob/main/README.md", "{name}/README.md at main · {repo}"),
    ("/releases", "Releases · {repo}"),
    ("/actions", "Actions · {repo}"),
    ("/wiki", "Home · {repo} Wiki"),
    ("/tree/main/docs", "{name}/docs at main · {repo}"),
    ("/stargazers", "Stargazers · {repo}"),
    ("/network/members", "Forks · {repo}"),
    ("/commits/main", "Commits · {repo}"),
)


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("|".join(parts).encode()).digest()


def _repo_key(*, owner: str, name: str) -> str:
    return f"{owner}/{name}".lower()


def traffic_truth(*, owner: str, name: str, day: dt.date) -> tuple[int, int, int, int]:
    """(views, unique_views, clones, unique_clones) that really happened on `day`."""
    key = _repo_key(owner=owner, name=name)
    popularity = 3 + int.from_bytes(_digest(key)[:2], "big") % 400
    d = _digest(key, day.isoformat())
    weekend = day.weekday() >= 5
    views = 0
    if d[0] >= 38:  # about 15% of days see no visitor at all
        views = popularity * (40 + d[1] % 120) // 100
        views = views * 6 // 10 if weekend else views
    unique_views = max(1, views * (15 + d[2] % 50) // 100) if views else 0
    clones = 0
    if d[3] >= 100:  # about 40% of days see no clone
        clones = popularity * (5 + d[4] % 30) // 100
    unique_clones = max(1, clones * (20 + d[5] % 60) // 100) if clones else 0
    return views, unique_views, clones, unique_clones


def traffic_share(*, now: dt.datetime, day: dt.date) -> tuple[int, int]:
    """The share (numerator, denominator) of `day`'s truth reported at `now`."""
    elapsed = now.hour * 3600 + now.minute * 60 + now.second
    age = (now.date() - day).days
    if age == 0:
        # Lagging a little behind, so that a report only ever grows: at most the 9/10
        # that yesterday shows before its revision.
        return elapsed * PROVISIONAL[0], DAY_SECONDS * PROVISIONAL[1]
    if age == 1:
        return PROVISIONAL if elapsed < REVISION_SECONDS else (1, 1)
    if age == WINDOW_DAYS - 1:
        return DAY_SECONDS - elapsed, DAY_SECONDS
    if 1 < age < WINDOW_DAYS - 1:
        return 1, 1
    return 0, 1


def traffic_scale(*, count: int, uniques: int, share: tuple[int, int]) -> tuple[int, int]:
    numerator, denominator = share
    scaled_count = count * numerator // denominator
    scaled_uniques = uniques * numerator // denominator
    # A visit implies a visitor, so a non-zero count never has zero uniques.
    if scaled_count and not scaled_uniques:
        scaled_uniques = 1
    return scaled_count, min(scaled_uniques, scaled_count)


def traffic_daily(
    *, owner: str, name: str, now: dt.datetime, kind: str
) -> list[tuple[dt.date, int, int]]:
    """The (day, count, uniques) GitHub reports at `now` for kind "views" or "clones"."""
    offset = 0 if kind == "views" else 2
    today = now.date()
    buckets = []
    for age in range(WINDOW_DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=age)
        truth = traffic_truth(owner=owner, name=name, day=day)
        count, uniques = traffic_scale(
            count=truth[offset], uniques=truth[offset + 1], share=traffic_share(now=now, day=day)
        )
        if count:
            buckets.append((day, count, uniques))
    return buckets


def _uniques_combine(uniques: list[int]) -> int:
    # Visitors recur across days: the busiest day's visitors plus half of the rest.
    if not uniques:
        return 0
    top = max(uniques)
    return top + (sum(uniques) - top) // 2


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def traffic_payload(
    *, owner: str, name: str, now: dt.datetime, kind: str, per: str
) -> dict[str, Any]:
    """The JSON body of GET /repos/{owner}/{name}/traffic/{kind}?per={per}."""
    daily = traffic_daily(owner=owner, name=name, now=now, kind=kind)
    if per == "week":
        weeks: dict[dt.date, list[tuple[int, int]]] = {}
        for day, count, uniques in daily:
            weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append((count, uniques))
        buckets = [
            (monday, sum(c for c, _ in days), _uniques_combine([u for _, u in days]))
            for monday, days in sorted(weeks.items())
        ]
    else:
        buckets = daily
    return {
        "count": sum(count for _, count, _ in daily),
        "uniques": _uniques_combine([uniques for _, _, uniques in daily]),
        kind: [
            {"timestamp": _timestamp(day), "count": count, "uniques": uniques}
            for day, count, uniques in buckets
        ],
    }


def _top_counts(*, total: int, seed: bytes, size: int) -> list[tuple[int, int]]:
    """Descending (count, uniques) pairs that share `total` roughly geometrically."""
    pairs = []
    remaining = total
    for index in range(size):
        count = remaining * (30 + seed[index] % 30) // 100
        if count <= 0:
            break
        remaining -= count
        pairs.append((count, max(1, count * (25 + seed[index + 16] % 50) // 100)))
    return sorted(pairs, reverse=True)


def _views_total(*, owner: str, name: str, now: dt.datetime) -> int:
    return sum(
        count for _, count, _ in traffic_daily(owner=owner, name=name, now=now, kind="views")
    )


def traffic_referrers(*, owner: str, name: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The body of GET .../traffic/popular/referrers: the top 10 referring sites."""
    key = _repo_key(owner=owner, name=name)
    total = _views_total(owner=owner, name=name, now=now)
    sites = sorted(_REFERRERS, key=lambda site: _digest(key, site))[:10]
    pairs = _top_counts(total=total, seed=_digest(key, "referrers"), size=len(sites))
    return [
        {"referrer": site, "count": count, "uniques": uniques}
        for site, (count, uniques) in zip(sites, pairs, strict=False)
    ]


def traffic_paths(*, owner: str, name: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The body of GET .../traffic/popular/paths: the top 10 pages."""
    key = _repo_key(owner=owner, name=name)
    repo = f"{owner}/{name}"
    total = _views_total(owner=owner, name=name, now=now)
    # The repository's front page leads; the order of the rest depends on the repository.
    pages = [_PATHS[0], *sorted(_PATHS[1:], key=lambda page: _digest(key, page[0]))][:10]
    pairs = _top_counts(total=total, seed=_digest(key, "paths"), size=len(pages))
    return [
        {
            "path": f"/{repo}{suffix}",
            "title": title.format(repo=repo, name=name),
            "count": count,
            "uniques": uniques,
        }
        for (suffix, title), (count, uniques) in zip(pages, pairs, strict=False)
    ]


def repository_id(*, owner: str, name: str) -> int:
    """A stable numeric id, as GitHub gives every repository."""
    return int.from_bytes(_digest("id", _repo_key(owner=owner, name=name))[:4], "big")


def repository_counts(*, owner: str, name: str, now: dt.datetime) -> dict[str, int]:
    """Stars, forks, watchers and open issues on `now`'s day: they grow slowly with time."""
    seed = _digest("counts", _repo_key(owner=owner, name=name))
    days = (now.date() - dt.date(2020, 1, 1)).days
    stars = seed[0] * 5 + days * (1 + seed[1] % 3) // 4
    return {
        "stargazers_count": stars,
        "watchers_count": stars,  # GitHub's legacy name for stars
        "forks_count": stars // (8 + seed[2] % 8),
        "subscribers_count": 3 + stars // 40,
        "open_issues_count": seed[3] % 30,
    }
