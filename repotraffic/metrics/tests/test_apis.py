"""GET /metrics: every family, right after real collections against the fake GitHub."""

import datetime as dt
import time
import uuid

import pytest
import redis
import time_machine
from celery import Celery
from django.utils import timezone

from repotraffic.budget.gates import token_gate
from repotraffic.integrations.github.client import github_token_key
from repotraffic.metrics.tests.helpers import METRICS_TOKEN, named, sample, samples, scrape
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.services import traffic_fetch
from repotraffic.traffic.tests.workers import redis_url_or_skip
from repotraffic.users.crypto import secret_encrypt

pytestmark = pytest.mark.django_db

USER_TOKEN = "users-own-github-token"


@pytest.fixture(autouse=True)
def metrics_on(settings):
    settings.REPOTRAFFIC_METRICS_TOKEN = METRICS_TOKEN


def figures(client) -> dict:
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    return samples(response.content.decode())


def test_collections_by_outcome_and_reason(api_client, github):
    github.add_repo("acme", "rocket")
    github.add_repo("acme", "secret", push_tokens=[])
    for name in ("rocket", "rocket", "secret", "gone"):
        repository = RepositoryFactory.create(owner="acme", name=name)
        traffic_fetch(repository_id=repository.id)

    found = figures(api_client)

    assert named(found, "repotraffic_collections_total") == {
        frozenset({("outcome", "succeeded"), ("reason", "")}): 2,
        frozenset({("outcome", "failed"), ("reason", "no_push_access")}): 1,
        frozenset({("outcome", "failed"), ("reason", "not_found")}): 1,
    }
    assert sample(found, "repotraffic_repositories") == 4
    assert sample(found, "repotraffic_repositories_stale") == 0


def test_rate_limit_left_per_token_masked(api_client, github):
    github.add_repo("acme", "rocket")
    traffic_fetch(repository_id=RepositoryFactory.create(owner="acme", name="rocket").id)
    server_requests = sum(github.request_counts().values())
    github.reset_requests()
    github.add_token(USER_TOKEN, login="alice")
    repository = RepositoryFactory.create(owner="acme", name="rocket")
    repository.user.github_token_encrypted = secret_encrypt(USER_TOKEN)
    repository.user.save()
    traffic_fetch(repository_id=repository.id)
    user_requests = sum(github.request_counts().values())

    response = scrape(api_client)
    found = samples(response.content.decode())

    server_key = github_token_key(token="server-token")
    user_key = github_token_key(token=USER_TOKEN)
    server = {"token": server_key[:8], "kind": "server"}
    user = {"token": user_key[:8], "kind": "user"}
    assert sample(found, "repotraffic_github_rate_limit_remaining", **server) == (
        5000 - server_requests
    )
    assert sample(found, "repotraffic_github_rate_limit_remaining", **user) == 5000 - user_requests
    reset = sample(found, "repotraffic_github_rate_limit_reset_timestamp_seconds", **server)
    assert reset is not None and time.time() < reset <= time.time() + 3601  # whole seconds
    assert sample(found, "repotraffic_github_token_paused", **server) == 0
    # Masked: neither token, nor the whole digest its gate knows it by.
    body = response.content.decode()
    for secret in ("server-token", USER_TOKEN, server_key, user_key, server_key[:9]):
        assert secret not in body


def test_a_paused_token(api_client):
    key = github_token_key(token="server-token")
    token_gate().pause(token_key=key, until=time.time() + 600)

    found = figures(api_client)

    assert sample(found, "repotraffic_github_token_paused", token=key[:8], kind="server") == 1
    assert named(found, "repotraffic_github_rate_limit_remaining") == {}


def test_repositories_not_collected_for_more_than_36_hours(api_client):
    now = timezone.now()
    hours = [None, 1, 35.9, 36.1, 100]  # since the last success; None: never collected
    for since in hours:
        last_success = None if since is None else now - dt.timedelta(hours=since)
        RepositoryFactory.create(collection__last_success_at=last_success)

    with time_machine.travel(now, tick=False):
        assert sample(figures(api_client), "repotraffic_repositories_stale") == 2
    with time_machine.travel(now + dt.timedelta(hours=37), tick=False):
        # Now the one never collected was added 37 hours ago, and the others are older.
        assert sample(figures(api_client), "repotraffic_repositories_stale") == 5


def test_the_queue_depth_on_the_filesystem_broker(api_client, settings, tmp_path):
    folder = str(tmp_path / "queue")
    # Every folder under tmp_path: kombu otherwise puts its control folder in the cwd.
    options = {
        "data_folder_in": folder,
        "data_folder_out": folder,
        "control_folder": str(tmp_path / "control"),
    }
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    sender = Celery("sender", broker="filesystem://localhost/")
    sender.conf.broker_transport_options = options
    (tmp_path / "queue").mkdir()
    assert sample(figures(api_client), "repotraffic_queue_messages", queue="celery") == 0

    for _ in range(3):
        sender.send_task("traffic_fetch_repository", args=[str(uuid.uuid4())])
    sender.send_task("traffic_fetch_all", queue="elsewhere")  # not ours

    found = figures(api_client)
    assert sample(found, "repotraffic_queue_messages", queue="celery") == 3
    assert sample(found, "repotraffic_metrics_source_up", source="broker") == 1


def test_the_queue_depth_on_redis_counts_every_priority(api_client, settings):
    url = redis_url_or_skip()
    queue = f"test-metrics-{uuid.uuid4().hex}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    sender = Celery("sender", broker=url)
    try:
        sender.send_task("traffic_fetch_all", queue=queue)
        sender.send_task("traffic_fetch_all", queue=queue)
        sender.send_task("traffic_fetch_all", queue=queue, priority=6)

        assert sample(figures(api_client), "repotraffic_queue_messages", queue=queue) == 3
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)


def test_a_broker_that_does_not_answer_leaves_only_its_figures_out(api_client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens there

    found = figures(api_client)

    assert sample(found, "repotraffic_metrics_source_up", source="broker") == 0
    assert named(found, "repotraffic_queue_messages") == {}
    assert sample(found, "repotraffic_metrics_source_up", source="database") == 1
    assert sample(found, "repotraffic_repositories") == 0


def test_no_queue_figure_for_a_broker_inside_one_process(api_client, settings):
    settings.CELERY_BROKER_URL = "memory://"

    found = figures(api_client)

    assert named(found, "repotraffic_queue_messages") == {}
    assert sample(found, "repotraffic_metrics_source_up", source="broker") is None


@pytest.mark.parametrize("repositories", [0, 5])
def test_a_scrape_costs_two_queries_however_many_repositories(
    api_client, django_assert_num_queries, repositories
):
    RepositoryFactory.create_batch(repositories)

    with django_assert_num_queries(2):
        found = figures(api_client)

    assert sample(found, "repotraffic_repositories") == repositories


def test_it_is_in_the_openapi_schema(api_client):
    import yaml

    schema = yaml.safe_load(api_client.get("/api/schema").content)
    operation = schema["paths"]["/metrics"]["get"]

    assert set(operation["responses"]) == {"200", "401", "404"}
    assert "text/plain" in operation["responses"]["200"]["content"]
    assert operation["security"] == [{"MetricsToken": []}]
