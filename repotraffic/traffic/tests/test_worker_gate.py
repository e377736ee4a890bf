"""One budget per GitHub token across every process: two real workers, each running
several collections at once, never have more requests in flight with the server's
token than GITHUB_TOKEN_CONCURRENCY, on both brokers (the gate is in Redis with the
Redis broker, in the database with the filesystem broker)."""

import pytest

from repotraffic.common.tests.polling import poll_until
from repotraffic.repositories.tests.factories import RepositoryFactory
from repotraffic.traffic.models import Collection
from repotraffic.traffic.tests.workers import Processes, broker_for, worker_command, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPOSITORIES = 12
CAP = 2


@pytest.mark.parametrize("mode", ["embedded", "redis"])
def test_two_workers_share_one_tokens_concurrency(mode, github, tmp_path):
    first = RepositoryFactory.create(owner="acme", name="repo-0")
    for number in range(REPOSITORIES):
        github.add_repo("acme", f"repo-{number}")
        if number:
            RepositoryFactory.create(owner="acme", name=f"repo-{number}", user=first.user)
    github.set_latency(150)  # requests overlap: 6 collections at once would send 6
    github.concurrency_reset()

    with broker_for(mode, tmp_path) as broker:
        processes = Processes(tmp_path)
        environment = worker_env(
            broker=broker, github_url=github.url, GITHUB_TOKEN_CONCURRENCY=str(CAP)
        )
        workers = [
            processes.start(worker_command("--concurrency", "3"), env=environment, name="worker")
            for _ in range(2)
        ]
        try:
            # Each worker collects the never-collected repositories when it starts.
            poll_until(
                lambda: (
                    Collection.objects.filter(last_success_at__isnull=False).count() == REPOSITORIES
                ),
                seconds=120,
                interval=0.3,
                what="every repository collected",
                details=lambda: "\n".join(worker.log_tail() for worker in workers),
            )
        finally:
            processes.kill_all()

    assert github.concurrency_peaks()["server"] == CAP  # the login of the server token
