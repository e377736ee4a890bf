"""The fake GitHub's "realistic" profile: a repository added with
`FakeGitHub.add_repo(..., profile="realistic")`, as `seed_demo` adds the demo's, gets
figures shaped like a real project's instead of the default's uniform noise. Like the
default, they come from SHA-256 of the lower-cased "owner/name" and the date, so a day's
figures are the same whenever and wherever they are asked for: the history `demo_seed`
builds and the fake `make demo` serves afterwards agree.

Views: a base of 120 to 375 a day, times a weekday rhythm (Saturday and Sunday a little
over half of a working day), a slow trend (up and down by 30% over two years, linear in
between) and +-12% from day to day; 33% to 42% of them unique visitors. Clones: 12% of
the base, with a sharper weekday rhythm; 25% to 40% unique cloners.

News spikes: every 13 weeks (so always on the same weekday: a Tuesday, Wednesday or
Thursday), a link to the repository goes round a news site, in turn
news.ycombinator.com, reddit.com and lobste.rs (which comes first depends on the
repository). For 4 days it brings extra views of 100%, 45%, 20% and 8% of a peak of 8
to 15 times the base (half that from reddit.com, a third from lobste.rs). 80% of them
are new visitors, 4% clone, 3% star the repository. The site brings 90% of them and
nothing at other times, so it joins the top-10 referrers with its spike and leaves them
once the 14-day window has passed it.

Referrers and pages: each regular site and page draws a fixed share of the day's regular
views (varied by up to 30% either way, day by day), the rest coming from no listed
site or going to other pages; a spike's views go to its site, and to the front page,
the README and the releases.

Stars: 1 to 3 a day (4 to 12 every 4 days, to the second) plus a spike's, given evenly
over each day of it. Releases: one on the day before each spike from 2024 on (v1.0.0,
v1.1.0, ...), at 15:00 UTC, with a tarball and a wheel downloaded 40 to 139 times a day
for three days, then 6 to 30 times a day.
"""

import datetime as dt
import functools
import math
from dataclasses import dataclass

from repotraffic.integrations.github.fake_state import EPOCH, digest, repo_key

SPIKE_EVERY_DAYS = 91
SPIKE_SHAPE = (100, 45, 20, 8)  # each day's extra views, in percent of the peak
NEWS_SITES = ("news.ycombinator.com", "reddit.com", "lobste.rs")  # in turn
_NEWS_SCALES = (100, 50, 33)  # each site's peak, in percent of the repository's
_SPIKE_STARTS = (6, 0, 1)  # days after a Wednesday (2020-01-01 was one): Tue, Wed, Thu
_SPIKE_UNIQUE_PERCENT, _SPIKE_CLONE_PERCENT, _SPIKE_STAR_PERCENT = 80, 4, 3
_WEEKDAY_VIEWS = (100, 106, 104, 100, 88, 52, 58)  # percent, Monday first
_WEEKDAY_CLONES = (100, 104, 102, 100, 90, 35, 40)
_TREND_DAYS = 728  # up for half of it, down for the other half
_RELEASE_HOUR = 15
_FIRST_RELEASE_DAY = dt.date(2024, 1, 1)  # v1.0.0 comes before the first spike from then
_DAY_SECONDS = 86_400

# Shares of the regular views, in thousandths; what they leave came from no listed site.
_REFERRER_SHARES = {
    "github.com": 170,
    "Google": 120,
    "t.co": 24,
    "stackoverflow.com": 19,
    "DuckDuckGo": 15,
    "mastodon.social": 12,
    "Bing": 10,
    "dev.to": 8,
    "linkedin.com": 7,
    "medium.com": 5,
    "kagi.com": 4,
    "producthunt.com": 3,
}
# Keyed by the path after /owner/name; what they leave went to other pages.
_PATH_SHARES = {
    "": 400,
    "/blob/main/README.md": 90,
    "/issues": 60,
    "/releases": 45,
    "/tree/main/docs": 40,
    "/pulls": 30,
    "/commits/main": 14,
    "/actions": 12,
    "/wiki": 10,
    "/discussions": 9,
    "/stargazers": 8,
    "/blob/main/CONTRIBUTING.md": 7,
    "/network/members": 6,
    "/security": 3,
}
# Where a spike's visitors land (thousandths; the rest go elsewhere).
_SPIKE_PATH_SHARES = {"": 650, "/blob/main/README.md": 200, "/releases": 50}
_SPIKE_SITE_SHARE = 900


@dataclass(frozen=True)
class Spike:
    """A link to the repository going round a news site, from `start` for 4 days."""

    start: dt.date
    site: str
    peak: int  # extra views on its first day

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=len(SPIKE_SHAPE) - 1)

    def extra_views(self, day: dt.date) -> int:
        age = (day - self.start).days
        return self.peak * SPIKE_SHAPE[age] // 100 if 0 <= age < len(SPIKE_SHAPE) else 0


@dataclass(frozen=True)
class _Shape:
    base: int  # regular views on an average working day
    first_spike: dt.date
    peak: int  # the largest spike's first day (news.ycombinator.com)
    trend_phase: int
    first_site: int  # the site of spike 0, in NEWS_SITES


@functools.lru_cache(maxsize=256)
def _shape(key: str) -> _Shape:
    seed = digest("realistic", key)
    base = 120 + seed[0]
    first_spike = EPOCH.date() + dt.timedelta(days=7 * (seed[1] % 13) + _SPIKE_STARTS[seed[2] % 3])
    return _Shape(
        base=base,
        first_spike=first_spike,
        peak=base * (8 + seed[3] % 8),
        trend_phase=int.from_bytes(seed[4:6], "big") % _TREND_DAYS,
        first_site=seed[6] % len(NEWS_SITES),
    )


def _spike(shape: _Shape, number: int) -> Spike:
    start = shape.first_spike + dt.timedelta(days=number * SPIKE_EVERY_DAYS)
    turn = (shape.first_site + number) % len(NEWS_SITES)
    return Spike(
        start=start,
        site=NEWS_SITES[turn],
        peak=shape.peak * _NEWS_SCALES[turn] // 100,
    )


def spike_on(*, key: str, day: dt.date) -> Spike | None:
    """The spike going on on `day`, if any."""
    shape = _shape(key)
    number, age = divmod((day - shape.first_spike).days, SPIKE_EVERY_DAYS)
    return _spike(shape, number) if number >= 0 and age < len(SPIKE_SHAPE) else None


def spikes(*, owner: str, name: str, start: dt.date, end: dt.date) -> list[Spike]:
    """The spikes with a day from `start` to `end`, oldest first."""
    shape = _shape(repo_key(owner, name))
    first = max(
        0, -(-((start - shape.first_spike).days - len(SPIKE_SHAPE) + 1) // SPIKE_EVERY_DAYS)
    )
    found = []
    number = first
    while (spike := _spike(shape, number)).start <= end:
        if spike.end >= start:
            found.append(spike)
        number += 1
    return found


def _regular_views(*, key: str, day: dt.date, d: bytes) -> int:
    shape = _shape(key)
    phase = ((day - EPOCH.date()).days + shape.trend_phase) % _TREND_DAYS
    rising = min(phase, _TREND_DAYS - phase)  # 0 .. _TREND_DAYS / 2
    trend = 700 + rising * 600 * 2 // _TREND_DAYS  # thousandths: 0.7 .. 1.3
    noise = 88 + d[0] % 25
    return shape.base * trend * _WEEKDAY_VIEWS[day.weekday()] * noise // 10_000_000


def _day_views(*, key: str, day: dt.date) -> tuple[int, int, bytes]:
    """`day`'s regular views, a spike's extra views, and the day's seed."""
    d = digest(key, "realistic", day.isoformat())
    spike = spike_on(key=key, day=day)
    return _regular_views(key=key, day=day, d=d), spike.extra_views(day) if spike else 0, d


def traffic_truth(*, owner: str, name: str, day: dt.date) -> tuple[int, int, int, int]:
    """(views, unique_views, clones, unique_clones) that really happened on `day`."""
    key = repo_key(owner, name)
    regular, extra, d = _day_views(key=key, day=day)
    views = regular + extra
    unique_views = regular * (33 + d[1] % 10) // 100 + extra * _SPIKE_UNIQUE_PERCENT // 100
    regular_clones = _shape(key).base * 12 * _WEEKDAY_CLONES[day.weekday()] * (88 + d[2] % 25)
    clones = regular_clones // 1_000_000 + extra * _SPIKE_CLONE_PERCENT // 100
    unique_clones = min(clones, max(1, clones * (25 + d[3] % 16) // 100)) if clones else 0
    return views, min(views, max(1, unique_views)), clones, unique_clones


def _day_weights(
    *,
    key: str,
    day: dt.date,
    entries: list[str],
    shares: dict[str, int],
    spike_shares: dict[str, int],
) -> tuple[list[int], int]:
    """Each entry's weight in `day`'s views, and the weight of the views no entry has:
    in thousandths of a view, summing to the day's views."""
    regular, extra, _ = _day_views(key=key, day=day)
    weights = []
    for entry in entries:
        varied = shares.get(entry, 0) * (70 + digest(key, entry, day.isoformat())[0] % 61) // 100
        weights.append(regular * varied + extra * spike_shares.get(entry, 0))
    return weights, max(0, 1000 * (regular + extra) - sum(weights))


def referrer_weights(*, key: str, day: dt.date, sites: list[str]) -> tuple[list[int], int]:
    spike = spike_on(key=key, day=day)
    spike_shares = {spike.site: _SPIKE_SITE_SHARE} if spike else {}
    return _day_weights(
        key=key, day=day, entries=sites, shares=_REFERRER_SHARES, spike_shares=spike_shares
    )


def path_weights(*, key: str, day: dt.date, suffixes: list[str]) -> tuple[list[int], int]:
    return _day_weights(
        key=key, day=day, entries=suffixes, shares=_PATH_SHARES, spike_shares=_SPIKE_PATH_SHARES
    )


def _spike_day_stars(shape: _Shape, number: int, age: int) -> int:
    extra = _spike(shape, number).peak * SPIKE_SHAPE[age] // 100
    return extra * _SPIKE_STAR_PERCENT // 100


@functools.lru_cache(maxsize=256)
def _turn_stars(key: str) -> tuple[int, ...]:
    """The stars each spike of a turn brings (a turn: one spike per site, from spike 0)."""
    shape = _shape(key)
    return tuple(
        sum(_spike_day_stars(shape, number, age) for age in range(len(SPIKE_SHAPE)))
        for number in range(len(NEWS_SITES))
    )


def spike_stars(*, owner: str, name: str, moment: dt.datetime) -> int:
    """The stars the spikes had brought by `moment`: each spike day's, evenly over it."""
    key = repo_key(owner, name)
    shape = _shape(key)
    since = dt.datetime.combine(shape.first_spike, dt.time(), tzinfo=dt.UTC)
    seconds = math.floor((moment - since).total_seconds())
    if seconds < 0:
        return 0
    days, into_day = divmod(seconds, _DAY_SECONDS)
    number, age = divmod(days, SPIKE_EVERY_DAYS)
    turn = _turn_stars(key)
    stars = number // len(turn) * sum(turn) + sum(turn[: number % len(turn)])
    stars += sum(_spike_day_stars(shape, number, a) for a in range(min(age, len(SPIKE_SHAPE))))
    if age < len(SPIKE_SHAPE):
        stars += _spike_day_stars(shape, number, age) * into_day // _DAY_SECONDS
    return stars


def steady_stars_per_period(*, owner: str, name: str) -> int:
    """Stars given every 4 days besides the spikes'."""
    return 4 + digest("realistic-stars", repo_key(owner, name))[0] % 9


def _release_time(shape: _Shape, number: int) -> dt.datetime:
    day = _spike(shape, number).start - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(_RELEASE_HOUR), tzinfo=dt.UTC)


def release_times(*, owner: str, name: str, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """(tag, published_at) of the releases published by `now`, oldest first."""
    shape = _shape(repo_key(owner, name))
    first = number = -(-(_FIRST_RELEASE_DAY - shape.first_spike).days // SPIKE_EVERY_DAYS)
    released = []
    while (published := _release_time(shape, number)) <= now:
        released.append((f"v1.{number - first}.0", published))
        number += 1
    return released


def download_rates(seed: bytes) -> tuple[int, int]:
    """An asset's downloads a day: (in its release's first three days, afterwards)."""
    return 40 + seed[0] % 100, 6 + seed[1] % 25
