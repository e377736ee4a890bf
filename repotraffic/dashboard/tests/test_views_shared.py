"""The pages under /share/<key>/: the same pages as under /users/<token>/, opened by a
read-only share link (repotraffic.sharing), and never leading back to the token."""

import uuid

import pytest
from django.utils import timezone

from repotraffic.dashboard.tests.helpers import (
    BAD_RANGES,
    assert_plain_404,
    assert_private,
    chart_data,
    daily_dates,
    page_url,
    share_url,
)
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.sharing.services import share_link_revoke
from repotraffic.sharing.tests.factories import share_link_with_key

pytestmark = pytest.mark.django_db


def assert_no_token(html: str, token: str) -> None:
    assert token not in html
    assert "/users/" not in html


# The shared overview is tested in test_overview_views.py.


class TestSharedRepositoryPage:
    def test_shows_the_chart_table_and_links_inside_the_share_space(
        self, client, token, share_key, repository
    ):
        response = client.get(share_url(share_key, repository))

        assert response.status_code == 200
        assert_private(response)
        html = response.content.decode()
        assert "acme/rocket" in html
        assert (
            len(daily_dates(response)[::-1]) == len(chart_data(response, repository)["views"]) == 60
        )
        assert f'<a href="{share_url(share_key)}">← All repositories</a>' in html
        assert f'href="{share_url(share_key, repository)}/traffic.csv"' in html
        assert_no_token(html, token)

    @pytest.mark.parametrize(
        ("query", "first", "last"),
        [
            ("", "2024-01-01", "2024-02-29"),
            ("?start=2024-02-20", "2024-02-20", "2024-02-29"),
            ("?end=2024-01-05", "2024-01-01", "2024-01-05"),
            ("?start=2024-01-10&end=2024-01-12", "2024-01-10", "2024-01-12"),
        ],
    )
    def test_date_filter_is_inclusive(self, client, share_key, repository, query, first, last):
        response = client.get(share_url(share_key, repository) + query)

        dates = daily_dates(response)[::-1]
        assert (dates[0], dates[-1]) == (first, last)

    def test_the_form_reset_presets_and_csv_stay_in_the_share_space(
        self, client, share_key, repository
    ):
        url = share_url(share_key, repository)

        html = client.get(url + "?start=2024-01-10").content.decode()

        assert f'action="{url}"' in html
        assert f'<a class="button secondary" href="{url}">Reset</a>' in html
        assert f'<li><a href="{url}">All</a></li>' in html
        assert f'href="{url}/traffic.csv?start=2024-01-10"' in html

    @pytest.mark.parametrize(("query", "message"), BAD_RANGES)
    def test_bad_range_is_a_400_page(self, client, share_key, repository, query, message):
        response = client.get(f"{share_url(share_key, repository)}?{query}")

        assert response.status_code == 400
        assert_private(response)
        assert message in response.content.decode()

    @pytest.mark.parametrize("suffix", ["", "/"])
    def test_accepts_an_optional_trailing_slash(self, client, share_key, repository, suffix):
        assert client.get(share_url(share_key, repository) + suffix).status_code == 200
        assert client.get(share_url(share_key) + suffix).status_code == 200


class TestSharedCsv:
    def test_downloads_the_shown_range(self, client, share_key, repository):
        response = client.get(
            share_url(share_key, repository) + "/traffic.csv?start=2024-01-02&end=2024-01-03"
        )

        assert response.status_code == 200
        assert_private(response)
        assert response["Content-Disposition"] == 'attachment; filename="acme-rocket-traffic.csv"'
        assert response.content.decode() == (
            "date,views,unique_views,clones,unique_clones,partial\n"
            "2024-01-02,6,3,1,1,false\n2024-01-03,7,4,2,0,false\n"
        )

    def test_bad_range_is_a_400(self, client, share_key, repository):
        response = client.get(share_url(share_key, repository) + "/traffic.csv?start=nope")

        assert response.status_code == 400
        assert_private(response)


class TestOneRepositoryLink:
    def test_opens_its_page_and_csv_without_a_way_to_the_overview(
        self, client, token, repository_share_key, repository
    ):
        response = client.get(share_url(repository_share_key, repository))

        assert response.status_code == 200
        html = response.content.decode()
        assert "All repositories" not in html
        assert f'/share/{repository_share_key}/repos"' not in html
        assert_no_token(html, token)
        csv = client.get(share_url(repository_share_key, repository) + "/traffic.csv")
        assert len(csv.content.decode().splitlines()) == 61

    def test_cannot_open_the_overview(self, client, repository_share_key, repository):
        assert_plain_404(client.get(share_url(repository_share_key)))

    def test_cannot_open_another_repository_of_the_owner(
        self, client, repository_share_key, repository
    ):
        sibling = RepositoryFactory.create(user=repository.user, owner="acme", name="probe")

        assert_plain_404(client.get(share_url(repository_share_key, sibling)))
        assert_plain_404(client.get(share_url(repository_share_key, sibling) + "/traffic.csv"))

    def test_its_repository_id_is_read_like_any_uuid(
        self, client, repository_share_key, repository
    ):
        spelt = str(repository.id).upper()

        assert client.get(f"/share/{repository_share_key}/repos/{spelt}").status_code == 200


class TestSharedNotFound:
    def test_is_the_same_page_as_an_unknown_token(self, client, repository):
        unknown_key = client.get(share_url("s_" + "x" * 32))
        unknown_token = client.get(page_url("f" * 32))

        assert_plain_404(unknown_key)
        assert unknown_key.content == unknown_token.content

    def test_unknown_key(self, client, repository):
        key = "s_" + "x" * 32
        assert_plain_404(client.get(share_url(key)))
        assert_plain_404(client.get(share_url(key, repository)))
        assert_plain_404(client.get(share_url(key, repository) + "/traffic.csv"))

    def test_a_revoked_link(self, client, owner_and_token, repository):
        link, key = share_link_with_key(user=owner_and_token[0])
        assert client.get(share_url(key)).status_code == 200

        share_link_revoke(user=link.user, share_link_id=link.id)

        assert_plain_404(client.get(share_url(key)))
        assert_plain_404(client.get(share_url(key, repository)))
        assert_plain_404(client.get(share_url(key, repository) + "/traffic.csv"))

    def test_a_revoked_one_repository_link(self, client, repository):
        _, key = share_link_with_key(
            user=repository.user, repository=repository, revoked_at=timezone.now()
        )

        assert_plain_404(client.get(share_url(key, repository)))

    def test_someone_elses_repository(self, client, share_key, repository):
        theirs = RepositoryFactory.create(owner="other", name="secret")

        assert_plain_404(client.get(share_url(share_key, theirs)))
        assert_plain_404(client.get(share_url(share_key, theirs) + "/traffic.csv"))

    def test_keys_and_tokens_do_not_cross_url_spaces(self, client, token, share_key, repository):
        assert_plain_404(client.get(share_url(token)))
        assert_plain_404(client.get(share_url(token, repository)))
        assert_plain_404(client.get(page_url(share_key)))
        assert_plain_404(client.get(page_url(share_key, repository)))

    @pytest.mark.parametrize("repository_id", ["not-a-uuid", "1", "%00", "x" * 300])
    def test_malformed_repository_id(self, client, share_key, repository_share_key, repository_id):
        assert_plain_404(client.get(f"/share/{share_key}/repos/{repository_id}"))
        assert_plain_404(client.get(f"/share/{repository_share_key}/repos/{repository_id}"))

    def test_an_unknown_repository_id(self, client, share_key, repository_share_key):
        assert_plain_404(client.get(f"/share/{share_key}/repos/{uuid.uuid4()}"))
        assert_plain_404(client.get(f"/share/{repository_share_key}/repos/{uuid.uuid4()}"))

    @pytest.mark.parametrize("path", ["/share", "/share/", "/share/{key}", "/share/{key}/x/y"])
    def test_other_paths_under_share(self, client, share_key, path):
        assert_plain_404(client.get(path.format(key=share_key)))

    def test_is_plain_with_debug_on(self, client, settings, share_key):
        settings.DEBUG = True

        response = client.get(f"/share/{share_key}/elsewhere")

        assert_plain_404(response)
        assert "URLconf" not in response.content.decode()


def test_other_methods_than_get_are_a_405_with_the_headers(client, share_key, repository):
    for path in [
        share_url(share_key),
        share_url(share_key, repository),
        share_url(share_key, repository) + "/traffic.csv",
        f"/share/{share_key}/elsewhere",
    ]:
        response = client.post(path)

        assert response.status_code == 405, path
        assert response["Allow"] == "GET, HEAD"
        assert_private(response)
