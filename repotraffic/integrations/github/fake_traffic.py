"""The fake GitHub's numbers: each repository's "true" daily traffic, and the rules that
turn it into what GitHub's traffic endpoints report. The rule for views and clones is
spelled out in the docstring of `fake.py`; this module is its only implementation.

/traffic/popular/referrers and /traffic/popular/paths share out each reported day's
views: every candidate site or page draws a weight that varies day by day, with now and
then a burst (a link that went round), beside a weight for the views no listed entry
brought. An entry's count is its share summed over the window (uniques a fixed part of
it, at least 1); the answer is the 10 largest, largest first. So the lists change day
by day, and by the hour with the window, and an entry can leave the top 10 and come back.

Everything is derived from SHA-256 of the lower-cased "owner/name" (GitHub names are
case-insensitive) so that figures are the same in every process and on every run.
A repository with the "realistic" profile has its own truth and shares (see
fake_realistic.py); the rules that report them are the same.
"""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from repotraffic.integrations.github import fake_realistic
from repotraffic.integrations.github.fake_state import digest, repo_key

WINDOW_DAYS = 15  # today and the 14 days before it
DAY_HOURS = 24
REVISION_HOUR = 6  # yesterday is final once today is 06:00 UTC old
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
    "kagi.com",
    "producthunt.com",
    "medium.com",
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
    ("/blob/main/CONTRIBUTING.md", "{name}/CONTRIBUTING.md at main · {repo}"),
    ("/discussions", "Discussions · {repo}"),
    ("/security", "Security Overview · {repo}"),
)
POPULAR_SIZE = 10
_REFERRER_BASES = {"github.com": 150, "Google": 90}
# A day's views that no listed referrer brought (bookmarks, typed URLs), and those on
# pages outside the list, as weights beside the entries' own.
_UNREFERRED_WEIGHT = 400
_UNLISTED_PAGES_WEIGHT = 100
_BURST_DAY_BELOW = 10  # a digest byte under this: a link went round that day (~4% of days)
_MILLI = 1000


def traffic_truth(
    *, owner: str, name: str, day: dt.date, profile: str
) -> tuple[int, int, int, int]:
    """(views, unique_views, clones, unique_clones) that really happened on `day`."""
    if profile == "realistic":
        return fake_realistic.traffic_truth(owner=owner, name=name, day=day)
    key = repo_key(owner, name)
    popularity = 3 + int.from_bytes(digest(key)[:2], "big") % 400
    d = digest(key, day.isoformat())
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
    """The share (numerator, denominator) of `day`'s truth reported at `now`. It moves in
    whole hours, as GitHub's buckets do: minutes and seconds make no difference."""
    hour = now.hour
    age = (now.date() - day).days
    if age == 0:
        # Lagging a little behind, so that a report only ever grows: at most the 9/10
        # that yesterday shows before its revision.
        return hour * PROVISIONAL[0], DAY_HOURS * PROVISIONAL[1]
    if age == 1:
        return PROVISIONAL if hour < REVISION_HOUR else (1, 1)
    if age == WINDOW_DAYS - 1:
        return DAY_HOURS - hour, DAY_HOURS
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
    *, owner: str, name: str, now: dt.datetime, kind: str, profile: str
) -> list[tuple[dt.date, int, int]]:
    """The (day, count, uniques) GitHub reports at `now` for kind "views" or "clones"."""
    offset = 0 if kind == "views" else 2
    today = now.date()
    buckets = []
    for age in range(WINDOW_DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=age)
        truth = traffic_truth(owner=owner, name=name, day=day, profile=profile)
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
    *, owner: str, name: str, now: dt.datetime, kind: str, per: str, profile: str
) -> dict[str, Any]:
    """The JSON body of GET /repos/{owner}/{name}/traffic/{kind}?per={per}."""
    daily = traffic_daily(owner=owner, name=name, now=now, kind=kind, profile=profile)
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


def _entry_weight(*, key: str, entry: str, day: dt.date, base: int) -> int:
    """How much of `day`'s views an entry draws: its steady base, varied day by day, plus
    now and then a burst (a link that went round)."""
    d = digest(key, entry, day.isoformat())
    weight = base * (50 + d[1] % 100) // 100
    if d[0] < _BURST_DAY_BELOW:
        weight += 150 + d[2] * 2
    return weight


# Called with day=: each entry's weight in the day's views, and that of the views no
# entry has.
DayWeights = Callable[..., tuple[list[int], int]]


def _popular_counts(
    *, owner: str, name: str, now: dt.datetime, profile: str, entries: list[str], weigh: DayWeights
) -> list[tuple[str, int, int]]:
    """The top entries by their share of the window's reported views: (entry, count,
    uniques), largest first, at most POPULAR_SIZE, none with a count of 0."""
    key = repo_key(owner, name)
    totals = dict.fromkeys(entries, 0)  # in thousandths of a view until the end
    daily = traffic_daily(owner=owner, name=name, now=now, kind="views", profile=profile)
    for day, views, _ in daily:
        weights, rest = weigh(day=day)
        whole = rest + sum(weights)
        for entry, weight in zip(entries, weights, strict=True):
            totals[entry] += views * weight * _MILLI // whole
    counted = []
    for entry, total in totals.items():
        count = total // _MILLI
        if count:
            share = 25 + digest(key, entry, "uniques")[0] % 50
            counted.append((entry, count, max(1, count * share // 100)))
    counted.sort(key=lambda item: (-item[1], -item[2], item[0]))
    return counted[:POPULAR_SIZE]


def _default_weights(
    *, key: str, entries: list[str], bases: list[int], rest: int, day: dt.date
) -> tuple[list[int], int]:
    weights = [
        _entry_weight(key=key, entry=entry, day=day, base=base)
        for entry, base in zip(entries, bases, strict=True)
    ]
    return weights, rest


def traffic_referrers(
    *, owner: str, name: str, now: dt.datetime, profile: str
) -> list[dict[str, Any]]:
    """The body of GET .../traffic/popular/referrers: the top 10 referring sites."""
    key = repo_key(owner, name)
    sites = list(_REFERRERS)
    weigh: DayWeights = functools.partial(fake_realistic.referrer_weights, key=key, sites=sites)
    if profile != "realistic":
        # GitHub itself and Google bring the most, steadily; the rest depends on the
        # repository.
        bases = [_REFERRER_BASES.get(site, 4 + digest(key, site)[0] % 60) for site in sites]
        weigh = functools.partial(
            _default_weights, key=key, entries=sites, bases=bases, rest=_UNREFERRED_WEIGHT
        )
    top = _popular_counts(
        owner=owner, name=name, now=now, profile=profile, entries=sites, weigh=weigh
    )
    return [{"referrer": site, "count": count, "uniques": uniques} for site, count, uniques in top]


def traffic_paths(*, owner: str, name: str, now: dt.datetime, profile: str) -> list[dict[str, Any]]:
    """The body of GET .../traffic/popular/paths: the top 10 pages."""
    key = repo_key(owner, name)
    repo = f"{owner}/{name}"
    titles = dict(_PATHS)
    suffixes = list(titles)
    weigh: DayWeights = functools.partial(fake_realistic.path_weights, key=key, suffixes=suffixes)
    if profile != "realistic":
        # The repository's front page draws the most; the rest depends on the repository.
        bases = [300 if not suffix else 4 + digest(key, suffix)[0] % 60 for suffix in suffixes]
        weigh = functools.partial(
            _default_weights, key=key, entries=suffixes, bases=bases, rest=_UNLISTED_PAGES_WEIGHT
        )
    top = _popular_counts(
        owner=owner, name=name, now=now, profile=profile, entries=suffixes, weigh=weigh
    )
    return [
        {
            "path": f"/{repo}{suffix}",
            "title": titles[suffix].format(repo=repo, name=name),
            "count": count,
            "uniques": uniques,
        }
        for suffix, count, uniques in top
    ]
