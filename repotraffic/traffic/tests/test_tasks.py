import datetime as dt

import pytest
from django.utils import timezone

from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic import tasks
from repotraffic.traffic.models import TrafficDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.traffic_fetch_repository, "delay", lambda *args: calls.append(args))
    return calls


def test_fetch_all_queues_one_task_per_repository(queued):
    repositories = RepositoryFactory.create_batch(3)

    assert tasks.traffic_fetch_all.apply().get() == 3
    assert sorted(call[0] for call in queued) == sorted(str(r.id) for r in repositories)


def test_fetch_stale_queues_only_what_has_not_succeeded_for_a_day(queued):
    never = RepositoryFactory.create()
    old = RepositoryFactory.create(last_success_at=timezone.now() - dt.timedelta(hours=30))
    RepositoryFactory.create(last_success_at=timezone.now() - dt.timedelta(hours=2))

    assert tasks.traffic_fetch_stale.apply().get() == 2
    assert sorted(queued) == sorted([(str(never.id), True), (str(old.id), True)])


def test_a_repository_task_collects(github):
    github.add_repo("acme", "rocket")
    repository = RepositoryFactory.create(owner="acme", name="rocket")

    summary = tasks.traffic_fetch_repository.apply(args=(str(repository.id),)).get()

    assert "acme/rocket: ok" in summary
    assert TrafficDay.objects.filter(repository=repository).count() > 5


def test_only_if_stale_skips_a_repository_collected_lately(github):
    github.add_repo("acme", "rocket")
    repository = RepositoryFactory.create(
        owner="acme", name="rocket", last_success_at=timezone.now() - dt.timedelta(hours=1)
    )

    summary = tasks.traffic_fetch_repository.apply(args=(str(repository.id), True)).get()

    assert "skipped" in summary
    assert github.request_counts() == {}


def test_a_transient_failure_is_retried_by_the_task(github):
    github.add_repo("acme", "rocket")
    repository = RepositoryFactory.create(owner="acme", name="rocket")
    # The client tries 1 + GITHUB_MAX_RETRIES (3) times; the 5th request succeeds,
    # so only the task's own retry gets through.
    github.inject_fault("502", count=4)

    result = tasks.traffic_fetch_repository.apply(args=(str(repository.id),))

    assert "acme/rocket: ok" in result.get()
    repository.refresh_from_db()
    assert repository.last_error == ""
    assert TrafficDay.objects.filter(repository=repository).exists()


def test_a_permanent_failure_is_not_retried(github):
    repository = RepositoryFactory.create(owner="acme", name="missing")

    summary = tasks.traffic_fetch_repository.apply(args=(str(repository.id),)).get()

    assert "FAILED" in summary
    assert sum(github.request_counts().values()) == 1


def test_creating_a_repository_queues_its_first_collection(
    auth_client, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(
            "/api/repos/create", {"url": "github.com/acme/rocket"}, content_type="application/json"
        )
    assert queued == [(response.json()["id"], False)]
