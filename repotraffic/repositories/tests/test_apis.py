import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import TrafficDay
from repotraffic.traffic.tests.factories import traffic_days_create
from repotraffic.users.tests.factories import user_with_token


def create(client, body):
    return client.post("/api/repos/create", body, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.usefixtures("github_repos")
class TestRepositoryCreate:
    def test_returns_the_id_and_stores_the_canonical_url(self, auth_client, user):
        response = create(auth_client, {"url": "github.com/HackSoftware/Django-Styleguide.git/"})

        assert response.status_code == 200
        repository = Repository.objects.get(id=uuid.UUID(response.json()["id"]))
        assert repository.user == user
        assert repository.url == "https://github.com/HackSoftware/Django-Styleguide"

    def test_same_repository_twice_names_the_existing_id(self, auth_client):
        first = create(auth_client, {"url": "https://github.com/acme/rocket"}).json()["id"]

        response = create(auth_client, {"url": "https://github.com/ACME/Rocket.git"})

        assert response.status_code == 400
        assert first in response.json()["error"]
        assert Repository.objects.count() == 1

    def test_different_users_may_track_the_same_repository(self, auth_client, api_client):
        _, other_token = user_with_token()
        mine = create(auth_client, {"url": "https://github.com/acme/rocket"})
        api_client.credentials(HTTP_X_API_TOKEN=other_token)
        theirs = create(api_client, {"url": "https://github.com/acme/rocket"})

        assert mine.status_code == theirs.status_code == 200
        assert mine.json()["id"] != theirs.json()["id"]

    @pytest.mark.parametrize(
        "body",
        [
            {"url": "https://github.com.evil.com/acme/rocket"},
            {"url": "https://github.com/acme"},
            {"url": 12},
            {"url": None},
            {"url": ["https://github.com/acme/rocket"]},
            {},
            [],
        ],
    )
    def test_bad_input_is_a_400_that_stores_nothing(self, auth_client, body):
        response = create(auth_client, body)

        assert response.status_code == 400
        assert response.json()["error"]
        assert Repository.objects.count() == 0

    def test_needs_a_token(self, api_client):
        response = create(api_client, {"url": "https://github.com/acme/rocket"})
        assert response.status_code == 401

    def test_queues_the_first_collection_on_commit(
        self, auth_client, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr(
            "repotraffic.traffic.tasks.traffic_fetch_repository.delay",
            lambda repository_id, *args: queued.append(repository_id),
        )
        with django_capture_on_commit_callbacks(execute=True):
            repository_id = create(auth_client, {"url": "https://github.com/acme/rocket"}).json()[
                "id"
            ]

        assert queued == [repository_id]


@pytest.mark.django_db
class TestRepositoryDelete:
    def test_deletes_the_repository_and_its_traffic(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        traffic_days_create(repository=repository, start=dt.date(2024, 1, 1), days=30)
        kept = RepositoryFactory.create(user=user)
        traffic_days_create(repository=kept, start=dt.date(2024, 1, 1), days=3)

        response = auth_client.post(f"/api/repos/{repository.id}/delete")

        assert response.status_code == 202
        assert not Repository.objects.filter(id=repository.id).exists()
        assert not TrafficDay.objects.filter(repository_id=repository.id).exists()
        assert TrafficDay.objects.filter(repository=kept).count() == 3

    def test_second_delete_is_400(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        auth_client.post(f"/api/repos/{repository.id}/delete")

        response = auth_client.post(f"/api/repos/{repository.id}/delete")

        assert response.status_code == 400
        assert "no repository" in response.json()["error"]

    @pytest.mark.parametrize("kind", ["unknown", "not-a-uuid", "someone-elses"])
    def test_unknown_or_foreign_is_400_and_deletes_nothing(self, auth_client, kind):
        other = RepositoryFactory.create()
        repository_id = {"unknown": uuid.uuid4(), "not-a-uuid": "abc", "someone-elses": other.id}[
            kind
        ]

        response = auth_client.post(f"/api/repos/{repository_id}/delete")

        assert response.status_code == 400
        assert Repository.objects.filter(id=other.id).exists()

    def test_get_is_405(self, auth_client, user):
        repository = RepositoryFactory.create(user=user)
        response = auth_client.get(f"/api/repos/{repository.id}/delete")
        assert response.status_code == 405
        assert Repository.objects.filter(id=repository.id).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/repos/create"),
        ("post", "/api/repos"),
        ("delete", "/api/repos"),
        ("put", "/api/users/create"),
    ],
)
def test_wrong_methods_are_json_405(auth_client, method, path):
    response = getattr(auth_client, method)(path)
    assert response.status_code == 405
    assert "error" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/nope", "/api/repos/x/y/z", "/api/", "/api"])
@pytest.mark.parametrize("method", ["get", "post", "put"])
def test_unknown_api_paths_are_json_404(path, method):
    # enforce_csrf_checks: a browser-less POST must not meet Django's CSRF page.
    response = getattr(APIClient(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()


@pytest.mark.django_db
class TestRepositoryCreateAtGitHub:
    """The access check's answers, as the API gives them."""

    def test_a_rate_limit_is_429_with_retry_after(self, auth_client, github):
        github.add_repo("acme", "rocket")
        github.inject_fault("primary_rate_limit", count=10, reset_in=120)

        response = create(auth_client, {"url": "https://github.com/acme/rocket"})

        assert response.status_code == 429
        assert int(response["Retry-After"]) > 60
        assert "rate limit" in response.json()["error"]

    def test_github_down_is_503(self, auth_client, github):
        github.inject_fault("502", count=10)

        response = create(auth_client, {"url": "https://github.com/acme/rocket"})

        assert response.status_code == 503
        assert "Could not check acme/rocket" in response.json()["error"]

    def test_no_push_access_is_400_with_what_to_grant(self, auth_client, github, settings):
        github.add_token(settings.GITHUB_TOKEN, push=False)
        github.add_repo("acme", "rocket")

        response = create(auth_client, {"url": "https://github.com/acme/rocket"})

        assert response.status_code == 400
        assert "Administration: read" in response.json()["error"]
        assert Repository.objects.count() == 0
