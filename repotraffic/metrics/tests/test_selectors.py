"""metrics.selectors: the figures as every process sees them."""

import datetime as dt
import time

import pytest

from repotraffic.budget.gates import Permit, token_gate
from repotraffic.integrations.github.client import github_token_key
from repotraffic.metrics.selectors import (
    RepositoryFigures,
    TokenFigures,
    github_token_figures,
    queue_depths,
    queue_depths_known,
    repository_figures,
)
from repotraffic.repositories.models import Repository
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.users.tests.factories import UserFactory

NOW = dt.datetime(2026, 11, 12, 22, 30, tzinfo=dt.UTC)


def added(repository: Repository, *, hours_ago: float) -> None:
    Repository.objects.filter(pk=repository.pk).update(
        created_at=NOW - dt.timedelta(hours=hours_ago)
    )


@pytest.mark.django_db
class TestRepositoryFigures:
    def test_a_repository_is_stale_after_36_hours_without_a_success(self):
        for hours in (35, 36, 37):
            RepositoryFactory.create(collection__last_success_at=NOW - dt.timedelta(hours=hours))

        assert repository_figures(now=NOW).stale == 1
        assert repository_figures(now=NOW).tracked == 3

    def test_one_never_collected_is_stale_36_hours_after_it_was_added(self):
        young, old = RepositoryFactory.create(), RepositoryFactory.create()
        added(young, hours_ago=35)
        added(old, hours_ago=37)

        assert repository_figures(now=NOW).stale == 1

    def test_failures_do_not_make_a_recent_success_stale(self):
        repository = RepositoryFactory.create(
            collection__last_success_at=NOW - dt.timedelta(hours=30),
            collection__last_attempt_at=NOW,
            collection__last_error="GitHub did not answer",
        )
        added(repository, hours_ago=1000)

        assert repository_figures(now=NOW).stale == 0

    def test_one_made_without_its_collection_state_reads_as_never_collected(self):
        Repository.objects.bulk_create(
            [Repository(user=UserFactory.create(), owner="acme", name="bulk")]
        )
        added(Repository.objects.get(name="bulk"), hours_ago=40)

        assert repository_figures(now=NOW) == RepositoryFigures(tracked=1, stale=1)


class TestGitHubTokenFigures:
    def test_a_token_used_this_hour_with_what_is_left_of_it(self):
        now = time.time()
        key = github_token_key(token="a-users-token")
        gate = token_gate()
        permit = gate.take(token_key=key, now=now, lease_seconds=60, interactive=False)
        assert isinstance(permit, Permit)
        gate.release(permit=permit, remaining=4321, reset=now + 1800)

        assert github_token_figures(now=now) == [
            TokenFigures(token=key[:8], kind="user", remaining=4321, reset=now + 1800, paused=False)
        ]
        # Once its hour has reset, GitHub has not said yet what is left of the next.
        assert github_token_figures(now=now + 1800) == []

    def test_the_servers_token_is_told_apart(self, settings):
        now = time.time()
        token_gate().pause(token_key=github_token_key(token=settings.GITHUB_TOKEN), until=now + 9)

        [figures] = github_token_figures(now=now)

        assert figures.kind == "server" and figures.paused and figures.remaining is None

    def test_without_a_server_token_every_token_is_a_users(self, settings):
        now = time.time()
        key = github_token_key(token=settings.GITHUB_TOKEN)
        token_gate().pause(token_key=key, until=now + 9)
        settings.GITHUB_TOKEN = ""

        assert [figures.kind for figures in github_token_figures(now=now)] == ["user"]


class TestQueueDepths:
    def test_on_the_filesystem_broker_it_counts_the_queues_message_files(self, settings, tmp_path):
        settings.CELERY_BROKER_URL = "filesystem://localhost/"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
        for name in ("1_a.celery.msg", "2_b.celery.msg", "3_c.other.msg", "4_d.xcelery.msg"):
            (tmp_path / name).write_text("{}")

        assert queue_depths_known()
        assert queue_depths() == {"celery": 2}

    def test_a_queue_folder_not_made_yet_holds_nothing(self, settings, tmp_path):
        settings.CELERY_BROKER_URL = "filesystem://localhost/"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "none")}

        assert queue_depths() == {"celery": 0}

    def test_a_broker_inside_one_process_has_none_to_read(self, settings):
        settings.CELERY_BROKER_URL = "memory://"

        assert not queue_depths_known()
