"""POST /api/repos/<id>/collect: the owner queues a collection now; nobody else can,
and nobody can ask faster than the throttle allows or while one is running."""

import datetime as dt

import pytest
import yaml
from django.utils import timezone

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import tasks
from repotraffic.traffic.models import Collection
from repotraffic.users.tests.factories import user_with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The task messages sent to the broker."""
    sent: list[tuple] = []
    monkeypatch.setattr(tasks.traffic_fetch_repository, "delay", lambda *args: sent.append(args))
    return sent


@pytest.fixture
def rocket(user):
    return RepositoryFactory.create(user=user, owner="acme", name="rocket")


def collect_url(repository) -> str:
    return f"/api/repos/{repository.id}/collect"


def test_the_owner_queues_a_collection_through_the_task_path(auth_client, rocket, queued):
    response = auth_client.post(collect_url(rocket))

    assert response.status_code == 202
    assert response.json()["id"] == str(rocket.id)
    assert queued == [(str(rocket.id),)]
    collection = Collection.objects.get(repository=rocket)
    # Recorded as requested and queued, as the dispatch would: a lost task is queued again.
    assert collection.pending
    assert collection.queued_at is not None


def test_without_a_token_it_is_a_401(api_client, rocket, queued):
    response = api_client.post(collect_url(rocket))

    assert response.status_code == 401
    assert "error" in response.json()
    assert queued == []


def test_another_users_repository_is_a_404_that_queues_nothing(api_client, rocket, queued):
    _, other_token = user_with_token()
    api_client.credentials(HTTP_X_API_TOKEN=other_token)

    response = api_client.post(collect_url(rocket))

    assert response.status_code == 404
    assert response.json() == {"error": f"You have no repository with id {rocket.id}."}
    assert queued == []


def test_an_unknown_or_malformed_id_is_a_404(auth_client, queued):
    assert auth_client.post("/api/repos/not-a-uuid/collect").status_code == 404
    missing = "/api/repos/00000000-0000-0000-0000-000000000000/collect"
    assert auth_client.post(missing).status_code == 404
    assert queued == []


def test_get_is_not_allowed(auth_client, rocket, queued):
    response = auth_client.get(collect_url(rocket))

    assert response.status_code == 405
    assert "error" in response.json()


def test_a_running_collection_is_a_409_that_says_when_to_ask_again(auth_client, rocket, queued):
    Collection.objects.filter(repository=rocket).update(
        lease_owner="worker", lease_until=timezone.now() + dt.timedelta(minutes=5)
    )

    response = auth_client.post(collect_url(rocket))

    assert response.status_code == 409
    assert "acme/rocket is running now" in response.json()["error"]
    assert 1 <= int(response["Retry-After"]) <= 300
    assert queued == []


def test_an_expired_lease_does_not_block_it(auth_client, rocket, queued):
    Collection.objects.filter(repository=rocket).update(
        lease_owner="gone", lease_until=timezone.now() - dt.timedelta(minutes=1)
    )

    assert auth_client.post(collect_url(rocket)).status_code == 202
    assert len(queued) == 1


def test_past_the_rate_it_is_a_429_saying_when_to_try_again(auth_client, rocket, queued, settings):
    settings.REPOTRAFFIC_THROTTLE_COLLECT_NOW = "2/hour"
    assert auth_client.post(collect_url(rocket)).status_code == 202
    assert auth_client.post(collect_url(rocket)).status_code == 202

    response = auth_client.post(collect_url(rocket))

    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= 3600
    assert response.json() == {
        "error": f"Too many requests of this kind: try again in {wait} seconds."
    }
    assert len(queued) == 2


def test_the_rate_is_counted_per_user(auth_client, rocket, queued, settings, api_client):
    settings.REPOTRAFFIC_THROTTLE_COLLECT_NOW = "1/hour"
    assert auth_client.post(collect_url(rocket)).status_code == 202
    other, other_token = user_with_token()
    theirs = RepositoryFactory.create(user=other)
    api_client.credentials(HTTP_X_API_TOKEN=other_token)

    assert api_client.post(collect_url(theirs)).status_code == 202


def test_the_schema_describes_it(api_client):
    schema = yaml.safe_load(api_client.get("/api/schema").content)

    operation = schema["paths"]["/api/repos/{repository_id}/collect"]["post"]
    assert operation["operationId"] == "repos_collect"
    assert set(operation["responses"]) >= {"202", "401", "404", "409", "429"}
    assert "CollectionQueued" in schema["components"]["schemas"]
