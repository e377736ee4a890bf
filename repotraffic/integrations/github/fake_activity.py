"""The fake GitHub's repository activity over time: stars, releases and their downloads,
and the counts GET /repos/{owner}/{repo} shows. All of it follows the fake clock and is
derived, like the traffic, from SHA-256 of the lower-cased "owner/name". What follows is
the default profile; the "realistic" one (fake_realistic.py) differs where it says.

Stars are given one by one: a repository has `stars` (FakeGitHub.add_repo; by default
0..1275 from its name) by 2020-01-01T00:00Z, given one an hour before that, then gains
1 to 3 every 4 days, to the second. `stargazers_count` (GET /repos/{o}/{n}) is the
number given by the fake clock's now, and GET .../stargazers lists exactly those,
oldest first, star number i with `starred_at` = Stars.star_time(i).

Releases: one every 45 to 104 days from early 2024 (v0.1.0, v0.2.0, ...), plus those
added with FakeGitHub.add_release (which replace a same-named one), each listed once
published. An asset's `download_count` grows by the hour from its release's
publication: 1 to 40 a day for the first three days, plus 0 to 11 a day for ever.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from repotraffic.integrations.github import fake_realistic
from repotraffic.integrations.github.fake_state import EPOCH as EPOCH  # tests' origin of time
from repotraffic.integrations.github.fake_state import FakeRelease, digest, repo_key

_DAY_SECONDS = 86_400
_STAR_PERIOD_SECONDS = 4 * _DAY_SECONDS  # stars gained per 4 days: 1, 2 or 3
_STARS_BEFORE_EPOCH_SECONDS = 3600  # the starting stars came one an hour before EPOCH
_FIRST_RELEASES = dt.datetime(2024, 1, 1, 14, 0, tzinfo=dt.UTC)
_LAUNCH_HOURS = 72  # downloads come faster in a release's first three days


@dataclass(frozen=True)
class Stars:
    """A repository's stargazers over time: star number i (from 1, oldest first) was
    given at `star_time(i)`, and `count(now)` of them had been given by `now`."""

    initial: int  # given by EPOCH
    per_period: int  # gained every 4 days after it
    # The stars given by a moment besides the steady ones (a realistic profile's spikes).
    spike_stars: Callable[[dt.datetime], int] | None = None

    def count(self, now: dt.datetime) -> int:
        seconds = math.floor((now - EPOCH).total_seconds())
        if seconds >= 0:
            steady = self.initial + seconds * self.per_period // _STAR_PERIOD_SECONDS
            return steady + (self.spike_stars(now) if self.spike_stars else 0)
        missing = -(seconds // _STARS_BEFORE_EPOCH_SECONDS)  # ceil(-seconds / 3600)
        return max(0, self.initial - missing)

    def star_time(self, index: int) -> dt.datetime:
        if index <= self.initial:
            before = (self.initial - index) * _STARS_BEFORE_EPOCH_SECONDS
            return EPOCH - dt.timedelta(seconds=before)
        # When the steady stars alone reach it: spikes can only make it sooner.
        after = -(-(index - self.initial) * _STAR_PERIOD_SECONDS // self.per_period)
        if self.spike_stars is None:
            return EPOCH + dt.timedelta(seconds=after)
        earliest = 0
        while earliest < after:  # the first second by which `index` stars were given
            middle = (earliest + after) // 2
            if self.count(EPOCH + dt.timedelta(seconds=middle)) >= index:
                after = middle
            else:
                earliest = middle + 1
        return EPOCH + dt.timedelta(seconds=after)


def stars_get(*, owner: str, name: str, initial: int | None, profile: str = "default") -> Stars:
    seed = digest("counts", repo_key(owner, name))
    initial = seed[0] * 5 if initial is None else max(0, initial)
    if profile == "realistic":

        def spikes(moment: dt.datetime) -> int:
            return fake_realistic.spike_stars(owner=owner, name=name, moment=moment)

        per_period = fake_realistic.steady_stars_per_period(owner=owner, name=name)
        return Stars(initial=initial, per_period=per_period, spike_stars=spikes)
    return Stars(initial=initial, per_period=1 + seed[1] % 3)


def repository_id(*, owner: str, name: str) -> int:
    """A stable numeric id, as GitHub gives every repository."""
    return int.from_bytes(digest("id", repo_key(owner, name))[:4], "big")


def repository_counts(*, owner: str, name: str, stars: Stars, now: dt.datetime) -> dict[str, int]:
    """Stars, forks, watchers and open issues at `now`: they grow slowly with time."""
    seed = digest("counts", repo_key(owner, name))
    starred = stars.count(now)
    return {
        "stargazers_count": starred,
        "watchers_count": starred,  # GitHub's legacy name for stars
        "forks_count": starred // (8 + seed[2] % 8),
        "subscribers_count": 3 + starred // 40,
        "open_issues_count": seed[3] % 30,
    }


def _release_times(*, owner: str, name: str, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """(tag, published_at) of the default profile's releases published by `now`."""
    seed = digest("releases", repo_key(owner, name))
    published = _FIRST_RELEASES + dt.timedelta(days=seed[0] % 90, minutes=seed[1] % 60)
    every = dt.timedelta(days=45 + seed[2] % 60)
    released: list[tuple[str, dt.datetime]] = []
    while published <= now:
        released.append((f"v0.{len(released) + 1}.0", published))
        published += every
    return released


def releases_published(
    *, owner: str, name: str, added: dict[str, FakeRelease], now: dt.datetime, profile: str
) -> list[FakeRelease]:
    """The releases published by `now`, newest first: the profile's, each with a tarball
    and a wheel, and those added, which replace a same-named one."""
    schedule = fake_realistic.release_times if profile == "realistic" else _release_times
    releases = {
        tag: FakeRelease(
            tag=tag,
            published_at=published,
            assets=(f"{name}-{tag}.tar.gz", f"{name}-{tag}-py3-none-any.whl"),
        )
        for tag, published in schedule(owner=owner, name=name, now=now)
    }
    releases.update({tag: release for tag, release in added.items() if release.published_at <= now})
    return sorted(releases.values(), key=lambda r: (r.published_at, r.tag), reverse=True)


def asset_downloads(
    *,
    owner: str,
    name: str,
    tag: str,
    asset: str,
    published_at: dt.datetime,
    now: dt.datetime,
    profile: str,
) -> int:
    """An asset's download count at `now`: it grows by the hour, fastest at launch."""
    hours = math.floor((now - published_at).total_seconds() / 3600)
    if hours <= 0:
        return 0
    d = digest("downloads", repo_key(owner, name), tag, asset)
    at_launch, steady = 1 + d[0] % 40, d[1] % 12  # downloads a day
    if profile == "realistic":
        at_launch, steady = fake_realistic.download_rates(d)
    return (min(hours, _LAUNCH_HOURS) * at_launch + hours * steady) // 24


def asset_size(*, owner: str, name: str, tag: str, asset: str) -> int:
    d = digest("size", repo_key(owner, name), tag, asset)
    return 10_000 + int.from_bytes(d[:3], "big") % 5_000_000


def asset_digest(*, owner: str, name: str, tag: str, asset: str) -> str:
    return "sha256:" + digest("content", repo_key(owner, name), tag, asset).hex()


def number_id(*parts: str) -> int:
    """A stable numeric id for a release, an asset or a user."""
    return int.from_bytes(digest("id", *parts)[:4], "big")
