"""demo_seed (`make demo`): months of history built by the real collection against the
fake's realistic repositories, read here as the demo user reads it, through the API,
with the link demo_seed prints, which stays the same from run to run."""

import datetime as dt
import io
import itertools
import re
import socket
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings
from rest_framework.test import APIClient

from repotraffic.integrations.github.fake import FakeGitHub

DAY = dt.timedelta(days=1)
# acme/rocket's first news spike of 2026, and a day 40 days after it starts: 45 days of
# collections up to it (which reach 14 days further back) hold the two weeks before the
# spike, the spike, and the three weeks after it.
SPIKE = FakeGitHub.news_spikes(
    "acme", "rocket", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
)[0]
TODAY = dt.datetime.combine(SPIKE.start + 40 * DAY, dt.time(12), tzinfo=dt.UTC)
DAYS = 45


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(*, days: int, var_dir: Path) -> str:
    """Runs demo_seed as `make demo` does, on TODAY, keeping its files in var_dir;
    returns what it printed."""
    out = io.StringIO()
    github = {
        "GITHUB_API_URL": f"http://127.0.0.1:{free_port()}",
        "GITHUB_TOKEN": "demo-token",
        "GITHUB_RETRY_BACKOFF": 0.0,
        "VAR_DIR": var_dir,
    }
    with override_settings(**github), time_machine.travel(TODAY, tick=True):
        call_command("demo_seed", "--days", str(days), stdout=out)
    return out.getvalue()


def printed_token(output: str) -> str:
    return output.split("The demo user's API token: ")[1].split()[0]


@pytest.fixture(scope="module")
def seeded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One demo history for the module's tests, which only read it (a seed takes
    seconds); wiped afterwards, as a transactional test leaves the database."""
    with django_db_blocker.unblock():
        try:
            yield seed(days=DAYS, var_dir=tmp_path_factory.mktemp("var"))
        finally:
            call_command("flush", "--noinput", verbosity=0)


@pytest.fixture
def demo(seeded: str, db: None) -> APIClient:
    """The API as the demo user, with the token demo_seed printed."""
    token = printed_token(seeded)
    client = APIClient()
    client.credentials(HTTP_X_API_TOKEN=token)
    return client


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in apps.get_models()}


def repository_id(demo: APIClient, full_name: str) -> str:
    repositories = demo.get("/api/repos").json()
    return next(r["id"] for r in repositories if r["url"].endswith(f"/{full_name}"))


def traffic(demo: APIClient, full_name: str) -> dict[dt.date, dict[str, Any]]:
    """The repository's complete days (the range's first and last are partial)."""
    rows = demo.get(f"/api/repos/{repository_id(demo, full_name)}").json()["traffic"]
    return {dt.date.fromisoformat(row["date"]): row for row in rows if not row["partial"]}


def test_ends_with_the_link_to_the_demo_users_pages_said_once(seeded: str) -> None:
    token = printed_token(seeded)
    link = f"http://127.0.0.1:8000/users/{token}/repos"

    assert re.fullmatch(r"[0-9a-f]{32}", token)
    assert seeded.count(link) == 1
    assert seeded.rstrip().endswith(link)


def test_every_repository_is_tracked_and_the_vanished_one_shows_why(demo: APIClient) -> None:
    repositories = {r["url"]: r for r in demo.get("/api/repos").json()}

    assert sorted(url.removeprefix("https://github.com/") for url in repositories) == [
        "acme/launchpad",
        "acme/rocket",
        "octo/vanished",
        "octo/widgets",
    ]
    assert "not found" in repositories["https://github.com/octo/vanished"]["last_error"]
    assert not repositories["https://github.com/acme/rocket"]["last_error"]


def test_each_day_was_judged_on_its_own_day_so_only_the_edges_are_partial(
    demo: APIClient,
) -> None:
    detail = demo.get(f"/api/repos/{repository_id(demo, 'acme/rocket')}").json()

    partial = [row["date"] for row in detail["traffic"] if row["partial"]]
    assert partial == [detail["collected_from"], detail["collected_until"]]
    assert detail["collected_until"] == str(TODAY.date())
    assert len(detail["traffic"]) == DAYS + 15  # the first run's window reached 14 days back


@pytest.mark.parametrize("full_name", ["acme/rocket", "acme/launchpad", "octo/widgets"])
def test_working_days_draw_more_views_than_weekends_and_uniques_stay_below(
    demo: APIClient, full_name: str
) -> None:
    days = traffic(demo, full_name)

    weekdays = [row["views"] for day, row in days.items() if day.weekday() < 5]
    weekends = [row["views"] for day, row in days.items() if day.weekday() >= 5]
    assert statistics.mean(weekdays) > statistics.mean(weekends)
    for row in days.values():
        assert 0 < row["unique_views"] < row["views"] and 0 < row["unique_clones"] < row["clones"]


def test_the_news_spike_lifts_views_and_its_site_joins_the_top_referrers_then_leaves(
    demo: APIClient,
) -> None:
    days = traffic(demo, "acme/rocket")
    before = statistics.median(days[SPIKE.start - n * DAY]["views"] for n in range(1, 15))
    assert days[SPIKE.start]["views"] > 2.5 * before

    rocket = repository_id(demo, "acme/rocket")
    referrers = demo.get(f"/api/repos/{rocket}/referrers").json()["items"]
    site = next(item for item in referrers if item["name"] == SPIKE.site)
    seen = {dt.date.fromisoformat(point["date"]) for point in site["series"]}
    assert min(seen) == SPIKE.start  # in the top 10 from the spike's first day...
    assert SPIKE.end + 7 * DAY in seen
    assert SPIKE.end + 21 * DAY not in seen  # ...and out of it three weeks after its end
    others = demo.get(f"/api/repos/{rocket}/referrers?start={SPIKE.end + 21 * DAY}").json()
    assert SPIKE.site not in {item["name"] for item in others["items"]} and others["items"]


def test_stars_and_forks_grow_and_stars_fastest_during_the_spike(demo: APIClient) -> None:
    rocket = repository_id(demo, "acme/rocket")
    items = demo.get(f"/api/repos/{rocket}/stars").json()["items"]

    stars = {dt.date.fromisoformat(item["date"]): item["stars"] for item in items}
    gains = {day: stars[day] - stars[day - DAY] for day in stars if day - DAY in stars}
    quiet = [gain for day, gain in gains.items() if not SPIKE.start <= day <= SPIKE.end]
    assert items[-1]["stars"] > items[0]["stars"] and items[-1]["forks"] > items[0]["forks"]
    assert gains[SPIKE.start] > 3 * max(quiet)


def test_popular_pages_carry_their_titles(demo: APIClient) -> None:
    rocket = repository_id(demo, "acme/rocket")
    items = demo.get(f"/api/repos/{rocket}/paths").json()["items"]

    titles = {item["name"]: item["title"] for item in items}
    assert titles["/acme/rocket"] == "GitHub - acme/rocket"
    assert len(titles) >= 10 and all(titles.values())


def test_the_release_before_the_spike_gains_downloads_day_by_day(demo: APIClient) -> None:
    rocket = repository_id(demo, "acme/rocket")
    releases = demo.get(f"/api/repos/{rocket}/releases").json()["releases"]

    release = next(r for r in releases if r["published_at"][:10] == str(SPIKE.start - DAY))
    totals = [point["total"] for point in release["series"]]
    assert len(totals) > 30  # collected every day since its publication
    assert all(a < b for a, b in itertools.pairwise(totals))


@pytest.mark.django_db(transaction=True)
def test_a_second_run_prints_the_same_link_and_adds_nothing(tmp_path: Path) -> None:
    first = seed(days=3, var_dir=tmp_path)
    rows = row_counts()

    assert seed(days=3, var_dir=tmp_path) == first
    assert row_counts() == rows
    assert rows["Repository"] == 4 and rows["User"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_kept_token_opens_the_demo_even_in_a_database_made_again(tmp_path: Path) -> None:
    token = printed_token(seed(days=1, var_dir=tmp_path))
    call_command("flush", "--noinput", verbosity=0)

    again = seed(days=1, var_dir=tmp_path)

    assert printed_token(again) == token
    assert (tmp_path / "demo-api-token").read_text().strip() == token
    assert (tmp_path / "demo-api-token").stat().st_mode & 0o077 == 0  # its owner's only
    client = APIClient()
    client.credentials(HTTP_X_API_TOKEN=token)
    assert len(client.get("/api/repos").json()) == 4


@pytest.mark.django_db(transaction=True)
def test_each_checkout_gets_its_own_random_token(tmp_path: Path) -> None:
    first = printed_token(seed(days=1, var_dir=tmp_path / "one"))

    other = printed_token(seed(days=1, var_dir=tmp_path / "two"))

    assert other != first  # no fixed token that would open every demo database
    client = APIClient()
    client.credentials(HTTP_X_API_TOKEN=first)
    assert client.get("/api/repos").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("api_url", "token", "says"),
    [
        ("https://api.github.com", "demo-token", "GITHUB_API_URL"),
        ("http://127.0.0.1:8765", "ghp_real", "GITHUB_TOKEN=demo-token"),
    ],
)
def test_refuses_to_run_against_anything_but_the_local_fake(
    settings: Any, api_url: str, token: str, says: str
) -> None:
    settings.GITHUB_API_URL, settings.GITHUB_TOKEN = api_url, token
    rows = row_counts()

    with pytest.raises(CommandError, match=says):
        call_command("demo_seed", "--days", "1", stdout=io.StringIO())

    assert row_counts() == rows  # refused before writing anything
