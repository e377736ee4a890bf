import datetime as dt
import re
import uuid

import pytest

from repotraffic.dashboard.selectors import EMPTY_IN_RANGE, EMPTY_PENDING
from repotraffic.dashboard.tests.helpers import (
    BAD_RANGES,
    assert_plain_404,
    assert_private,
    chart_data,
    daily_dates,
    page_url,
)
from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.merge import DayFigures
from repotraffic.traffic.services import traffic_store
from repotraffic.traffic.tests.factories import TrafficDayFactory, traffic_days_create
from repotraffic.users.tests.factories import user_with_token

pytestmark = pytest.mark.django_db

FETCHED_AT = dt.datetime(2026, 3, 20, 22, 30, tzinfo=dt.UTC)  # covers 2026-03-06 .. 03-20


def days_between(first: str, last: str) -> list[str]:
    day, days = dt.date.fromisoformat(first), []
    while day <= dt.date.fromisoformat(last):
        days.append(day.isoformat())
        day += dt.timedelta(days=1)
    return days


class TestRepositoryPage:
    def test_shows_the_charts_data_totals_and_daily_table(self, client, token, repository):
        response = client.get(page_url(token, repository))

        assert response.status_code == 200
        assert_private(response)
        html = response.content.decode()
        assert "acme/rocket" in html
        data = chart_data(response, repository)
        assert data["start"] == int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp())
        assert len(data["views"]) == len(data["unique_clones"]) == 60
        assert len(daily_dates(response)[::-1]) == 60
        assert daily_dates(response)[-1] == "2024-01-01"  # newest first
        totals = response.context["traffic"].totals
        assert (totals.first_date, totals.last_date, totals.days) == (
            "2024-01-01",
            "2024-02-29",
            60,
        )
        assert f'href="/users/{token}/repos/{repository.id}/traffic.csv"' in html

    @pytest.mark.parametrize("suffix", ["", "/"])
    def test_accepts_an_optional_trailing_slash(self, client, token, repository, suffix):
        assert client.get(page_url(token, repository) + suffix).status_code == 200
        assert client.get(page_url(token) + suffix).status_code == 200

    def test_totals_cover_the_shown_range_with_missing_days_as_zero(
        self, client, token, repository
    ):
        other = RepositoryFactory.create(user=repository.user, owner="acme", name="gap")
        TrafficDayFactory.create(repository=other, date=dt.date(2024, 3, 1), views=4, clones=1)
        TrafficDayFactory.create(repository=other, date=dt.date(2024, 3, 4), views=9, clones=3)
        TrafficDayFactory.create(repository=other, date=dt.date(2024, 3, 5), views=9, clones=0)

        response = client.get(page_url(token, other))

        totals = response.context["traffic"].totals
        assert (totals.views, totals.clones, totals.days) == (22, 4, 5)
        assert (totals.busiest_date, totals.busiest_views) == ("2024-03-04", 9)
        assert chart_data(response, other)["views"] == [4, 0, 0, 9, 9]
        assert "2024-03-04" in response.content.decode()

    @pytest.mark.parametrize(
        ("query", "first", "last"),
        [
            ("", "2024-01-01", "2024-02-29"),
            ("?start=2024-02-20", "2024-02-20", "2024-02-29"),
            ("?end=2024-01-05", "2024-01-01", "2024-01-05"),
            ("?start=2024-01-10&end=2024-01-12", "2024-01-10", "2024-01-12"),
            ("?start=2024-01-10&end=2024-01-10", "2024-01-10", "2024-01-10"),
            ("?start=&end=", "2024-01-01", "2024-02-29"),
        ],
    )
    def test_date_filter_is_inclusive(self, client, token, repository, query, first, last):
        response = client.get(page_url(token, repository) + query)

        assert response.status_code == 200
        dates = daily_dates(response)[::-1]
        assert (dates[0], dates[-1]) == (first, last)
        expected_days = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
        assert len(dates) == len(chart_data(response, repository)["views"]) == expected_days

    def test_csv_link_and_form_keep_the_filter(self, client, token, repository):
        response = client.get(page_url(token, repository) + "?start=2024-01-10")

        html = response.content.decode()
        assert f"/repos/{repository.id}/traffic.csv?start=2024-01-10" in html
        assert 'name="start" value="2024-01-10"' in html
        assert 'name="end" value=""' in html

    @pytest.mark.parametrize(("query", "message"), BAD_RANGES)
    def test_bad_range_is_a_400_page_with_the_form_and_what_is_wrong(
        self, client, token, repository, query, message
    ):
        response = client.get(f"{page_url(token, repository)}?{query}")

        assert response.status_code == 400
        assert_private(response)
        html = response.content.decode()
        assert message in html
        assert 'role="alert"' in html
        assert '<form class="filter"' in html
        assert 'type="date" name="start"' in html
        assert "application/json" not in html

    def test_empty_state_before_the_first_collection(self, client, token, owner_and_token):
        repository = RepositoryFactory.create(user=owner_and_token[0])

        response = client.get(page_url(token, repository))

        assert response.status_code == 200
        assert EMPTY_PENDING in response.content.decode()
        assert "<canvas" not in response.content.decode()
        assert 'data-metric="views"' not in response.content.decode()

    def test_a_collection_that_found_nothing_shows_zeros_over_githubs_window(
        self, client, token, owner_and_token
    ):
        repository = RepositoryFactory.create(user=owner_and_token[0])
        traffic_store(repository=repository, reported={}, fetched_at=FETCHED_AT)

        response = client.get(page_url(token, repository))

        html = response.content.decode()
        assert EMPTY_PENDING not in html and EMPTY_IN_RANGE not in html
        assert 'data-metric="views"' in html
        assert chart_data(response, repository)["views"] == [0] * 15
        assert daily_dates(response)[::-1] == days_between("2026-03-06", "2026-03-20")
        totals = response.context["traffic"].totals
        assert (totals.views, totals.clones, totals.days, totals.busiest_date) == (0, 0, 15, None)
        assert "no views or clones" in html

    def test_a_partial_day_is_marked_counted_and_never_the_busiest(
        self, client, token, owner_and_token
    ):
        repository = RepositoryFactory.create(user=owner_and_token[0])
        reported = {
            dt.date(2026, 3, 10): DayFigures(views=5, unique_views=2),
            dt.date(2026, 3, 20): DayFigures(views=50, unique_views=9, partial=True),
        }
        traffic_store(repository=repository, reported=reported, fetched_at=FETCHED_AT)

        response = client.get(page_url(token, repository))

        html = response.content.decode()
        daily = html.split("Weekly traffic of")[0]
        marked = re.findall(r'<tr class="partial"><th scope="row"><time datetime="([\d-]+)"', daily)
        assert marked == ["2026-03-20", "2026-03-06"]  # today; the oldest collected day
        assert chart_data(response, repository)["partial"] == [0, 14]
        totals = response.context["traffic"].totals
        assert (totals.views, totals.partial_days, totals.busiest_date) == (55, 2, "2026-03-10")

    def test_days_without_traffic_at_the_edges_of_the_collected_range_are_shown(
        self, client, token, owner_and_token
    ):
        repository = RepositoryFactory.create(user=owner_and_token[0])
        reported = {dt.date(2026, 3, 10): DayFigures(views=5, unique_views=2, clones=1)}
        traffic_store(repository=repository, reported=reported, fetched_at=FETCHED_AT)

        response = client.get(page_url(token, repository))

        assert daily_dates(response)[::-1] == days_between("2026-03-06", "2026-03-20")
        assert chart_data(response, repository)["views"] == [0] * 4 + [5] + [0] * 10
        totals = response.context["traffic"].totals
        assert (totals.first_date, totals.last_date, totals.days) == (
            "2026-03-06",
            "2026-03-20",
            15,
        )
        assert (totals.views, totals.busiest_date) == (5, "2026-03-10")

    def test_the_last_14_days_of_a_repository_quiet_lately_are_14_days(
        self, client, token, owner_and_token
    ):
        # Quiet for its last 5 days: the series still runs to the day it was collected.
        repository = RepositoryFactory.create(user=owner_and_token[0])
        traffic_days_create(repository=repository, start=dt.date(2026, 2, 1), days=43)
        traffic_store(repository=repository, reported={}, fetched_at=FETCHED_AT)

        response = client.get(page_url(token, repository) + "?start=2026-03-07&end=2026-03-20")

        dates = daily_dates(response)[::-1]
        assert dates == days_between("2026-03-07", "2026-03-20")
        assert chart_data(response, repository)["views"][-5:] == [0] * 5
        assert chart_data(response, repository)["views"][-6] > 0
        assert response.context["traffic"].totals.days == 14
        csv = client.get(page_url(token, repository) + "/traffic.csv?start=2026-03-07")
        assert csv.content.decode().splitlines()[-1] == "2026-03-20,0,0,0,0,true"

    def test_empty_state_when_the_filter_excludes_every_day(self, client, token, repository):
        response = client.get(page_url(token, repository) + "?start=2030-01-01")

        assert response.status_code == 200
        assert EMPTY_IN_RANGE in response.content.decode()
        assert EMPTY_PENDING not in response.content.decode()

    def test_empty_state_when_the_filter_misses_a_collection_without_traffic(
        self, client, token, owner_and_token
    ):
        repository = RepositoryFactory.create(user=owner_and_token[0])
        traffic_store(repository=repository, reported={}, fetched_at=FETCHED_AT)

        html = client.get(page_url(token, repository) + "?end=2026-03-05").content.decode()

        assert EMPTY_IN_RANGE in html
        assert EMPTY_PENDING not in html
        assert 'data-metric="views"' not in html

    def test_shows_collection_status_and_the_last_error_only_when_there_is_one(
        self, client, token, repository
    ):
        html = client.get(page_url(token, repository)).content.decode()
        assert "The last collection failed" not in html
        assert "never" in html

        collection = repository.collection
        collection.last_success_at = dt.datetime(2024, 3, 1, 22, 30, tzinfo=dt.UTC)
        collection.last_attempt_at = dt.datetime(2024, 3, 2, 22, 31, tzinfo=dt.UTC)
        collection.last_error = "GitHub says the token has no push access to acme/rocket."
        collection.save()
        html = client.get(page_url(token, repository)).content.decode()

        assert "2024-03-01 22:30 UTC" in html
        assert "2024-03-02 22:31 UTC" in html
        assert "The last collection failed" in html
        assert "no push access to acme/rocket." in html


class TestNotFound:
    def test_unknown_token(self, client, repository):
        assert_plain_404(client.get(page_url("f" * 32, repository)))
        assert_plain_404(client.get(page_url("f" * 32)))

    def test_unknown_repository_id(self, client, token, repository):
        assert_plain_404(client.get(f"/users/{token}/repos/{uuid.uuid4()}"))

    @pytest.mark.parametrize("repository_id", ["not-a-uuid", "1", "%00", "x" * 300])
    def test_malformed_repository_id(self, client, token, repository, repository_id):
        assert_plain_404(client.get(f"/users/{token}/repos/{repository_id}"))

    def test_someone_elses_repository(self, client, token, repository):
        _, other_token = user_with_token()
        theirs = RepositoryFactory.create(owner="other", name="secret")

        assert_plain_404(client.get(page_url(other_token, repository)))
        assert_plain_404(client.get(page_url(token, theirs)))
        assert_plain_404(client.get(page_url(token, theirs) + "/traffic.csv"))

    def test_unknown_token_wins_over_a_bad_date(self, client, repository):
        assert_plain_404(client.get(page_url("f" * 32, repository) + "?start=nope"))
        assert_plain_404(client.get(page_url("f" * 32) + "?start=nope"))

    @pytest.mark.parametrize("path", ["/users", "/users/", "/users/{token}", "/users/{token}/x/y"])
    def test_other_paths_under_users(self, client, token, path):
        assert_plain_404(client.get(path.format(token=token)))

    def test_is_plain_with_debug_on(self, client, settings, token, repository):
        settings.DEBUG = True

        response = client.get(f"/users/{token}/repos/{uuid.uuid4()}")
        other = client.get(f"/users/{token}/elsewhere")

        assert_plain_404(response)
        assert_plain_404(other)
        assert "URLconf" not in other.content.decode()


def test_other_methods_than_get_are_a_405_with_the_headers(client, token, repository):
    for path in [
        page_url(token, repository),
        page_url(token, repository) + "/traffic.csv",
        page_url(token),
        f"/users/{token}/elsewhere",
    ]:
        response = client.post(path)

        assert response.status_code == 405, path
        assert response["Allow"] == "GET, HEAD"
        assert_private(response)


# The overview (/users/<token>/repos) is tested in test_overview_views.py.


class TestFilterForm:
    def test_presets_end_today_utc_and_all_has_no_bounds(
        self, client, token, repository, monkeypatch
    ):
        now = dt.datetime(2024, 3, 10, 23, 59, tzinfo=dt.UTC)
        monkeypatch.setattr("repotraffic.dashboard.views.timezone.now", lambda: now)

        response = client.get(page_url(token, repository) + "?start=2024-02-25&end=2024-03-10")

        html = response.content.decode()
        presets = re.findall(r'<li><a href="([^"]*)"( aria-current="true")?>([^<]+)</a>', html)
        assert [(href, label) for href, _, label in presets] == [
            ("?start=2024-02-26&amp;end=2024-03-10", "Last 14 days"),
            ("?start=2024-02-10&amp;end=2024-03-10", "30 days"),
            ("?start=2023-12-12&amp;end=2024-03-10", "90 days"),
            ("?start=2023-03-12&amp;end=2024-03-10", "1 year"),
            (page_url(token, repository), "All"),
        ]
        assert not any(current for _, current, _ in presets)
        current = client.get(page_url(token, repository) + "?start=2024-02-26&end=2024-03-10")
        assert 'aria-current="true">Last 14 days<' in current.content.decode()

    def test_reset_and_all_lead_to_the_unfiltered_page(self, client, token, repository):
        html = client.get(page_url(token, repository) + "?start=2024-01-10").content.decode()

        assert f'<a class="button secondary" href="{page_url(token, repository)}">Reset</a>' in html
        assert f'action="{page_url(token, repository)}"' in html


class TestStrictContentSecurityPolicy:
    def test_pages_have_no_inline_script_or_style(self, client, token, repository):
        for url in [page_url(token, repository), page_url(token), page_url(token) + "?end=x"]:
            html = client.get(url).content.decode()
            for tag in re.findall(r"<script[^>]*>", html):
                assert "src=" in tag or 'type="application/json"' in tag, tag
            assert "<style" not in html
            assert not re.search(r"<[^>]+\sstyle=", html)
            assert not re.search(r"<[^>]+\son[a-z]+=", html)

    def test_static_files_are_served(self, client, token, repository):
        html = client.get(page_url(token, repository)).content.decode()

        for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            response = client.get(path)
            assert response.status_code == 200, path
            assert b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_repository_whose_first_collection_failed_does_not_claim_to_be_pending(client):
    user, token = user_with_token()
    repository = RepositoryFactory.create(
        user=user, collection__last_error="acme/gone was not found"
    )

    html = client.get(f"/users/{token}/repos/{repository.id}").content.decode()

    # In place of the chart: the error, and when the next attempt is due.
    assert "The last collection failed" in html
    assert "Next attempt:" in html
    assert EMPTY_PENDING not in html
    assert "acme/gone was not found" in html


@pytest.mark.django_db
def test_a_repository_made_without_collection_state_shows_as_pending(client):
    user, token = user_with_token()
    # bulk_create, as the benchmarks seed, gives a repository no Collection row.
    (repository,) = Repository.objects.bulk_create(
        [Repository(user=user, owner="acme", name="bulk")]
    )

    html = client.get(f"/users/{token}/repos/{repository.id}").content.decode()
    assert EMPTY_PENDING in html and "never" in html
    overview = client.get(f"/users/{token}/repos").content.decode()
    assert "never collected" in overview
