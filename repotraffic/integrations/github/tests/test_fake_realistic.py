"""The fake GitHub's realistic profile (fake_realistic.py), which the demo's repositories
have: the shapes a demo user sees, asked for over HTTP as the collection asks for them."""

import datetime as dt
import itertools
import json
import statistics
from collections import Counter
from typing import Any

import pytest

from repotraffic.integrations.github.fake import FakeGitHub
from repotraffic.integrations.github.tests.helpers import (
    TOKEN,
    expected_daily,
    http_get,
    http_post_json,
)

YEAR = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
DAY = dt.timedelta(days=1)


@pytest.fixture
def realistic(fake: FakeGitHub) -> FakeGitHub:
    fake.add_repo("acme", "rocket", profile="realistic")
    return fake


def _json(fake: FakeGitHub, path: str, **headers: str) -> Any:
    status, _, body = http_get(fake.url + path, token=TOKEN, headers=headers)
    assert status == 200, body
    return json.loads(body)


def _on(fake: FakeGitHub, day: dt.date) -> FakeGitHub:
    """The clock at 22:30 UTC on `day`, when the scheduled collection runs."""
    fake.set_now(dt.datetime.combine(day, dt.time(22, 30), tzinfo=dt.UTC))
    return fake


def _referrers(fake: FakeGitHub, day: dt.date) -> list[str]:
    entries = _json(_on(fake, day), "/repos/acme/rocket/traffic/popular/referrers")
    return [entry["referrer"] for entry in entries]


def _views(fake: FakeGitHub, day: dt.date) -> int:
    return fake.truth("acme", "rocket", day)[0]


def test_working_days_see_more_views_than_weekends_and_uniques_stay_below_counts(
    realistic: FakeGitHub,
) -> None:
    truths = {day: realistic.truth("acme", "rocket", day) for day in YEAR}

    weekdays = [views for day, (views, *_) in truths.items() if day.weekday() < 5]
    weekends = [views for day, (views, *_) in truths.items() if day.weekday() >= 5]
    assert statistics.mean(weekdays) > 1.5 * statistics.mean(weekends)
    for views, unique_views, clones, unique_clones in truths.values():
        assert 0 < unique_views < views and 0 < unique_clones < clones


def test_views_drift_slowly_over_the_months(realistic: FakeGitHub) -> None:
    spikes = realistic.news_spikes("acme", "rocket", start=YEAR[0], end=YEAR[-1])
    mondays = [day for day in YEAR[:-6] if day.weekday() == 0]
    weeks = [
        sum(_views(realistic, monday + n * DAY) for n in range(7))
        for monday in mondays
        if not any(monday <= spike.end and spike.start <= monday + 6 * DAY for spike in spikes)
    ]

    assert max(weeks) > 1.3 * min(weeks)
    # From one week to the next, the trend moves by far less than that.
    assert all(abs(b - a) < 0.15 * a for a, b in itertools.pairwise(weeks))


def test_a_news_spike_lifts_views_for_a_few_days_mostly_from_new_visitors(
    realistic: FakeGitHub,
) -> None:
    spike = realistic.news_spikes("acme", "rocket", start=YEAR[0], end=YEAR[-1])[0]
    before = statistics.median(_views(realistic, spike.start - n * DAY) for n in range(1, 15))

    first_day = realistic.truth("acme", "rocket", spike.start)
    assert first_day[0] > 2.5 * before
    assert first_day[0] > _views(realistic, spike.start + DAY) > _views(realistic, spike.end)
    assert _views(realistic, spike.end + 7 * DAY) < 2 * before
    regular_day = realistic.truth("acme", "rocket", spike.start - 7 * DAY)
    assert first_day[1] / first_day[0] > regular_day[1] / regular_day[0]


def test_the_spikes_site_joins_the_top_referrers_and_leaves_with_the_window(
    realistic: FakeGitHub,
) -> None:
    spikes = realistic.news_spikes("acme", "rocket", start=YEAR[0], end=YEAR[-1])
    assert {spike.site for spike in spikes} == {"news.ycombinator.com", "reddit.com", "lobste.rs"}

    for spike in spikes:
        assert spike.site not in _referrers(realistic, spike.start - DAY)
        assert spike.site in _referrers(realistic, spike.start)
        assert _referrers(realistic, spike.start + DAY)[0] == spike.site
        assert spike.site in _referrers(realistic, spike.end + 7 * DAY)  # still in the window
        three_weeks_after = _referrers(realistic, spike.end + 21 * DAY)
        assert spike.site not in three_weeks_after and len(three_weeks_after) == 10


def test_spike_visitors_land_on_the_front_page_and_the_readme(realistic: FakeGitHub) -> None:
    spike = realistic.news_spikes("acme", "rocket", start=YEAR[0], end=YEAR[-1])[0]

    paths = _json(_on(realistic, spike.end), "/repos/acme/rocket/traffic/popular/paths")

    assert [(p["path"], p["title"]) for p in paths[:2]] == [
        ("/acme/rocket", "GitHub - acme/rocket"),
        ("/acme/rocket/blob/main/README.md", "rocket/README.md at main · acme/rocket"),
    ]
    assert len(paths) == 10 and all(p["title"] and p["uniques"] <= p["count"] for p in paths)


def test_stars_and_forks_grow_every_day_and_stars_fastest_in_a_spike(
    realistic: FakeGitHub,
) -> None:
    spike = realistic.news_spikes("acme", "rocket", start=YEAR[0], end=YEAR[-1])[0]
    days = [spike.start - 20 * DAY + n * DAY for n in range(40)]
    counts = {day: _json(_on(realistic, day), "/repos/acme/rocket") for day in days}

    stars = [counts[day]["stargazers_count"] for day in days]
    gains = dict(zip(days[1:], (b - a for a, b in itertools.pairwise(stars)), strict=True))
    assert all(gain > 0 for gain in gains.values())
    quiet = [gain for day, gain in gains.items() if not spike.start <= day <= spike.end]
    assert gains[spike.start] > 3 * max(quiet)
    assert counts[days[-1]]["forks_count"] > counts[days[0]]["forks_count"]


def test_the_stargazer_list_holds_every_star_a_spike_brought(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "small", stars=3, profile="realistic")
    spike = fake.news_spikes("acme", "small", start=dt.date(2020, 1, 1), end=dt.date(2020, 6, 1))[0]
    counted = _json(_on(fake, spike.end + DAY), "/repos/acme/small")["stargazers_count"]

    listed: list[dict[str, Any]] = []
    star_json = {"Accept": "application/vnd.github.star+json"}
    for page in itertools.count(1):
        path = f"/repos/acme/small/stargazers?per_page=100&page={page}"
        if not (stars := _json(fake, path, **star_json)):
            break
        listed += stars

    times = [star["starred_at"] for star in listed]
    assert len(listed) == counted and times == sorted(times)
    per_day = Counter(dt.date.fromisoformat(time[:10]) for time in times)
    quiet = [per_day[day] for day in per_day if dt.date(2020, 1, 1) <= day < spike.start]
    assert per_day[spike.start] > 3 * max(quiet)


def test_a_release_comes_the_day_before_each_spike_and_its_downloads_grow_daily(
    realistic: FakeGitHub,
) -> None:
    spike = realistic.news_spikes("acme", "rocket", start=YEAR[0], end=YEAR[-1])[0]

    downloads = []
    for day in (spike.start + n * DAY for n in range(8)):
        newest = _json(_on(realistic, day), "/repos/acme/rocket/releases")[0]
        assert newest["published_at"][:10] == str(spike.start - DAY)
        downloads.append([asset["download_count"] for asset in newest["assets"]])

    for asset_counts in zip(*downloads, strict=True):
        assert all(a < b for a, b in itertools.pairwise(asset_counts))


def test_the_windows_report_realistic_figures_by_the_same_rules(realistic: FakeGitHub) -> None:
    spike = realistic.news_spikes("acme", "rocket", start=YEAR[0], end=YEAR[-1])[0]
    now = dt.datetime.combine(spike.start + 3 * DAY, dt.time(4, 10), tzinfo=dt.UTC)
    realistic.set_now(now)

    for kind in ("views", "clones"):
        daily = _json(realistic, f"/repos/acme/rocket/traffic/{kind}")
        expected = expected_daily(fake=realistic, owner="acme", name="rocket", now=now, kind=kind)
        assert [(b["count"], b["uniques"]) for b in daily[kind]] == [
            (b.count, b.uniques) for b in expected
        ]
        weekly = _json(realistic, f"/repos/acme/rocket/traffic/{kind}?per=week")
        assert all(0 < b["uniques"] < b["count"] for b in weekly[kind])
        assert weekly["count"] == daily["count"] and 0 < weekly["uniques"] < weekly["count"]


def test_the_profile_is_chosen_per_repository(fake: FakeGitHub) -> None:
    status, _ = http_post_json(
        fake.url + "/_fake/state",
        {"repos": [{"owner": "octo", "name": "widgets", "profile": "realistic"}]},
    )
    assert status == 200
    widgets = [fake.truth("octo", "widgets", day) for day in YEAR]
    rocket = [fake.truth("acme", "rocket", day) for day in YEAR]

    assert all(views for views, *_ in widgets)  # a realistic project has visitors every day
    assert any(views == 0 for views, *_ in rocket)  # the default, as before
    with pytest.raises(ValueError, match="profile"):
        fake.add_repo("acme", "other", profile="viral")
