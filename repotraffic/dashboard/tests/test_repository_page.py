"""The single-repository page: traffic by day and week, referrers and popular content,
stars and forks, release downloads, the collection's state and exports; in both URL
spaces, the share space read-only and without the API token."""

import csv
import datetime as dt
import io
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from repotraffic.common.dates import DateRange
from repotraffic.dashboard.repository_selectors import (
    collection_next_attempt,
    repository_page_get,
)
from repotraffic.dashboard.tests.helpers import (
    assert_plain_404,
    assert_private,
    page_url,
    share_url,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import (
    Collection,
    PopularSnapshot,
    Release,
    ReleaseAssetDay,
    RepositorySnapshot,
    TrafficWeek,
)
from repotraffic.traffic.selectors import collection_get
from repotraffic.users.tests.factories import user_with_token

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 1, 1)  # the fixture's first day of traffic (60 days)


def seed_extras(repository) -> None:
    """Referrers and pages over three days, stars, a release with downloads, a week."""
    for offset, (hn, docs) in enumerate([(10, 5), (40, 6), (30, 7)]):
        day = DAY + dt.timedelta(days=20 + offset)
        PopularSnapshot.objects.create(
            repository=repository, kind="referrer", date=day, name="news.ycombinator.com",
            count=hn, uniques=hn // 2,
        )  # fmt: skip
        PopularSnapshot.objects.create(
            repository=repository, kind="referrer", date=day, name="docs.example.com",
            count=docs, uniques=2,
        )  # fmt: skip
        PopularSnapshot.objects.create(
            repository=repository, kind="path", date=day, name="/acme/rocket",
            title="rocket", count=100 + offset, uniques=30,
        )  # fmt: skip
        RepositorySnapshot.objects.create(
            repository=repository, date=day, stars=100 + 5 * offset, forks=10 + offset,
            watchers=3, open_issues=1,
        )  # fmt: skip
    release = Release.objects.create(
        repository=repository, github_id=1, tag="v1.0.0", name="Liftoff",
        published_at=dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC),
    )  # fmt: skip
    for offset, count in enumerate([50, 80, 95]):
        ReleaseAssetDay.objects.create(
            repository=repository, release=release, date=DAY + dt.timedelta(days=20 + offset),
            asset_id=7, asset_name="rocket.tar.gz", download_count=count,
        )  # fmt: skip
    TrafficWeek.objects.create(
        repository=repository, week=dt.date(2024, 1, 8), views=70, unique_views=21,
        clones=14, unique_clones=6, complete=True,
    )  # fmt: skip


@pytest.fixture
def seeded(repository):
    seed_extras(repository)
    return repository


def page_data(response) -> dict:
    match = re.search(
        r'<script id="repository-data" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    assert match is not None
    return json.loads(match.group(1))


# --- selectors -----------------------------------------------------------------------


def test_the_page_data_has_days_weeks_and_months_without_summed_uniques(seeded):
    page = repository_page_get(repository=seeded, date_range=DateRange())
    data = json.loads(page.chart_json)

    assert len(data["days"]["views"]) == 60
    weeks = data["weeks"]
    # 2024-01-01 is a Monday: 60 days are 8 whole weeks and 4 days of a ninth.
    assert len(weeks["x"]) == 9
    assert weeks["partial"] == [8]
    # GitHub's own weekly uniques where it gave them; never a sum of daily uniques.
    assert weeks["unique_views"][1] == 21
    assert weeks["unique_views"][0] is None
    assert all(value is None for value in data["months"]["unique_views"])
    assert sum(data["months"]["views"]) == sum(data["days"]["views"])


def test_leaders_are_ranked_by_their_peak_14_day_figure_never_a_sum(seeded):
    page = repository_page_get(repository=seeded, date_range=DateRange())

    assert [item.name for item in page.referrers] == ["news.ycombinator.com", "docs.example.com"]
    leader = page.referrers[0]
    assert (leader.peak.count, leader.latest.count) == (40, 30)
    assert (leader.first_seen, leader.last_seen) == (dt.date(2024, 1, 21), dt.date(2024, 1, 23))
    series = json.loads(page.chart_json)["referrers"][0]
    assert series["count"] == [10, 40, 30]


def test_stars_downloads_and_release_markers(seeded):
    data = json.loads(repository_page_get(repository=seeded, date_range=DateRange()).chart_json)

    assert data["stars"]["stars"] == [100, 105, 110]
    assert data["stars"]["forks"] == [10, 11, 12]
    assert data["downloads"]["downloads"] == [None, 30, 15]
    assert data["downloads"]["total"] == [50, 80, 95]
    published = int(dt.datetime(2024, 1, 15, 12, tzinfo=dt.UTC).timestamp())
    assert data["releases"] == [[published, "v1.0.0"]]


def test_a_range_limits_every_kind(seeded):
    date_range = DateRange(start=dt.date(2024, 1, 22), end=dt.date(2024, 1, 31))
    page = repository_page_get(repository=seeded, date_range=date_range)
    data = json.loads(page.chart_json)

    assert len(data["days"]["views"]) == 10
    assert data["stars"]["stars"] == [105, 110]
    assert page.referrers[0].peak.count == 40
    assert data["releases"] == []  # published before the range


def test_the_next_attempt_is_the_next_scheduled_run(repository, settings):
    collection = collection_get(repository=repository)
    now = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)

    attempt = collection_next_attempt(collection=collection, now=now)

    # TRAFFIC_FETCH_SCHEDULE's default: 22:30 UTC every day.
    assert attempt.at == dt.datetime(2026, 11, 27, 22, 30, tzinfo=dt.UTC)
    assert (attempt.when, attempt.reason) == (
        "today at 22:30 UTC",
        "It comes with the daily collection.",
    )
    later = collection_next_attempt(collection=collection, now=now.replace(hour=23))
    assert later.at == dt.datetime(2026, 11, 28, 22, 30, tzinfo=dt.UTC)
    assert later.when == "tomorrow at 22:30 UTC"


def test_the_next_attempt_follows_the_configured_schedule(repository, settings):
    settings.TRAFFIC_FETCH_SCHEDULE = "0 6 * * 1"  # Mondays at 06:00 UTC
    collection = collection_get(repository=repository)

    attempt = collection_next_attempt(
        collection=collection, now=dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
    )

    assert attempt.at == dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC)
    # In plain words: neither the setting's name nor its crontab fields.
    assert attempt.when == "on Monday 30 November at 06:00 UTC"
    assert attempt.reason == "It comes with the scheduled collection."


def test_a_running_collection_is_attempting_now(repository):
    now = timezone.now()
    Collection.objects.filter(repository=repository).update(
        lease_owner="w", lease_until=now + dt.timedelta(minutes=3)
    )
    attempt = collection_next_attempt(collection=collection_get(repository=repository), now=now)

    assert attempt.at == now
    assert "running now" in attempt.reason


def test_a_requested_untried_collection_waits_for_a_worker(repository):
    now = timezone.now()
    Collection.objects.filter(repository=repository).update(requested_at=now)
    attempt = collection_next_attempt(collection=collection_get(repository=repository), now=now)

    assert attempt.at is None
    assert "waiting for a worker" in attempt.reason


# --- the page ------------------------------------------------------------------------


def test_the_page_shows_every_panel_newest_first(client, token, seeded):
    response = client.get(page_url(token, seeded))

    assert response.status_code == 200
    assert_private(response)
    html = response.content.decode()
    for heading in ("Traffic", "Referring sites", "Popular content", "Stars and forks",
                    "Release downloads", "Export"):  # fmt: skip
        assert f">{heading}</h2>" in html
    dates = re.findall(r'<th scope="row"><time datetime="([\d-]+)">', html)
    daily = dates[:60]
    assert daily == sorted(daily, reverse=True)  # newest first
    assert "news.ycombinator.com" in html
    assert 'class="collect-now"' in html
    assert f'data-collect-url="/api/repos/{seeded.id}/collect"' in html
    # Scrollable tables are reachable from the keyboard and named.
    assert html.count('class="table-scroll" tabindex="0" role="region" aria-label=') >= 4


def test_the_page_reads_in_a_bounded_number_of_queries(client, token, seeded):
    url = page_url(token, seeded)
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    seed_more = RepositoryFactory.create(user=seeded.user)
    seed_extras(seed_more)
    for offset in range(30):
        PopularSnapshot.objects.create(
            repository=seeded, kind="referrer", date=DAY + dt.timedelta(days=offset),
            name=f"site{offset}.example", count=offset, uniques=1,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as second:
        client.get(url)

    # The grant, the repository, its collection state, the days, the weeks, referrers and
    # pages (two each), the snapshots, the downloads, the releases: however much history.
    assert len(second) == len(first) == 12


def test_a_failing_repository_shows_its_error_and_the_next_attempt_where_the_chart_would_be(
    client, token, owner_and_token
):
    repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="broken")
    error = "GitHub says the token cannot push to acme/broken: give it push access."
    Collection.objects.filter(repository=repository).update(
        last_error=error, last_attempt_at=timezone.now(), last_error_at=timezone.now()
    )

    with time_machine.travel(dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)):
        response = client.get(page_url(token, repository))

    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert "The last collection failed" in html
    assert "today at 22:30 UTC</time>. It comes with the daily collection." in html
    assert "TRAFFIC_FETCH_SCHEDULE" not in html
    traffic = html[html.index('id="traffic-title"') : html.index('id="referrers-title"')]
    assert error in traffic  # where the chart would be


def test_a_share_page_says_since_when_collection_fails_without_the_owners_detail(
    client, token, owner_and_token, share_key
):
    repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="broken")
    error = "GitHub says the token cannot push to acme/broken: give it push access."
    success = dt.datetime(2026, 11, 20, 22, 31, tzinfo=dt.UTC)
    failure = dt.datetime(2026, 11, 26, 22, 31, tzinfo=dt.UTC)
    Collection.objects.filter(repository=repository).update(
        last_error=error, last_success_at=success, last_attempt_at=failure, last_error_at=failure
    )

    with time_machine.travel(dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)):
        shared = client.get(share_url(share_key, repository)).content.decode()
        owners = client.get(page_url(token, repository)).content.decode()

    assert error not in shared
    assert "token" not in shared.lower()
    assert "Collection of this repository is failing since its last success on" in shared
    assert "2026-11-20 22:31 UTC" in shared
    assert "Next attempt: <time" in shared
    assert error in owners  # the owner keeps the detail


def test_the_share_page_is_read_only_and_never_holds_the_token(client, token, seeded, share_key):
    response = client.get(share_url(share_key, seeded))

    html = response.content.decode()
    assert response.status_code == 200
    assert token not in html
    assert "collect-now" not in html
    assert "/collect" not in html
    assert "/api/" not in html
    assert f"/share/{share_key}/repos/{seeded.id}/export.json" in html


def test_one_repositorys_share_link_opens_its_exports(client, seeded, repository_share_key):
    response = client.get(f"/share/{repository_share_key}/repos/{seeded.id}/export.csv?kind=day")

    assert response.status_code == 200


def test_a_one_repository_share_link_exports_nothing_else(client, seeded, repository_share_key):
    other = RepositoryFactory.create(user=seeded.user, owner="acme", name="secret")

    for suffix in ("export.json", "export.csv?kind=day"):
        assert_plain_404(client.get(f"/share/{repository_share_key}/repos/{other.id}/{suffix}"))


def test_exports_answer_get_only(client, token, seeded):
    response = client.post(f"/users/{token}/repos/{seeded.id}/export.json")

    assert response.status_code == 405
    assert_private(response)


def test_another_users_token_or_a_wrong_share_key_gets_a_plain_404(client, seeded):
    _, other_token = user_with_token()
    assert_plain_404(client.get(page_url(other_token, seeded)))
    assert_plain_404(client.get(f"/users/{other_token}/repos/{seeded.id}/export.json"))
    assert_plain_404(client.get(f"/share/not-a-key/repos/{seeded.id}/export.csv"))


def test_a_bad_range_is_a_400_that_says_why(client, token, seeded):
    response = client.get(page_url(token, seeded) + "?start=2024-02-30")

    assert response.status_code == 400
    assert "start is not a real date: 2024-02-30" in response.content.decode()


# --- exports -------------------------------------------------------------------------


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_json_export_is_the_archive_of_the_range(client, token, seeded):
    url = f"/users/{token}/repos/{seeded.id}/export.json?start=2024-01-22&end=2024-01-31"
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-rocket.jsonl"'
    assert_private(response)
    lines = [json.loads(line) for line in body(response).splitlines()]
    assert lines[0]["format"] == "repotraffic-archive"
    days = [line["date"] for line in lines if line.get("kind") == "day"]
    assert days[0] == "2024-01-22" and days[-1] == "2024-01-31" and len(days) == 10
    assert {line["date"] for line in lines if line.get("kind") == "popular"} == {
        "2024-01-22",
        "2024-01-23",
    }
    assert [line["tag"] for line in lines if line.get("kind") == "release"] == ["v1.0.0"]


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("day", "date"),
        ("week", "week"),
        ("popular", "date"),
        ("snapshot", "date"),
        ("release_asset_day", "date"),
    ],
)
def test_each_csv_export_holds_one_kind_of_the_range(client, token, seeded, kind, header):
    url = f"/users/{token}/repos/{seeded.id}/export.csv?kind={kind}&start=2024-01-08"
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="acme-rocket-{kind}.csv"'
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0][0] == header
    assert len(rows) > 1
    assert all(row[0] >= "2024-01-08" for row in rows[1:])


def test_an_unknown_export_kind_is_a_400_that_lists_the_kinds(client, token, seeded):
    response = client.get(f"/users/{token}/repos/{seeded.id}/export.csv?kind=secrets")

    assert response.status_code == 400
    assert "kind must be one of" in response.content.decode()


def test_the_page_links_every_export_with_its_range(client, token, seeded):
    html = client.get(page_url(token, seeded) + "?start=2024-01-08").content.decode()

    base = f"/users/{token}/repos/{seeded.id}/export"
    assert f'href="{base}.json?start=2024-01-08"' in html
    for kind in ("day", "week", "popular", "snapshot", "release_asset_day"):
        assert f'href="{base}.csv?kind={kind}&amp;start=2024-01-08"' in html
