"""The overview page, /users/<token>/repos and /share/<key>/repos: the server-rendered
table and the combined chart's data."""

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache

from repotraffic.dashboard.tests.helpers import BAD_RANGES, assert_private, page_url, share_url
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.merge import DayFigures
from repotraffic.traffic.services import traffic_store
from repotraffic.traffic.tests.factories import traffic_days_create
from repotraffic.users.crypto import secret_encrypt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def table_names(html: str) -> list[str]:
    return re.findall(
        r'<th scope="row"><a href="[^"]+">acme/([\w-]+)</a>(?: <span [^>]+>failing</span>)?</th>',
        html,
    )


def combined_chart(html: str) -> dict:
    match = re.search(
        r'<script id="overview-chart-data" type="application/json">(.*?)</script>', html
    )
    assert match is not None, "no combined chart data in the page"
    return json.loads(match.group(1))


def many_repositories(user, count: int) -> None:
    for number in range(count):
        repository = RepositoryFactory.create(user=user, owner="acme", name=f"repo-{number}")
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=30)
    RepositoryFactory.create(user=user, owner="acme", name="pending")  # no traffic yet


class TestOverview:
    def test_one_row_per_repository_linking_to_its_page_in_the_range(
        self, client, token, owner_and_token, repository
    ):
        other = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="probe")
        traffic_days_create(repository=other, start=dt.date(2024, 1, 1), days=10, views=100)
        RepositoryFactory.create(name="not-mine")

        response = client.get(page_url(token) + "?start=2024-01-03&end=2024-01-10")

        assert response.status_code == 200
        assert_private(response)
        html = response.content.decode()
        # By views, most first; both ok.
        assert table_names(html) == ["probe", "rocket"]
        query = "?start=2024-01-03&amp;end=2024-01-10"
        for shown in (repository, other):
            assert f'href="/users/{token}/repos/{shown.id}{query}"' in html
        assert '<td class="number">800</td>' in html  # probe's views, 8 days x 100
        assert "not-mine" not in html

    def test_the_combined_chart_adds_views_and_clones_across_repositories(
        self, client, token, owner_and_token
    ):
        for name, views in (("one", 3), ("two", 4)):
            repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name=name)
            traffic_days_create(
                repository=repository, start=dt.date(2024, 1, 1), days=5, views=views, clones=1
            )

        chart = combined_chart(client.get(page_url(token)).content.decode())

        assert chart == {
            "interval": "day",
            "dates": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
            "views": [7] * 5,
            "clones": [2] * 5,
            "partial": [False] * 5,
        }

    def test_a_failing_repository_comes_first_with_its_error(
        self, client, token, owner_and_token, repository
    ):
        RepositoryFactory.create(
            user=owner_and_token[0],
            owner="acme",
            name="gone",
            collection__last_error="acme/gone was not found: check the URL",
        )

        html = client.get(page_url(token)).content.decode()

        assert table_names(html) == ["gone", "rocket"]
        assert "failing: <span" in html
        assert "acme/gone was not found: check the URL" in html

    def test_sparklines_are_inline_svg_without_style_attributes(self, client, token, repository):
        html = client.get(page_url(token)).content.decode()

        (points,) = re.findall(r'<polyline points="([^"]+)"/>', html)
        assert len(points.split()) == 60  # 60 days: one point a day
        assert not re.search(r"<[^>]+\sstyle=", html)

    @pytest.mark.parametrize("query", ["", "?start=2024-01-05&end=2024-01-20"])
    def test_query_count_does_not_grow_with_the_repositories(
        self, client, token, owner_and_token, django_assert_num_queries, query
    ):
        many_repositories(owner_and_token[0], 20)

        # The token lookup, the repositories, their sums.
        with django_assert_num_queries(3):
            response = client.get(page_url(token) + query)
        # Then the sums come from the cache.
        with django_assert_num_queries(2):
            client.get(page_url(token) + query)

        assert response.status_code == 200
        assert len(table_names(response.content.decode())) == 21

    def test_a_collection_moves_the_cached_sums_on(self, client, token, owner_and_token):
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="quiet")
        fetched_at = dt.datetime(2026, 3, 20, 22, 30, tzinfo=dt.UTC)
        traffic_store(repository=repository, reported={}, fetched_at=fetched_at)
        before = client.get(page_url(token)).content.decode()

        reported = {dt.date(2026, 3, 21): DayFigures(views=9, unique_views=3)}
        traffic_store(
            repository=repository, reported=reported, fetched_at=fetched_at + dt.timedelta(days=1)
        )
        after = client.get(page_url(token)).content.decode()

        # Collected without traffic: ok, with zeros, not "never collected".
        assert '<td class="status status-2">ok</td>' in before
        assert combined_chart(before)["views"] == [0] * 15
        assert combined_chart(after)["views"][-1] == 9
        assert '<td class="number">9</td>' in after

    def test_without_repositories_says_so(self, client, token):
        html = client.get(page_url(token)).content.decode()

        assert "No repositories yet" in html
        assert "overview-chart-data" not in html

    def test_without_repositories_it_leads_to_the_panel_and_hides_what_needs_one(
        self, client, token
    ):
        html = client.get(page_url(token)).content.decode()

        # The way forward is the panel's field; the API is a secondary hint.
        assert '<a href="#manage-add-url" data-manage-add>Add a repository</a>' in html
        assert 'id="manage-add-url"' in html
        assert html.index("Add a repository</a>") < html.index("POST /api/repos/create")
        # Nothing to filter by date or to share yet.
        assert '<form class="filter"' not in html
        assert 'id="manage-links-section" aria-labelledby="manage-links-title" hidden>' in html

    def test_with_a_repository_the_filter_and_share_links_are_there(
        self, client, token, repository
    ):
        html = client.get(page_url(token)).content.decode()

        assert '<form class="filter"' in html
        assert 'id="manage-links-section" aria-labelledby="manage-links-title">' in html
        assert "data-manage-add" not in html

    def test_a_failing_repository_is_marked_beside_its_name(
        self, client, token, owner_and_token, repository
    ):
        RepositoryFactory.create(
            user=owner_and_token[0], owner="acme", name="gone", collection__last_error="gone"
        )

        html = client.get(page_url(token)).content.decode()

        assert html.count('class="status-badge"') == 1
        assert '>acme/gone</a> <span class="status-badge" aria-hidden="true">failing</span>' in html

    def test_an_unknown_token_leads_home(self, client):
        response = client.get(page_url("0" * 32))

        html = response.content.decode()
        assert response.status_code == 404
        assert '<a href="/">Go to the home page</a>' in html
        assert '<a class="wordmark" href="/">repotraffic</a>' in html

    @pytest.mark.parametrize(("query", "message"), BAD_RANGES)
    def test_bad_range_is_a_400_page_with_the_form(self, client, token, repository, query, message):
        response = client.get(f"{page_url(token)}?{query}")

        assert response.status_code == 400
        assert_private(response)
        html = response.content.decode()
        assert message in html
        assert '<form class="filter"' in html
        assert "acme/rocket" not in html


class TestChangeColumn:
    """The change in views needs an earlier period of equal length with something
    tracked in it; acme/rocket has 60 days from 2024-01-01."""

    def test_without_a_start_the_column_gives_way_to_ranges_that_have_one(
        self, client, token, repository
    ):
        html = client.get(page_url(token)).content.decode()

        assert 'data-sort="change"' not in html
        assert 'class="number change"' not in html
        assert "n/a" not in html
        assert "All the days collected have no earlier period to compare with" in html
        # 60 days hold the last 30 and the 30 before them; not 90 and 90.
        assert 'href="?start=2024-01-31&amp;end=2024-02-29">the last 30 days</a>' in html
        assert "the last 90 days" not in html
        assert table_names(html) == ["rocket"]

    def test_a_range_with_an_earlier_period_shows_the_change(self, client, token, repository):
        html = client.get(page_url(token) + "?start=2024-01-31&end=2024-02-29").content.decode()

        assert 'data-sort="change"' in html
        assert re.search(r'<td class="number change">[+-]\d+%</td>', html)
        assert "the change compares views with the 30 days before" in html
        assert "overview-change-hint" not in html

    def test_a_start_before_anything_was_tracked_says_so(self, client, token, repository):
        html = client.get(page_url(token) + "?start=2023-06-01").content.decode()

        assert 'data-sort="change"' not in html
        assert "n/a" not in html
        assert "No repository was tracked in the 60 days before" in html
        assert 'href="?start=2024-01-31&amp;end=2024-02-29"' in html

    def test_too_few_days_for_any_earlier_period_offers_no_range(
        self, client, token, owner_and_token
    ):
        repository = RepositoryFactory.create(user=owner_and_token[0], owner="acme", name="young")
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=20)

        html = client.get(page_url(token)).content.decode()

        assert 'data-sort="change"' not in html
        assert "Once more days are collected" in html
        assert "?start=" not in html.split('id="overview-change-hint"')[1].split("</p>")[0]


# Distinctive enough that no six characters of it appear in a page by chance.
GITHUB_TOKEN = "ghp_Zq8Xw3Vn5Tk2Lm9Rp4Yd7Hs1"
# What the panel says without a token of the user's own, as the server lends its or not.
LENT = "this server collects your repositories with its own"
NOT_LENT = "your repositories are not collected until you set"


class TestGitHubTokenState:
    """The owner's panel says whether a GitHub token is saved, never the token."""

    def test_a_saved_token_is_said_with_replace_and_remove_and_never_shown(
        self, client, owner_and_token, repository
    ):
        user, token = owner_and_token
        user.github_token_encrypted = secret_encrypt(GITHUB_TOKEN)
        user.github_login = "alice"
        user.save()

        for query in ("", "?start=2024-1-1"):  # the 400 page has the panel too
            html = client.get(page_url(token) + query).content.decode()

            assert '<span data-token-state="saved"><strong>A GitHub token is saved</strong>' in html
            assert '<span data-token-state="none" hidden>' in html
            assert "(GitHub user alice)" in html
            assert ">Replace token</button>" in html
            assert '<p id="manage-token-remove-row"><button' in html
            assert user.github_token_encrypted not in html
            for start in range(len(GITHUB_TOKEN) - 5):
                assert GITHUB_TOKEN[start : start + 6] not in html

    def test_without_one_it_says_so_offers_set_and_no_remove(self, client, token, repository):
        html = client.get(page_url(token)).content.decode()

        assert '<span data-token-state="none"><strong>No GitHub token saved</strong>' in html
        assert '<span data-token-state="saved" hidden>' in html
        assert ">Set token</button>" in html
        assert '<p id="manage-token-remove-row" hidden>' in html

    @pytest.mark.parametrize(
        ("server_token", "lent_to", "trusted", "says"),
        [
            (
                "ghp_server",
                "everyone",
                False,
                LENT,
            ),
            ("ghp_server", "trusted", True, LENT),
            ("ghp_server", "trusted", False, NOT_LENT),
            ("ghp_server", "nobody", True, NOT_LENT),
            ("", "everyone", False, NOT_LENT),
        ],
    )
    def test_without_one_it_says_plainly_what_collects(
        self, client, settings, owner_and_token, server_token, lent_to, trusted, says
    ):
        settings.GITHUB_TOKEN = server_token
        settings.REPOTRAFFIC_SERVER_TOKEN_FOR = lent_to
        user, token = owner_and_token
        user.trusted = trusted
        user.save()

        html = client.get(page_url(token)).content.decode()

        assert f"<strong>No GitHub token saved</strong>: {says}" in html
        assert "where its operator allows" not in html

    def test_a_share_page_says_nothing_of_it(self, client, owner_and_token, share_key, repository):
        user = owner_and_token[0]
        user.github_token_encrypted = secret_encrypt(GITHUB_TOKEN)
        user.save()

        html = client.get(share_url(share_key)).content.decode()

        assert "GitHub token" not in html


class TestSharedOverview:
    def test_is_read_only_and_stays_in_the_share_space(self, client, token, share_key, repository):
        response = client.get(share_url(share_key) + "?start=2024-01-03")

        assert response.status_code == 200
        assert_private(response)
        html = response.content.decode()
        assert "<h1>Shared repositories</h1>" in html
        assert table_names(html) == ["rocket"]
        assert f'href="/share/{share_key}/repos/{repository.id}?start=2024-01-03"' in html
        assert token not in html
        assert "/users/" not in html
        assert "/api/" not in html
        assert "<form" in html and 'method="post"' not in html.lower()

    def test_a_failing_repositorys_error_is_left_to_its_owner(
        self, client, token, share_key, owner_and_token
    ):
        error = "GitHub says the token cannot push to acme/gone: give it push access."
        RepositoryFactory.create(
            user=owner_and_token[0], owner="acme", name="gone", collection__last_error=error
        )

        shared = client.get(share_url(share_key)).content.decode()
        owners = client.get(page_url(token)).content.decode()

        assert error not in shared
        assert '<td class="status status-0">failing</td>' in shared
        assert error in owners

    def test_query_count_does_not_grow_with_the_repositories(
        self, client, share_key, owner_and_token, django_assert_num_queries
    ):
        many_repositories(owner_and_token[0], 20)

        # The share link with its user, the repositories, their sums.
        with django_assert_num_queries(3):
            response = client.get(share_url(share_key))

        assert len(table_names(response.content.decode())) == 21

    @pytest.mark.parametrize(("query", "message"), BAD_RANGES)
    def test_bad_range_is_a_400_page(self, client, share_key, repository, query, message):
        response = client.get(f"{share_url(share_key)}?{query}")

        assert response.status_code == 400
        assert message in response.content.decode()
        assert "acme/rocket" not in response.content.decode()
