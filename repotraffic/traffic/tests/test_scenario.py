"""Sixty-one days of collections, one a day against the fake GitHub, with faults; then every
data kind is compared with what GitHub really said.

The faults: a run whose views answer leaves out a day its clones answer reports; a run
whose every figure comes back lower; a run whose two traffic requests fall either side
of midnight; a run whose referrers request fails (retried an hour later). The data:
a referrer that leaves the top 10 and comes back, a release published mid-run, and a
second repository with more stargazers than the page budget reads.
"""

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from repotraffic.integrations.github import client, fake_activity, fake_traffic
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import services
from repotraffic.traffic.models import PopularSnapshot, RepositorySnapshot, StarHistoryDay
from repotraffic.traffic.services import traffic_fetch
from repotraffic.users.tests.factories import user_with_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("collection_clock")]

FIRST = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
# Sixty days and a Wednesday: Tuesday's run answers with weeks, and only the next daily
# answer brings Monday's final figures (GitHub revises a day early the next morning).
DAYS = 61
OMIT, GLITCH, STRADDLE, REFERRERS_DOWN = 21, 40, 50, 27  # run offsets, none a Tuesday
RELEASED = FIRST + dt.timedelta(days=25, hours=9)
# In this window producthunt.com drops out of acme/rocket's top 10 after run 14 and is
# back from run 33 (the fake's figures depend only on the name and the date).
COMES_BACK = "producthunt.com"


def _at(offset: int) -> dt.timedelta:
    if offset == STRADDLE:
        return dt.timedelta(days=offset, hours=23, minutes=59, seconds=30)
    return dt.timedelta(days=offset, hours=(3 + 7 * offset) % 24, minutes=(17 * offset) % 60)


def _oldest_complete(offset: int) -> dt.date:
    return (FIRST + dt.timedelta(days=offset - 13)).date()


@pytest.fixture
def scenario(github, monkeypatch, settings, api_client):
    """Runs the days; returns what the test compares."""
    settings.TRAFFIC_STARGAZER_PAGES = 4
    user, api_token = user_with_token()
    github.add_repo("acme", "rocket")
    github.add_repo("acme", "famous", stars=5_000)
    github.add_release("acme", "rocket", "v9.0.0", published=RELEASED)
    rocket = RepositoryFactory.create(user=user, owner="acme", name="rocket")
    famous = RepositoryFactory.create(user=user, owner="acme", name="famous")
    assert all((FIRST + _at(o)).weekday() != 1 for o in (OMIT, GLITCH, STRADDLE)), (
        "a fault on a Tuesday would meet the weekly answers, not the daily ones"
    )
    # The faults hit the oldest complete day of their window, which no later answer
    # reports again: it must have traffic to lose (at least 2 of each, for the halving).
    assert min(github.truth("acme", "rocket", _oldest_complete(OMIT))) >= 1
    assert min(github.truth("acme", "rocket", _oldest_complete(GLITCH))) >= 2

    real_fetch = client.github_traffic_fetch
    real_popular = client.github_popular_fetch
    run = {"offset": 0}
    faults_met: set[str] = set()
    fully_reported: set[dt.date] = set()
    popular_answers: list[tuple[str, dt.datetime]] = []  # (repository, when GitHub answered)

    def lower(buckets):
        return [replace(b, count=b.count // 2, uniques=b.uniques // 2) for b in buckets]

    def fetch(**kwargs):
        offset = run["offset"]
        window = real_fetch(**kwargs)
        if kwargs["name"] != "rocket":
            return window
        if offset == STRADDLE:  # the clones request lands a minute after midnight
            github.advance(minutes=1)
            later = real_fetch(**kwargs)
            window = replace(window, clones=later.clones, clones_fetched_on=later.clones_fetched_on)
            faults_met.add("straddle")
        if offset == OMIT:
            left_out = _oldest_complete(offset)
            assert any(b.day == left_out for b in window.views)
            window = replace(window, views=[b for b in window.views if b.day != left_out])
            faults_met.add("omit")
        if offset == GLITCH:
            window = replace(window, views=lower(window.views), clones=lower(window.clones))
            faults_met.add("glitch")
        views = {b.day: (b.count, b.uniques) for b in window.views}
        clones = {b.day: (b.count, b.uniques) for b in window.clones}
        assert window.views_fetched_on is not None
        for age in range(15):
            day = window.views_fetched_on - dt.timedelta(days=age)
            truth = github.truth("acme", "rocket", day)
            if (*views.get(day, (0, 0)), *clones.get(day, (0, 0))) == truth:
                fully_reported.add(day)
        return window

    def popular(**kwargs):
        lists = real_popular(**kwargs)
        popular_answers.append((kwargs["name"], github.now()))
        return lists

    monkeypatch.setattr(services, "github_traffic_fetch", fetch)
    monkeypatch.setattr(services, "github_popular_fetch", popular)
    # Per repository, when each of its successful runs began and ended (the run that
    # straddles midnight ends on the next day).
    run_times: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {"rocket": [], "famous": []}
    for offset in range(DAYS):
        run["offset"] = offset
        github.set_now(FIRST + _at(offset))
        github.reset_rate_limits()
        if offset == REFERRERS_DOWN:
            github.inject_fault("500", count=50, path="acme/rocket/traffic/popular/referrers")
            failed = traffic_fetch(repository_id=rocket.id)
            assert failed.error is not None and "referrers" in failed.error.message
            github.clear_faults()
            github.advance(hours=1)
            faults_met.add("referrers down")
        for repository in (rocket, famous):
            began = github.now()
            outcome = traffic_fetch(repository_id=repository.id)
            assert outcome.ok, outcome.summary
            run_times[repository.name].append((began, github.now()))
    assert faults_met == {"straddle", "omit", "glitch", "referrers down"}

    api_client.credentials(HTTP_X_API_TOKEN=api_token)

    def read(path: str, **query) -> dict:
        response = api_client.get(path, query)
        assert response.status_code == 200, response.content
        return response.json()

    return {
        "rocket": rocket,
        "famous": famous,
        "read": read,
        "fully_reported": fully_reported,
        "popular_answers": popular_answers,
        "run_times": run_times,
    }


def test_every_day_holds_githubs_figures_and_only_the_edges_stay_partial(github, scenario):
    rocket = scenario["rocket"]
    detail = scenario["read"](f"/api/repos/{rocket.id}")
    first_day = FIRST.date() - dt.timedelta(days=14)
    last_run = FIRST.date() + dt.timedelta(days=DAYS - 1)
    # A Tuesday's run asks for weeks instead of days; its day comes with the next run.
    last_day = last_run - dt.timedelta(days=1) if last_run.weekday() == 1 else last_run
    length = (last_day - first_day).days + 1
    series = {dt.date.fromisoformat(row["date"]): row for row in detail["traffic"]}

    assert (detail["collected_from"], detail["collected_until"]) == (
        first_day.isoformat(),
        last_day.isoformat(),
    )
    assert list(series) == [first_day + dt.timedelta(days=n) for n in range(length)]
    # Only the edges were never reported in full: one only cut short, one only in progress.
    assert set(series) - scenario["fully_reported"] <= {first_day, last_day}
    for day in scenario["fully_reported"] & set(series):
        row = series[day]
        got = (row["views"], row["unique_views"], row["clones"], row["unique_clones"])
        assert got == github.truth("acme", "rocket", day), day
    assert {day for day, row in series.items() if row["partial"]} == {first_day, last_day}
    assert detail["totals"] == {
        "views": sum(row["views"] for row in series.values()),
        "clones": sum(row["clones"] for row in series.values()),
        "days": length,
        "partial_days": 2,
    }


def test_every_complete_week_holds_githubs_true_weekly_uniques(github, scenario):
    rocket = scenario["rocket"]
    weeks = scenario["read"](f"/api/repos/{rocket.id}", interval="week")["weeks"]
    honest = [week for week in weeks if week["unique_views"] is not None]

    assert len(honest) >= 8  # every whole week of the sixty days
    for week in honest:
        monday = dt.date.fromisoformat(week["week"])
        # GitHub's per=week answer on a day that holds the whole week in its window.
        later = dt.datetime.combine(monday + dt.timedelta(days=8), dt.time(12), tzinfo=dt.UTC)
        for kind in ("views", "clones"):
            body = fake_traffic.traffic_payload(
                owner="acme", name="rocket", now=later, kind=kind, per="week", profile="default"
            )
            bucket = next(b for b in body[kind] if b["timestamp"].startswith(week["week"]))
            assert week[f"unique_{kind}"] == bucket["uniques"]
            # The count is the sum of the days shown: GitHub's, once every day was
            # reported in full (the last run's yesterday may still be GitHub's early figure).
            days = {monday + dt.timedelta(days=n) for n in range(7)}
            if days <= scenario["fully_reported"]:
                assert week[kind] == bucket["count"]


def test_each_days_top_ten_is_githubs_and_a_referrer_that_left_and_came_back_shows_it(
    scenario,
):
    rocket = scenario["rocket"]
    expected: dict[dt.date, dict[str, tuple[int, int]]] = {}
    for name, answered_at in scenario["popular_answers"]:
        if name != "rocket":
            continue
        on_day = expected.setdefault(answered_at.date(), {})
        for entry in fake_traffic.traffic_referrers(
            owner="acme", name="rocket", now=answered_at, profile="default"
        ):
            figures = (entry["count"], entry["uniques"])
            on_day[entry["referrer"]] = max(on_day.get(entry["referrer"], (0, 0)), figures)
    stored: dict[dt.date, dict[str, tuple[int, int]]] = {}
    for day, name, count, uniques in PopularSnapshot.objects.filter(
        repository=rocket, kind="referrer"
    ).values_list("date", "name", "count", "uniques"):
        stored.setdefault(day, {})[name] = (count, uniques)

    assert stored == expected
    item = next(
        i
        for i in scenario["read"](f"/api/repos/{rocket.id}/referrers")["items"]
        if i["name"] == COMES_BACK
    )
    seen = [dt.date.fromisoformat(point["date"]) for point in item["series"]]
    assert (item["first_seen"], item["last_seen"]) == (seen[0].isoformat(), seen[-1].isoformat())
    # Out of the top 10 for more than two weeks, then back. (The run that straddled
    # midnight left one day without lists: they were answered on the next.)
    gaps = [(a, b) for a, b in itertools.pairwise(seen) if (b - a).days > 2]
    assert len(gaps) == 1 and (gaps[0][1] - gaps[0][0]).days > 14
    # Rolling 14-day figures: the peak is one day's figure, never a sum of days.
    assert item["peak"]["count"] == max(point["count"] for point in item["series"])


def test_a_release_published_mid_run_is_counted_from_its_first_day(scenario):
    rocket = scenario["rocket"]
    releases = scenario["read"](f"/api/repos/{rocket.id}/releases")["releases"]
    release = next(r for r in releases if r["tag"] == "v9.0.0")
    (asset,) = release["assets"]
    # The releases are asked near a run's end: each day keeps its last run's count.
    last_on: dict[dt.date, dt.datetime] = {}
    for _, ended in scenario["run_times"]["rocket"]:
        if ended >= RELEASED:
            last_on[ended.date()] = ended
    runs_after = list(last_on.values())

    assert [point["date"] for point in asset["series"]] == [
        t.date().isoformat() for t in runs_after
    ]
    expected_totals = [
        fake_activity.asset_downloads(
            owner="acme",
            name="rocket",
            tag="v9.0.0",
            asset=asset["name"],
            published_at=RELEASED,
            now=t,
            profile="default",
        )
        for t in runs_after
    ]
    assert [point["total"] for point in asset["series"]] == expected_totals
    differences = [b - a for a, b in itertools.pairwise(expected_totals)]
    assert [point["downloads"] for point in asset["series"]] == [None, *differences]


def test_stars_past_the_page_budget_keep_only_exact_days_and_every_snapshot(github, scenario):
    famous = scenario["famous"]
    stars = fake_activity.stars_get(owner="acme", name="famous", initial=5_000)
    body = scenario["read"](f"/api/repos/{famous.id}/stars")
    history = body["history"]

    assert (history["pages_read"], history["complete"]) == (4, False)
    assert len(history["items"]) >= 4
    for point in history["items"]:
        end = dt.datetime.fromisoformat(point["date"]).replace(tzinfo=dt.UTC)
        assert point["stars"] == stars.count(end + dt.timedelta(days=1, seconds=-1))
    assert StarHistoryDay.objects.filter(repository=famous).count() == len(history["items"])
    # The daily snapshots: GitHub's count at each run, one a day.
    snapshots = dict(
        RepositorySnapshot.objects.filter(repository=famous).values_list("date", "stars")
    )
    # GET /repos is a run's first request: each day keeps its last run's count.
    expected = {}
    for began, _ in scenario["run_times"]["famous"]:
        expected[began.date()] = stars.count(began)
    assert snapshots == expected
