"""The admin's repositories with their collection state (traffic/admin.py)."""

import datetime as dt

import pytest

from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_each_repositorys_last_success_and_error(admin_client):
    RepositoryFactory.create(
        name="failing",
        collection__last_success_at=dt.datetime(2026, 3, 1, 22, 30, tzinfo=dt.UTC),
        collection__last_error="GitHub says the token has no push access.",
    )

    html = admin_client.get("/admin/repositories/repository/").content.decode()

    assert "acme/failing" in html
    assert "no push access" in html
    assert "March 1, 2026" in html


def test_the_list_filters_by_last_success(admin_client):
    RepositoryFactory.create(name="never")
    RepositoryFactory.create(name="collected", collection__last_success_at=dt.datetime.now(dt.UTC))

    response = admin_client.get(
        "/admin/repositories/repository/?collection__last_success_at__isnull=True"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "acme/never" in html and "acme/collected" not in html


def test_a_repository_shows_its_collection_state_read_only(admin_client):
    repository = RepositoryFactory.create(
        collection__last_error="GitHub did not answer",
        collection__collected_until=dt.date(2026, 3, 20),
    )

    html = admin_client.get(
        f"/admin/repositories/repository/{repository.id}/change/"
    ).content.decode()

    assert "GitHub did not answer" in html
    assert "March 20, 2026" in html
    assert 'name="collection-0-last_error"' not in html  # shown, not editable


def test_a_repository_made_without_collection_state_still_shows(admin_client):
    (repository,) = Repository.objects.bulk_create(
        [Repository(user=RepositoryFactory.create().user, owner="acme", name="bulk")]
    )

    assert admin_client.get("/admin/repositories/repository/").status_code == 200
    change = admin_client.get(f"/admin/repositories/repository/{repository.id}/change/")
    assert change.status_code == 200
